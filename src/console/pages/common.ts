// Pieces every page uses: the error box, the page heading, the label form.
import { ApiFailure, apiPost, segment } from '../api';
import { h, status } from '../dom';
import type { Clearance, Label, LabelRecord } from '../types';

/** An error as an alert an investigator can act on; `roles` names who may do what failed. */
export function failure(err: unknown, roles: string): HTMLElement {
  if (err instanceof ApiFailure && err.status === 401) {
    const box = status(`${err.explain(roles)} `, 'error');
    box.append(h('a', { href: '#/signin' }, 'Sign in'));
    return box;
  }
  if (err instanceof ApiFailure) return status(err.explain(roles), 'error');
  return status(`Something went wrong: ${err instanceof Error ? err.message : String(err)}`, 'error');
}

/** The page's heading; focused on arrival so a screen reader announces the new page. */
export function heading(text: string): HTMLHeadingElement {
  return h('h1', { tabindex: -1, id: 'page-heading' }, text);
}

/** The outcome of recording a label, as the API answered it. */
export type LabelAnswer = { readonly kind: 'recorded'; readonly record: LabelRecord } | { readonly kind: 'clearance'; readonly clearance: Clearance };

/**
 * Label an application fraud or legit with a note. The answer says what changed: a label recorded
 * (201), or a clearance of a fraud label waiting for a second investigator (202, four-eyes).
 */
export function labelForm(onRecorded: (applicationId: string, answer: LabelAnswer) => void): { element: HTMLElement; choose: (applicationId: string) => void } {
  let applicationId: string | undefined;
  const chosen = h('output', { id: 'label-application', 'aria-live': 'polite' }, 'none chosen: pick an application in the table or the graph');
  const result = h('div', { className: 'form-result' });
  const note = h('textarea', { id: 'label-note', name: 'note', rows: 2, maxlength: 2000 });
  const submit = h('button', { type: 'submit', disabled: true }, 'Record label');
  const radio = (value: Label, text: string) =>
    h('label', { className: 'choice' }, h('input', { type: 'radio', name: 'label', value, required: true, ...(value === 'fraud' ? { checked: true } : {}) }), ` ${text}`);
  const form = h(
    'form',
    { className: 'label-form', 'aria-labelledby': 'label-form-heading' },
    h('h2', { id: 'label-form-heading' }, 'Label an application'),
    h('p', {}, 'Application: ', chosen),
    h('fieldset', {}, h('legend', {}, 'Finding'), radio('fraud', 'Fraud'), radio('legit', 'Legitimate')),
    h('label', { for: 'label-note' }, 'Note (why; kept in the audit trail)'),
    note,
    h('p', {}, submit),
    result,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!applicationId) return;
    const label = (new FormData(form).get('label') ?? 'fraud') as Label;
    const target = applicationId;
    submit.disabled = true;
    result.replaceChildren(status('Recording…'));
    const body = { label, ...(note.value.trim() ? { note: note.value.trim() } : {}) };
    apiPost<LabelRecord | { applicationId: string; label: 'fraud'; clearance: Clearance }>(`/applications/${segment(target)}/labels`, body)
      .then(({ status: code, body: answer }) => {
        if (code === 202 && 'clearance' in answer) {
          result.replaceChildren(
            status(`Clearance requested for ${target}: the fraud label stays in force until a second investigator confirms it (requested by ${answer.clearance.requestedBy}).`, 'success'),
          );
          onRecorded(target, { kind: 'clearance', clearance: answer.clearance });
        } else {
          const record = answer as LabelRecord;
          result.replaceChildren(
            status(`Recorded: ${record.applicationId} is now labelled ${record.label} (label ${record.labelId}, by ${record.by}${record.confirmedBy ? `, confirmed by ${record.confirmedBy}` : ''}).`, 'success'),
          );
          note.value = '';
          onRecorded(target, { kind: 'recorded', record });
        }
      })
      .catch((err: unknown) => result.replaceChildren(failure(err, 'investigator')))
      .finally(() => {
        submit.disabled = false;
      });
  });
  return {
    element: form,
    choose(id: string) {
      applicationId = id;
      chosen.textContent = id;
      submit.disabled = false;
      result.replaceChildren();
    },
  };
}

/** A flag's evidence as text, hashes shortened: the API's masked forms are shown, whole hashes never. */
export function evidenceText(evidence: unknown): string {
  return JSON.stringify(evidence, (key, value: unknown) => (key === 'hash' && typeof value === 'string' ? `${value.slice(0, 8)}…` : value), 2);
}
