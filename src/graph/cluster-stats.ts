// What the recluster measures of a community: every statistic defined once, with the typed array
// it is kept in, how it aggregates over the community, and what it means. Everything else is
// derived from these two tables: the result buffers (allocateResultBuffers), the per-community
// columns (ClusterColumns, ClusterTypeColumns), their reset values, and the scoring input
// (ClusterStats, statsOf) that the flags (scoring.ts) and the gang model's features read.
// Adding a statistic is one entry here and its measurement in recluster.ts.
import { IDENTIFIER_TYPES } from '../identity/identifiers';

const TYPE_COUNT = IDENTIFIER_TYPES.length;

/** The typed array a statistic is kept in (one entry per community). */
export type ColumnKind = 'int32' | 'float64';

/**
 * How a statistic aggregates over a community; it also gives the value a column starts from
 * before the members are measured (see STARTS_AT).
 * - count: members (or member pairs) that meet the statistic's condition;
 * - sum: a sum over members, pairs or edges;
 * - min / max: the least / greatest value over members;
 * - bits: the union of per-member bit masks;
 * - peak: the largest count within any sliding window;
 * - model: written by the gang-case model after the measurement; NaN without a model.
 */
export type Aggregation = 'count' | 'sum' | 'min' | 'max' | 'bits' | 'peak' | 'model';

export interface StatisticSpec {
  readonly column: ColumnKind;
  readonly aggregate: Aggregation;
  /** Read by the flags and the gang model (part of ClusterStats); false = kept for the graph's own use. */
  readonly scored: boolean;
  readonly description: string;
}

/** One number per community. */
export const CLUSTER_STATISTICS = {
  size: { column: 'int32', aggregate: 'count', scored: true, description: 'Members of the community.' },
  links: { column: 'int32', aggregate: 'count', scored: true, description: 'Pairs of members that share at least one linking identifier.' },
  declined: { column: 'int32', aggregate: 'count', scored: true, description: 'Members declined (for any reason: a credit decline is no evidence of fraud).' },
  evidence: { column: 'int32', aggregate: 'count', scored: true, description: 'Members whose decision carried independent fraud evidence (src/rules/evidence.ts).' },
  labelledFraud: { column: 'int32', aggregate: 'count', scored: true, description: 'Members labelled fraud by an investigator (kept current by Clustering.relabel).' },
  firstSeen: { column: 'float64', aggregate: 'min', scored: true, description: "Epoch ms of the first member's application." },
  lastSeen: { column: 'float64', aggregate: 'max', scored: true, description: "Epoch ms of the last member's application." },
  sharedTypes: { column: 'int32', aggregate: 'bits', scored: true, description: 'Bit i set = some linking identifier of type IDENTIFIER_TYPES[i] is carried by two or more members.' },
  riskyMembers: { column: 'int32', aggregate: 'count', scored: true, description: 'Members carrying a linking identifier of a risky type that another member carries too.' },
  strangerMembers: { column: 'int32', aggregate: 'count', scored: true, description: 'Members sharing a non-address identifier with a member at another address, within the stranger window.' },
  reusedIdentityMembers: { column: 'int32', aggregate: 'count', scored: true, description: 'Members whose national id another member carries with different contact details.' },
  multiTypeMembers: { column: 'int32', aggregate: 'count', scored: true, description: 'Members sharing core identifiers of two or more types with other members (a device and an account, say).' },
  fraudarWeight: { column: 'float64', aggregate: 'sum', scored: true, description: "Fraudar's f(S): the sum of 1/ln(carriers + 5) over member–shared-identifier edges." },
  fraudarNodes: { column: 'int32', aggregate: 'count', scored: true, description: "Fraudar's |S|: members plus the identifiers they share." },
  peakWeek: { column: 'int32', aggregate: 'peak', scored: true, description: 'The most members who applied within any 7 days.' },
  gangScore: { column: 'float64', aggregate: 'model', scored: true, description: "The gang-case model's probability, or NaN without a model." },
  strength: { column: 'float64', aggregate: 'sum', scored: false, description: "Sum of members' link weights in the application–application projection (for joining decisions)." },
} as const satisfies Readonly<Record<string, StatisticSpec>>;

/** One number per community and identifier type (IDENTIFIER_TYPES order). */
export const CLUSTER_TYPE_STATISTICS = {
  distinct: { column: 'int32', aggregate: 'count', scored: true, description: 'Per identifier type: distinct values among members.' },
  carrying: { column: 'int32', aggregate: 'count', scored: true, description: 'Per identifier type: members that gave one.' },
  sharing: { column: 'int32', aggregate: 'count', scored: true, description: 'Per identifier type: members sharing a linking identifier of that type with another member.' },
} as const satisfies Readonly<Record<string, StatisticSpec>>;

export type ClusterStatistic = keyof typeof CLUSTER_STATISTICS;
export type ClusterTypeStatistic = keyof typeof CLUSTER_TYPE_STATISTICS;
type ScoredStatistic = { [K in ClusterStatistic]: (typeof CLUSTER_STATISTICS)[K]['scored'] extends true ? K : never }[ClusterStatistic];

type ArrayOf<K extends ColumnKind> = K extends 'int32' ? Int32Array : Float64Array;

/** Per-community statistics, one typed array per statistic (entry c: community c). */
export type ClusterColumns = { readonly [K in ClusterStatistic]: ArrayOf<(typeof CLUSTER_STATISTICS)[K]['column']> };

/** Per-community, per-identifier-type statistics: entry c × TYPE_COUNT + t. */
export type ClusterTypeColumns = { readonly [K in ClusterTypeStatistic]: ArrayOf<(typeof CLUSTER_TYPE_STATISTICS)[K]['column']> };

/** What the flags and the gang model read of one community (see the tables for each field's meaning). */
export type ClusterStats = { readonly [K in ScoredStatistic]: number } & { readonly [K in ClusterTypeStatistic]: ArrayLike<number> };

const CLUSTER_STATISTIC_NAMES = Object.keys(CLUSTER_STATISTICS) as readonly ClusterStatistic[];
const CLUSTER_TYPE_STATISTIC_NAMES = Object.keys(CLUSTER_TYPE_STATISTICS) as readonly ClusterTypeStatistic[];
const SCORED_STATISTIC_NAMES = CLUSTER_STATISTIC_NAMES.filter((k): k is ScoredStatistic => CLUSTER_STATISTICS[k].scored);

/** The value a column holds before the members are measured. */
const STARTS_AT: Readonly<Record<Aggregation, number>> = { count: 0, sum: 0, min: Infinity, max: -Infinity, bits: 0, peak: 0, model: Number.NaN };

/** Makes a typed array of `length` entries (on shared memory when the buffers cross to a worker). */
export type ArrayMaker = (kind: ColumnKind, length: number) => Int32Array | Float64Array;

function columnsOf<T extends Readonly<Record<string, StatisticSpec>>>(table: T, length: number, make: ArrayMaker): { readonly [K in keyof T]: ArrayOf<T[K]['column']> } {
  return Object.fromEntries(Object.entries(table).map(([name, spec]) => [name, make(spec.column, length)])) as { readonly [K in keyof T]: ArrayOf<T[K]['column']> };
}

/** Columns for `clusters` communities, one per statistic. */
export const allocateClusterColumns = (clusters: number, make: ArrayMaker): ClusterColumns => columnsOf(CLUSTER_STATISTICS, clusters, make);

/** Columns for `clusters` communities × TYPE_COUNT identifier types. */
export const allocateClusterTypeColumns = (clusters: number, make: ArrayMaker): ClusterTypeColumns => columnsOf(CLUSTER_TYPE_STATISTICS, clusters * TYPE_COUNT, make);

function viewsOf<T extends Readonly<Record<string, StatisticSpec>>, C extends { readonly [K in keyof T]: Int32Array | Float64Array }>(table: T, columns: C, length: number, reset: boolean): C {
  return Object.fromEntries(
    Object.entries(table).map(([name, spec]) => {
      const view = (columns[name as keyof T] as Int32Array | Float64Array).subarray(0, length);
      if (reset) view.fill(STARTS_AT[spec.aggregate]);
      return [name, view];
    }),
  ) as unknown as C;
}

/** The first `clusters` entries of each column; `reset`: set to their starting values first (see Aggregation). */
export const clusterColumnViews = (columns: ClusterColumns, clusters: number, reset = false): ClusterColumns => viewsOf(CLUSTER_STATISTICS, columns, clusters, reset);

/** The first `clusters` × TYPE_COUNT entries of each per-type column; `reset`: set to their starting values first. */
export const clusterTypeColumnViews = (columns: ClusterTypeColumns, clusters: number, reset = false): ClusterTypeColumns =>
  viewsOf(CLUSTER_TYPE_STATISTICS, columns, clusters * TYPE_COUNT, reset);

/** Community c's statistics as the flags read them (per-type entries are views, not copies). */
export function statsOf(columns: ClusterColumns, types: ClusterTypeColumns, c: number): ClusterStats {
  const stats: Record<string, number | ArrayLike<number>> = {};
  for (const name of SCORED_STATISTIC_NAMES) stats[name] = columns[name][c] as number;
  const from = c * TYPE_COUNT;
  for (const name of CLUSTER_TYPE_STATISTIC_NAMES) stats[name] = types[name].subarray(from, from + TYPE_COUNT);
  return stats as ClusterStats;
}
