// The facts rules may name, and the stage from which each is available.
// This catalog is the contract between the stages that compute facts and the rule files
// that read them: rules:check rejects a fact (or a path into one) that is not listed here.
import { IDENTIFIER_TYPES } from '../identity/identifiers';

export const STAGES = ['eligibility', 'fraud', 'scoring', 'approval', 'limits'] as const;
export type StageName = (typeof STAGES)[number];

export interface FactSpec {
  /** The first stage that has this fact; undefined = known before any stage runs. */
  readonly producedBy?: StageName;
  readonly description: string;
  /** For object facts: the keys a `path` may name (`$.key`). */
  readonly properties?: readonly string[];
}

const APPLICANT_FIELDS = [
  'age', 'checkingAccountStatus', 'creditHistory', 'purpose', 'savingsAccountBonds', 'employmentDuration',
  'personalStatusSex', 'otherDebtorsGuarantors', 'property', 'otherInstallmentPlans', 'housing', 'job',
  'installmentRatePct', 'residenceYears', 'existingCredits', 'dependents', 'hasTelephone', 'foreignWorker',
] as const;

export const FACT_CATALOG: Readonly<Record<string, FactSpec>> = {
  product: { description: 'Product code of the application.' },
  region: { description: 'Region code of the application.' },
  amount: { description: 'Requested amount.' },
  termMonths: { description: 'Requested term in months.' },
  applicant: { description: 'Applicant attributes.', properties: APPLICANT_FIELDS },
  identifiers: {
    description: 'Keyed hash of each identifier the application carries (compare with inList / notInList).',
    properties: IDENTIFIER_TYPES,
  },
  identifierCount: { description: 'How many of the optional identifiers the application carries (empty values and placeholders such as N/A are not carried).' },
  identifierValidity: {
    description: 'Per identifier type the application carries: true when the value is well formed (a valid phone number, a resident id whose check digit holds, …; docs/identifiers.md).',
    properties: IDENTIFIER_TYPES,
  },
  validIdentifierCount: { description: 'How many of the carried identifiers are valid (see identifierValidity).' },
  priorOutcome: { description: 'Outcome reached by the stages before this one: approve, review or decline.' },
  priorReasons: { description: 'Reason codes given by the stages before this one (use with contains / doesNotContain).' },
  ageAtMaturity: { producedBy: 'eligibility', description: 'Applicant age in years when the loan matures.' },
  monthlyInstalment: { producedBy: 'eligibility', description: 'Amount divided by term (no interest).' },
  score: {
    producedBy: 'scoring',
    description: 'Credit model: pd (probability of default), points (scorecard), grade (A–E), adverseFactors.',
    properties: ['pd', 'points', 'grade', 'adverseFactors'],
  },
  offer: {
    producedBy: 'scoring',
    description: 'Risk-based offer from rules/scoring/offers.json: limit (never above the amount asked) and annualRate.',
    properties: ['limit', 'annualRate'],
  },
  approval: {
    producedBy: 'approval',
    description: 'requiredLevel (auto, L1, L2, L3) from rules/approval/authority.json, matrixLevel before escalations, amountBand, escalatedBy.',
    properties: ['requiredLevel', 'matrixLevel', 'amountBand', 'escalatedBy'],
  },
  exposure: {
    producedBy: 'limits',
    description: "The region's exposure before this loan: region, limit, reserved, available, amount (what approving would reserve), utilisationAfter, wouldExceed, nearLimit.",
    properties: ['region', 'limit', 'reserved', 'available', 'amount', 'utilisationAfter', 'wouldExceed', 'nearLimit', 'basis'],
  },
  velocity: {
    producedBy: 'fraud',
    description: 'Applications in the last 24 h, this one included, that carry the same identifier (0 when absent).',
    properties: IDENTIFIER_TYPES,
  },
  fraud: {
    producedBy: 'fraud',
    description:
      'Fraud graph (docs/fraud-graph.md): clusterId (community the application links into, or null), clusterSuspicious, clusterScore (0-100), clusterSize, clusterFlags (codes; use contains), clusterGangScore (the probability the gang-case model gives that community, or null without a model), sharedWithLabelledFraud (within two links of an application labelled fraud), labelledFraudHops (1, 2 or 0), linkedApplications (earlier applications sharing a linking identifier), identifierReuse (per identifier type: earlier applications with the same value; path $.identifierReuse.deviceId).',
    properties: ['clusterId', 'clusterSuspicious', 'clusterScore', 'clusterSize', 'clusterFlags', 'clusterGangScore', 'sharedWithLabelledFraud', 'labelledFraudHops', 'linkedApplications', 'identifierReuse'],
  },
};

export const APPLICANT_FIELD_NAMES: readonly string[] = APPLICANT_FIELDS;
