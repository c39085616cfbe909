// The facts rules may name: one typed registry. Each fact is declared once, with its TypeScript
// type (what the stage that sets it returns, what readers get), the runtime type of its value and
// of every path into it (what rules:check compares a rule's value with), the stage that sets it,
// and the description docs/rules.md gives. rules:check rejects a fact, or a path into one, not
// listed here; a test runs the real stages and checks every produced value against its type.
import { APPROVAL_LEVELS, type ApprovalFacts } from '../approval/authority';
import type { FraudFacts } from '../graph/fraud-facts';
import { IDENTIFIER_TYPES, type IdentifierType } from '../identity/identifiers';
import type { LimitBasis, ReservationCheck } from '../limits/regions';
import type { AdverseFactor, Offer, ScoreFacts } from '../scoring/scorecard';
import { OUTCOME_SEVERITY, type Facts, type Outcome, type StageName } from './ruleset';

// ---------------------------------------------------------------------------------------------
// Value types: what a fact (or a path into it) holds at run time, precise enough to tell a rule's
// value that can never match ("abc" for an amount, "gold" for a grade) from one that can.

/**
 * Closed sets of strings that the rule files themselves define: a value is checked against the
 * set loaded with the rules (ComparisonContext.domains), so adding a grade or a reason code to
 * its file is enough for rules to use it.
 */
export const VALUE_DOMAINS = {
  grade: { noun: 'risk grade', source: 'rules/scoring/grades.json' },
  reason: { noun: 'reason code', source: 'rules/reasons.json' },
  clusterFlag: { noun: 'cluster flag', source: 'rules/fraud/clusters.json' },
} as const;
export type ValueDomain = keyof typeof VALUE_DOMAINS;

interface TypeBase {
  /** What this value means, for docs/rules.md (a fact's own description is on its FactSpec). */
  readonly description?: string;
  /** May also be null (never undefined: a fact a stage has not set is absent, not null). */
  readonly nullable?: boolean;
}
export interface NumberType extends TypeBase {
  readonly kind: 'number';
  readonly integer?: boolean;
  /** Inclusive bounds where the domain fixes them (a probability is 0..1, a count is at least 0). */
  readonly min?: number;
  readonly max?: number;
}
export interface StringType extends TypeBase {
  readonly kind: 'string';
  /** Its values are the set the rule files define (see VALUE_DOMAINS). */
  readonly domain?: ValueDomain;
}
/** A string from a closed set the code defines. */
export interface EnumType<T extends string = string> extends TypeBase {
  readonly kind: 'enum';
  readonly values: readonly T[];
  /** Set when the values are a rule-set domain resolved for one check (see VALUE_DOMAINS). */
  readonly domain?: ValueDomain;
}
export interface BooleanType extends TypeBase {
  readonly kind: 'boolean';
}
/** A keyed hash of an identifier (a string no literal in a rule can equal; compare with inList). */
export interface HashType extends TypeBase {
  readonly kind: 'hash';
  readonly identifierType: IdentifierType;
}
export interface ListType<I = ValueType> extends TypeBase {
  readonly kind: 'list';
  readonly items: I;
}
export interface ObjectType<P = Readonly<Record<string, ValueType>>> extends TypeBase {
  readonly kind: 'object';
  /** The keys a path may name, each with its value's type. */
  readonly properties: P;
}
export type ValueType = NumberType | StringType | EnumType | BooleanType | HashType | ListType | ObjectType;

type AllKeys<T> = T extends unknown ? keyof T : never;
type ValueAt<T, K extends PropertyKey> = T extends unknown ? (K extends keyof T ? T[K] : undefined) : never;
type BaseTypeFor<T> = [T] extends [boolean]
  ? BooleanType
  : [T] extends [number]
    ? NumberType
    : [T] extends [string]
      ? string extends T
        ? StringType | HashType
        : EnumType<T>
      : [T] extends [readonly (infer E)[]]
        ? ListType<TypeFor<E>>
        : [T] extends [object]
          ? ObjectType<PropertiesFor<T>>
          : never;

/**
 * The property types of an object type: every key of every member of a union (LimitBasis), each
 * required, since a descriptor says what a path names when the key is there.
 */
export type PropertiesFor<T> = { readonly [K in AllKeys<T> & string]-?: TypeFor<Exclude<ValueAt<T, K>, undefined>> };

/**
 * The value type a TypeScript type may be declared with: a number as a number, a string union as
 * an enum of exactly its members, a string as a string or an identifier hash, an array as a list
 * of its element's type, an object with exactly its keys, `| null` as nullable. FACT_CATALOG's
 * type uses it, so a descriptor that disagrees with FactTypes does not compile.
 */
export type TypeFor<T> = null extends T ? BaseTypeFor<Exclude<T, null>> & { readonly nullable: true } : BaseTypeFor<T> & { readonly nullable?: false };

// Builders: short to read in the catalog below, and typed so the catalog's mapped type checks them.
type Extra = Pick<TypeBase, 'description'>;
const num = (spec: Omit<NumberType, 'kind' | 'nullable'> = {}): NumberType & { nullable?: false } => ({ kind: 'number', ...spec });
const whole = (spec: Omit<NumberType, 'kind' | 'nullable' | 'integer'> = {}) => num({ integer: true, ...spec });
const count = (description?: string) => whole({ min: 0, ...(description === undefined ? {} : { description }) });
const str = (spec: Omit<StringType, 'kind' | 'nullable'> = {}): StringType & { nullable?: false } => ({ kind: 'string', ...spec });
const bool = (description?: string): BooleanType & { nullable?: false } => ({ kind: 'boolean', ...(description === undefined ? {} : { description }) });
const oneOf = <T extends string>(values: readonly T[], extra: Extra = {}): EnumType<T> & { nullable?: false } => ({ kind: 'enum', values, ...extra });
const listOf = <I>(items: I, extra: Extra = {}): ListType<I> & { nullable?: false } => ({ kind: 'list', items, ...extra });
/** `objectOf<ScoreFacts>()({ … })`: the properties of exactly that type's keys, each of its property's kind. */
const objectOf =
  <T>() =>
  (properties: PropertiesFor<T>, extra: Extra = {}): ObjectType<PropertiesFor<T>> & { nullable?: false } => ({ kind: 'object', properties, ...extra });

/**
 * The members of a string union that has no runtime constant, spelled out: the list does not
 * compile while it misses a member (or names one the union does not have).
 */
const everyMemberOf =
  <T extends string>() =>
  <const L extends readonly T[]>(list: L & ([Exclude<T, L[number]>] extends [never] ? unknown : { missing: Exclude<T, L[number]> })): readonly T[] =>
    list;

/** A record with one entry per key, e.g. per identifier type. */
function recordOf<K extends string, V>(keys: readonly K[], value: (key: K) => V): Readonly<Record<K, V>> {
  // Object.fromEntries cannot know its keys are exactly K; `keys` lists every one of them.
  return Object.fromEntries(keys.map((k) => [k, value(k)])) as Record<K, V>;
}
const perIdentifier = <V>(value: (type: IdentifierType) => V): ObjectType<Readonly<Record<IdentifierType, V>>> & { nullable?: false } => ({
  kind: 'object',
  properties: recordOf(IDENTIFIER_TYPES, value),
});

const isOutcome = (value: string): value is Outcome => Object.hasOwn(OUTCOME_SEVERITY, value);
/** The outcomes, from the one table that defines them (their severity order). */
export const OUTCOMES: readonly Outcome[] = Object.keys(OUTCOME_SEVERITY).filter(isOutcome);

// ---------------------------------------------------------------------------------------------
// The facts.

/** The applicant as the request gives it (decision/application.ts checks the request against its schema). */
export interface ApplicantFacts {
  readonly age: number;
  readonly checkingAccountStatus: string;
  readonly creditHistory: string;
  readonly purpose: string;
  readonly savingsAccountBonds: string;
  readonly employmentDuration: string;
  readonly personalStatusSex: string;
  readonly otherDebtorsGuarantors: string;
  readonly property: string;
  readonly otherInstallmentPlans: string;
  readonly housing: string;
  readonly job: string;
  readonly installmentRatePct: number;
  readonly residenceYears: number;
  readonly existingCredits: number;
  readonly dependents: number;
  readonly hasTelephone: boolean;
  readonly foreignWorker: boolean;
}
export type ApplicantField = keyof ApplicantFacts;

/** Every fact's type. Stage providers return a part of it; readers get it through factOf. */
export interface FactTypes {
  product: string;
  region: string;
  amount: number;
  termMonths: number;
  applicant: ApplicantFacts;
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

export interface FactSpec<T = ValueType> {
  /** The first stage that has this fact; undefined = known before any stage runs. */
  readonly producedBy?: StageName;
  readonly description: string;
  /** Its value's type, and for an object fact each path's (`$.key`, `$.key.key`). */
  readonly type: T;
  /**
   * The request carries it: the POST /decide JSON Schema (ComparisonContext.applicationSchema)
   * narrows it further, to the categories and bounds a request may have.
   */
  readonly fromRequest?: true;
  /** For object facts: the keys a `path` may name (`$.key`), from `type`. */
  readonly properties?: readonly string[];
}

const TYPE_DECLARATIONS = {
  product: { fromRequest: true, description: 'Product code of the application (its flow is rules/flows/<product>.json).', type: str() },
  region: { fromRequest: true, description: 'Region code of the application.', type: str() },
  amount: { fromRequest: true, description: 'Requested amount.', type: num({ min: 0 }) },
  termMonths: { fromRequest: true, description: 'Requested term in months.', type: whole({ min: 1 }) },
  applicant: {
    fromRequest: true,
    description: "Applicant fields, as in the request (POST /decide; GET /openapi.json lists each field's values).",
    type: objectOf<ApplicantFacts>()({
      age: whole({ description: 'Age in years.' }),
      checkingAccountStatus: str(),
      creditHistory: str(),
      purpose: str(),
      savingsAccountBonds: str(),
      employmentDuration: str(),
      personalStatusSex: str(),
      otherDebtorsGuarantors: str(),
      property: str(),
      otherInstallmentPlans: str(),
      housing: str(),
      job: str(),
      installmentRatePct: whole(),
      residenceYears: whole(),
      existingCredits: whole(),
      dependents: whole(),
      hasTelephone: bool(),
      foreignWorker: bool(),
    }),
  },
  identifiers: {
    description: 'Keyed hash of each identifier the application carries: compare with inList / notInList.',
    type: perIdentifier((identifierType) => ({ kind: 'hash', identifierType }) as const),
  },
  identifierCount: {
    description: 'How many identifiers the application carries; empty values and placeholders (N/A, none, 0000000, …) are not carried (docs/identifiers.md).',
    type: whole({ min: 0, max: IDENTIFIER_TYPES.length }),
  },
  identifierValidity: {
    description: 'Per carried identifier, whether it is well formed: a valid phone number, an e-mail with a dotted domain, a public IP, a resident id whose check digit holds, … (docs/identifiers.md).',
    type: perIdentifier(() => bool()),
  },
  validIdentifierCount: {
    description: "How many carried identifiers are valid; micro_loan's thin-identity rule counts these, so junk values do not make an identity.",
    type: whole({ min: 0, max: IDENTIFIER_TYPES.length }),
  },
  priorOutcome: { description: 'Outcome reached by the stages before this one.', type: oneOf(OUTCOMES) },
  priorReasons: { description: 'Reason codes given by the stages before this one (use contains / doesNotContain).', type: listOf(str({ domain: 'reason' })) },
  ageAtMaturity: { producedBy: 'eligibility', description: 'Applicant age in years when the loan matures.', type: num({ min: 0 }) },
  monthlyInstalment: { producedBy: 'eligibility', description: 'Amount divided by term (no interest).', type: num({ min: 0 }) },
  score: {
    producedBy: 'scoring',
    description: "The credit model's view of the application.",
    type: objectOf<ScoreFacts>()({
      pd: num({ min: 0, max: 1, description: 'Calibrated probability of default (0.2 = 20%).' }),
      points: whole({ description: 'Scorecard points (higher is less risky).' }),
      grade: str({ domain: 'grade', description: 'Risk grade by PD band.' }),
      adverseFactors: listOf(
        objectOf<AdverseFactor>()({ feature: str(), code: str({ domain: 'reason' }), impact: num() }),
        { description: "Top adverse factors (FACTOR_* reason codes); a decision that is not approve gives them as reasons." },
      ),
    }),
  },
  offer: {
    producedBy: 'scoring',
    description: 'Risk-based offer from rules/scoring/offers.json.',
    type: objectOf<Offer>()({
      limit: num({ min: 0, description: 'Offered limit (never above the amount asked).' }),
      annualRate: num({ min: 0, max: 1, description: 'Annual rate as a fraction (0.089 = 8.9%).' }),
    }),
  },
  approval: {
    producedBy: 'approval',
    description: 'Approval authority from rules/approval/authority.json.',
    type: objectOf<ApprovalFacts>()({
      requiredLevel: oneOf(APPROVAL_LEVELS, { description: 'Level that must sign, after escalations.' }),
      matrixLevel: oneOf(APPROVAL_LEVELS, { description: "The matrix's level, before escalations." }),
      amountBand: whole({ min: 0, description: "Index of the matrix's amount band." }),
      escalatedBy: listOf(str({ domain: 'reason' }), { description: 'Reason codes that raised the level.' }),
    }),
  },
  exposure: {
    producedBy: 'limits',
    description: "The region's exposure (rules/limits/regions.json) if this loan were approved.",
    type: objectOf<ReservationCheck>()({
      region: str(),
      product: str(),
      amount: num({ min: 0, description: 'What approving would reserve.' }),
      limit: num({ min: 0, description: "The region's limit." }),
      productLimit: num({ min: 0, description: "The product's sub-limit in the region; absent where none is set." }),
      reserved: num({ min: 0, description: 'Reserved before this loan.' }),
      available: num({ min: 0, description: 'Room under both limits.' }),
      utilisationAfter: num({ min: 0, description: "Reserved with this loan, as a fraction of the region's limit." }),
      wouldExceed: bool('No room for this loan.'),
      nearLimit: bool('Fits, but past the warning threshold.'),
      basis: objectOf<LimitBasis>()(
        {
          kind: oneOf(everyMemberOf<LimitBasis['kind']>()(['set', 'computed'])),
          configured: oneOf(everyMemberOf<LimitBasis['configured']>()(['region', 'default'])),
          baseLimit: num({ min: 0 }),
          observedBadRate: num({ min: 0, max: 1 }),
          referenceBadRate: num({ min: 0, max: 1 }),
          factor: num({ min: 0 }),
        },
        { description: 'How the limit was set: by the analyst, or computed from the bad rate (then also baseLimit, observedBadRate, referenceBadRate, factor).' },
      ),
    }),
  },
  velocity: {
    producedBy: 'fraud',
    description: 'Applications in the last 24 h, this one included, carrying the same identifier (0 = absent).',
    type: perIdentifier(() => count()),
  },
  fraud: {
    producedBy: 'fraud',
    description: "The fraud graph's view (docs/fraud-graph.md).",
    type: objectOf<FraudFacts>()({
      clusterId: { ...str({ description: 'Community the application links into.' }), nullable: true },
      clusterSuspicious: bool("The community's verdict."),
      clusterScore: num({ min: 0, max: 100, description: "The community's score (sum of its flags' points)." }),
      clusterSize: count('Applications in the community.'),
      clusterFlags: listOf(str({ domain: 'clusterFlag' }), { description: 'Flags the community raises (use contains).' }),
      clusterGangScore: { ...num({ min: 0, max: 1, description: "The gang-case model's probability for the community; null without a community or a model." }), nullable: true },
      sharedWithLabelledFraud: bool('Within two links of an application labelled fraud.'),
      labelledFraudHops: whole({ min: 0, max: 2, description: '1: shares an identifier with a labelled-fraud application; 2: through one application in between; 0: neither.' }),
      linkedApplications: count('Earlier applications sharing a linking identifier.'),
      identifierReuse: { ...perIdentifier(() => count()), description: 'Per identifier type: earlier applications carrying the same value.' },
    }),
  },
} satisfies { readonly [K in FactName]: FactSpec<TypeFor<FactTypes[K]>> };

const isFactName = (name: string): name is FactName => Object.hasOwn(TYPE_DECLARATIONS, name);

export const FACT_NAMES: readonly FactName[] = Object.keys(TYPE_DECLARATIONS).filter(isFactName);

export const FACT_CATALOG: { readonly [K in FactName]: FactSpec } = recordOf(FACT_NAMES, (name): FactSpec => {
  const spec: FactSpec = TYPE_DECLARATIONS[name];
  return spec.type.kind === 'object' ? { ...spec, properties: Object.keys(spec.type.properties) } : spec;
});

/** The spec of a fact a rule names, or undefined for a name that is no fact. */
export function factSpec(name: string): FactSpec | undefined {
  return isFactName(name) ? FACT_CATALOG[name] : undefined;
}

/** The application fields a credit model may use as features. */
export const MODEL_INPUT_FIELDS: readonly string[] = ['amount', 'termMonths', ...Object.keys(TYPE_DECLARATIONS.applicant.type.properties)];
