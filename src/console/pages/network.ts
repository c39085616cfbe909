// An application's ego network, 1 to 3 hops: click a node (or press its Expand button) to fetch
// that node's own network and merge it in. Common identifiers (hubs) are shown, never expanded.
import { apiGet, segment } from '../api';
import { fill, h, hidden, status } from '../dom';
import { GraphView, type GraphData, type GraphNode } from '../graph-view';
import { href } from '../router';
import type { EgoNetwork, NetworkNode } from '../types';
import { failure, heading, labelForm } from './common';
import { exports, graphContainer, legend } from './graph-parts';

const MAX_NODES = 1000;

function graphNode(n: NetworkNode): GraphNode {
  return n.kind === 'application'
    ? { id: n.id, kind: 'application', caption: n.applicationId, outcome: n.outcome, label: n.label }
    : { id: n.id, kind: 'identifier', type: n.type, caption: n.masked, hub: n.common };
}

const graphOf = (network: EgoNetwork): GraphData => ({ nodes: network.nodes.map(graphNode), edges: network.edges });
const networkPath = (applicationId: string) => `/applications/${segment(applicationId)}/network`;

export async function networkPage(main: HTMLElement, applicationId: string, depth: number): Promise<() => void> {
  const title = `Network of application ${applicationId}`;
  fill(main, heading(title), status('Loading the network…'));
  let network: EgoNetwork;
  let arrivedAt: number;
  try {
    network = await apiGet<EgoNetwork>(`${networkPath(applicationId)}?depth=${depth}&maxNodes=${MAX_NODES}`);
    arrivedAt = performance.now();
  } catch (err) {
    fill(main, heading(title), depthForm(applicationId, depth), failure(err, 'investigator or admin'));
    return () => undefined;
  }
  const data = graphOf(network);
  const container = graphContainer(`Network of application ${applicationId} within ${depth} hops; the node list below has the same nodes, each with an Expand button.`);
  const expansion = h('div', { className: 'form-result', 'aria-live': 'polite' });
  const nodeRows = h('tbody', {});
  const listed = new Map<string, HTMLElement>();
  const expanded = new Set<string>([`app:${network.applicationId}`]);
  let view: GraphView | undefined;
  const form = labelForm((id, answer) => {
    if (answer.kind !== 'recorded') return;
    view?.markLabel(`app:${id}`, answer.record.label);
    const cell = listed.get(`app:${id}`)?.querySelector('.node-label');
    if (cell) cell.textContent = answer.record.label;
  });

  const addRows = (nodes: readonly NetworkNode[]) => {
    for (const n of nodes) if (!listed.has(n.id)) listed.set(n.id, nodeRow(n, () => void expand(n.id), () => form.choose(n.kind === 'application' ? n.applicationId : '')));
    nodeRows.replaceChildren(...listed.values());
  };

  // An application's network at depth 1 brings its identifiers' other holders along with the
  // identifier hop; an identifier is expanded through one of its applications already drawn.
  const expand = async (nodeId: string) => {
    const node = view?.nodeOf(nodeId);
    if (!view || !node) return;
    view.select(nodeId);
    if (node.kind === 'application') form.choose(node.caption);
    if (node.hub) {
      expansion.replaceChildren(status(`${node.caption} is a common identifier (a hub): shown, not expanded.`));
      return;
    }
    if (expanded.has(nodeId)) {
      expansion.replaceChildren(status(`${node.caption} is already expanded.`));
      return;
    }
    const through = node.kind === 'application' ? node.caption : view.graph.neighbors(nodeId).map((id) => view?.nodeOf(id)).find((n) => n?.kind === 'application')?.caption;
    if (!through) return;
    expansion.replaceChildren(status(`Expanding ${node.caption}…`));
    try {
      const more = await apiGet<EgoNetwork>(`${networkPath(through)}?depth=2&maxNodes=${MAX_NODES}`);
      expanded.add(nodeId);
      const added = view.merge(graphOf(more), nodeId);
      addRows(more.nodes);
      expansion.replaceChildren(status(`Expanded ${node.caption}: ${added} new node${added === 1 ? '' : 's'}${more.truncated ? ' (truncated at the node limit)' : ''}.`, 'success'));
    } catch (err) {
      expansion.replaceChildren(failure(err, 'investigator or admin'));
    }
  };

  fill(
    main,
    heading(title),
    depthForm(applicationId, depth),
    network.truncated ? status(`Only the first ${MAX_NODES} nodes are drawn.`) : null,
    exports(networkPath(applicationId), `${applicationId}-network`),
    h('section', { 'aria-labelledby': 'network-heading' }, h('h2', { id: 'network-heading' }, 'Network'), legend([...new Set(network.nodes.flatMap((n) => (n.kind === 'identifier' ? [n.type] : [])))]), container, expansion),
    form.element,
  );
  const nodeSection = () =>
    main.append(h(
      'section',
      { 'aria-labelledby': 'nodes-heading' },
      h('h2', { id: 'nodes-heading' }, 'Nodes'),
      h(
        'div',
        { className: 'table-scroll' },
        h(
          'table',
          { className: 'data', id: 'node-table' },
          h('caption', {}, 'Applications and identifiers in the network'),
          h('thead', {}, h('tr', {}, ['Node', 'Kind', 'Hops', 'Outcome / carriers', 'Label', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
          nodeRows,
        ),
      ),
    ));
  addRows(network.nodes);
  view = new GraphView(container, data, { arrivedAt, onActivate: (node) => void expand(node.id), onReady: nodeSection });
  return () => view?.kill();
}

function depthForm(applicationId: string, depth: number): HTMLElement {
  const select = h('select', { id: 'depth', name: 'depth' }, [1, 2, 3].map((d) => h('option', { value: d, selected: d === depth }, `${d} hop${d === 1 ? '' : 's'}`)));
  const form = h('form', { className: 'filters', 'aria-label': 'Network depth' }, h('div', { className: 'field' }, h('label', { for: 'depth' }, 'Depth'), select), h('div', { className: 'field' }, h('button', { type: 'submit' }, 'Show')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = href.network(applicationId, Number(select.value));
  });
  return form;
}

function nodeRow(n: NetworkNode, onExpand: () => void, onLabel: () => void): HTMLElement {
  const isApplication = n.kind === 'application';
  const name = isApplication ? n.applicationId : n.masked;
  return h(
    'tr',
    {},
    h('th', { scope: 'row' }, name),
    h('td', {}, isApplication ? 'application' : `${n.type}${n.common ? ' (hub)' : ''}`),
    h('td', { className: 'number' }, n.hops),
    h('td', {}, isApplication ? n.outcome : `${n.applications} applications`),
    h('td', { className: 'node-label' }, isApplication ? (n.label ?? '—') : ''),
    h(
      'td',
      { className: 'actions' },
      !isApplication && n.common
        ? 'hub: not expanded'
        : h('button', { type: 'button', className: 'secondary', onclick: onExpand }, 'Expand', hidden(` ${name}`)),
      isApplication ? h('button', { type: 'button', className: 'secondary', onclick: onLabel }, 'Label', hidden(` ${name}`)) : null,
      isApplication && n.clusterId ? h('a', { href: href.cluster(n.clusterId) }, 'Cluster', hidden(` of ${name}`)) : null,
    ),
  );
}
