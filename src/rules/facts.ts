// The facts rules may name: one typed registry. Each fact is declared once, with its type (what
// the stage that sets it returns, what readers get), the stage that sets it, and the description
// rules:check and docs/rules.md give. rules:check rejects a fact, or a path into one, not listed
// here; a test runs the real stages and checks every object fact's keys against `properties`.
import type { ApprovalFacts } from '../approval/authority';
import type { FraudFacts } from '../graph/fraud-facts';
import { IDENTIFIER_TYPES, type IdentifierType } from '../identity/identifiers';
import type { ReservationCheck } from '../limits/regions';
import type { Offer, ScoreFacts } from '../scoring/scorecard';
import type { Facts, Outcome, StageName } from './ruleset';

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
export type ApplicantField = (typeof APPLICANT_FIELDS)[number];

/** Every fact's type. Stage providers return a part of it; readers get it through factOf. */
export interface FactTypes {
  product: string;
  region: string;
  amount: number;
  termMonths: number;
  applicant: Readonly<Record<ApplicantField, string | number | boolean>>;
  identifiers: Readonly<Partial<Record<IdentifierType, string>>>;
  identifierCount: number;
  identifierValidity: Readonly<Partial<Record<IdentifierType, boolean>>>;
  validIdentifierCount: number;
  priorOutcome: Outcome;
  priorReasons: readonly string[];
  ageAtMaturity: number;
  monthlyInstalment: number;
  score: ScoreFacts;
  offer: Offer;
  approval: ApprovalFacts;
  exposure: ReservationCheck;
  velocity: Readonly<Partial<Record<IdentifierType, number>>>;
  fraud: FraudFacts;
}
export type FactName = keyof FactTypes;

/** What a stage provider adds: some facts, each of its declared type. */
export type StageFacts = { readonly [K in FactName]?: FactTypes[K] };

/** A fact as its declared type; undefined when no stage has set it (yet, or its stage fell back). */
export function factOf<K extends FactName>(facts: Facts, name: K): FactTypes[K] | undefined {
  return facts[name] as FactTypes[K] | undefined;
}

/** A fact that must be there by the reader's stage (the base facts, or an earlier stage's). */
export function requiredFact<K extends FactName>(facts: Facts, name: K): FactTypes[K] {
  const value = factOf(facts, name);
  if (value === undefined) throw new Error(`the fact "${name}" is not available here (set by ${FACT_CATALOG[name].producedBy ?? 'the application'})`);
  return value;
}

/** The amount an approval would lend and reserve: the offered limit when the model scored, else the amount asked. */
export function lendingAmount(facts: Facts): number {
  return factOf(facts, 'offer')?.limit ?? requiredFact(facts, 'amount');
}

/** The keys of T as a runtime list, checked at compile time to be exactly T's keys. */
const keysOf =
  <T>() =>
  <const K extends readonly (keyof T & string)[]>(...keys: K & ([Exclude<keyof T, K[number]>] extends [never] ? unknown : { missing: Exclude<keyof T, K[number]> })): readonly string[] =>
    keys;

export const FACT_CATALOG: { readonly [K in FactName]: FactSpec } = {
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
    properties: keysOf<ScoreFacts>()('pd', 'points', 'grade', 'adverseFactors'),
  },
  offer: {
    producedBy: 'scoring',
    description: 'Risk-based offer from rules/scoring/offers.json: limit (never above the amount asked) and annualRate.',
    properties: keysOf<Offer>()('limit', 'annualRate'),
  },
  approval: {
    producedBy: 'approval',
    description: 'requiredLevel (auto, L1, L2, L3) from rules/approval/authority.json, matrixLevel before escalations, amountBand, escalatedBy.',
    properties: keysOf<ApprovalFacts>()('requiredLevel', 'matrixLevel', 'amountBand', 'escalatedBy'),
  },
  exposure: {
    producedBy: 'limits',
    description:
      "The region's exposure before this loan: region, product, limit (the region's), productLimit (the product's sub-limit in the region, if any), reserved, available (room under both), amount (what approving would reserve), utilisationAfter, wouldExceed, nearLimit, basis (how the limit was set).",
    properties: keysOf<ReservationCheck>()('region', 'product', 'amount', 'limit', 'productLimit', 'reserved', 'available', 'utilisationAfter', 'wouldExceed', 'nearLimit', 'basis'),
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
    properties: keysOf<FraudFacts>()('clusterId', 'clusterSuspicious', 'clusterScore', 'clusterSize', 'clusterFlags', 'clusterGangScore', 'sharedWithLabelledFraud', 'labelledFraudHops', 'linkedApplications', 'identifierReuse'),
  },
};

export const APPLICANT_FIELD_NAMES: readonly string[] = APPLICANT_FIELDS;

/** The spec of a fact a rule names, or undefined for a name that is no fact. */
export function factSpec(name: string): FactSpec | undefined {
  return Object.hasOwn(FACT_CATALOG, name) ? FACT_CATALOG[name as FactName] : undefined;
}

export const FACT_NAMES = Object.keys(FACT_CATALOG) as readonly FactName[];

/** The application fields a credit model may use as features. */
export const MODEL_INPUT_FIELDS: readonly string[] = ['amount', 'termMonths', ...APPLICANT_FIELD_NAMES];
