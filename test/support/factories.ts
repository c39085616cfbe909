// Applications with sensible defaults, so each test states only what matters to it.
import type { Application, Applicant } from '../../src/decision/application';
import type { DecisionRow } from '../../src/store/audit-store';

let sequence = 0;

/** A creditworthy applicant: row 1 of the German credit data, adjusted to pass every default rule. */
export function applicant(overrides: Partial<Applicant> = {}): Applicant {
  return {
    age: 45,
    checkingAccountStatus: 'none',
    creditHistory: 'critical',
    purpose: 'radio_television',
    savingsAccountBonds: 'unknown',
    employmentDuration: 'gt_7',
    personalStatusSex: 'male_single',
    otherDebtorsGuarantors: 'none',
    property: 'real_estate',
    otherInstallmentPlans: 'none',
    housing: 'own',
    job: 'skilled_employee',
    installmentRatePct: 2,
    residenceYears: 4,
    existingCredits: 1,
    dependents: 1,
    hasTelephone: true,
    foreignWorker: true,
    ...overrides,
  };
}

export function application(overrides: Partial<Omit<Application, 'applicant'>> & { applicant?: Partial<Applicant> } = {}): Application {
  sequence += 1;
  const { applicant: a, ...rest } = overrides;
  return {
    applicationId: `T-${process.pid}-${Date.now().toString(36)}-${sequence}`,
    product: 'personal_loan',
    region: 'east',
    amount: 2500,
    termMonths: 24,
    applicant: applicant(a),
    ...rest,
  };
}

/** A decision row as the audit store takes it, for store tests. */
export function decisionRow(applicationId: string, overrides: Partial<DecisionRow> = {}): DecisionRow {
  return {
    decisionId: `d-${applicationId}`,
    applicationId,
    requestFingerprint: 'f',
    product: 'personal_loan',
    region: 'east',
    outcome: 'approve',
    rulesVersion: 'v1',
    decidedAt: 1_000,
    identifiers: [{ type: 'phone', hash: `h-${applicationId}`, masked: '+86 ***' }],
    document: { hello: 'world' },
    fraudEvidence: false,
    source: 'decided',
    ...overrides,
  };
}
