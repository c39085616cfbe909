// checkComparison: one rule condition against the fact registry's declared value types. Each case
// names the part of the condition a diagnostic would point at and what the message must say.
import { describe, expect, it } from 'vitest';
import { buildApplicationSchema } from '../../src/decision/application';
import {
  checkComparison,
  conformanceProblems,
  factType,
  parseOperator,
  resolveFact,
  ruleSetDomains,
  type Comparison,
  type ComparisonContext,
} from '../../src/rules/fact-types';
import { FACT_CATALOG, type TypeFor } from '../../src/rules/facts';

const context: ComparisonContext = {
  applicationSchema: buildApplicationSchema(),
  domains: { grade: ['A', 'B', 'C', 'D', 'E'], reason: ['VELOCITY_PHONE', 'RISK_GRADE_REVIEW'], clusterFlag: ['GANG_MODEL', 'LABELLED_FRAUD'] },
  lists: new Map([['blocked-phones', { identifierType: 'phone' as const }]]),
};

const on = (fact: string, path: string | undefined, operator: string, value: unknown): Comparison => ({ fact, ...(path === undefined ? {} : { path }), operator, value });

describe('checkComparison accepts well-typed comparisons', () => {
  it.each([
    on('amount', undefined, 'greaterThan', 20000),
    on('applicant', '$.age', 'lessThan', 21),
    on('applicant', '$.employmentDuration', 'equal', 'unemployed'),
    on('applicant', '$.housing', 'in', ['own', 'rent']),
    on('applicant', '$.hasTelephone', 'equal', false),
    on('score', '$.grade', 'equal', 'E'),
    on('score', '$.grade', 'notIn', ['A', 'B']),
    on('score', '$.pd', 'greaterThanInclusive', 0.35),
    on('priorOutcome', undefined, 'equal', 'approve'),
    on('priorReasons', undefined, 'contains', 'VELOCITY_PHONE'),
    on('priorReasons', undefined, 'not:contains', 'RISK_GRADE_REVIEW'),
    on('approval', '$.requiredLevel', 'notEqual', 'auto'),
    on('identifiers', '$.phone', 'inList', 'blocked-phones'),
    on('identifiers', '$.phone', 'not:inList', 'blocked-phones'),
    on('fraud', '$.clusterId', 'equal', null),
    on('fraud', '$.clusterGangScore', 'greaterThan', 0.5),
    on('fraud', '$.clusterFlags', 'someFact:equal', 'GANG_MODEL'),
    on('fraud', '$.identifierReuse.deviceId', 'greaterThan', 2),
    on('exposure', '$.basis.kind', 'equal', 'computed'),
    on('score', '$.grade', 'someValue:equal', ['D', 'E']),
    on('amount', undefined, 'greaterThan', { fact: 'offer', path: '$.limit' }),
    on('amount', undefined, 'swap:lessThan', 1000),
    on('velocity', '$.phone', 'greaterThan', { fact: 'velocity', path: '$.deviceId' }),
    // Facts set by a rule's event are not declared: nothing is known of their type.
    on('highRisk', undefined, 'equal', true),
    on('amount', undefined, 'equal', { fact: 'highRiskAmount' }),
  ])('%j', (comparison) => {
    expect(checkComparison(comparison, context)).toEqual([]);
  });

  it('accepts every condition of the shipped flows (compile.test.ts loads them whole)', () => {
    expect(checkComparison(on('validIdentifierCount', undefined, 'lessThan', 3), context)).toEqual([]);
  });
});

describe('checkComparison rejects what can never match, naming the part to fix', () => {
  it.each([
    ['a string compared with a number', on('amount', undefined, 'lessThan', 'abc'), 'TYPE_MISMATCH', 'value', [], 'value "abc" is a string but fact "amount" is a number from 0 to 1,000,000,000: lessThan compares numbers'],
    ['a spelled-out age', on('applicant', '$.age', 'lessThan', 'twenty-one'), 'TYPE_MISMATCH', 'value', [], 'value "twenty-one" is a string but fact "applicant" $.age is a whole number from 18 to 120'],
    ['a quoted number', on('applicant', '$.age', 'lessThan', '21'), 'TYPE_MISMATCH', 'value', [], 'did you mean 21, without quotes?'],
    ['a bound outside the range', on('score', '$.pd', 'greaterThan', 35), 'TYPE_MISMATCH', 'value', [], 'value 35 is outside the range of fact "score" $.pd: a number from 0 to 1'],
    ['an age the request schema forbids', on('applicant', '$.age', 'equal', 150), 'TYPE_MISMATCH', 'value', [], 'outside the range'],
    ['a fraction for a whole number', on('termMonths', undefined, 'equal', 12.5), 'TYPE_MISMATCH', 'value', [], 'value 12.5 is not a whole number'],
    ['a number for a category', on('applicant', '$.housing', 'equal', 3), 'TYPE_MISMATCH', 'value', [], 'value 3 is a number but fact "applicant" $.housing is a string, one of "for_free", "own", "rent"'],
    ['a misspelt category', on('applicant', '$.employmentDuration', 'equal', 'unemploye'), 'TYPE_MISMATCH', 'value', [], 'did you mean "unemployed"?'],
    ['an unknown grade', on('score', '$.grade', 'equal', 'gold'), 'TYPE_MISMATCH', 'value', [], 'value "gold" is not one of the values of fact "score" $.grade, the risk grades in rules/scoring/grades.json: "A", "B", "C", "D", "E"'],
    ['a lower-case grade', on('score', '$.grade', 'equal', 'e'), 'TYPE_MISMATCH', 'value', [], 'did you mean "E"?'],
    ['an unknown approval level', on('approval', '$.requiredLevel', 'equal', 'L4'), 'TYPE_MISMATCH', 'value', [], '"auto", "L1", "L2", "L3"'],
    ['an unknown outcome', on('priorOutcome', undefined, 'equal', 'approved'), 'TYPE_MISMATCH', 'value', [], 'did you mean "approve"?'],
    ['a quoted boolean', on('fraud', '$.sharedWithLabelledFraud', 'equal', 'true'), 'TYPE_MISMATCH', 'value', [], 'did you mean true, without quotes?'],
    ['null for a fact that is never null', on('amount', undefined, 'equal', null), 'TYPE_MISMATCH', 'value', [], 'is never null'],
    ['lessThan on a string', on('score', '$.grade', 'lessThan', 'C'), 'OPERATOR_MISMATCH', 'operator', [], 'lessThan compares numbers, but fact "score" $.grade is a risk grade'],
    ['lessThan on a boolean', on('fraud', '$.clusterSuspicious', 'greaterThan', 0), 'OPERATOR_MISMATCH', 'operator', [], 'true or false'],
    ['contains on a number', on('amount', undefined, 'contains', 5), 'OPERATOR_MISMATCH', 'operator', [], 'contains looks inside a list, but fact "amount" is a number'],
    ['equal on a list', on('priorReasons', undefined, 'equal', 'VELOCITY_PHONE'), 'OPERATOR_MISMATCH', 'operator', [], 'use contains / doesNotContain'],
    ['equal on an object', on('applicant', undefined, 'equal', 'x'), 'OPERATOR_MISMATCH', 'operator', [], 'name one of its keys with "path"'],
    ['contains on a list of objects', on('score', '$.adverseFactors', 'contains', 'FACTOR_AGE'), 'OPERATOR_MISMATCH', 'operator', [], 'is an object (feature, code, impact)'],
    ['in with a single value', on('score', '$.grade', 'in', 'D'), 'TYPE_MISMATCH', 'value', [], 'in needs a list of values'],
    ['in with one bad item', on('score', '$.grade', 'in', ['D', 'F']), 'TYPE_MISMATCH', 'value', [1], 'value "F" is not one of the values'],
    ['a list for equal', on('score', '$.grade', 'equal', ['D', 'E']), 'TYPE_MISMATCH', 'value', [], 'use in'],
    ['an unknown reason code in contains', on('priorReasons', undefined, 'contains', 'VELOCITY_PHONEE'), 'TYPE_MISMATCH', 'value', [], 'did you mean "VELOCITY_PHONE"?'],
    ['an unknown cluster flag', on('fraud', '$.clusterFlags', 'doesNotContain', 'GANG'), 'TYPE_MISMATCH', 'value', [], 'the cluster flags in rules/fraud/clusters.json'],
    ['a literal for a hash', on('identifiers', '$.phone', 'equal', '+86 138 0013 8000'), 'TYPE_MISMATCH', 'value', [], 'compare it with inList / notInList'],
    ['inList on a number', on('amount', undefined, 'inList', 'blocked-phones'), 'OPERATOR_MISMATCH', 'operator', [], 'inList looks an identifier hash up in a list'],
    ['an unknown list', on('identifiers', '$.phone', 'inList', 'blocked-phonez'), 'UNKNOWN_LIST', 'value', [], 'unknown list "blocked-phonez"'],
    ['a list of another identifier type', on('identifiers', '$.deviceId', 'inList', 'blocked-phones'), 'LIST_TYPE_MISMATCH', 'value', [], 'list "blocked-phones" holds phone hashes'],
    ['an unknown operator', on('amount', undefined, 'greaterThen', 1), 'UNKNOWN_OPERATOR', 'operator', [], 'unknown operator "greaterThen"'],
    ['an unknown decorator', on('amount', undefined, 'never:equal', 1), 'UNKNOWN_OPERATOR', 'operator', [], 'optionally prefixed by someFact:'],
    ['an unknown path', on('applicant', '$.agee', 'lessThan', 21), 'UNKNOWN_FACT_PATH', 'path', [], 'unknown path "$.agee" for fact "applicant" (expected $. followed by one of age,'],
    ['a path on a number', on('amount', '$.value', 'lessThan', 21), 'UNKNOWN_FACT_PATH', 'path', [], 'fact "amount" is not an object; remove "path"'],
    ['a path too deep', on('fraud', '$.clusterScore.value', 'greaterThan', 1), 'UNKNOWN_FACT_PATH', 'path', [], '$.clusterScore is a number from 0 to 100, with nothing inside it'],
    ['a misspelt nested key', on('fraud', '$.identifierReuse.devicId', 'greaterThan', 1), 'UNKNOWN_FACT_PATH', 'path', [], 'did you mean "$.identifierReuse.deviceId"?'],
    ['a reference to a string', on('amount', undefined, 'greaterThan', { fact: 'applicant', path: '$.housing' }), 'TYPE_MISMATCH', 'value', [], 'greaterThan compares numbers, but the value\'s fact "applicant" $.housing is'],
    ['a reference of another type', on('amount', undefined, 'equal', { fact: 'score', path: '$.grade' }), 'TYPE_MISMATCH', 'value', [], 'numbers and strings never match'],
    ['a reference with an unknown path', on('amount', undefined, 'equal', { fact: 'offer', path: '$.limt' }), 'UNKNOWN_FACT_PATH', 'value', ['path'], 'unknown path "$.limt" for fact "offer"'],
    ['hashes of two identifier types', on('identifiers', '$.phone', 'equal', { fact: 'identifiers', path: '$.email' }), 'TYPE_MISMATCH', 'value', [], 'hashes of different identifier types never match'],
    ['someFact on a number', on('amount', undefined, 'someFact:equal', 1), 'OPERATOR_MISMATCH', 'operator', [], 'someFact tests each item of a list'],
    ['someValue with a single value', on('score', '$.grade', 'someValue:equal', 'D'), 'TYPE_MISMATCH', 'value', [], 'someValue needs a list of values'],
    ['someValue with a bad item', on('score', '$.grade', 'someValue:equal', ['D', 'Z']), 'TYPE_MISMATCH', 'value', [1], 'value "Z"'],
  ] as const)('%s', (_what, comparison, code, part, at, message) => {
    const problems = checkComparison(comparison, context);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code, part, at: [...at] });
    expect(problems[0]?.message).toContain(message);
  });

  it('reports an unknown operator and an unknown path together, and compares types only when both are known', () => {
    const problems = checkComparison(on('applicant', '$.agee', 'lessThen', 'x'), context);
    expect(problems.map((p) => p.code)).toEqual(['UNKNOWN_OPERATOR', 'UNKNOWN_FACT_PATH']);
  });

  it('without the rule set or the request schema, checks the kinds the registry declares', () => {
    expect(checkComparison(on('score', '$.grade', 'equal', 'gold'))).toEqual([]);
    expect(checkComparison(on('applicant', '$.employmentDuration', 'equal', 'unemploye'))).toEqual([]);
    expect(checkComparison(on('applicant', '$.age', 'lessThan', 'twenty-one'))[0]?.code).toBe('TYPE_MISMATCH');
    expect(checkComparison(on('score', '$.grade', 'equal', 4))[0]?.message).toContain('is a number but fact "score" $.grade is a risk grade (rules/scoring/grades.json)');
    expect(checkComparison(on('identifiers', '$.phone', 'inList', 'no-such-list'))).toEqual([]);
  });

  it('follows decorators as json-rules-engine applies them (outermost first; swap exchanges the sides)', () => {
    expect(parseOperator('not:someFact:equal')).toEqual({ decorators: ['not', 'someFact'], operator: 'equal' });
    expect(parseOperator('someFact:nope')).toBeUndefined();
    expect(checkComparison(on('amount', undefined, 'swap:greaterThan', 'abc'), context)[0]?.message).toContain('value "abc" is a string');
    expect(checkComparison(on('priorReasons', undefined, 'not:someFact:equal', 'VELOCITY_PHONEE'), context)[0]?.message).toContain('did you mean "VELOCITY_PHONE"?');
  });
});

describe('fact types', () => {
  it('narrows the request-carried facts with the request schema, and only those', () => {
    const age = resolveFact('applicant', '$.age', context);
    expect(age).toMatchObject({ ok: true, type: { kind: 'number', integer: true, min: 18, max: 120 } });
    expect(resolveFact('applicant', '$.housing', context)).toMatchObject({ ok: true, type: { kind: 'enum', values: ['for_free', 'own', 'rent'] } });
    expect(factType('termMonths', context)).toMatchObject({ kind: 'number', integer: true, min: 1, max: 600 });
    expect(factType('ageAtMaturity', context)).toEqual(FACT_CATALOG.ageAtMaturity.type);
    expect(factType('noSuchFact', context)).toBeUndefined();
  });

  it("agree with the request schema on every applicant field's kind", () => {
    const schema = buildApplicationSchema().properties.applicant.properties;
    const applicant = FACT_CATALOG.applicant.type;
    expect(applicant.kind).toBe('object');
    if (applicant.kind !== 'object') return;
    expect(Object.keys(applicant.properties).sort()).toEqual(Object.keys(schema).sort());
    const kindOf = new Map([['integer', 'number'], ['number', 'number'], ['string', 'string'], ['boolean', 'boolean']]);
    for (const [field, fragment] of Object.entries(schema)) expect(applicant.properties[field]?.kind, field).toBe(kindOf.get(fragment.type));
  });

  it('reads the rule-set domains from the rule files being loaded', () => {
    const tables = new Map<string, unknown>([
      ['scoring/grades.json', { grades: [{ grade: 'A', maxPd: 0.1 }, { grade: 'B', maxPd: 1 }] }],
      ['fraud/clusters.json', { scoring: { flags: [{ flag: 'GANG_MODEL' }] } }],
    ]);
    expect(ruleSetDomains(['R1'], (relPath) => tables.get(relPath))).toEqual({ reason: ['R1'], grade: ['A', 'B'], clusterFlag: ['GANG_MODEL'] });
    // A file that is missing or failed its schema leaves its domain to be checked as plain strings.
    expect(ruleSetDomains(undefined, () => undefined)).toEqual({});
  });

  it('lists where a value departs from its type', () => {
    const score = FACT_CATALOG.score.type;
    expect(conformanceProblems({ pd: 0.2, points: 600, grade: 'B', adverseFactors: [] }, score, context)).toEqual([]);
    expect(conformanceProblems({ pd: 1.5, points: 600, grade: 'Z', adverseFactors: [{ feature: 'age', code: 7, impact: 0.1 }], extra: 1 }, score, context).map((p) => p.at)).toEqual([
      ['pd'],
      ['grade'],
      ['adverseFactors', 0, 'code'],
      ['extra'],
    ]);
  });

  it('ties each descriptor to the TypeScript type of its fact (a mismatch does not compile)', () => {
    // @ts-expect-error a number is not described as a string
    const numberAsString: TypeFor<number> = { kind: 'string' };
    // @ts-expect-error an enum must list only the union's members
    const wrongMember: TypeFor<'a' | 'b'> = { kind: 'enum', values: ['a', 'c'] };
    // @ts-expect-error a nullable type must say so
    const nullable: TypeFor<number | null> = { kind: 'number' };
    // @ts-expect-error an object type names every key, and only its keys
    const missingKey: TypeFor<{ a: number; b: string }> = { kind: 'object', properties: { a: { kind: 'number' } } };
    const fine: TypeFor<{ a: number; b: readonly string[] }> = { kind: 'object', properties: { a: { kind: 'number' }, b: { kind: 'list', items: { kind: 'string' } } } };
    expect([numberAsString, wrongMember, nullable, missingKey, fine]).toHaveLength(5);
  });
});
