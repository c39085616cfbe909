// The scoring stage's facts: the credit model's PD, scorecard points, risk grade, the top adverse
// factors with their reason codes, and the risk-based offer, from rules/scoring/*.json.
import { requiredFact } from '../../rules/facts';
import { featureValuesOf } from '../../scoring/features';
import type { CreditModel } from '../../scoring/onnx-model';
import { ModelUnavailableError, offerFor, riskGrade, scorePoints, type FactorTable, type GradeTable, type OfferTable, type ScoreFacts } from '../../scoring/scorecard';
import { FACTORS_TABLE, GRADES_TABLE, OFFERS_TABLE } from '../../scoring/tables';
import { roundTo } from '../../common/round';
import type { StageProvider } from '../flow';

export interface ScoringDeps {
  /** The loaded model, or undefined (the stage then fails and takes its fallback). */
  readonly model: () => CreditModel | undefined;
  /** Why there is no model, for the decision record. */
  readonly unavailableReason: () => string;
  readonly onScored?: (ms: number, pd: number) => void;
}

export function scoringFacts(deps: ScoringDeps): StageProvider {
  return async ({ facts, tables }) => {
    const model = deps.model();
    if (!model) throw new ModelUnavailableError(deps.unavailableReason());
    const grades = tables.get(GRADES_TABLE) as GradeTable;
    const offers = tables.get(OFFERS_TABLE) as OfferTable;
    const factors = tables.get(FACTORS_TABLE) as FactorTable;
    const amount = requiredFact(facts, 'amount');

    const started = performance.now();
    const { pd, impacts } = await model.score(featureValuesOf({ amount, termMonths: requiredFact(facts, 'termMonths'), applicant: requiredFact(facts, 'applicant') }));
    deps.onScored?.(performance.now() - started, pd);

    const grade = riskGrade(pd, grades.grades);
    const adverseFactors = impacts
      .filter((i) => i.impact > factors.minImpact)
      .sort((a, b) => b.impact - a.impact)
      .slice(0, factors.topN)
      .map((i) => ({ feature: i.feature, code: factors.factors[i.feature] ?? i.feature, impact: roundTo(i.impact, 4) }));
    const score: ScoreFacts = { pd: roundTo(pd, 6), points: scorePoints(pd, grades.scaling), grade, adverseFactors };
    return { score, offer: offerFor(grade, amount, offers) };
  };
}
