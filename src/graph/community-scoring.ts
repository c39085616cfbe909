// Risk score and explained flags of one community, from its statistics, the portfolio it sits in
// (base rates: how common fraud evidence is, how large communities usually are) and the
// analysts' thresholds (rules/fraud/clusters.json). Pure: the recluster worker scores every
// community with it, and the main thread re-scores one community when an investigator labels a member.
import { IDENTIFIER_TYPES, type IdentifierType } from '../identity/identifiers';
import type { ClusterStats } from './cluster-stats';
import { CLUSTER_METRIC_WORDS, TYPE_INDEX, type ClusterMetric, type FlagRule, type ScoringConfig } from './config';

export const WEEK_MS = 7 * 24 * 60 * 60 * 1000;
export const TYPE_COUNT = IDENTIFIER_TYPES.length;

/** The portfolio a clustering saw: the base rates flags are judged against. */
export interface PortfolioBaseline {
  readonly applications: number;
  /** Applications with independent fraud evidence. */
  readonly evidence: number;
  /** sizeCounts[s] = communities of exactly s members (the last entry: that many or more). */
  readonly sizeCounts: readonly number[];
}

const EMPTY_BASELINE: PortfolioBaseline = { applications: 0, evidence: 0, sizeCounts: [] };

export interface RaisedFlag {
  readonly flag: string;
  readonly metric: ClusterMetric;
  readonly value: number;
  readonly atLeast?: number;
  readonly atMost?: number;
  readonly points: number;
  /** The measured value against its threshold, in words. */
  readonly why: string;
  readonly description?: string;
}

export interface ClusterVerdict {
  readonly score: number;
  readonly suspicious: boolean;
  readonly flags: readonly RaisedFlag[];
}

function bits(mask: number): number {
  let n = 0;
  for (let m = mask; m; m &= m - 1) n++;
  return n;
}

function lnGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0.
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const y = x - 1;
  let a = c[0] as number;
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** P(X ≥ k) for X ~ Binomial(n, p): how surprising k successes out of n are at rate p. */
export function binomialTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  const lnN = lnGamma(n + 1);
  let sum = 0;
  for (let i = k; i <= n; i++) sum += Math.exp(lnN - lnGamma(i + 1) - lnGamma(n - i + 1) + i * lp + (n - i) * lq);
  return Math.min(1, sum);
}

/** Share of the portfolio's communities with at least `size` members. */
export function sizeTail(baseline: PortfolioBaseline, size: number): number | undefined {
  const counts = baseline.sizeCounts;
  let total = 0;
  let atLeast = 0;
  for (let s = 0; s < counts.length; s++) {
    total += counts[s] as number;
    if (s >= Math.min(size, counts.length - 1)) atLeast += counts[s] as number;
  }
  return total === 0 ? undefined : atLeast / total;
}

const perApplication = (s: ClusterStats, type: IdentifierType) => {
  const t = TYPE_INDEX[type];
  const carrying = s.carrying[t] as number;
  return carrying === 0 ? undefined : (s.distinct[t] as number) / carrying;
};

/** A metric's value, or undefined where it does not apply (no member gave a device, no model loaded, …). */
export function metricValue(metric: ClusterMetric, s: ClusterStats, baseline: PortfolioBaseline): number | undefined {
  const rate = baseline.applications > 0 ? baseline.evidence / baseline.applications : 0;
  switch (metric) {
    case 'size':
      return s.size;
    case 'sizeTail':
      return sizeTail(baseline, s.size);
    case 'density':
      return s.size < 2 ? undefined : s.links / ((s.size * (s.size - 1)) / 2);
    case 'devicesPerApplication':
      return perApplication(s, 'deviceId');
    case 'phonesPerApplication':
      return perApplication(s, 'phone');
    case 'accountsPerApplication':
      return perApplication(s, 'bankAccount');
    case 'personsPerApplication':
      return perApplication(s, 'nationalId');
    case 'declinedShare':
      return s.declined / s.size;
    case 'evidenceShare':
      return s.evidence / s.size;
    case 'evidenceLift':
      return rate > 0 ? s.evidence / s.size / rate : undefined;
    case 'evidenceTail':
      return baseline.applications > 0 ? binomialTail(s.evidence, s.size, rate) : undefined;
    case 'labelledFraudShare':
      return s.labelledFraud / s.size;
    case 'labelledFraudCount':
      return s.labelledFraud;
    case 'applicationsPerDay':
      return s.peakWeek / 7;
    case 'sharedIdentifierTypes':
      return bits(s.sharedTypes);
    case 'riskySharingShare':
      return s.riskyMembers / s.size;
    case 'strangerSharingShare':
      return s.strangerMembers / s.size;
    case 'reusedIdentityShare':
      return s.reusedIdentityMembers / s.size;
    case 'multiTypeSharingShare':
      return s.multiTypeMembers / s.size;
    case 'fraudarDensity':
      return s.fraudarNodes === 0 ? 0 : s.fraudarWeight / s.fraudarNodes;
    case 'gangScore':
      return Number.isNaN(s.gangScore) ? undefined : s.gangScore;
  }
}

/** Rounds for display: small probabilities keep two significant digits. */
function shown(x: number): number {
  if (x !== 0 && Math.abs(x) < 0.01) return Number(x.toPrecision(2));
  return Math.round(x * 100) / 100;
}

function raised(rule: FlagRule, value: number | undefined, size: number): value is number {
  if (value === undefined || size < (rule.minSize ?? 0)) return false;
  if (rule.atLeast !== undefined && value < rule.atLeast) return false;
  if (rule.atMost !== undefined && value > rule.atMost) return false;
  return true;
}

/**
 * The flags a verdict raised, one bit per flag rule of `config` (bit i = config.flags[i]): how a
 * clustering keeps every community's flags (ReclusterResult.flagMask) for filtering by flag.
 */
export function flagBitsOf(verdict: ClusterVerdict, config: ScoringConfig): number {
  let bits = 0;
  for (const raised of verdict.flags) {
    const i = config.flags.findIndex((rule) => rule.flag === raised.flag);
    if (i >= 0) bits = (bits | (1 << i)) >>> 0;
  }
  return bits;
}

/** Whether flag bits (flagBitsOf) include `flag`; a flag this config has no rule for is never raised. */
export function raisesFlag(bits: number, config: ScoringConfig, flag: string): boolean {
  const i = config.flags.findIndex((rule) => rule.flag === flag);
  return i >= 0 && ((bits >>> i) & 1) === 1;
}

/** The flags a community raises, its score (sum of their points, at most 100) and whether it is suspicious. */
export function scoreCluster(stats: ClusterStats, config: ScoringConfig, baseline: PortfolioBaseline = EMPTY_BASELINE): ClusterVerdict {
  const flags: RaisedFlag[] = [];
  let points = 0;
  const modelScored = !Number.isNaN(stats.gangScore);
  for (const rule of config.flags) {
    const value = metricValue(rule.metric, stats, baseline);
    if (!raised(rule, value, stats.size)) continue;
    const counted = rule.fallbackOnly && modelScored ? 0 : rule.points;
    points += counted;
    const bound = rule.atLeast !== undefined ? `≥ ${rule.atLeast}` : `≤ ${rule.atMost}`;
    flags.push({
      flag: rule.flag,
      metric: rule.metric,
      value: shown(value),
      ...(rule.atLeast !== undefined ? { atLeast: rule.atLeast } : {}),
      ...(rule.atMost !== undefined ? { atMost: rule.atMost } : {}),
      points: counted,
      why: `${shown(value)} ${CLUSTER_METRIC_WORDS[rule.metric]} (flagged at ${bound})${counted !== rule.points ? '; explains only: the gang model scores this community' : ''}`,
      ...(rule.description ? { description: rule.description } : {}),
    });
  }
  const score = Math.min(100, points);
  return { score, suspicious: stats.size >= config.minSize && score >= config.suspiciousScore, flags };
}
