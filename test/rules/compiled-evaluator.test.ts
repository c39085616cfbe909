// The compiled evaluator against the reference (json-rules-engine through JsonRulesEngineEvaluator):
// every stage of every shipped flow on generated facts, random rule trees, and hand-written cases
// for each operator, decorator and boolean form. "Identical" means toStrictEqual on the whole
// RuleResult arrays: order, events, priorities and every condition's factResult / valueResult /
// result, including which conditions json-rules-engine left unevaluated.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileStageEvaluator } from '../../src/rules/compiled-evaluator';
import { listOperators } from '../../src/rules/compile';
import { JsonRulesEngineEvaluator, type CustomOperator } from '../../src/rules/evaluator';
import { loadRuleSet } from '../../src/rules/load';
import type { Facts, RuleDefinition, RuleResult, StageEvaluator } from '../../src/rules/ruleset';
import { REPO_RULES } from '../support/server';

const hashIdentifier = (type: string, raw: string) => createHash('sha256').update(`${type}:${raw}`).digest('hex');

type Outcome = { ok: true; results: RuleResult[] } | { ok: false };

async function outcome(evaluator: StageEvaluator, facts: Facts): Promise<Outcome> {
  try {
    return { ok: true, results: await evaluator.evaluate(facts) };
  } catch {
    return { ok: false };
  }
}

function compile(rules: readonly RuleDefinition[], operators: readonly CustomOperator[] = []): StageEvaluator {
  const result = compileStageEvaluator(rules, operators);
  if (!result.compiled) throw new Error(`not compiled: ${result.reason}`);
  return result.evaluator;
}

/** Both evaluators on the same facts; their outcomes must be identical. Returns the results (or undefined if both rejected). */
async function both(rules: readonly RuleDefinition[], facts: Facts, operators: readonly CustomOperator[] = []): Promise<RuleResult[] | undefined> {
  const reference = await outcome(new JsonRulesEngineEvaluator(rules, operators), facts);
  const compiled = await outcome(compile(rules, operators), facts);
  expect(compiled).toStrictEqual(reference);
  return reference.ok ? reference.results : undefined;
}

const rule = (name: string, conditions: unknown, priority?: number): RuleDefinition => ({
  name,
  ...(priority !== undefined ? { priority } : {}),
  conditions,
  event: { type: 'review', params: { reason: name.toUpperCase() } },
});
const one = (condition: unknown) => [rule('r', { all: [condition] })];

// ---------------------------------------------------------------------------------------------
// The shipped flows on generated facts.

const loaded = await loadRuleSet(REPO_RULES, { hashIdentifier });
if (!loaded.ok) throw new Error(`the shipped rules do not load: ${JSON.stringify(loaded.diagnostics)}`);
const { ruleSet } = loaded;
const operators = listOperators(ruleSet.lists);
const listed = [...ruleSet.lists.values()].flatMap((l) => [...l.hashes]);

/** A value of the wrong type, or none at all. */
const wrong = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(Number.NaN),
  fc.boolean(),
  fc.string({ maxLength: 4 }),
  fc.constantFrom('15000', '3', 'abc', '', 'E'),
  fc.array(fc.integer({ min: -5, max: 30000 }), { maxLength: 2 }),
  fc.constant({}),
);
/** Mostly the right type; sometimes wrong, undefined or null. */
const sometimes = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 8, arbitrary: arb }, { weight: 1, arbitrary: wrong });
const object = <T extends Record<string, fc.Arbitrary<unknown>>>(shape: T) =>
  sometimes(fc.record(Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, sometimes(v)])) as T, { requiredKeys: [] }));
const count = fc.integer({ min: 0, max: 6 });
const hash = fc.oneof(fc.constantFrom(...listed), fc.stringMatching(/^[0-9a-f]{64}$/));

const factsArbitrary: fc.Arbitrary<Facts> = fc.record(
  {
    amount: sometimes(fc.oneof(fc.integer({ min: -100, max: 40_000 }), fc.double({ min: 0, max: 40_000, noNaN: true }), fc.constantFrom(250, 3000, 10_000, 20_000, 20_001))),
    termMonths: sometimes(fc.integer({ min: 0, max: 120 })),
    ageAtMaturity: sometimes(fc.integer({ min: 15, max: 100 })),
    validIdentifierCount: sometimes(fc.integer({ min: 0, max: 5 })),
    applicant: object({
      age: fc.integer({ min: 15, max: 90 }),
      installmentRatePct: fc.integer({ min: 1, max: 4 }),
      existingCredits: count,
      checkingAccountStatus: fc.constantFrom('lt_0', '0_to_200', 'ge_200', 'none'),
      employmentDuration: fc.constantFrom('unemployed', 'lt_1', '1_to_4', '4_to_7', 'ge_7'),
    }),
    velocity: object({ phone: count, deviceId: count, nationalId: count, bankAccount: count, email: count }),
    fraud: object({ sharedWithLabelledFraud: fc.boolean(), clusterSuspicious: fc.boolean() }),
    score: object({ grade: fc.constantFrom('A', 'B', 'C', 'D', 'E'), pd: fc.double({ min: 0, max: 1, noNaN: true }) }),
    approval: object({ requiredLevel: fc.constantFrom('auto', 'L1', 'L2', 'L3') }),
    priorOutcome: sometimes(fc.constantFrom('approve', 'review', 'decline')),
    priorReasons: sometimes(fc.array(fc.constantFrom('VELOCITY_PHONE', 'RISK_GRADE_REVIEW', 'REGION_LIMIT_NEAR'), { maxLength: 3 })),
    identifiers: object({ phone: hash, deviceId: hash, bankAccount: hash, nationalId: hash, email: hash }),
  },
  { requiredKeys: [] },
);

describe('compiled evaluator: the shipped flows, against json-rules-engine', () => {
  for (const [product, flow] of ruleSet.flows) {
    it(`${product}: every stage compiles and matches on 2,000 generated fact sets`, async () => {
      const stages = flow.stages.map((stage) => {
        const compiled = compileStageEvaluator(stage.rules, operators);
        expect(compiled, `${product}/${stage.name}`).toMatchObject({ compiled: true });
        return { name: stage.name, reference: new JsonRulesEngineEvaluator(stage.rules, operators), compiled: (compiled as { evaluator: StageEvaluator }).evaluator };
      });
      let fired = 0;
      await fc.assert(
        fc.asyncProperty(factsArbitrary, async (facts) => {
          for (const stage of stages) {
            const reference = await outcome(stage.reference, facts);
            expect(await outcome(stage.compiled, facts), stage.name).toStrictEqual(reference);
            if (reference.ok) fired += reference.results.filter((r) => r.fired).length;
          }
        }),
        // A fresh seed each run: over CI's runs the fact sets keep changing (2,000 here: the two
        // flows took 20 s of a loaded CI run at 4,000).
        { numRuns: 2_000 },
      );
      // The facts are not so wrong that nothing ever fires.
      expect(fired).toBeGreaterThan(2_000);
    });
  }

  it('fires every shipped rule on some generated facts (the facts reach every rule)', async () => {
    const firedRules = new Set<string>();
    const all = new Set<string>();
    const samples = fc.sample(factsArbitrary, { numRuns: 3000, seed: 42 });
    for (const flow of ruleSet.flows.values()) {
      for (const stage of flow.stages) {
        const evaluator = compile(stage.rules, operators);
        for (const r of stage.rules) all.add(`${flow.product}/${r.name}`);
        for (const facts of samples) for (const r of await evaluator.evaluate(facts)) if (r.fired) firedRules.add(`${flow.product}/${r.rule}`);
      }
    }
    expect([...all].filter((r) => !firedRules.has(r))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Random rule trees: all / any / not nested, condition and rule priorities, decorators, paths and
// fact references, on random facts. This is what pins the order json-rules-engine reports rules
// of one priority in (it depends on each rule's tree and on the facts).

const FACTS = ['a', 'b', 'o'] as const;
const customOperators: CustomOperator[] = [
  { name: 'inList', evaluate: (hash, list) => hash === 'x' && list === 'L' },
  // A custom operator may return a non-boolean: json-rules-engine keeps it raw.
  { name: 'raw', evaluate: (v) => (typeof v === 'number' ? v : 'yes') as unknown as boolean },
];
const leaf = fc.record(
  {
    fact: fc.constantFrom(...FACTS),
    operator: fc.constantFrom(
      'equal', 'notEqual', 'lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive', 'contains', 'doesNotContain',
      'in', 'notIn', 'someFact:equal', 'everyFact:lessThan', 'not:equal', 'swap:lessThan', 'not:swap:raw', 'raw', 'inList', 'swap:contains',
    ),
    value: fc.oneof(
      fc.constantFrom(1, 2, 'x', [1, 2], ['x'], [2, 'x']),
      fc.record({ fact: fc.constantFrom(...FACTS) }),
      fc.record({ fact: fc.constantFrom(...FACTS), path: fc.constantFrom('$.p', '$.q.r') }),
    ),
    path: fc.constantFrom('$.p', '$.q.r', ''),
    priority: fc.integer({ min: 1, max: 3 }),
    name: fc.constantFrom('n', ''),
  },
  { requiredKeys: ['fact', 'operator', 'value'] },
);
const { condition } = fc.letrec<{ condition: unknown; all: unknown; any: unknown; not: unknown }>((tie) => ({
  condition: fc.oneof({ depthSize: 'small' }, leaf, tie('all'), tie('any'), tie('not')),
  all: fc.record({ all: fc.array(tie('condition'), { maxLength: 4 }), priority: fc.integer({ min: 1, max: 3 }) }, { requiredKeys: ['all'] }),
  any: fc.record({ any: fc.array(tie('condition'), { maxLength: 4 }), priority: fc.integer({ min: 1, max: 3 }) }, { requiredKeys: ['any'] }),
  not: fc.record({ not: tie('condition') }),
}));
const root = fc.oneof(fc.record({ all: fc.array(condition, { maxLength: 4 }) }), fc.record({ any: fc.array(condition, { maxLength: 4 }) }), fc.record({ not: condition }));
const rulesArbitrary = fc
  .array(fc.record({ priority: fc.integer({ min: 1, max: 2 }), conditions: root, type: fc.constantFrom('decline', 'review', 'flag') }), { minLength: 1, maxLength: 6 })
  .map((rs) => rs.map((r, i): RuleDefinition => ({ name: `r${i}`, priority: r.priority, conditions: r.conditions, event: { type: r.type as 'flag', params: { reason: `R${i}` } } })));
const valueArbitrary = fc.oneof(
  fc.constantFrom(1, 2, 3, 'x', '2', true, null, undefined, [1, 2], [2, 'x'], ['x']),
  fc.record({ p: fc.constantFrom(1, 2, 'x', [1], [1, 2], null), q: fc.constantFrom({ r: 1 }, { r: 'x' }, 5, null) }, { requiredKeys: [] }),
);
const randomFacts = fc.dictionary(fc.constantFrom(...FACTS), valueArbitrary);

describe('compiled evaluator: random rule trees, against json-rules-engine', () => {
  it('matches on 1,500 rule sets × up to 4 fact sets, including the order of rules of equal priority', async () => {
    let reordered = 0;
    await fc.assert(
      fc.asyncProperty(rulesArbitrary, fc.array(randomFacts, { minLength: 1, maxLength: 4 }), async (rules, factSets) => {
        const compiled = compile(rules, customOperators);
        for (const facts of factSets) {
          // A fresh reference per run: after a rejected run json-rules-engine still finishes the
          // rest of it on the same (pooled) Engine, which would disturb the next run.
          const reference = await outcome(new JsonRulesEngineEvaluator(rules, customOperators), facts);
          expect(await outcome(compiled, facts)).toStrictEqual(reference);
          if (reference.ok) {
            const fired = reference.results.filter((r) => r.fired);
            if (fired.some((r, i) => i > 0 && r.priority === fired[i - 1]!.priority && r.rule < fired[i - 1]!.rule)) reordered++;
          }
        }
      }),
      { numRuns: 1500 },
    );
    // Trees of different depths do fire out of file order, and that order is matched.
    expect(reordered).toBeGreaterThan(50);
  });
});

// ---------------------------------------------------------------------------------------------
// Hand-written cases.

describe('compiled evaluator: operators', () => {
  const values = [undefined, null, 0, 5, 10, 15, '10', '5abc', 'abc', '', true, [5], [5, 10], [], { a: 1 }, Number.NaN];
  const cases: [string, unknown][] = [
    ['equal', 10], ['equal', '10'], ['notEqual', 10], ['in', [5, 10, '10']], ['in', 'abc'], ['notIn', [5, 10]], ['notIn', 'a'],
    ['contains', 5], ['contains', 'x'], ['doesNotContain', 5],
    ['lessThan', 10], ['lessThanInclusive', 10], ['greaterThan', 10], ['greaterThanInclusive', 10], ['greaterThan', '7'],
  ];
  for (const [operator, value] of cases) {
    it(`${operator} ${JSON.stringify(value)} on values of every type`, async () => {
      for (const amount of values) await both(one({ fact: 'amount', operator, value }), { amount });
    });
  }

  it('numeric operators accept what parseFloat reads as a number (json-rules-engine’s validator)', async () => {
    const results = await both(one({ fact: 'amount', operator: 'greaterThan', value: 4 }), { amount: '5abc' });
    // parseFloat('5abc') is 5, so the validator passes; then '5abc' > 4 is false.
    expect(results?.[0]).toMatchObject({ fired: false, conditions: { all: [{ factResult: '5abc', result: false }] } });
    expect((await both(one({ fact: 'amount', operator: 'lessThan', value: 10 }), { amount: [5] }))?.[0]?.fired).toBe(true);
    expect((await both(one({ fact: 'amount', operator: 'lessThan', value: 10 }), { amount: null }))?.[0]?.fired).toBe(false);
  });

  it('in / notIn on a non-array value throw in both (the run rejects)', async () => {
    expect(await both(one({ fact: 'amount', operator: 'in', value: 5 }), { amount: 5 })).toBeUndefined();
    expect(await both(one({ fact: 'amount', operator: 'notIn', value: null }), { amount: 5 })).toBeUndefined();
  });

  it('custom list operators: inList / notInList, absent identifiers on no list', async () => {
    const ops = listOperators(ruleSet.lists);
    const [name, list] = [...ruleSet.lists.entries()][0]!;
    const onList = [...list.hashes][0]!;
    for (const phone of [onList, 'f'.repeat(64), undefined, 5, null]) {
      for (const operator of ['inList', 'notInList', 'not:inList', 'swap:inList']) {
        await both(one({ fact: 'identifiers', path: '$.phone', operator, value: name }), { identifiers: { phone } }, ops);
      }
    }
    expect((await both(one({ fact: 'identifiers', path: '$.phone', operator: 'inList', value: name }), { identifiers: { phone: onList } }, ops))?.[0]?.fired).toBe(true);
  });
});

describe('compiled evaluator: decorators', () => {
  const facts = [{ v: [1, 2, 3] }, { v: [] }, { v: 2 }, { v: null }, { v: ['a', 2] }, {}];
  const cases: [string, unknown][] = [
    ['someFact:equal', 2], ['everyFact:greaterThan', 0], ['someValue:equal', [2, 5]], ['everyValue:notEqual', [4, 5]],
    ['swap:in', 2], ['swap:contains', [1, 2]], ['not:equal', 2], ['not:not:equal', 2], ['not:someFact:equal', 2],
    ['someFact:not:equal', 2], ['everyFact:swap:lessThan', 10], ['someValue:swap:in', [[1], [2]]], ['not:everyValue:someFact:equal', [1, 2]],
    ['someValue:equal', 'ab'], ['everyValue:equal', 5],
  ];
  for (const [operator, value] of cases) {
    it(`${operator} ${JSON.stringify(value)}`, async () => {
      for (const f of facts) await both(one({ fact: 'v', operator, value }), f);
    });
  }

  it('someFact fires when one element matches; not:someFact when none does', async () => {
    expect((await both(one({ fact: 'v', operator: 'someFact:equal', value: 2 }), { v: [1, 2] }))?.[0]?.fired).toBe(true);
    expect((await both(one({ fact: 'v', operator: 'not:someFact:equal', value: 2 }), { v: [1, 3] }))?.[0]?.fired).toBe(true);
  });
});

describe('compiled evaluator: boolean structure', () => {
  it('not, nested, at the root and inside', async () => {
    const rules = [
      rule('root-not', { not: { fact: 'a', operator: 'equal', value: 1 } }),
      rule('inner-not', { any: [{ not: { all: [{ fact: 'a', operator: 'equal', value: 1 }, { not: { fact: 'b', operator: 'equal', value: 2 } }] } }, { fact: 'b', operator: 'lessThan', value: 0 }] }),
    ];
    for (const facts of [{ a: 1, b: 2 }, { a: 1, b: 3 }, { a: 2 }, {}]) await both(rules, facts);
  });

  it('all/any evaluate children by priority group, highest first, and leave later groups unevaluated', async () => {
    const rules = [
      rule('all', {
        all: [
          { fact: 'a', operator: 'equal', value: 1, priority: 1 },
          { fact: 'a', operator: 'greaterThan', value: 5, priority: 10 },
          { any: [{ fact: 'b', operator: 'equal', value: 1 }, { fact: 'b', operator: 'equal', value: 2, priority: 3 }], priority: 10 },
        ],
      }),
    ];
    const results = await both(rules, { a: 1, b: 2 });
    // The priority-10 group fails (a > 5 is false), so the priority-1 condition is never evaluated.
    const [low, high, any] = (results?.[0]?.conditions as { all: Record<string, unknown>[] }).all;
    expect(high).toMatchObject({ result: false, factResult: 1, priority: 10 });
    expect(low).not.toHaveProperty('result');
    expect(low).not.toHaveProperty('factResult');
    // Inside the any, b = 2 (priority 3) passes first, so b = 1 is never evaluated.
    expect(any).toMatchObject({ priority: 10, any: [{ value: 1 }, { value: 2, result: true }] });
    expect((any as { any: object[] }).any[0]).not.toHaveProperty('result');
    for (const facts of [{ a: 6, b: 1 }, { a: 6, b: 3 }, { a: 1 }, {}]) await both(rules, facts);
  });

  it('empty all and any are true; a single child passes its raw result up', async () => {
    const rules = [rule('empty-all', { all: [] }), rule('empty-any', { any: [] }), rule('nested-empty', { all: [{ any: [] }, { not: { all: [] } }] })];
    const results = await both(rules, {});
    expect(results?.map((r) => [r.rule, r.fired])).toEqual([['empty-all', true], ['empty-any', true], ['nested-empty', false]]);
    const raw: CustomOperator[] = [{ name: 'raw', evaluate: () => 1 as unknown as boolean }];
    // At the root the raw 1 is truthy (fires); inside a nested all it is not `=== true`.
    expect((await both([rule('x', { all: [{ fact: 'a', operator: 'raw', value: 0 }] }), rule('y', { all: [{ all: [{ fact: 'a', operator: 'raw', value: 0 }] }] })], {}, raw))?.map((r) => r.fired)).toEqual([true, false]);
  });

  it('reports rules of one priority in the order json-rules-engine settles them, not file order', async () => {
    const deep = rule('deep', { all: [{ all: [{ all: [{ fact: 'a', path: '$.x', operator: 'equal', value: 1 }, { fact: 'a', operator: 'notEqual', value: 0 }] }] }, { fact: 'a', operator: 'notEqual', value: 1 }] });
    const shallow = rule('shallow', { all: [{ fact: 'a', operator: 'notEqual', value: 0 }] });
    const high = rule('high', { any: [{ fact: 'a', operator: 'notEqual', value: 0 }] }, 5);
    const results = await both([deep, shallow, high], { a: { x: 1 } });
    expect(results?.map((r) => r.rule)).toEqual(['high', 'shallow', 'deep']);
  });

  it('condition names, params and rule descriptions come through as json-rules-engine gives them', async () => {
    const rules: RuleDefinition[] = [
      { name: 'named', description: 'ignored', priority: 3, conditions: { name: 'group', all: [{ name: 'cond', fact: 'a', operator: 'equal', value: 1, params: { p: 1 } }] }, event: { type: 'flag' } },
    ];
    const results = await both(rules, { a: 1 });
    expect(results?.[0]?.conditions).toStrictEqual({ priority: 1, name: 'group', all: [{ name: 'cond', operator: 'equal', value: 1, fact: 'a', factResult: 1, valueResult: 1, result: true, params: { p: 1 } }] });
  });
});

describe('compiled evaluator: facts', () => {
  it('value references, with and without a path, to present and absent facts', async () => {
    const rules = [
      rule('ref', { all: [{ fact: 'amount', operator: 'lessThanInclusive', value: { fact: 'limit' } }] }),
      rule('ref-path', { all: [{ fact: 'amount', operator: 'greaterThan', value: { fact: 'limits', path: '$.max' } }] }),
      rule('both-paths', { any: [{ fact: 'a', path: '$.x', operator: 'equal', value: { fact: 'b', path: '$.y' } }] }),
    ];
    for (const facts of [{ amount: 5, limit: 10, limits: { max: 3 } }, { amount: 5 }, { amount: 5, limits: 7 }, { a: { x: 1 }, b: { y: 1 } }, { a: { x: 1 }, b: null }, {}]) await both(rules, facts);
    const results = await both(rules, { amount: 5, limits: { max: 3 } });
    expect(results?.find((r) => r.rule === 'ref-path')?.conditions).toMatchObject({ all: [{ value: { fact: 'limits', path: '$.max' }, valueResult: 3, factResult: 5, result: true }] });
  });

  it('undefined facts: absent, present but undefined, null, and paths through non-objects', async () => {
    const rules = [
      rule('age', { all: [{ fact: 'applicant', path: '$.age', operator: 'lessThan', value: 21 }] }),
      rule('deep', { all: [{ fact: 'applicant', path: '$.a.b.c', operator: 'equal', value: undefined }] }),
      rule('whole', { all: [{ fact: 'applicant', operator: 'notEqual', value: null }] }),
      rule('two', { all: [{ fact: 'x', operator: 'equal', value: 1 }, { fact: 'applicant', path: '$.age', operator: 'lessThan', value: 21 }] }),
    ];
    for (const applicant of [undefined, null, 18, '18', { age: 18 }, { age: null }, { a: { b: 5 } }, [18], { length: 1 }]) {
      await both(rules, { applicant });
      await both(rules, { applicant, x: 1 });
    }
    await both(rules, {});
    // A path on a fact that is not an object gives the fact itself.
    const results = await both(rules, { applicant: 18 });
    expect(results?.find((r) => r.rule === 'age')).toMatchObject({ fired: true, conditions: { all: [{ factResult: 18, path: '$.age' }] } });
  });

  it('a fact named "" makes json-rules-engine reject the run, and the compiled evaluator too', async () => {
    expect(await both(one({ fact: 'a', operator: 'equal', value: 1 }), { '': 1 })).toBeUndefined();
  });

  it('a fact whose value is a function or a promise (json-rules-engine computes or awaits it) is left to the reference', async () => {
    const rules = one({ fact: 'amount', operator: 'greaterThan', value: 10 });
    expect((await both(rules, { amount: () => 20 }))?.[0]?.fired).toBe(true);
    expect((await both(rules, { amount: Promise.resolve(20) }))?.[0]?.fired).toBe(true);
  });

  it('no rules: no results', async () => {
    expect(await both([], {})).toEqual([]);
  });
});

describe('compiled evaluator: what it does not compile', () => {
  const refused: [string, RuleDefinition[], RegExp][] = [
    ['a condition reference', [rule('c', { all: [{ condition: 'shared' }] })], /condition/],
    ['a root condition reference', [rule('c', { condition: 'shared' })], /condition/],
    ['an unknown operator', one({ fact: 'a', operator: 'between', value: 1 }), /unknown operator "between"/],
    ['an unknown decorator', one({ fact: 'a', operator: 'often:equal', value: 1 }), /unknown operator/],
    ['a list operator without the list operators', one({ fact: 'a', operator: 'inList', value: 'x' }), /unknown operator "inList"/],
    ['a fractional condition priority', one({ fact: 'a', operator: 'equal', value: 1, priority: 1.5 }), /priority/],
    ['a root that is a fact condition', [rule('c', { fact: 'a', operator: 'equal', value: 1 })], /root/],
    ['"not" over an array', [rule('c', { not: [{ fact: 'a', operator: 'equal', value: 1 }] })], /not/],
    ['a condition with no value', one({ fact: 'a', operator: 'equal' }), /value/],
    ['a non-positive rule priority', [{ ...rule('c', { all: [] }), priority: -1 }], /priority/],
  ];
  for (const [what, rules, reason] of refused) {
    it(`refuses ${what}, with a reason`, () => {
      const result = compileStageEvaluator(rules, []);
      expect(result.compiled).toBe(false);
      expect(result.compiled ? '' : result.reason).toMatch(reason);
    });
  }
});
