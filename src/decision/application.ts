// The loan application as callers send it to POST /decide, and its JSON Schema.
// Applicant fields are the German-credit columns in camelCase; the categorical domains
// default to the data dictionary and are narrowed to the credit model's card when one is loaded.
import { IDENTIFIER_TYPES, type RawIdentifiers } from '../identity/identifiers';

export interface Applicant {
  age: number;
  checkingAccountStatus: string;
  creditHistory: string;
  purpose: string;
  savingsAccountBonds: string;
  employmentDuration: string;
  personalStatusSex: string;
  otherDebtorsGuarantors: string;
  property: string;
  otherInstallmentPlans: string;
  housing: string;
  job: string;
  installmentRatePct: number;
  residenceYears: number;
  existingCredits: number;
  dependents: number;
  hasTelephone: boolean;
  foreignWorker: boolean;
}

export interface Application {
  applicationId: string;
  product: string;
  region: string;
  amount: number;
  termMonths: number;
  applicant: Applicant;
  identifiers?: RawIdentifiers;
}

export type CategoricalDomains = Readonly<Record<string, readonly string[]>>;

/** Allowed values of each categorical applicant field, from the dataset's documentation. */
export const DATA_DICTIONARY_DOMAINS: CategoricalDomains = {
  checkingAccountStatus: ['0_to_200', 'gt_200', 'lt_0', 'none'],
  creditHistory: ['critical', 'delay', 'no_credit_all_paid', 'paid_duly', 'this_bank_all_paid'],
  purpose: [
    'business', 'domestic_appliance', 'education', 'furniture_equipment', 'new_car',
    'other', 'radio_television', 'repairs', 'retraining', 'used_car',
  ],
  savingsAccountBonds: ['100_to_500', '500_to_1000', 'gt_1000', 'lt_100', 'unknown'],
  employmentDuration: ['1_to_4', '4_to_7', 'gt_7', 'lt_1', 'unemployed'],
  personalStatusSex: ['female_not_single', 'male_divorced_seperated', 'male_married_widowed', 'male_single'],
  otherDebtorsGuarantors: ['co_applicant', 'guarantor', 'none'],
  property: ['car_other', 'insurance', 'real_estate', 'unknown'],
  otherInstallmentPlans: ['bank', 'none', 'stores'],
  housing: ['for_free', 'own', 'rent'],
  job: ['management_self_emp_highly_qualified', 'skilled_employee', 'unemployed_unskilled', 'unskilled_resident'],
};

const integer = (minimum: number, maximum: number, description: string) => ({ type: 'integer', minimum, maximum, description });

/** JSON Schema (2020-12) of the POST /decide body. Products are checked against the loaded flows. */
export function buildApplicationSchema(domains: CategoricalDomains = DATA_DICTIONARY_DOMAINS) {
  const categorical = Object.fromEntries(
    Object.entries(domains).map(([field, values]) => [field, { type: 'string', enum: [...values] }]),
  );
  return {
    type: 'object',
    additionalProperties: false,
    required: ['applicationId', 'product', 'region', 'amount', 'termMonths', 'applicant'],
    properties: {
      applicationId: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$', description: "The lender's id; the idempotency key." },
      product: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[a-z0-9_]+$', description: 'Selects the rule flow rules/flows/<product>.json.' },
      region: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[a-z0-9_-]+$' },
      amount: { type: 'number', exclusiveMinimum: 0, maximum: 1e9, description: 'Requested credit amount.' },
      termMonths: integer(1, 600, 'Requested duration in months.'),
      applicant: {
        type: 'object',
        additionalProperties: false,
        required: [
          'age', ...Object.keys(domains), 'installmentRatePct', 'residenceYears', 'existingCredits',
          'dependents', 'hasTelephone', 'foreignWorker',
        ],
        properties: {
          age: integer(18, 120, 'Age in years.'),
          ...categorical,
          installmentRatePct: integer(1, 4, 'Instalment rate as a band of disposable income (1 lowest … 4 highest).'),
          residenceYears: integer(1, 4, 'Years at present residence, banded 1–4.'),
          existingCredits: integer(1, 4, 'Number of existing credits at this bank, banded 1–4.'),
          dependents: integer(1, 2, 'Number of people liable to provide maintenance for, banded 1–2.'),
          hasTelephone: { type: 'boolean' },
          foreignWorker: { type: 'boolean' },
        },
      },
      identifiers: {
        type: 'object',
        additionalProperties: false,
        description: 'Personal identifiers: normalised and stored only as keyed hashes with a masked display form.',
        properties: Object.fromEntries(IDENTIFIER_TYPES.map((t) => [t, { type: 'string', minLength: 1, maxLength: 256 }])),
      },
    },
  } as const;
}

/** The request schema's categories: the model card's where it has them, so the model never sees an unknown one. */
export function categoricalDomainsOf(card: { readonly features: readonly ({ readonly type: string; readonly name: string; readonly categories?: readonly string[] })[] } | undefined): CategoricalDomains {
  const fromCard = Object.fromEntries((card?.features ?? []).flatMap((f) => (f.type === 'categorical' && f.categories ? [[f.name, f.categories]] : [])));
  return { ...DATA_DICTIONARY_DOMAINS, ...fromCard };
}

/** The request schema the service validates with, for a credit model's card: also what rules on the applicant are checked against. */
export function applicationSchemaFor(card: Parameters<typeof categoricalDomainsOf>[0]) {
  return buildApplicationSchema(categoricalDomainsOf(card));
}
