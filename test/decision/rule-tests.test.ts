// How analysts' cases are read and run (src/decision/rule-tests.ts): merged over their product's
// defaults, with facts a stage should report, expectations checked against rules/reasons.json,
// every problem placed at its file:line:col, and a failing case explained.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import caseSchema from '../../rules/schema/test-case.schema.json' with { type: 'json' };
import { buildApplicationSchema } from '../../src/decision/application';
import { formatRuleTestResult, formatUncoveredRules, mergePatch, readRuleTestCases, ruleCoverage, runRuleTestCase, type RuleTestCases } from '../../src/decision/rule-tests';
import { IdentifierProtector } from '../../src/identity/identifiers';
import { formatDiagnostic } from '../../src/rules/diagnostics';
import { FACT_CATALOG, FACT_NAMES, MODEL_INPUT_FIELDS } from '../../src/rules/facts';
import { loadRuleSet } from '../../src/rules/load';
import { loadCreditModel } from '../../src/scoring/onnx-model';

const RULES = path.resolve(import.meta.dirname, '../../rules');
const protector = new IdentifierProtector(Buffer.alloc(32, 7), { defaultCountryCode: '86' });
const loaded = await loadRuleSet(RULES, { hashIdentifier: (type, raw) => protector.hash(type, raw) });
if (!loaded.ok) throw new Error(loaded.diagnostics.map(formatDiagnostic).join('\n'));
const { ruleSet } = loaded;
const model = await loadCreditModel(path.resolve(import.meta.dirname, '../../models'), 'credit-pd.card.json', MODEL_INPUT_FIELDS);
const deps = { ruleSet, protector, model };

/** A rules folder whose tests/ holds these files and the shipped defaults (the rule set stays the shipped one). */
function rulesWithCases(files: Readonly<Record<string, string>>): string {
  const rulesDir = path.join(mkdtempSync(path.join(process.env.TEST_SCRATCH_DIR ?? tmpdir(), 'rule-tests-')), 'rules');
  mkdirSync(path.join(rulesDir, 'tests', 'defaults'), { recursive: true });
  cpSync(path.join(RULES, 'tests', 'defaults'), path.join(rulesDir, 'tests', 'defaults'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(rulesDir, 'tests', name), text);
  return rulesDir;
}

async function read(files: Readonly<Record<string, string>>): Promise<RuleTestCases> {
  return readRuleTestCases(rulesWithCases(files), ruleSet, model);
}

/** The problems reported for one case file, formatted as the CLIs print them. */
async function problemsOf(name: string, text: string): Promise<string[]> {
  const { unreadable } = await read({ [name]: text });
  return unreadable.flatMap((u) => u.diagnostics.map(formatDiagnostic));
}

/** `line:col` of the first occurrence of `needle` in `text` (1-based, as editors count). */
function at(text: string, needle: string): string {
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`${needle} not in the text`);
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${(before.at(-1) ?? '').length + 1}`;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

describe('a case merges over its product defaults', () => {
  it('merge patch: objects merge key by key, null removes, anything else replaces', () => {
    const defaults = { amount: 2500, applicant: { age: 45, housing: 'own' }, identifiers: { phone: 'p', email: 'e' }, tags: ['a', 'b'] };
    expect(mergePatch(defaults, { amount: 900, applicant: { age: 19 }, identifiers: { email: null, ip: '58.32.1.7' }, tags: ['c'] })).toEqual({
      amount: 900,
      applicant: { age: 19, housing: 'own' },
      identifiers: { phone: 'p', ip: '58.32.1.7' },
      tags: ['c'],
    });
    expect(defaults.applicant.age, 'the defaults are not changed').toBe(45);
  });

  it('gives only what matters: the rest comes from rules/tests/defaults/<product>.json, the id from the file name', async () => {
    const { cases, unreadable } = await read({
      'young.json': json({ application: { product: 'micro_loan', applicant: { age: 19 }, identifiers: { email: null } }, expect: { outcome: 'approve' } }),
      'named.json': json({ application: { product: 'micro_loan', applicationId: 'MY-ID' }, expect: { outcome: 'approve' } }),
    });
    expect(unreadable).toEqual([]);
    const defaults = JSON.parse(readFileSync(path.join(RULES, 'tests/defaults/micro_loan.json'), 'utf8')).application;
    const young = cases.find((c) => c.file === 'rules/tests/young.json');
    const { email: _email, ...otherIdentifiers } = defaults.identifiers;
    expect(young?.application).toEqual({ ...defaults, applicationId: 'CASE-young', applicant: { ...defaults.applicant, age: 19 }, identifiers: otherIdentifiers });
    expect(cases.find((c) => c.file === 'rules/tests/named.json')?.application.applicationId).toBe('MY-ID');
  });
});

describe('facts a case sets', () => {
  it('fraud facts over the graph\'s own: FRAUD_RING_SUSPECTED fires, the facts it did not set stay computed', async () => {
    const { cases } = await read({
      'ring.json': json({ application: { product: 'personal_loan' }, facts: { fraud: { clusterSuspicious: true, clusterFlags: ['GANG_MODEL'] } }, expect: { outcome: 'review', reasons: ['FRAUD_RING_SUSPECTED'] } }),
    });
    const [ring] = cases;
    if (!ring) throw new Error('the case was not read');
    const result = await runRuleTestCase(ring, deps);
    expect(result.failures).toEqual([]);
    expect(result.fired).toContainEqual({ stage: 'fraud', rule: 'fraud-ring-suspected', type: 'review', reason: 'FRAUD_RING_SUSPECTED' });
    const fraudStage = result.evaluation.result.stages.find((s) => s.stage === 'fraud');
    expect(fraudStage?.facts.fraud).toMatchObject({ clusterSuspicious: true, clusterFlags: ['GANG_MODEL'], sharedWithLabelledFraud: false, linkedApplications: 0 });
    expect(fraudStage?.facts.velocity, 'the velocity provider still ran').toMatchObject({ phone: 1 });
    expect(result.approvalLevel, 'the escalation sees the reason').toBe('L2');
  });

  it('a later stage sees an earlier stage\'s fact: grade C at 8,000 needs L1', async () => {
    const text = (facts?: object) => json({ application: { product: 'personal_loan', amount: 8000 }, ...(facts ? { facts } : {}), expect: { outcome: 'approve' } });
    const { cases } = await read({ 'as-scored.json': text(), 'grade-c.json': text({ score: { grade: 'C' } }) });
    const [asScored, gradeC] = await Promise.all(cases.map((c) => runRuleTestCase(c, deps)));
    const score = (r: typeof asScored) => r?.evaluation.result.facts.score as { grade: string; pd: number };
    expect(score(asScored).grade, 'the model alone grades this applicant A').toBe('A');
    expect(score(gradeC)).toEqual({ ...score(asScored), grade: 'C' });
    expect(gradeC?.evaluation.result.facts.approval).toMatchObject({ matrixLevel: 'L1', requiredLevel: 'L1' });
    expect(gradeC?.outcome).toBe('review');
    expect(gradeC?.approvalLevel).toBe('L1');
    expect(gradeC?.fired.map((f) => f.rule)).toEqual(['approval-level-required']);
  });

  it('unknown fact names, keys not in the fact registry, facts known before any stage and unknown codes are errors with positions', async () => {
    const text = json({
      application: { product: 'personal_loan' },
      facts: { frud: {}, amount: 5, fraud: { clusterSuspicous: true, clusterFlags: ['NO_SUCH_FLAG'] }, score: { adverseFactors: [{ feature: 'age', code: 'FACTOR_AGEE', impact: 0.1 }] } },
      expect: { outcome: 'review' },
    });
    expect(await problemsOf('facts.json', text)).toEqual([
      `rules/tests/facts.json:${at(text, '"frud"')} facts.frud: unknown fact "frud" (a case may set: ${FACT_NAMES.filter((n) => FACT_CATALOG[n].producedBy).join(', ')})`,
      expect.stringMatching(new RegExp(`^rules/tests/facts.json:${at(text, '"amount"')} facts.amount: "amount" is not computed by a stage: give application fields under "application"`)),
      `rules/tests/facts.json:${at(text, '"clusterSuspicous"')} facts.fraud.clusterSuspicous: unknown key "clusterSuspicous" of fact "fraud" (expected one of ${FACT_CATALOG.fraud.properties?.join(', ')})`,
      expect.stringMatching(new RegExp(`^rules/tests/facts.json:${at(text, '"NO_SUCH_FLAG"')} facts.fraud.clusterFlags\\[0\\]: unknown cluster flag "NO_SUCH_FLAG"`)),
      `rules/tests/facts.json:${at(text, '"FACTOR_AGEE"')} facts.score.adverseFactors[0].code: unknown reason code "FACTOR_AGEE" (rules/reasons.json does not declare it)`,
    ]);
  });
});

describe('expectations', () => {
  it('a reason code rules/reasons.json does not declare is an error where it is written, in reasons and in absentReasons', async () => {
    const text = json({ application: { product: 'personal_loan' }, expect: { outcome: 'approve', reasons: [], absentReasons: ['VELOCITY_PHONE', 'VELOCTY_DEVICE'] } });
    expect(await problemsOf('typo.json', text)).toEqual([
      `rules/tests/typo.json:${at(text, '"VELOCTY_DEVICE"')} expect.absentReasons[1]: unknown reason code "VELOCTY_DEVICE" (rules/reasons.json does not declare it)`,
    ]);
    const expected = json({ application: { product: 'micro_loan' }, expect: { outcome: 'decline', reasons: ['THIN_IDENTITTY'] } });
    expect(await problemsOf('typo.json', expected)).toEqual([
      `rules/tests/typo.json:${at(expected, '"THIN_IDENTITTY"')} expect.reasons[0]: unknown reason code "THIN_IDENTITTY" (rules/reasons.json does not declare it)`,
    ]);
  });
});

describe('positions', () => {
  it('a schema error reads file:line:col json.path: message', async () => {
    const text = json({ application: { product: 'personal_loan' }, history: [{ identifiers: { phone: '1' }, minutesAgo: -5 }], expect: { outcome: 'approved', reason: ['X'] } });
    expect(await problemsOf('schema.json', text)).toEqual([
      `rules/tests/schema.json:${at(text, '-5')} history[0].minutesAgo: expected a number >= 0`,
      `rules/tests/schema.json:${at(text, '"reason"')} expect.reason: unknown property "reason"`,
      `rules/tests/schema.json:${at(text, '"approved"')} expect.outcome: expected one of: approve, review, decline`,
    ]);
  });

  it('invalid JSON is placed where it breaks', async () => {
    const text = '{\n  "application": { "product": "personal_loan" },\n  "expect": { "outcome": "approve", }\n}\n';
    expect(await problemsOf('broken.json', text)).toContain(`rules/tests/broken.json:${at(text, '}\n}')} (root): invalid JSON: PropertyNameExpected`);
  });

  it('an invalid application value is placed in the case that wrote it, or in the defaults file', async () => {
    const text = json({ application: { product: 'personal_loan', region: 'atlantis', applicant: { age: 12, housing: 'castle' } }, expect: { outcome: 'approve' } });
    expect(await problemsOf('application.json', text)).toEqual([
      `rules/tests/application.json:${at(text, '12')} application.applicant.age: expected a number >= 18`,
      expect.stringMatching(new RegExp(`^rules/tests/application.json:${at(text, '"castle"')} application.applicant.housing: expected one of: `)),
      expect.stringMatching(new RegExp(`^rules/tests/application.json:${at(text, '"atlantis"')} application.region: unknown region "atlantis"`)),
    ]);

    // The same problem written in the defaults is reported there, for every case of that product.
    const rulesDir = rulesWithCases({ 'fine.json': json({ application: { product: 'micro_loan' }, expect: { outcome: 'approve' } }) });
    const defaultsFile = path.join(rulesDir, 'tests/defaults/micro_loan.json');
    const defaults = readFileSync(defaultsFile, 'utf8').replace('"termMonths": 12', '"termMonths": 0');
    writeFileSync(defaultsFile, defaults);
    const { unreadable } = await readRuleTestCases(rulesDir, ruleSet, model);
    expect(unreadable.flatMap((u) => u.diagnostics.map(formatDiagnostic))).toEqual([`rules/tests/defaults/micro_loan.json:${at(defaults, '0,\n    "applicant"')} application.termMonths: expected a number >= 1`]);
  });

  it('a product without a flow, or without defaults, is placed at application.product', async () => {
    const text = json({ application: { product: 'car_loan' }, expect: { outcome: 'approve' } });
    expect(await problemsOf('product.json', text)).toEqual([
      `rules/tests/product.json:${at(text, '"car_loan"')} application.product: no flow for product "car_loan" (products: ${[...ruleSet.flows.keys()].join(', ')})`,
    ]);
    const micro = json({ application: { product: 'micro_loan' }, expect: { outcome: 'approve' } });
    const rulesDir = rulesWithCases({ 'micro.json': micro });
    rmSync(path.join(rulesDir, 'tests/defaults/micro_loan.json'));
    const { unreadable } = await readRuleTestCases(rulesDir, ruleSet, model);
    expect(unreadable.flatMap((u) => u.diagnostics.map(formatDiagnostic))).toEqual([
      `rules/tests/micro.json:${at(micro, '"micro_loan"')} application.product: no default application for "micro_loan": add rules/tests/defaults/micro_loan.json, or fix the problems reported in it`,
    ]);
  });
});

describe('a failing case says why', () => {
  it('lists every rule that fired, the reasons given and the facts per stage, identifiers masked', async () => {
    const { cases } = await read({
      'fails.json': json({
        application: { product: 'personal_loan', amount: 12000, termMonths: 48, applicant: { installmentRatePct: 4 } },
        history: [30, 60, 90].map((minutesAgo) => ({ identifiers: { phone: '+86 138 0013 8000' }, minutesAgo })),
        expect: { outcome: 'approve', absentReasons: ['VELOCITY_PHONE'] },
      }),
    });
    const [testCase] = cases;
    if (!testCase) throw new Error('the case was not read');
    const result = await runRuleTestCase(testCase, deps);
    const report = formatRuleTestResult(result);
    const lines = report.split('\n').map((l) => l.trim());
    expect(lines[0]).toMatch(/^FAIL {2}rules\/tests\/fails\.json {2}review \(L2\) \[INSTALMENT_BURDEN_HIGH, VELOCITY_PHONE/);
    expect(lines).toContain('outcome: expected approve, got review');
    expect(lines).toContain('reason VELOCITY_PHONE: given, expected absent');
    expect(lines).toContain('fired rules:');
    expect(lines).toContainEqual(expect.stringMatching(/^eligibility\/instalment-burden-high +review +INSTALMENT_BURDEN_HIGH$/));
    expect(lines).toContainEqual(expect.stringMatching(/^fraud\/velocity-phone +review +VELOCITY_PHONE$/));
    expect(lines).toContain('reasons given:');
    expect(lines).toContain('VELOCITY_PHONE (fraud, rule velocity-phone)');
    expect(lines).toContainEqual(expect.stringMatching(/^FACTOR_[A-Z_]+ \(scoring, adverse factor\)$/));
    expect(lines).toContain('facts:');
    for (const stage of ['eligibility', 'fraud', 'scoring', 'approval', 'limits']) expect(lines.some((l) => l.startsWith(`${stage} `)), stage).toBe(true);
    expect(lines).toContainEqual(expect.stringMatching(/^fraud +velocity=\{[^}]*"phone":4/));
    expect(lines).toContainEqual(expect.stringMatching(/^scoring +score=\{"pd":/));
    expect(lines).toContainEqual(expect.stringMatching(/^identifiers +.*phone=\*+8000/));
    // Never a raw identifier, nor its keyed hash spelled out in full.
    for (const raw of ['0013 8000', '13800138000', 'li.wei@example.com', '110101199003071233', 'dev-7f3a-good', protector.hash('phone', '+86 138 0013 8000')]) expect(report).not.toContain(raw);
  });

  it('a passing case is one line', async () => {
    const { cases } = await read({ 'passes.json': json({ application: { product: 'micro_loan' }, expect: { outcome: 'approve', reasons: [] } }) });
    const [testCase] = cases;
    if (!testCase) throw new Error('the case was not read');
    expect(formatRuleTestResult(await runRuleTestCase(testCase, deps))).toBe('ok    rules/tests/passes.json  approve (auto) []\n');
  });
});

describe('coverage', () => {
  it('lists, per flow, the rules no case fired', async () => {
    const { cases } = await read({ 'underage.json': json({ application: { product: 'personal_loan', applicant: { age: 19 } }, expect: { outcome: 'decline' } }) });
    const results = await Promise.all(cases.map((c) => runRuleTestCase(c, deps)));
    const coverage = ruleCoverage(ruleSet, results);
    const personal = coverage.find((c) => c.product === 'personal_loan');
    const micro = coverage.find((c) => c.product === 'micro_loan');
    expect(personal?.covered).toBe(1);
    expect(personal?.uncovered).not.toContainEqual({ stage: 'eligibility', rule: 'age-below-minimum' });
    expect(micro?.covered).toBe(0);
    const lines = formatUncoveredRules(coverage).trimEnd().split('\n');
    expect(lines).toHaveLength((personal?.rules ?? 0) - 1 + (micro?.rules ?? 0));
    expect(lines).toContain('uncovered: personal_loan/fraud/fraud-ring-suspected');
    expect(lines).not.toContain('uncovered: personal_loan/eligibility/age-below-minimum');
  });
});

describe('the case schema (rules/schema/test-case.schema.json)', () => {
  type Node = { properties?: Record<string, Node>; description?: string; examples?: unknown[] };
  const schema = caseSchema as unknown as Node;

  it('describes every property, with examples, for editors\' hover text', () => {
    const missing: string[] = [];
    const walk = (node: Node, where: string) => {
      for (const [name, child] of Object.entries(node.properties ?? {})) {
        if (!child.description || !Array.isArray(child.examples) || child.examples.length === 0) missing.push(`${where}${name}`);
        walk(child, `${where}${name}.`);
        const items = (child as { items?: Node }).items;
        if (items) walk(items, `${where}${name}[].`);
      }
    };
    walk(schema, '');
    expect(missing).toEqual([]);
  });

  it('names the facts a stage computes, with the keys the fact registry declares', () => {
    const facts = schema.properties?.facts?.properties ?? {};
    expect(Object.keys(facts).sort()).toEqual(FACT_NAMES.filter((n) => FACT_CATALOG[n].producedBy).sort());
    for (const [name, node] of Object.entries(facts)) {
      // velocity is keyed by identifier type, which the schema leaves open (test/rules/schema-constants.test.ts keeps such lists in the code).
      if (node.properties) expect(Object.keys(node.properties).sort(), name).toEqual([...(FACT_CATALOG[name as keyof typeof FACT_CATALOG].properties ?? [])].sort());
    }
  });

  it('names the application fields of a POST /decide body', () => {
    expect(Object.keys(schema.properties?.application?.properties ?? {}).sort()).toEqual(Object.keys(buildApplicationSchema().properties).sort());
  });
});
