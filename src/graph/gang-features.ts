// The gang-case model's input: one row of scale-free numbers per community, derived from the
// same statistics and portfolio baseline the flags read (scoring.ts), so a model learned on one
// portfolio reads another the same way. Investigators' labels are the model's targets and never
// its features; credit declines are no evidence of fraud and are left out too.
import type { IdentifierType } from '../identity/identifiers';
import type { ClusterStats } from './cluster-stats';
import { TYPE_INDEX, type ClusterMetric } from './config';
import { metricValue, type PortfolioBaseline } from './community-scoring';

const SHARED_TYPES: readonly IdentifierType[] = ['nationalId', 'phone', 'deviceId', 'email', 'address', 'bankAccount'];

/** A feature's value from a community's statistics; `m` reads a metric (scoring.ts), or `absent` where it does not apply. */
type Feature = (s: ClusterStats, m: (metric: ClusterMetric, absent: number) => number) => number;

/** Every feature, named once, in the model's input order (the model card lists the same names, checked at load). */
const FEATURES: readonly (readonly [name: string, value: Feature])[] = [
  ['log2Size', (s) => Math.log2(s.size)],
  ['negLog10SizeTail', (_s, m) => Math.min(6, -Math.log10(m('sizeTail', 1)))],
  ['density', (_s, m) => m('density', 0)],
  ['devicesPerApplication', (_s, m) => m('devicesPerApplication', 1)],
  ['phonesPerApplication', (_s, m) => m('phonesPerApplication', 1)],
  ['accountsPerApplication', (_s, m) => m('accountsPerApplication', 1)],
  ['personsPerApplication', (_s, m) => m('personsPerApplication', 1)],
  ['evidenceShare', (_s, m) => m('evidenceShare', 0)],
  ['log2EvidenceLift', (_s, m) => Math.log2(Math.max(1 / 16, Math.min(64, m('evidenceLift', 1))))],
  ['negLog10EvidenceTail', (_s, m) => Math.min(12, -Math.log10(Math.max(1e-300, m('evidenceTail', 1))))],
  ['log1pApplicationsPerDay', (_s, m) => Math.log1p(m('applicationsPerDay', 0))],
  ['busiestWeekShare', (s) => s.peakWeek / s.size],
  ['sharedIdentifierTypes', (_s, m) => m('sharedIdentifierTypes', 0)],
  ['riskySharingShare', (_s, m) => m('riskySharingShare', 0)],
  ['strangerSharingShare', (_s, m) => m('strangerSharingShare', 0)],
  ['reusedIdentityShare', (_s, m) => m('reusedIdentityShare', 0)],
  ['multiTypeSharingShare', (_s, m) => m('multiTypeSharingShare', 0)],
  ['fraudarDensity', (_s, m) => m('fraudarDensity', 0)],
  ...SHARED_TYPES.map((t): readonly [string, Feature] => [`${t}SharingShare`, (s) => (s.sharing[TYPE_INDEX[t]] as number) / s.size]),
];

/** Feature names, in the model's input order. */
export const GANG_FEATURES: readonly string[] = FEATURES.map(([name]) => name);
export const GANG_FEATURE_COUNT = GANG_FEATURES.length;

/** Writes a community's features into `out` at `offset` (GANG_FEATURE_COUNT numbers). */
export function writeGangFeatures(s: ClusterStats, baseline: PortfolioBaseline, out: Float32Array | number[], offset = 0): void {
  const m = (metric: ClusterMetric, absent: number) => metricValue(metric, s, baseline) ?? absent;
  FEATURES.forEach(([, value], i) => {
    out[offset + i] = value(s, m);
  });
}

/** The feature rows of many communities, row-major. */
export function gangFeatureMatrix(count: number, statsOf: (c: number) => ClusterStats, baseline: PortfolioBaseline): Float32Array {
  const rows = new Float32Array(count * GANG_FEATURE_COUNT);
  for (let c = 0; c < count; c++) writeGangFeatures(statsOf(c), baseline, rows, c * GANG_FEATURE_COUNT);
  return rows;
}
