import { describe, expect, it } from 'vitest';
import { PsiMonitor } from '../../src/scoring/psi';

const edges = [0.1, 0.2, 0.3];
const expected = [0.25, 0.25, 0.25, 0.25];

describe('PsiMonitor', () => {
  it('is 0 when live scores follow the training distribution', () => {
    const psi = new PsiMonitor(edges, expected);
    for (const pd of [0.05, 0.15, 0.25, 0.35]) psi.record(pd);
    expect(psi.value()).toBeCloseTo(0, 10);
  });

  it('flags a shifted population (PSI > 0.25) and matches the formula', () => {
    const psi = new PsiMonitor(edges, expected);
    for (let i = 0; i < 90; i++) psi.record(0.5);
    for (let i = 0; i < 10; i++) psi.record(0.05);
    const a = [0.1, 1e-4, 1e-4, 0.9];
    const formula = a.reduce((s, x, i) => s + (x - expected[i]!) * Math.log(x / expected[i]!), 0);
    expect(psi.value()).toBeCloseTo(formula, 10);
    expect(psi.value()).toBeGreaterThan(0.25);
  });
});
