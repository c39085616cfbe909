// One cluster: its network drawn, the flags with their why and evidence, the members table (the
// graph's keyboard alternative), the shared identifiers, exports, and labelling a member.
import { apiGet, segment } from '../api';
import { dateTime, fill, h, hidden, shortHash, status } from '../dom';
import { GraphView, type GraphData, type GraphNode } from '../graph-view';
import { href } from '../router';
import type { ApplicationView, ClusterDetail } from '../types';
import { evidenceText, failure, heading, labelForm } from './common';
import { exports, graphContainer, legend } from './graph-parts';

const applicationNode = (applicationId: string) => `app:${applicationId}`;

/** The cluster's graph: its members, the identifiers two or more of them share, and the links. */
export function clusterGraph(detail: ClusterDetail): GraphData {
  const nodes = new Map<string, GraphNode>();
  for (const m of detail.members) nodes.set(applicationNode(m.applicationId), { id: applicationNode(m.applicationId), kind: 'application', caption: m.applicationId, outcome: m.outcome, label: m.label });
  for (const [type, list] of Object.entries(detail.sharedIdentifiers)) {
    for (const s of list) nodes.set(s.id, { id: s.id, kind: 'identifier', type, caption: s.masked || `${type} ${shortHash(s.hash)}`, hub: !s.linking });
  }
  // Members past the listed ones (membersTruncated) still appear in the edges: drawn, unlabelled.
  for (const e of detail.edges) {
    for (const id of [e.source, e.target]) {
      if (!nodes.has(id) && id.startsWith('app:')) nodes.set(id, { id, kind: 'application', caption: id.slice(4) });
    }
  }
  return { nodes: [...nodes.values()], edges: detail.edges };
}

export async function clusterPage(main: HTMLElement, clusterId: string): Promise<() => void> {
  fill(main, heading(`Cluster ${clusterId}`), status('Loading the cluster…'));
  let detail: ClusterDetail;
  let arrivedAt: number;
  try {
    detail = await apiGet<ClusterDetail>(`/clusters/${segment(clusterId)}`);
    arrivedAt = performance.now();
  } catch (err) {
    fill(main, heading(`Cluster ${clusterId}`), failure(err, 'investigator or admin'));
    return () => undefined;
  }
  const data = clusterGraph(detail);
  const applications = data.nodes.filter((n) => n.kind === 'application').length;
  const container = graphContainer(`Network of cluster ${detail.id}: ${applications} applications and ${data.nodes.length - applications} shared identifiers. The members and shared identifiers tables below list the same nodes.`);
  const labelCells = new Map<string, HTMLElement>();
  let view: GraphView | undefined;
  const form = labelForm((applicationId, answer) => {
    if (answer.kind !== 'recorded') return;
    const cell = labelCells.get(applicationId);
    if (cell) {
      cell.textContent = answer.record.label;
      cell.className = `label-${answer.record.label}`;
    }
    view?.markLabel(applicationNode(applicationId), answer.record.label);
  });

  fill(
    main,
    heading(`Cluster ${detail.id}`),
    h(
      'dl',
      { className: 'facts' },
      fact('Score', detail.score.toFixed(1)),
      fact('Suspicious', detail.suspicious ? 'yes' : 'no'),
      fact('Members', String(detail.size)),
      fact('Density', String(detail.density)),
      fact('First seen', dateTime(detail.firstSeen)),
      fact('Last seen', dateTime(detail.lastSeen)),
      fact('Clustering', `${detail.clustering.generation} of ${dateTime(detail.clustering.at)}`),
    ),
    exports(`/clusters/${segment(detail.id)}`, detail.id),
    h('section', { 'aria-labelledby': 'network-heading' }, h('h2', { id: 'network-heading' }, 'Network'), legend(Object.keys(detail.sharedIdentifiers)), container),
    h('section', { 'aria-labelledby': 'flags-heading' }, h('h2', { id: 'flags-heading' }, 'Why it is flagged'), flagList(detail)),
    form.element,
  );
  // The tables (the graph's keyboard alternative) follow the graph's first frame.
  const tables = () =>
    main.append(
      h('section', { 'aria-labelledby': 'members-heading' }, h('h2', { id: 'members-heading' }, 'Members'), membersTable(detail, labelCells, (id) => {
        form.choose(id);
        view?.select(applicationNode(id));
        document.getElementById('label-form-heading')?.scrollIntoView({ block: 'nearest' });
      })),
      h('section', { 'aria-labelledby': 'shared-heading' }, h('h2', { id: 'shared-heading' }, 'Shared identifiers'), sharedTable(detail, (id) => view?.select(id))),
    );
  view = new GraphView(container, data, {
    arrivedAt,
    onActivate: (node) => {
      if (node.kind === 'application') form.choose(node.caption);
    },
    onReady: tables,
  });
  return () => view?.kill();
}

const fact = (term: string, value: string) => h('div', {}, h('dt', {}, term), h('dd', {}, value));

function flagList(detail: ClusterDetail): HTMLElement {
  if (!detail.flags.length) return h('p', {}, 'No flags raised.');
  return h(
    'ul',
    { className: 'flags' },
    detail.flags.map((f) =>
      h(
        'li',
        {},
        h('p', {}, h('strong', {}, f.flag), ` (+${f.points} points): ${f.why}`),
        f.description ? h('p', { className: 'muted' }, f.description) : null,
        f.evidence ? h('details', {}, h('summary', {}, `Evidence for ${f.flag}`), h('pre', {}, evidenceText(f.evidence))) : null,
      ),
    ),
  );
}

function membersTable(detail: ClusterDetail, labelCells: Map<string, HTMLElement>, onLabel: (applicationId: string) => void): HTMLElement {
  const row = (m: ApplicationView) => {
    const labelCell = h('td', { className: `label-${m.label ?? 'none'}` }, m.label ?? '—');
    labelCells.set(m.applicationId, labelCell);
    return h(
      'tr',
      {},
      h('th', { scope: 'row' }, h('a', { href: href.network(m.applicationId) }, m.applicationId)),
      h('td', { className: m.outcome === 'decline' ? 'declined' : '' }, m.outcome),
      labelCell,
      h('td', {}, dateTime(m.decidedAt)),
      h('td', {}, h('button', { type: 'button', className: 'secondary label-button', 'data-application': m.applicationId, onclick: () => onLabel(m.applicationId) }, 'Label', hidden(` ${m.applicationId}`))),
    );
  };
  return h(
    'div',
    { className: 'table-scroll' },
    detail.membersTruncated ? h('p', { className: 'muted' }, `The first ${detail.members.length} of ${detail.size} members; the graph draws them all.`) : null,
    h(
      'table',
      { className: 'data', id: 'members-table' },
      h('caption', {}, `Members of ${detail.id}`),
      h('thead', {}, h('tr', {}, ['Application', 'Outcome', 'Label', 'Decided', 'Action'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, detail.members.map(row)),
    ),
  );
}

function sharedTable(detail: ClusterDetail, onShow: (nodeId: string) => void): HTMLElement {
  const rows = Object.entries(detail.sharedIdentifiers).flatMap(([type, list]) =>
    list.map((s) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, s.masked || shortHash(s.hash)),
        h('td', {}, type),
        h('td', { className: 'number' }, s.members),
        h('td', { className: 'number' }, s.applications),
        h('td', {}, s.linking ? 'links members' : 'common (hub): not expanded'),
        h('td', {}, h('button', { type: 'button', className: 'secondary', onclick: () => onShow(s.id) }, 'Show in graph', hidden(`: ${type} ${s.masked}`))),
      ),
    ),
  );
  if (!rows.length) return h('p', {}, 'None.');
  return h(
    'div',
    { className: 'table-scroll' },
    h(
      'table',
      { className: 'data' },
      h('caption', {}, 'Identifiers two or more members carry (masked)'),
      h('thead', {}, h('tr', {}, ['Identifier', 'Type', 'Members', 'All applications', 'Role', 'Graph'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows),
    ),
  );
}

