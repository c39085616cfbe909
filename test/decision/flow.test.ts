// The combination policy and time budgets of a staged flow.
import { describe, expect, it, vi } from 'vitest';
import { runFlow, type StageProviders } from '../../src/decision/flow';
import { JsonRulesEngineEvaluator } from '../../src/rules/evaluator';
import type { StageName } from '../../src/rules/ruleset';
import { DEFAULT_EXPOSURE_POLICY, type Flow, type FlowStage, type RuleDefinition, type RuleEvent } from '../../src/rules/ruleset';

const always = { all: [{ fact: 'amount', operator: 'greaterThan', value: 0 }] };
const rule = (name: string, event: RuleEvent, priority = 1): RuleDefinition => ({ name, priority, conditions: always, event });

function stage(name: StageName, rules: RuleDefinition[], budgetMs = 50): FlowStage {
  return { name, budgetMs, fallback: { outcome: 'review', reason: `${name.toUpperCase()}_DOWN` }, rules, evaluator: new JsonRulesEngineEvaluator(rules, []), evaluatorKind: 'json-rules-engine' };
}

function flow(stages: FlowStage[], budgetMs = 500): Flow {
  return { product: 'p', budgetMs, stages, exposurePolicy: DEFAULT_EXPOSURE_POLICY };
}

const run = (f: Flow, providers: StageProviders = {}) => runFlow({ flow: f, reasons: new Map(), facts: { amount: 10 }, providers });

describe('runFlow combination policy', () => {
  it('approves when no rule fires', async () => {
    const result = await run(flow([stage('eligibility', [])]));
    expect(result.outcome).toBe('approve');
    expect(result.reasons).toEqual([]);
  });

  it('keeps the strictest outcome: decline > review > approve, whatever the order', async () => {
    const result = await run(
      flow([
        stage('eligibility', [rule('d', { type: 'decline', params: { reason: 'D' } }, 1), rule('r', { type: 'review', params: { reason: 'R' } }, 9)]),
        stage('fraud', [rule('a', { type: 'approve' })]),
      ]),
    );
    expect(result.outcome).toBe('decline');
    expect(result.reasons.map((r) => r.code)).toEqual(['R', 'D']);
  });

  it('lets an override event replace the outcome reached so far', async () => {
    const result = await run(
      flow([stage('eligibility', [rule('r', { type: 'review', params: { reason: 'R' } })]), stage('fraud', [rule('ok', { type: 'approve', params: { reason: 'OK', override: true } })])]),
    );
    expect(result.outcome).toBe('approve');
    expect(result.reasons.map((r) => r.code)).toEqual(['R', 'OK']);
  });

  it('flag adds a reason and facts for later stages without changing the outcome', async () => {
    const result = await run(
      flow([
        stage('eligibility', [rule('f', { type: 'flag', params: { reason: 'F', facts: { firstTimeBorrower: true } } })]),
        stage('fraud', [
          { name: 'uses-flag', conditions: { all: [{ fact: 'firstTimeBorrower', operator: 'equal', value: true }] }, event: { type: 'review', params: { reason: 'FT' } } },
        ]),
      ]),
    );
    expect(result.outcome).toBe('review');
    expect(result.reasons.map((r) => r.code)).toEqual(['F', 'FT']);
    expect(result.stages[0]?.facts).toEqual({ firstTimeBorrower: true });
  });

  it('stop skips the stages after its own', async () => {
    const result = await run(flow([stage('fraud', [rule('b', { type: 'decline', params: { reason: 'B', stop: true } })]), stage('eligibility', [rule('x', { type: 'review', params: { reason: 'X' } })])]));
    expect(result.outcome).toBe('decline');
    expect(result.stages.map((s) => s.status)).toEqual(['completed', 'skipped']);
  });

  it('gives later stages the outcome reached so far as priorOutcome', async () => {
    const seen: unknown[] = [];
    await run(flow([stage('eligibility', [rule('r', { type: 'review', params: { reason: 'R' } })]), stage('fraud', [])]), {
      fraud: ({ facts }) => {
        seen.push(facts.priorOutcome);
        return {};
      },
    });
    expect(seen).toEqual(['review']);
  });
});

describe('runFlow budgets and fallbacks', () => {
  it('a stage that throws takes its fallback; later stages still run', async () => {
    const result = await run(flow([stage('scoring', [rule('x', { type: 'decline', params: { reason: 'X' } })]), stage('fraud', [rule('f', { type: 'flag', params: { reason: 'F' } })])]), {
      scoring: () => {
        throw new Error('model crashed');
      },
    });
    expect(result.outcome).toBe('review');
    expect(result.reasons.map((r) => r.code)).toEqual(['SCORING_DOWN', 'F']);
    expect(result.stages[0]).toMatchObject({ status: 'fallback', fallback: { cause: 'error', detail: 'model crashed' } });
  });

  // A fake clock: the cut-off is asserted against the budget exactly, whatever the machine's load.
  it('a stage that hangs is cut off at its budget, not before, and aborted', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      let aborted = false;
      let settled = false;
      const running = run(flow([stage('scoring', [], 30)]), {
        scoring: ({ signal }) =>
          new Promise(() => {
            signal.addEventListener('abort', () => (aborted = true));
          }),
      }).finally(() => (settled = true));
      await vi.advanceTimersByTimeAsync(29);
      expect([settled, aborted]).toEqual([false, false]);
      await vi.advanceTimersByTimeAsync(1);
      const result = await running;
      expect(result.stages[0]).toMatchObject({ status: 'fallback', durationMs: 30, fallback: { cause: 'timeout', reason: 'SCORING_DOWN' } });
      expect(aborted).toBe(true);
      expect(result.totalMs).toBe(30);
    } finally {
      vi.useRealTimers();
    }
  });

  it('answers within the total budget when stages hang, and records why each stage fell back', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const hang = () => new Promise<never>(() => {});
      const running = run(flow([stage('eligibility', [], 40), stage('fraud', [], 40), stage('scoring', [], 40)], 60), { eligibility: hang, fraud: hang, scoring: hang });
      await vi.advanceTimersByTimeAsync(60);
      const result = await running;
      expect(result.totalMs).toBe(60);
      expect(result.stages.map((s) => s.fallback?.cause)).toEqual(['timeout', 'decision_budget', 'decision_budget']);
      expect(result.outcome).toBe('review');
    } finally {
      vi.useRealTimers();
    }
  });
});
