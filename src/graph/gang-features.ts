// The gang-case model's input: one row of scale-free numbers per community, derived from the
// same statistics and portfolio baseline the flags read (scoring.ts), so a model learned on one
// portfolio reads another the same way. Investigators' labels are the model's targets and never
// its features; credit declines are no evidence of fraud and are left out too.
import { IDENTIFIER_TYPES, type IdentifierType } from '../identity/identifiers';
import { TYPE_INDEX } from './config';
import { metricValue, type ClusterStats, type PortfolioBaseline } from './scoring';

const SHARED_TYPES: readonly IdentifierType[] = ['nationalId', 'phone', 'deviceId', 'email', 'address', 'bankAccount'];

/** Feature names, in the model's input order (the model card lists the same, checked at load). */
export const GANG_FEATURES: readonly string[] = [
  'log2Size',
  'negLog10SizeTail',
  'density',
  'devicesPerApplication',
  'phonesPerApplication',
  'accountsPerApplication',
  'personsPerApplication',
  'evidenceShare',
  'log2EvidenceLift',
  'negLog10EvidenceTail',
  'log1pApplicationsPerDay',
  'busiestWeekShare',
  'sharedIdentifierTypes',
  'riskySharingShare',
  'strangerSharingShare',
  'reusedIdentityShare',
  'multiTypeSharingShare',
  'fraudarDensity',
  ...SHARED_TYPES.map((t) => `${t}SharingShare`),
];
export const GANG_FEATURE_COUNT = GANG_FEATURES.length;

/** Writes a community's features into `out` at `offset` (GANG_FEATURE_COUNT numbers). */
export function writeGangFeatures(s: ClusterStats, baseline: PortfolioBaseline, out: Float32Array | number[], offset = 0): void {
  const m = (metric: Parameters<typeof metricValue>[0], absent: number) => metricValue(metric, s, baseline) ?? absent;
  const values = [
    Math.log2(s.size),
    Math.min(6, -Math.log10(m('sizeTail', 1))),
    m('density', 0),
    m('devicesPerApplication', 1),
    m('phonesPerApplication', 1),
    m('accountsPerApplication', 1),
    m('personsPerApplication', 1),
    m('evidenceShare', 0),
    Math.log2(Math.max(1 / 16, Math.min(64, m('evidenceLift', 1)))),
    Math.min(12, -Math.log10(Math.max(1e-300, m('evidenceTail', 1)))),
    Math.log1p(m('applicationsPerDay', 0)),
    s.peakWeek / s.size,
    m('sharedIdentifierTypes', 0),
    m('riskySharingShare', 0),
    m('strangerSharingShare', 0),
    m('reusedIdentityShare', 0),
    m('multiTypeSharingShare', 0),
    m('fraudarDensity', 0),
    ...SHARED_TYPES.map((t) => (s.sharing[TYPE_INDEX[t]] as number) / s.size),
  ];
  for (let i = 0; i < values.length; i++) out[offset + i] = values[i] as number;
}

/** The feature rows of many communities, row-major. */
export function gangFeatureMatrix(count: number, statsOf: (c: number) => ClusterStats, baseline: PortfolioBaseline): Float32Array {
  const rows = new Float32Array(count * GANG_FEATURE_COUNT);
  for (let c = 0; c < count; c++) writeGangFeatures(statsOf(c), baseline, rows, c * GANG_FEATURE_COUNT);
  return rows;
}

// The list above must cover every type it names.
for (const t of SHARED_TYPES) if (!IDENTIFIER_TYPES.includes(t)) throw new Error(`unknown identifier type ${t}`);
