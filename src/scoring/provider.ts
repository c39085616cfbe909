// The scoring stage's facts: the credit model's PD, scorecard points, risk grade, the top adverse
// factors with their reason codes, and the risk-based offer, from rules/scoring/*.json.
import type { StageProvider } from '../decision/flow';
import { featureValuesOf } from './features';
import type { CreditModel } from './onnx-model';
import { offerFor, riskGrade, scorePoints, type GradeTable, type OfferTable } from './scorecard';

export interface FactorTable {
  readonly topN: number;
  readonly minImpact: number;
  readonly factors: Readonly<Record<string, string>>;
}

export interface AdverseFactor {
  readonly feature: string;
  readonly code: string;
  /** PD points this feature added against the portfolio reference (0.05 = five percentage points). */
  readonly impact: number;
}

export interface ScoreFacts {
  readonly pd: number;
  readonly points: number;
  readonly grade: string;
  readonly adverseFactors: readonly AdverseFactor[];
}

export class ModelUnavailableError extends Error {}

export interface ScoringDeps {
  /** The loaded model, or undefined (the stage then fails and takes its fallback). */
  readonly model: () => CreditModel | undefined;
  /** Why there is no model, for the decision record. */
  readonly unavailableReason: () => string;
  readonly onScored?: (ms: number, pd: number) => void;
}

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

export function scoringFacts(deps: ScoringDeps): StageProvider {
  return async ({ facts, tables }) => {
    const model = deps.model();
    if (!model) throw new ModelUnavailableError(deps.unavailableReason());
    const grades = tables.get('scoring/grades.json') as GradeTable;
    const offers = tables.get('scoring/offers.json') as OfferTable;
    const factors = tables.get('scoring/factors.json') as FactorTable;

    const started = performance.now();
    const { pd, impacts } = await model.score(featureValuesOf(facts as { amount: number; termMonths: number; applicant: unknown }));
    deps.onScored?.(performance.now() - started, pd);

    const grade = riskGrade(pd, grades.grades);
    const adverseFactors = impacts
      .filter((i) => i.impact > factors.minImpact)
      .sort((a, b) => b.impact - a.impact)
      .slice(0, factors.topN)
      .map((i) => ({ feature: i.feature, code: factors.factors[i.feature] ?? i.feature, impact: round(i.impact, 4) }));
    const score: ScoreFacts = { pd: round(pd, 6), points: scorePoints(pd, grades.scaling), grade, adverseFactors };
    return { score, offer: offerFor(grade, facts.amount as number, offers) };
  };
}
