// npx tsx bench/rule-evaluators.ts: evaluations per second of each personal_loan stage with the
// reference evaluator (json-rules-engine) and the compiled one, on the same facts. Sequential
// awaits, as a decision runs its stages. BENCH_MS sets the time per measurement (default 1000).
import { createHash } from 'node:crypto';
import path from 'node:path';
import { listOperators } from '../src/rules/compile';
import { compileStageEvaluator } from '../src/rules/compiled-evaluator';
import { JsonRulesEngineEvaluator } from '../src/rules/evaluator';
import { loadRuleSet } from '../src/rules/load';
import type { Facts, StageEvaluator } from '../src/rules/ruleset';

const MS = Number(process.env.BENCH_MS ?? 1000);
const hashIdentifier = (type: string, raw: string) => createHash('sha256').update(`${type}:${raw}`).digest('hex');

const loaded = await loadRuleSet(path.resolve(import.meta.dirname, '../rules'), { hashIdentifier });
if (!loaded.ok) throw new Error('the shipped rules do not load');
const { ruleSet } = loaded;
const flow = ruleSet.flows.get('personal_loan');
if (!flow) throw new Error('no personal_loan flow');
const operators = listOperators(ruleSet.lists);
const blockedPhone = [...(ruleSet.lists.get('blocked-phones')?.hashes ?? [])][0] ?? '';

/** A few typical applications: clean, declined on bounds, on a blocklist, grade D, needing L2. */
const factSets: Facts[] = [
  { amount: 5000, termMonths: 36, ageAtMaturity: 45, applicant: { age: 42, installmentRatePct: 2, existingCredits: 1, checkingAccountStatus: 'ge_200', employmentDuration: '4_to_7' }, identifiers: { phone: 'a'.repeat(64), deviceId: 'b'.repeat(64), bankAccount: 'c'.repeat(64) }, velocity: { phone: 1, deviceId: 1, nationalId: 1, bankAccount: 1 }, fraud: { sharedWithLabelledFraud: false, clusterSuspicious: false }, score: { grade: 'B', pd: 0.05 }, approval: { requiredLevel: 'auto' }, priorOutcome: 'approve' },
  { amount: 25000, termMonths: 80, ageAtMaturity: 80, applicant: { age: 19, installmentRatePct: 4, existingCredits: 5, checkingAccountStatus: 'lt_0', employmentDuration: 'unemployed' }, identifiers: { phone: blockedPhone }, velocity: { phone: 5, deviceId: 4, nationalId: 2, bankAccount: 4 }, fraud: { sharedWithLabelledFraud: true, clusterSuspicious: true }, score: { grade: 'E', pd: 0.4 }, approval: { requiredLevel: 'L2' }, priorOutcome: 'approve' },
  { amount: 12000, termMonths: 48, ageAtMaturity: 60, applicant: { age: 56, installmentRatePct: 4, existingCredits: 2, checkingAccountStatus: '0_to_200', employmentDuration: 'ge_7' }, identifiers: {}, velocity: { phone: 2, deviceId: 1, nationalId: 1, bankAccount: 1 }, fraud: { sharedWithLabelledFraud: false, clusterSuspicious: true }, score: { grade: 'D', pd: 0.2 }, approval: { requiredLevel: 'L1' }, priorOutcome: 'review' },
];

async function rate(evaluator: StageEvaluator): Promise<number> {
  for (let i = 0; i < 2000; i++) await evaluator.evaluate(factSets[i % factSets.length] as Facts); // warm up
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < MS) {
    for (let i = 0; i < 300; i++) await evaluator.evaluate(factSets[n++ % factSets.length] as Facts);
    elapsed = performance.now() - start;
  }
  return (n / elapsed) * 1000;
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US').padStart(12);
console.log(`personal_loan, evaluations per second (${MS} ms each, ${factSets.length} fact sets in turn)`);
console.log(`${'stage'.padEnd(12)} ${'rules'.padStart(5)} ${'reference'.padStart(12)} ${'compiled'.padStart(12)}  speed-up`);
for (const stage of flow.stages) {
  const compiled = compileStageEvaluator(stage.rules, operators);
  if (!compiled.compiled) {
    console.log(`${stage.name.padEnd(12)} not compiled: ${compiled.reason}`);
    continue;
  }
  const reference = await rate(new JsonRulesEngineEvaluator(stage.rules, operators));
  const fast = await rate(compiled.evaluator);
  console.log(`${stage.name.padEnd(12)} ${String(stage.rules.length).padStart(5)} ${fmt(reference)} ${fmt(fast)}  ${(fast / reference).toFixed(1)}×`);
}

// The figure: all of personal_loan's rule stages, one application after another, as a
// decision runs them (on one core: this loop is single-threaded).
const TARGET = 100_000;
const wholeFlow = (evaluators: readonly StageEvaluator[]): StageEvaluator => ({
  evaluate: async (facts) => {
    for (const e of evaluators) await e.evaluate(facts);
    return [];
  },
});
const compiledStages = flow.stages.map((s) => {
  const c = compileStageEvaluator(s.rules, operators);
  return c.compiled ? c.evaluator : new JsonRulesEngineEvaluator(s.rules, operators);
});
const referenceFlow = await rate(wholeFlow(flow.stages.map((s) => new JsonRulesEngineEvaluator(s.rules, operators))));
const compiledFlow = await rate(wholeFlow(compiledStages));
console.log(
  `${'whole flow'.padEnd(12)} ${String(flow.stages.reduce((n, s) => n + s.rules.length, 0)).padStart(5)} ${fmt(referenceFlow)} ${fmt(compiledFlow)}  ${(compiledFlow / referenceFlow).toFixed(1)}×   target ≥ ${TARGET.toLocaleString('en-US')} compiled: ${compiledFlow >= TARGET ? 'met' : 'NOT met'}`,
);
