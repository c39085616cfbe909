import { describe, expect, it } from 'vitest';
import { offerFor, riskGrade, scorePoints } from '../../src/scoring/scorecard';

const scaling = { basePoints: 600, baseOdds: 50, pointsToDoubleOdds: 20 };
const grades = [
  { grade: 'A', maxPd: 0.05 },
  { grade: 'B', maxPd: 0.1 },
  { grade: 'E', maxPd: 1 },
];

describe('scorecard points', () => {
  it('gives basePoints at the base odds and adds pointsToDoubleOdds each time the odds double', () => {
    const pdAt = (odds: number) => 1 / (1 + odds);
    expect(scorePoints(pdAt(50), scaling)).toBe(600);
    expect(scorePoints(pdAt(100), scaling)).toBe(620);
    expect(scorePoints(pdAt(25), scaling)).toBe(580);
  });

  it('stays finite at PD 0 and 1, and falls as PD rises', () => {
    expect(Number.isFinite(scorePoints(0, scaling))).toBe(true);
    expect(Number.isFinite(scorePoints(1, scaling))).toBe(true);
    expect(scorePoints(0.3, scaling)).toBeLessThan(scorePoints(0.1, scaling));
  });
});

describe('risk grade', () => {
  it.each([
    [0.0, 'A'],
    [0.0499, 'A'],
    [0.05, 'B'],
    [0.5, 'E'],
    [1, 'E'],
  ])('PD %s → %s', (pd, grade) => {
    expect(riskGrade(pd, grades)).toBe(grade);
  });
});

describe('offer', () => {
  const table = { grades: { A: { annualRate: 0.06, maxLimit: 20_000 }, E: { annualRate: 0.2, maxLimit: 0 } } };
  it("prices by grade and never offers more than was asked, nor more than the grade's limit", () => {
    expect(offerFor('A', 5_000, table)).toEqual({ limit: 5_000, annualRate: 0.06 });
    expect(offerFor('A', 50_000, table)).toEqual({ limit: 20_000, annualRate: 0.06 });
    expect(offerFor('E', 5_000, table).limit).toBe(0);
  });
});
