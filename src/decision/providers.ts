// The facts the core stages compute before their rules run (see FACT_CATALOG).
import type { VelocityIndex } from '../fraud/velocity';
import type { IdentifierType } from '../identity/identifiers';
import { approvalFacts } from '../approval/provider';
import type { ExposureBook } from '../limits/exposure-book';
import { exposureFacts } from '../limits/provider';
import { scoringFacts, type ScoringDeps } from '../scoring/provider';
import type { StageProvider, StageProviders } from './flow';

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

/** Eligibility: affordability and age-at-maturity, derived from the application. */
export const eligibilityFacts: StageProvider = ({ facts }) => {
  const applicant = facts.applicant as { age: number };
  const amount = facts.amount as number;
  const termMonths = facts.termMonths as number;
  return {
    ageAtMaturity: round(applicant.age + termMonths / 12, 2),
    monthlyInstalment: round(amount / termMonths, 2),
  };
};

/** Fraud: how often each identifier was seen in the last 24 h, this application included. */
export function velocityFacts(index: VelocityIndex, clock: () => number = Date.now): StageProvider {
  return ({ facts }) => ({
    velocity: index.counts(facts.identifiers as Partial<Record<IdentifierType, string>>, clock()),
  });
}

export interface StandardProviderDeps {
  readonly velocity: VelocityIndex;
  readonly exposure: ExposureBook;
  readonly scoring: ScoringDeps;
  readonly clock?: () => number;
}

/** The stage providers every deployment runs; the service and the analysts' rule tests share them. */
export function standardProviders(deps: StandardProviderDeps): StageProviders {
  return {
    eligibility: eligibilityFacts,
    fraud: velocityFacts(deps.velocity, deps.clock),
    scoring: scoringFacts(deps.scoring),
    approval: approvalFacts,
    limits: exposureFacts(deps.exposure),
  };
}
