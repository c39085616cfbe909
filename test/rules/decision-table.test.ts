import { describe, expect, it } from 'vitest';
import { cellConditions, expandDecisionTable, inputCondition, type DecisionTable } from '../../src/rules/decision-table';
import { JsonRulesEngineEvaluator } from '../../src/rules/evaluator';

const fired = async (table: DecisionTable, facts: Record<string, unknown>) => {
  const { rules, problems } = expandDecisionTable(table, ['stages', 0, 'tables', 0]);
  expect(problems).toEqual([]);
  const results = await new JsonRulesEngineEvaluator(
    rules.map((r) => r.rule),
    [],
  ).evaluate(facts);
  return results.filter((r) => r.fired).map((r) => r.rule);
};

describe('decision table cells', () => {
  it('reads an input as a fact and an optional path into it', () => {
    expect(inputCondition('amount')).toEqual({ fact: 'amount' });
    expect(inputCondition('applicant.age')).toEqual({ fact: 'applicant', path: '$.age' });
    expect(inputCondition('fraud.identifierReuse.deviceId')).toEqual({ fact: 'fraud', path: '$.identifierReuse.deviceId' });
  });

  it.each([
    ['< 21', [['lessThan', 21]]],
    ['<= 21', [['lessThanInclusive', 21]]],
    ['> 20000', [['greaterThan', 20000]]],
    ['>=0.5', [['greaterThanInclusive', 0.5]]],
    ['!= auto', [['notEqual', 'auto']]],
    ['!= 3', [['notEqual', 3]]],
    ['[250..20000]', [['greaterThanInclusive', 250], ['lessThanInclusive', 20000]]],
    ['(0..1]', [['greaterThan', 0], ['lessThanInclusive', 1]]],
    ['[1..2)', [['greaterThanInclusive', 1], ['lessThan', 2]]],
    ['in list blocked-phones', [['inList', 'blocked-phones']]],
    ['not in list blocked-phones', [['notInList', 'blocked-phones']]],
    ['contains REGION_LIMIT_NEAR', [['contains', 'REGION_LIMIT_NEAR']]],
    ['not contains X', [['doesNotContain', 'X']]],
    ['E', [['equal', 'E']]],
    ['-', []],
    ['', []],
  ] as const)('cell %j', (cell, expected) => {
    const conditions = cellConditions('x.y', cell);
    expect(conditions).toEqual(expected.map(([operator, value]) => ({ fact: 'x', path: '$.y', operator, value })));
  });

  it('takes JSON literals as equality, arrays as membership and objects as any operator', () => {
    expect(cellConditions('amount', 4)).toEqual([{ fact: 'amount', operator: 'equal', value: 4 }]);
    expect(cellConditions('fraud.sharedWithLabelledFraud', true)).toEqual([{ fact: 'fraud', path: '$.sharedWithLabelledFraud', operator: 'equal', value: true }]);
    expect(cellConditions('score.grade', ['D', 'E'])).toEqual([{ fact: 'score', path: '$.grade', operator: 'in', value: ['D', 'E'] }]);
    expect(cellConditions('priorReasons', { operator: 'not:contains', value: 'X' })).toEqual([{ fact: 'priorReasons', operator: 'not:contains', value: 'X' }]);
  });

  it.each([
    ['< abc', '"<" compares numbers, and "abc" is not a number'],
    ['>', '">" needs a value after it'],
    ['[5..1]', 'the range is empty'],
    ['[a..1]', 'is not a number'],
    ['= 21', 'write the value alone'],
  ])('explains a cell it cannot read: %j', (cell, message) => {
    expect(cellConditions('amount', cell)).toContain(message);
  });
});

describe('decision tables', () => {
  const bounds: DecisionTable = {
    name: 'product-bounds',
    hitPolicy: 'collect',
    priority: 10,
    inputs: ['amount', 'termMonths'],
    rows: [
      { rule: 'amount-above-max', when: { amount: '> 20000' }, then: 'decline', reason: 'AMOUNT_ABOVE_PRODUCT_MAX' },
      { rule: 'term-above-max', when: { termMonths: '> 72' }, then: 'decline', reason: 'TERM_ABOVE_PRODUCT_MAX', stop: true },
      { when: { amount: '[10000..20000]', termMonths: '< 12' }, then: 'review', reason: 'INSTALMENT_BURDEN_HIGH' },
    ],
  };

  it('turns each row into a rule with the table priority, its name and its event', () => {
    const { rules } = expandDecisionTable(bounds, ['stages', 0, 'tables', 0]);
    expect(rules.map((r) => r.rule.name)).toEqual(['amount-above-max', 'term-above-max', 'product-bounds-3']);
    expect(rules[1]?.rule).toMatchObject({ priority: 10, event: { type: 'decline', params: { reason: 'TERM_ABOVE_PRODUCT_MAX', stop: true } } });
    expect(rules[2]?.path).toEqual(['stages', 0, 'tables', 0, 'rows', 2]);
    const conditions = (rules[2]?.rule.conditions as { all: object[] }).all;
    expect(conditions.map((c) => rules[2]?.sources.get(c))).toEqual([
      ['stages', 0, 'tables', 0, 'rows', 2, 'when', 'amount'],
      ['stages', 0, 'tables', 0, 'rows', 2, 'when', 'amount'],
      ['stages', 0, 'tables', 0, 'rows', 2, 'when', 'termMonths'],
    ]);
  });

  it('collect: every matching row fires', async () => {
    expect(await fired(bounds, { amount: 25000, termMonths: 80 })).toEqual(['amount-above-max', 'term-above-max']);
    expect(await fired(bounds, { amount: 15000, termMonths: 6 })).toEqual(['product-bounds-3']);
    expect(await fired(bounds, { amount: 5000, termMonths: 24 })).toEqual([]);
  });

  it('first: only the first matching row in file order fires, a catch-all row last', async () => {
    const grades: DecisionTable = {
      name: 'risk-grade',
      hitPolicy: 'first',
      inputs: ['score.grade', 'amount'],
      rows: [
        { rule: 'grade-e', when: { 'score.grade': 'E' }, then: 'decline', reason: 'RISK_GRADE_TOO_LOW' },
        { rule: 'grade-d-large', when: { 'score.grade': ['D', 'E'], amount: '> 1000' }, then: 'decline', reason: 'RISK_GRADE_TOO_LOW' },
        { rule: 'grade-d', when: { 'score.grade': 'D' }, then: 'review', reason: 'RISK_GRADE_REVIEW' },
        { rule: 'otherwise', when: {}, then: 'flag', reason: 'GRADED' },
      ],
    };
    expect(await fired(grades, { score: { grade: 'E' }, amount: 5000 })).toEqual(['grade-e']);
    expect(await fired(grades, { score: { grade: 'D' }, amount: 5000 })).toEqual(['grade-d-large']);
    expect(await fired(grades, { score: { grade: 'D' }, amount: 500 })).toEqual(['grade-d']);
    expect(await fired(grades, { score: { grade: 'A' }, amount: 500 })).toEqual(['otherwise']);
  });

  it('reports a cell outside the inputs, an unreadable cell, a repeated input and a row that can never fire, each at its position', () => {
    const { problems } = expandDecisionTable(
      {
        name: 't',
        hitPolicy: 'first',
        inputs: ['amount', 'amount'],
        rows: [
          { when: { amonut: '> 1' }, then: 'review', reason: 'X' },
          { when: { amount: '> lots' }, then: 'review', reason: 'X' },
          { when: {}, then: 'review', reason: 'X' },
          { when: { amount: '< 5' }, then: 'review', reason: 'X' },
        ],
      },
      ['stages', 2, 'tables', 0],
    );
    expect(problems).toEqual([
      { path: ['stages', 2, 'tables', 0, 'inputs', 1], message: 'input "amount" is listed twice' },
      { path: ['stages', 2, 'tables', 0, 'rows', 0, 'when', 'amonut'], message: expect.stringContaining('"amonut" is not an input of table "t"') },
      { path: ['stages', 2, 'tables', 0, 'rows', 1, 'when', 'amount'], message: expect.stringContaining('"lots" is not a number') },
      { path: ['stages', 2, 'tables', 0, 'rows', 3], message: expect.stringContaining('row 4 can never fire: row 3 matches every application') },
    ]);
  });
});
