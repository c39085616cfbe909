// A realistic application body for load tests (row 1 of the German credit data, new identifiers).
import type { Application } from '../src/decision/application';

export function sampleApplication(applicationId: string): Application {
  const n = Number(applicationId.replace(/\D/g, '').slice(-8) || 0);
  return {
    applicationId,
    product: 'personal_loan',
    region: 'east',
    amount: 1169 + (n % 5000),
    termMonths: 12 + (n % 36),
    applicant: {
      age: 35 + (n % 30), checkingAccountStatus: 'none', creditHistory: 'critical', purpose: 'radio_television',
      savingsAccountBonds: 'unknown', employmentDuration: 'gt_7', personalStatusSex: 'male_single',
      otherDebtorsGuarantors: 'none', property: 'real_estate', otherInstallmentPlans: 'none', housing: 'own',
      job: 'skilled_employee', installmentRatePct: 2, residenceYears: 4, existingCredits: 1, dependents: 1,
      hasTelephone: true, foreignWorker: true,
    },
    identifiers: {
      phone: `+86 138 ${String(n % 10000).padStart(4, '0')} ${String((n * 7) % 10000).padStart(4, '0')}`,
      deviceId: `dev-${n % 50000}`,
      ip: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
      email: `user${n}@example.com`,
      nationalId: `1101011990${String(n).padStart(8, '0')}`,
    },
  };
}
