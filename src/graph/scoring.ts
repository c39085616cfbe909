// Risk score and explained flags of one community, from its statistics and the analysts'
// thresholds (rules/fraud/clusters.json). Pure: the recluster worker scores every community with
// it, and the main thread re-scores one community when an investigator labels a member.
import { IDENTIFIER_TYPES, type IdentifierType } from '../identity/identifiers';
import { TYPE_INDEX, type ClusterMetric, type FlagRule, type ScoringConfig } from './config';

export const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** What the recluster measures of a community. */
export interface ClusterStats {
  readonly size: number;
  /** Pairs of members that share at least one linking identifier. */
  readonly links: number;
  /** Distinct devices among members, and members that gave a device. */
  readonly devices: number;
  readonly withDevice: number;
  readonly phones: number;
  readonly withPhone: number;
  readonly declined: number;
  readonly labelledFraud: number;
  /** Epoch ms of the first and last member's decision. */
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Bit i set = some linking identifier of type IDENTIFIER_TYPES[i] is carried by two or more members. */
  readonly sharedTypes: number;
  /** Members carrying a linking identifier of a risky type that another member carries too. */
  readonly riskyMembers: number;
  /** The most members decided within any 7 days. */
  readonly peakWeek: number;
}

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

export function typesOf(mask: number): IdentifierType[] {
  return IDENTIFIER_TYPES.filter((t) => (mask & (1 << TYPE_INDEX[t])) !== 0);
}

function bits(mask: number): number {
  let n = 0;
  for (let m = mask; m; m &= m - 1) n++;
  return n;
}

export function typeMask(types: readonly IdentifierType[]): number {
  return types.reduce((m, t) => m | (1 << TYPE_INDEX[t]), 0);
}

/** A metric's value, or undefined where it does not apply (no member gave a device, say). */
export function metricValue(metric: ClusterMetric, s: ClusterStats): number | undefined {
  switch (metric) {
    case 'size':
      return s.size;
    case 'density':
      return s.size < 2 ? undefined : s.links / ((s.size * (s.size - 1)) / 2);
    case 'devicesPerApplication':
      return s.withDevice === 0 ? undefined : s.devices / s.withDevice;
    case 'phonesPerApplication':
      return s.withPhone === 0 ? undefined : s.phones / s.withPhone;
    case 'declinedShare':
      return s.declined / s.size;
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
  }
}

const METRIC_WORDS: Readonly<Record<ClusterMetric, string>> = {
  size: 'applications in the community',
  density: 'share of member pairs directly linked',
  devicesPerApplication: 'distinct devices per application',
  phonesPerApplication: 'distinct phones per application',
  declinedShare: 'share of members declined',
  labelledFraudShare: 'share of members labelled fraud',
  labelledFraudCount: 'members labelled fraud',
  applicationsPerDay: 'applications per day in the busiest week',
  sharedIdentifierTypes: 'identifier types shared between members',
  riskySharingShare: 'share of members sharing a rarely-shared identifier (device, bank account, …) with another member',
};

const round = (x: number) => Math.round(x * 100) / 100;

function raised(rule: FlagRule, value: number | undefined, size: number): boolean {
  if (value === undefined || size < (rule.minSize ?? 0)) return false;
  if (rule.atLeast !== undefined && value < rule.atLeast) return false;
  if (rule.atMost !== undefined && value > rule.atMost) return false;
  return true;
}

/** The flags a community raises, its score (sum of their points, at most 100) and whether it is suspicious. */
export function scoreCluster(stats: ClusterStats, config: ScoringConfig): ClusterVerdict {
  const flags: RaisedFlag[] = [];
  let points = 0;
  for (const rule of config.flags) {
    const value = metricValue(rule.metric, stats);
    if (!raised(rule, value, stats.size)) continue;
    const v = value as number;
    points += rule.points;
    const bound = rule.atLeast !== undefined ? `≥ ${rule.atLeast}` : `≤ ${rule.atMost}`;
    flags.push({
      flag: rule.flag,
      metric: rule.metric,
      value: round(v),
      ...(rule.atLeast !== undefined ? { atLeast: rule.atLeast } : {}),
      ...(rule.atMost !== undefined ? { atMost: rule.atMost } : {}),
      points: rule.points,
      why: `${round(v)} ${METRIC_WORDS[rule.metric]} (flagged at ${bound})`,
      ...(rule.description ? { description: rule.description } : {}),
    });
  }
  const score = Math.min(100, points);
  return { score, suspicious: stats.size >= config.minSize && score >= config.suspiciousScore, flags };
}
