import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/graph/rng';
import { createMetrics, reportPsi } from '../../src/observability/metrics';
import { PSI_MIN_SAMPLE, PSI_WINDOW, PsiMonitor } from '../../src/scoring/psi';

const edges = [0.1, 0.2, 0.3];
const expected = [0.25, 0.25, 0.25, 0.25];

/** The shipped model card's training distribution: PD decile edges and their proportions. */
const card = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../models/credit-pd.card.json'), 'utf8')) as {
  scoreDistribution: { binEdges: number[]; proportions: number[] };
};
const { binEdges, proportions } = card.scoreDistribution;

/** PDs drawn from the reference distribution: a bin by its proportion, then uniform inside it. */
function referenceScores(n: number, seed: number): number[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: n }, () => {
    let u = rnd();
    let bin = 0;
    while (bin < proportions.length - 1 && u >= (proportions[bin] ?? 0)) u -= proportions[bin++] ?? 0;
    const lo = binEdges[bin - 1] ?? 0;
    const hi = binEdges[bin] ?? 1;
    return lo + rnd() * (hi - lo);
  });
}

describe('PsiMonitor', () => {
  it('is 0 when live scores follow the training distribution', () => {
    const psi = new PsiMonitor(edges, expected, { minSample: 4 });
    for (const pd of [0.05, 0.15, 0.25, 0.35]) psi.record(pd);
    expect(psi.value()).toBeCloseTo(0, 10);
  });

  it('flags a shifted population (PSI > 0.25) and matches the formula', () => {
    const psi = new PsiMonitor(edges, expected, { minSample: 100 });
    for (let i = 0; i < 90; i++) psi.record(0.5);
    for (let i = 0; i < 10; i++) psi.record(0.05);
    const a = [0.1, 1e-4, 1e-4, 0.9];
    const formula = a.reduce((s, x, i) => s + (x - expected[i]!) * Math.log(x / expected[i]!), 0);
    expect(psi.value()).toBeCloseTo(formula, 10);
    expect(psi.value()).toBeGreaterThan(0.25);
  });

  it('reports nothing below the minimum sample: one score no longer reads 8.28', () => {
    expect([PSI_WINDOW, PSI_MIN_SAMPLE]).toEqual([5_000, 500]);
    const psi = new PsiMonitor(binEdges, proportions);
    psi.record(0.2);
    expect(psi.value()).toBeUndefined();
    // What the one score used to read: a "shift" that is only chance.
    expect(new PsiMonitor(binEdges, proportions, { minSample: 1 }).value()).toBeUndefined();
    const one = new PsiMonitor(binEdges, proportions, { minSample: 1 });
    one.record(0.2);
    expect(one.value()).toBeCloseTo(8.28, 2);
    const scores = referenceScores(PSI_MIN_SAMPLE, 11);
    for (const pd of scores.slice(1, -1)) psi.record(pd);
    expect(psi.sample).toBe(PSI_MIN_SAMPLE - 1);
    expect(psi.value()).toBeUndefined();
    psi.record(scores.at(-1)!);
    expect(psi.value()).toEqual(expect.any(Number));
  });

  it('stable inputs drawn from the reference distribution give PSI < 0.1 at the minimum sample (seeded)', () => {
    const values: number[] = [];
    for (let seed = 1; seed <= 50; seed++) {
      const psi = new PsiMonitor(binEdges, proportions);
      for (const pd of referenceScores(PSI_MIN_SAMPLE, seed)) psi.record(pd);
      values.push(psi.value()!);
    }
    expect(Math.max(...values)).toBeLessThan(0.1);
    // About (bins − 1) / n on average: 9 / 500 = 0.018.
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(mean).toBeGreaterThan(0.01);
    expect(mean).toBeLessThan(0.03);
  });

  it('a window forgets old scores: a shift that ended long ago no longer shows', () => {
    const psi = new PsiMonitor(binEdges, proportions, { window: 1_000, minSample: 200 });
    // A shift: every applicant in the riskiest decile.
    for (let i = 0; i < 1_000; i++) psi.record(0.9);
    expect(psi.value()).toBeGreaterThan(0.25);
    const stable = referenceScores(1_000, 5);
    for (const pd of stable.slice(0, 500)) psi.record(pd);
    // Half the window still remembers it.
    expect(psi.value()).toBeGreaterThan(0.25);
    for (const pd of stable.slice(500)) psi.record(pd);
    expect(psi.sample).toBe(1_000);
    expect(psi.observations).toBe(2_000);
    expect(psi.value()).toBeLessThan(0.1);
    // The same as a monitor that never saw the shift.
    const fresh = new PsiMonitor(binEdges, proportions, { window: 1_000, minSample: 200 });
    for (const pd of stable) fresh.record(pd);
    expect(psi.value()).toBeCloseTo(fresh.value()!, 12);
  });
});

describe('model_score_psi in /metrics', () => {
  it('is absent (not 0) below the minimum sample, with model_score_psi_sample saying how many scores there are', async () => {
    const metrics = createMetrics();
    const text = () => metrics.registry.metrics();
    expect(await text()).not.toMatch(/^model_score_psi /m);
    reportPsi(metrics, undefined, 1);
    expect(await text()).not.toMatch(/^model_score_psi /m);
    expect(await text()).toMatch(/^model_score_psi_sample 1$/m);
    reportPsi(metrics, 0.0123, 500);
    expect(await text()).toMatch(/^model_score_psi 0\.0123$/m);
    expect(await text()).toMatch(/^model_score_psi_sample 500$/m);
    reportPsi(metrics, 0.02, 501);
    expect(await text()).toMatch(/^model_score_psi 0\.02$/m);
    reportPsi(metrics, undefined, 0);
    expect(await text()).not.toMatch(/^model_score_psi /m);
  });
});
