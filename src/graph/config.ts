// The analyst-editable settings of the fraud graph (rules/fraud/clusters.json): how identifiers
// link applications (weights, commonness caps, projection, Louvain resolution and seed) and how
// communities are scored. Validated by rules/schema/clusters.schema.json at every rule load.
import { IDENTIFIER_TYPES, type IdentifierType } from '../identity/identifiers';

/** Path of the table inside the rules folder (registered in src/rules/tables.ts). */
export const CLUSTERS_TABLE = 'fraud/clusters.json';

/** How Louvain's graph is built from the identity graph (projection.ts); the clusters schema's enum is checked against it. */
export const PROJECTIONS = ['application', 'bipartite'] as const;
export type Projection = (typeof PROJECTIONS)[number];

export interface IdentifierLinking {
  /** How strongly sharing this type links two applications (0 = never links). */
  readonly weight: number;
  /** An identifier carried by more applications than this is "common" (a carrier IP, a big employer) and links nobody. */
  readonly maxShare: number;
}

export interface LinkingConfig {
  readonly projection: Projection;
  /**
   * Two groups of applications merge when the link weight between them exceeds density × the
   * product of their total link weights (Louvain runs with resolution = density × 2m).
   */
  readonly density: number;
  /**
   * Identifier types whose weight reaches this are strong ties: sharedWithLabelledFraud follows
   * strong ties only (a fraudster's colleagues or carrier-IP neighbours are not suspects).
   */
  readonly strongTie: number;
  readonly seed: number;
  /**
   * A community's core is held together by these identifier types (what one person rarely shares
   * with another household: devices, phones, accounts, emails, national ids). Louvain's community
   * is split into its core components; members tied to them only otherwise (an address: a real
   * household a ring borrowed, a dorm) form their own cluster.
   */
  readonly coreIdentifierTypes: readonly IdentifierType[];
  readonly identifiers: Readonly<Record<IdentifierType, IdentifierLinking>>;
}

/**
 * Every community metric a flag can test, with the words its `why` uses. The one list: scoring.ts
 * computes each (metricValue, from the statistics of cluster-stats.ts), the gang model's features
 * read them, and the clusters schema's enum is checked against it
 * (test/rules/schema-constants.test.ts).
 */
export const CLUSTER_METRIC_WORDS = {
  size: 'applications in the community',
  sizeTail: "share of the portfolio's communities at least this large",
  density: 'share of member pairs directly linked',
  devicesPerApplication: 'distinct devices per application',
  phonesPerApplication: 'distinct phones per application',
  accountsPerApplication: 'distinct bank accounts per application',
  personsPerApplication: 'distinct national ids per application',
  declinedShare: 'share of members declined (for any reason; a credit decline is no evidence of fraud)',
  evidenceShare: 'share of members with independent fraud evidence (blocklist, velocity or identity rules)',
  evidenceLift: "share of members with independent fraud evidence over the portfolio's rate",
  evidenceTail: "chance of at least this many members with fraud evidence at the portfolio's rate (binomial tail)",
  labelledFraudShare: 'share of members labelled fraud',
  labelledFraudCount: 'members labelled fraud',
  applicationsPerDay: 'applications per day in the busiest week',
  sharedIdentifierTypes: 'identifier types shared between members',
  riskySharingShare: 'share of members sharing a rarely-shared identifier (device, bank account, …) with another member',
  strangerSharingShare: 'share of members sharing a device, phone, bank account, email or national id with a member at another address within the stranger window',
  reusedIdentityShare: 'share of members whose national id another member used with different contact details',
  multiTypeSharingShare: 'share of members sharing core identifiers of two or more types (a device and an account, say) with other members',
  fraudarDensity: 'degree-weighted density of members and their shared identifiers (Fraudar)',
  gangScore: "the gang-case model's probability that the community is a fraud ring",
} as const;
export type ClusterMetric = keyof typeof CLUSTER_METRIC_WORDS;
export const CLUSTER_METRICS = Object.keys(CLUSTER_METRIC_WORDS) as readonly ClusterMetric[];

export interface FlagRule {
  readonly flag: string;
  readonly metric: ClusterMetric;
  readonly atLeast?: number;
  readonly atMost?: number;
  /** The flag is not raised on communities smaller than this. */
  readonly minSize?: number;
  readonly points: number;
  /**
   * Its points count only while no gang-case model scores the communities: the hand-written
   * flags are the fallback scoring, and explain a verdict either way.
   */
  readonly fallbackOnly?: boolean;
  readonly description?: string;
}

export interface ScoringConfig {
  /** Communities smaller than this are never suspicious. */
  readonly minSize: number;
  /** A community whose score (sum of its flags' points, capped at 100) reaches this is suspicious. */
  readonly suspiciousScore: number;
  /** Identifier types that families and colleagues rarely share (devices, bank accounts, …): see riskySharingShare. */
  readonly riskyIdentifierTypes: readonly IdentifierType[];
  /** strangerSharingShare counts sharing between members at different addresses who applied within this many days of each other. */
  readonly strangerWindowDays: number;
  readonly flags: readonly FlagRule[];
}

export interface ClusterConfig {
  readonly linking: LinkingConfig;
  readonly scoring: ScoringConfig;
}

/** Index of each identifier type in columns and bit masks. */
export const TYPE_INDEX: Readonly<Record<IdentifierType, number>> = Object.fromEntries(
  IDENTIFIER_TYPES.map((t, i) => [t, i]),
) as Record<IdentifierType, number>;

/** Per type index: the linking weight and commonness cap, as arrays for the hot loops. */
export function linkingArrays(linking: LinkingConfig): { weight: Float64Array; maxShare: Int32Array } {
  const weight = new Float64Array(IDENTIFIER_TYPES.length);
  const maxShare = new Int32Array(IDENTIFIER_TYPES.length);
  IDENTIFIER_TYPES.forEach((t, i) => {
    weight[i] = linking.identifiers[t].weight;
    maxShare[i] = linking.identifiers[t].maxShare;
  });
  return { weight, maxShare };
}

/** Bit i set for each type IDENTIFIER_TYPES[i] listed. */
export function typeMask(types: readonly IdentifierType[]): number {
  return types.reduce((m, t) => m | (1 << TYPE_INDEX[t]), 0);
}

/** Whether an identifier of this type carried by `count` applications links them. */
export function links(linking: LinkingConfig, type: IdentifierType, count: number): boolean {
  const spec = linking.identifiers[type];
  return spec.weight > 0 && count >= 2 && count <= spec.maxShare;
}
