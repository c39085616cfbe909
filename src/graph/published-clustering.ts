// A clustering carried from the replica that computed it to the others (issue 16: one recluster
// at a time, every replica loading its result). A clustering's arrays are indexed by application
// position in the graph that was clustered, and each replica's graph holds the same applications
// in its own order; so members travel by application id, cluster-level columns as they are, and
// the receiving replica maps the ids back to its own positions. Clusters keep their names (their
// earliest member's id, first on both sides), so investigators get the same ids from any replica.
import { gunzipSync, gzipSync } from 'node:zlib';
import { allocateClusterColumns, allocateClusterTypeColumns, type ClusterColumns, type ClusterTypeColumns } from './cluster-stats';
import type { Clustering } from './clustering';
import type { PortfolioBaseline } from './community-scoring';
import type { IdentityGraph } from './identity-graph';
import type { ReclusterResult, ReclusterSummary } from './recluster';

export interface PortableClustering {
  readonly generation: number;
  /** Epoch ms when it was computed. */
  readonly at: number;
  readonly summary: ReclusterSummary;
  readonly baseline: PortfolioBaseline;
  readonly clusters: number;
  /** Each cluster's members by application id, its earliest (whose id names it) first. */
  readonly members: readonly (readonly string[])[];
  /** Every per-cluster column (statistics, per-type statistics, score, verdict, flags, order), base64 of its bytes. */
  readonly columns: Readonly<Record<string, string>>;
}

type Column = Int32Array | Float64Array | Uint8Array | Uint32Array;

const encode = (column: Column): string => Buffer.from(column.buffer, column.byteOffset, column.byteLength).toString('base64');

function decode<T extends Column>(text: string | undefined, ctor: { new (buffer: ArrayBuffer): T; BYTES_PER_ELEMENT: number }, length: number): T {
  const bytes = Buffer.from(text ?? '', 'base64');
  if (bytes.byteLength !== length * ctor.BYTES_PER_ELEMENT) throw new Error(`published clustering: a column of ${bytes.byteLength} bytes where ${length} values were expected`);
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return new ctor(copy);
}

/** The clustering in a form any replica can load (members by id). */
export function portableOf(clustering: Clustering, graph: IdentityGraph): PortableClustering {
  const { result } = clustering;
  const members = Array.from({ length: result.clusters }, (_, c) => Array.from(clustering.members(c), (a) => graph.applicationId(a)));
  const columns: Record<string, string> = {
    score: encode(result.score),
    suspicious: encode(result.suspicious),
    flagMask: encode(result.flagMask),
    order: encode(result.order),
  };
  for (const [name, column] of Object.entries(result.stats)) columns[`stats.${name}`] = encode(column);
  for (const [name, column] of Object.entries(result.typeStats)) columns[`typeStats.${name}`] = encode(column);
  return { generation: clustering.generation, at: clustering.at, summary: result.summary, baseline: result.baseline, clusters: result.clusters, members, columns };
}

/**
 * The clustering as a result over `graph`'s positions. Every application `graph` holds counts as
 * in the snapshot (those the clustering did not see are unclustered until the next one); members
 * `graph` does not hold (forgotten by retention since) are left out.
 */
export function resultFrom(published: PortableClustering, graph: IdentityGraph): ReclusterResult {
  const C = published.clusters;
  const applications = graph.applications;
  const clusterOf = new Int32Array(applications).fill(-1);
  const memberStart = new Int32Array(C + 1);
  const members: number[] = [];
  for (let c = 0; c < C; c++) {
    memberStart[c] = members.length;
    const local = (published.members[c] ?? []).map((id) => graph.indexOf(id)).filter((i): i is number => i !== undefined);
    const [first, ...rest] = local;
    if (first === undefined) continue;
    for (const a of [first, ...rest.sort((x, y) => x - y)]) {
      clusterOf[a] = c;
      members.push(a);
    }
  }
  memberStart[C] = members.length;
  const { columns } = published;
  const float = (kind: 'int32' | 'float64', length: number) => (kind === 'int32' ? new Int32Array(length) : new Float64Array(length));
  const stats = allocateClusterColumns(C, float);
  const typeStats = allocateClusterTypeColumns(C, float);
  const fill = (column: Int32Array | Float64Array, text: string | undefined) =>
    column instanceof Int32Array ? column.set(decode(text, Int32Array, column.length)) : column.set(decode(text, Float64Array, column.length));
  for (const [name, column] of Object.entries(stats) as [string, Int32Array | Float64Array][]) fill(column, columns[`stats.${name}`]);
  for (const [name, column] of Object.entries(typeStats) as [string, Int32Array | Float64Array][]) fill(column, columns[`typeStats.${name}`]);
  return {
    applications,
    clusterOf,
    clusters: C,
    memberStart,
    members: Int32Array.from(members),
    stats: stats as ClusterColumns,
    typeStats: typeStats as ClusterTypeColumns,
    baseline: published.baseline,
    score: decode(columns.score, Float64Array, C),
    suspicious: decode(columns.suspicious, Uint8Array, C),
    flagMask: decode(columns.flagMask, Uint32Array, C),
    order: decode(columns.order, Int32Array, C),
    summary: published.summary,
  };
}

/** Compressed JSON, for the table the replicas read it from. */
export const encodePublished = (published: PortableClustering): Buffer => gzipSync(JSON.stringify(published));
export const decodePublished = (bytes: Buffer): PortableClustering => JSON.parse(gunzipSync(bytes).toString('utf8')) as PortableClustering;
