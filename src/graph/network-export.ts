// What an investigator's own tools read of a cluster or an ego network: a graphology graph (written
// as GEXF for Gephi and the like) and a CSV of the member applications. Built from the very views
// the JSON endpoints return (investigation.ts), so an export shows nothing the JSON does not:
// identifiers only in their masked form. Pure: no I/O, no HTTP.
import { UndirectedGraph } from 'graphology';
import { write as writeGexf } from 'graphology-gexf';
import type { ApplicationView, ClusterDetail, EgoNetwork } from './investigation';

/** The formats a cluster or a network is exported in, besides JSON. */
export const EXPORT_FORMATS = ['gexf', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** A cluster's or an ego network's view, as the JSON endpoints return it. */
export type NetworkView = ClusterDetail | EgoNetwork;

/**
 * A node of the exported graph. `label` is the display name tools draw (the application id, or the
 * identifier's masked form); the investigator's finding is `investigatorLabel`, since GEXF keeps
 * `label` for the display name.
 */
export interface ExportNode {
  readonly kind: 'application' | 'identifier';
  readonly label: string;
  /** Shown, never expanded: a common identifier (above its type's maxShare) links nobody. */
  readonly hub: boolean;
  readonly applicationId?: string;
  readonly outcome?: string;
  readonly investigatorLabel?: string;
  readonly decidedAt?: string;
  readonly region?: string;
  readonly product?: string;
  readonly clusterId?: string;
  readonly identifierType?: string;
  readonly masked?: string;
  /** All applications carrying the identifier. */
  readonly applications?: number;
  /** Ego network only: hops from the application it is drawn around. */
  readonly hops?: number;
}

export interface ExportGraphAttributes {
  readonly description: string;
}

export type ExportGraph = UndirectedGraph<ExportNode, Record<string, never>, ExportGraphAttributes>;

const isCluster = (view: NetworkView): view is ClusterDetail => 'members' in view;

/** Only the attributes that have a value: tools read a missing attribute as "unknown", not as "null". */
function defined(attributes: Record<string, string | number | boolean | null | undefined>): Record<string, string | number | boolean> {
  return Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== null && v !== undefined)) as Record<string, string | number | boolean>;
}

const applicationNode = (a: ApplicationView, clusterId: string | null, hops?: number): ExportNode =>
  defined({
    kind: 'application',
    label: a.applicationId,
    hub: false,
    applicationId: a.applicationId,
    outcome: a.outcome,
    investigatorLabel: a.label,
    decidedAt: a.decidedAt,
    region: a.region,
    product: a.product,
    clusterId,
    hops,
  }) as unknown as ExportNode;

const identifierNode = (type: string, masked: string, applications: number, hub: boolean, hops?: number): ExportNode =>
  defined({ kind: 'identifier', label: masked, hub, identifierType: type, masked, applications, hops }) as unknown as ExportNode;

/**
 * The graph of a cluster (its members and the identifiers two or more of them share) or of an ego
 * network, with an edge from each application to each identifier it carries. Identifier nodes are
 * keyed `<type>:<n>` by order of appearance, not by their keyed hash: a tool needs a key, not the
 * hash, and the export then holds nothing an identifier could be looked up by.
 */
export function exportGraph(view: NetworkView): ExportGraph {
  const description = isCluster(view)
    ? `Cluster ${view.id} of clustering ${view.clustering.generation} (${view.clustering.at}): applications and the identifiers they share; identifiers masked.`
    : `Network of application ${view.applicationId} to depth ${view.depth}${view.truncated ? ' (truncated at maxNodes)' : ''}; identifiers masked.`;
  const graph: ExportGraph = new UndirectedGraph({ allowSelfLoops: false });
  graph.replaceAttributes({ description });
  const keys = new Map<string, string>();
  const perType = new Map<string, number>();
  const identifierKey = (id: string, type: string) => {
    const n = (perType.get(type) ?? 0) + 1;
    perType.set(type, n);
    const key = `${type}:${n}`;
    keys.set(id, key);
    return key;
  };

  if (isCluster(view)) {
    for (const m of view.members) {
      const key = `app:${m.applicationId}`;
      keys.set(key, key);
      graph.addNode(key, applicationNode(m, view.id));
    }
    for (const list of Object.values(view.sharedIdentifiers)) {
      for (const s of list ?? []) graph.addNode(identifierKey(s.id, s.type), identifierNode(s.type, s.masked, s.applications, !s.linking));
    }
    for (const e of view.edges) {
      // Past membersTruncated the JSON names a member in its edges only: it is drawn with what is known of it.
      if (!keys.has(e.source)) {
        const applicationId = e.source.slice('app:'.length);
        keys.set(e.source, e.source);
        graph.addNode(e.source, { kind: 'application', label: applicationId, hub: false, applicationId, clusterId: view.id });
      }
      const target = keys.get(e.target);
      if (target !== undefined) graph.mergeEdge(e.source, target);
    }
    return graph;
  }

  for (const n of view.nodes) {
    if (n.kind === 'application') {
      keys.set(n.id, n.id);
      graph.addNode(n.id, applicationNode(n, n.clusterId, n.hops));
    } else graph.addNode(identifierKey(n.id, n.type), identifierNode(n.type, n.masked, n.applications, n.common, n.hops));
  }
  for (const e of view.edges) {
    const source = keys.get(e.source);
    const target = keys.get(e.target);
    if (source !== undefined && target !== undefined) graph.mergeEdge(source, target);
  }
  return graph;
}

/** The graph as GEXF 1.3 (Gephi, graphology's parser, NetworkX read it). */
export function toGexf(graph: ExportGraph): string {
  return writeGexf(graph, { version: '1.3', pretty: true });
}

/** The CSV columns, in order: one row per member application. */
export const MEMBER_COLUMNS = ['applicationId', 'clusterId', 'outcome', 'label', 'decidedAt', 'region', 'product', 'hops'] as const;
type MemberRow = Readonly<Record<(typeof MEMBER_COLUMNS)[number], string | number | null>>;

/**
 * A spreadsheet opening a cell that starts with one of these runs it as a formula (CSV injection:
 * `=HYPERLINK(…)` in an application id). Such a cell gets a leading apostrophe, which spreadsheets
 * read as "text" and do not show.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell: formula-safe, then quoted as RFC 4180 requires (a comma, a quote or a line break). */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The member applications of a cluster, or the applications of an ego network, one row each. */
export function memberRows(view: NetworkView): MemberRow[] {
  const row = (a: ApplicationView, clusterId: string | null, hops: number | null): MemberRow => ({
    applicationId: a.applicationId,
    clusterId,
    outcome: a.outcome,
    label: a.label,
    decidedAt: a.decidedAt,
    region: a.region,
    product: a.product,
    hops,
  });
  if (isCluster(view)) return view.members.map((m) => row(m, view.id, null));
  return view.nodes.flatMap((n) => (n.kind === 'application' ? [row(n, n.clusterId, n.hops)] : []));
}

/** The rows as CSV with a header line, CRLF line ends (RFC 4180). */
export function membersCsv(view: NetworkView): string {
  const lines = [MEMBER_COLUMNS.join(','), ...memberRows(view).map((r) => MEMBER_COLUMNS.map((c) => csvCell(r[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
