// json-rules-engine keeps run status on the Engine: one Engine shared by concurrent runs skips
// rules. The evaluator isolates every run; this shows both the hazard and that it is gone.
import { Engine } from 'json-rules-engine';
import { describe, expect, it } from 'vitest';
import { JsonRulesEngineEvaluator } from '../../src/rules/evaluator';
import type { RuleDefinition } from '../../src/rules/ruleset';

/** 25 rules in 5 priorities, each firing a flag whenever amount > 0. */
const rules: RuleDefinition[] = Array.from({ length: 25 }, (_, i) => ({
  name: `rule-${i}`,
  priority: 1 + (i % 5),
  conditions: { all: [{ fact: 'amount', operator: 'greaterThan', value: 0 }] },
  event: { type: 'flag', params: { reason: `R${i}` } },
}));

describe('JsonRulesEngineEvaluator', () => {
  it('a single shared json-rules-engine Engine loses rules under concurrency (the hazard)', async () => {
    const engine = new Engine(rules.map((r) => ({ ...r, conditions: r.conditions as never, event: r.event as never })));
    engine.addFact('amount', async () => {
      await new Promise((r) => setImmediate(r));
      return 100;
    });
    const runs = await Promise.all(Array.from({ length: 200 }, () => engine.run()));
    expect(runs.filter((r) => r.events.length < 25).length).toBeGreaterThan(0);
  });

  it('fires every rule in every one of 200 concurrent runs', async () => {
    const evaluator = new JsonRulesEngineEvaluator(rules, []);
    const runs = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        await new Promise((r) => setImmediate(r));
        return evaluator.evaluate({ amount: 100 + i });
      }),
    );
    for (const results of runs) expect(results.filter((r) => r.fired).length).toBe(25);
  });

  it('reports fired rules in priority order and keeps the failed ones with their condition results', async () => {
    const evaluator = new JsonRulesEngineEvaluator(
      [
        { name: 'low', priority: 1, conditions: { all: [{ fact: 'amount', operator: 'greaterThan', value: 0 }] }, event: { type: 'review', params: { reason: 'A' } } },
        { name: 'high', priority: 9, conditions: { all: [{ fact: 'amount', operator: 'greaterThan', value: 0 }] }, event: { type: 'decline', params: { reason: 'B' } } },
        { name: 'never', priority: 5, conditions: { all: [{ fact: 'amount', operator: 'lessThan', value: 0 }] }, event: { type: 'decline', params: { reason: 'C' } } },
      ],
      [],
    );
    const results = await evaluator.evaluate({ amount: 5 });
    expect(results.map((r) => [r.rule, r.fired])).toEqual([
      ['high', true],
      ['low', true],
      ['never', false],
    ]);
    expect(JSON.stringify(results[2]?.conditions)).toContain('"factResult":5');
  });

  it('treats a missing fact as not matching instead of throwing', async () => {
    const evaluator = new JsonRulesEngineEvaluator(
      [{ name: 'phone', conditions: { all: [{ fact: 'velocity', path: '$.phone', operator: 'greaterThan', value: 3 }] }, event: { type: 'review', params: { reason: 'V' } } }],
      [],
    );
    expect((await evaluator.evaluate({}))[0]?.fired).toBe(false);
  });
});
