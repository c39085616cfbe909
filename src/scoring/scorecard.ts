// From probability of default to what the lender acts on: scorecard points, a risk grade, and
// a risk-based offer (rate and limit). Pure; the tables come from rules/scoring/*.json.

export interface Scaling {
  readonly basePoints: number;
  readonly baseOdds: number;
  readonly pointsToDoubleOdds: number;
}

export interface GradeBand {
  readonly grade: string;
  readonly maxPd: number;
}

export interface GradeTable {
  readonly scaling: Scaling;
  readonly grades: readonly GradeBand[];
}

export interface OfferTable {
  readonly grades: Readonly<Record<string, { readonly annualRate: number; readonly maxLimit: number }>>;
}

export interface Offer {
  readonly limit: number;
  readonly annualRate: number;
}

/** PD floor/ceiling so points stay finite for a model output of exactly 0 or 1. */
const EPSILON = 1e-6;

/**
 * Standard scorecard scaling: points = offset + factor · ln(odds), odds = good:bad = (1-PD)/PD,
 * factor = PDO / ln 2, offset = basePoints − factor · ln(baseOdds). Higher points, lower risk.
 */
export function scorePoints(pd: number, { basePoints, baseOdds, pointsToDoubleOdds }: Scaling): number {
  const p = Math.min(1 - EPSILON, Math.max(EPSILON, pd));
  const factor = pointsToDoubleOdds / Math.LN2;
  return Math.round(basePoints + factor * (Math.log((1 - p) / p) - Math.log(baseOdds)));
}

/** The first grade whose band ends above the PD (bands are ordered best to worst). */
export function riskGrade(pd: number, grades: readonly GradeBand[]): string {
  for (const band of grades) if (pd < band.maxPd) return band.grade;
  return grades[grades.length - 1]?.grade ?? 'E';
}

/** The grade's rate, and its limit capped at the requested amount (never more than asked). */
export function offerFor(grade: string, requestedAmount: number, table: OfferTable): Offer {
  const row = table.grades[grade];
  if (!row) return { limit: 0, annualRate: 0 };
  return { limit: Math.min(requestedAmount, row.maxLimit), annualRate: row.annualRate };
}

/** rules/scoring/factors.json: which model features become adverse-action reasons, and when. */
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

/** The scoring stage's `score` fact: the model's PD and what the scorecard makes of it. */
export interface ScoreFacts {
  readonly pd: number;
  readonly points: number;
  readonly grade: string;
  readonly adverseFactors: readonly AdverseFactor[];
}

/** No credit model is loaded (or it failed its checks): the scoring stage takes its fallback. */
export class ModelUnavailableError extends Error {}
