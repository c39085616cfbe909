// The eligibility stage's facts: affordability and age at maturity, derived from the application.
import { requiredFact } from '../../rules/facts';
import { roundTo } from '../../common/round';
import type { StageProvider } from '../flow';

export const eligibilityFacts: StageProvider = ({ facts }) => {
  const age = Number(requiredFact(facts, 'applicant').age);
  const amount = requiredFact(facts, 'amount');
  const termMonths = requiredFact(facts, 'termMonths');
  return {
    ageAtMaturity: roundTo(age + termMonths / 12, 2),
    monthlyInstalment: roundTo(amount / termMonths, 2),
  };
};
