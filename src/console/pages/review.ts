// The review queue (decisions awaiting a reviewer's sign-off, oldest first) and a decision's page,
// where a reviewer signs it off. Who signs and at what level come from the credential.
import { apiGet, apiPost, segment } from '../api';
import { dateTime, fill, h, status } from '../dom';
import { href } from '../router';
import type { DecisionDocument, QueuedDecision, ReviewQueue } from '../types';
import { failure, heading } from './common';

const PAGE_SIZE = 25;

export async function reviewPage(main: HTMLElement, query: URLSearchParams): Promise<void> {
  fill(main, heading('Review queue'), status('Loading the queue…'));
  const params = new URLSearchParams({ status: 'awaiting_review', limit: String(PAGE_SIZE) });
  const cursor = query.get('cursor');
  if (cursor) params.set('cursor', cursor);
  let queue: ReviewQueue;
  try {
    queue = await apiGet<ReviewQueue>(`/decisions?${params}`);
  } catch (err) {
    fill(main, heading('Review queue'), failure(err, 'reviewer'));
    return;
  }
  const next = queue.nextCursor ? h('a', { href: href.review(new URLSearchParams({ cursor: queue.nextCursor })), rel: 'next' }, 'Next page') : null;
  const first = cursor ? h('a', { href: href.review() }, 'First page') : null;
  fill(
    main,
    heading('Review queue'),
    h('p', { className: 'muted' }, 'Decisions waiting for a reviewer, oldest first. Open one to sign it off.'),
    queue.decisions.length ? queueTable(queue.decisions) : status('Nothing awaits review.'),
    h('nav', { className: 'pager', 'aria-label': 'Pages of the review queue' }, first, next),
  );
}

function queueTable(decisions: readonly QueuedDecision[]): HTMLElement {
  return h(
    'div',
    { className: 'table-scroll' },
    h(
      'table',
      { className: 'data', id: 'review-table' },
      h('caption', {}, 'Awaiting review'),
      h('thead', {}, h('tr', {}, ['Decision', 'Application', 'Product', 'Region', 'Amount', 'Level', 'Reasons', 'Decided'].map((t) => h('th', { scope: 'col' }, t)))),
      h(
        'tbody',
        {},
        decisions.map((d) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, h('a', { href: href.decision(d.decisionId), className: 'decision-link' }, d.decisionId)),
            h('td', {}, d.applicationId),
            h('td', {}, d.product),
            h('td', {}, d.region),
            h('td', { className: 'number' }, d.amount.toLocaleString('en')),
            h('td', {}, d.approvalLevel),
            h('td', {}, h('ul', { className: 'flag-list' }, d.reasons.map((r) => h('li', { title: r.message }, h('code', {}, r.code))))),
            h('td', {}, dateTime(d.decidedAt)),
          ),
        ),
      ),
    ),
  );
}

export async function decisionPage(main: HTMLElement, decisionId: string): Promise<void> {
  const title = `Decision ${decisionId}`;
  fill(main, heading(title), status('Loading the decision…'));
  let decision: DecisionDocument;
  try {
    decision = await apiGet<DecisionDocument>(`/decisions/${segment(decisionId)}`);
  } catch (err) {
    fill(main, heading(title), failure(err, 'reviewer, investigator, analyst or admin'));
    return;
  }
  const summary = h('div', {});
  const result = h('div', { className: 'form-result' });
  const show = (d: DecisionDocument) => fill(summary, decisionSummary(d));
  show(decision);
  fill(main, heading(title), summary, decision.status === 'awaiting_review' ? signOffForm(decision, result, show) : h('p', {}, `No sign-off needed: the decision is ${decision.status}.`), result);
}

function decisionSummary(d: DecisionDocument): HTMLElement {
  const identifiers = Object.entries(d.request?.identifiers ?? {}).map(([type, value]) => `${type} ${value.masked ?? '(masked)'}`);
  const row = (term: string, value: Node | string) => h('div', {}, h('dt', {}, term), h('dd', {}, value));
  return h(
    'div',
    {},
    h(
      'dl',
      { className: 'facts', id: 'decision-facts' },
      row('Application', d.applicationId),
      row('Product', d.product),
      row('Region', d.region),
      row('Amount', d.request?.amount !== undefined ? d.request.amount.toLocaleString('en') : '—'),
      row('Automatic outcome', d.outcome),
      row('Status', d.status),
      row('Outcome now', d.currentOutcome),
      row('Sign-off level', d.approvalLevel),
      row('Decided', dateTime(d.decidedAt)),
      d.fraud?.clusterId ? row('Fraud cluster', h('a', { href: href.cluster(d.fraud.clusterId) }, `${d.fraud.clusterId} (score ${d.fraud.score}${d.fraud.suspicious ? ', suspicious' : ''})`)) : row('Fraud cluster', 'none'),
      row('Identifiers (masked)', identifiers.join(', ') || 'none'),
    ),
    h('h2', {}, 'Reasons'),
    d.reasons.length ? h('ul', {}, d.reasons.map((r) => h('li', {}, h('code', {}, r.code), ` (${r.stage}): ${r.message}`))) : h('p', {}, 'None.'),
    d.history.length ? h('h2', {}, 'History') : null,
    d.history.length ? h('ul', {}, d.history.map((e) => h('li', {}, `${new Date(e.at).toISOString().replace('T', ' ').slice(0, 19)} UTC: ${e.type.replace('_', ' ')} ${describe(e.detail)}`))) : null,
    h('p', {}, h('a', { href: href.network(d.applicationId) }, `Network of ${d.applicationId}`), ' (investigators)'),
  );
}

const describe = (detail: Readonly<Record<string, unknown>>) =>
  Object.entries(detail)
    .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(', ');

function signOffForm(decision: DecisionDocument, result: HTMLElement, show: (d: DecisionDocument) => void): HTMLElement {
  const note = h('textarea', { id: 'signoff-note', name: 'note', rows: 2, maxlength: 2000 });
  const submit = h('button', { type: 'submit' }, 'Sign off');
  const radio = (value: string, text: string) => h('label', { className: 'choice' }, h('input', { type: 'radio', name: 'outcome', value, required: true, ...(value === 'approve' ? { checked: true } : {}) }), ` ${text}`);
  const form = h(
    'form',
    { className: 'label-form', 'aria-labelledby': 'signoff-heading', id: 'signoff-form' },
    h('h2', { id: 'signoff-heading' }, 'Sign off'),
    h('p', { className: 'muted' }, `Needs a reviewer at level ${decision.approvalLevel} or above.`),
    h('fieldset', {}, h('legend', {}, 'Outcome'), radio('approve', 'Approve'), radio('decline', 'Decline')),
    h('label', { for: 'signoff-note' }, 'Note'),
    note,
    h('p', {}, submit),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const outcome = String(new FormData(form).get('outcome') ?? 'approve');
    submit.disabled = true;
    result.replaceChildren(status('Signing off…'));
    apiPost<DecisionDocument>(`/decisions/${segment(decision.decisionId)}/review`, { outcome, ...(note.value.trim() ? { note: note.value.trim() } : {}) })
      .then(({ body }) => {
        show(body);
        form.remove();
        result.replaceChildren(status(`Signed off: the decision is now ${body.status}, outcome ${body.currentOutcome}.`, 'success'));
      })
      .catch((err: unknown) => {
        submit.disabled = false;
        result.replaceChildren(failure(err, `reviewer (level ${decision.approvalLevel} or above)`));
      });
  });
  return form;
}
