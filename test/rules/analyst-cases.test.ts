// The analysts' cases (rules/tests/*.json) are part of npm test: each runs through the same module
// as npm run rules:test, with the real credit model, and together they fire every rule of the
// shipped flows.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatRuleTestResult, formatUncoveredRules, formatUnreadableCase, readRuleTestCases, ruleCoverage, runRuleTestCase, type RuleTestResult } from '../../src/decision/rule-tests';
import { IdentifierProtector } from '../../src/identity/identifiers';
import { formatDiagnostic } from '../../src/rules/diagnostics';
import { MODEL_INPUT_FIELDS } from '../../src/rules/facts';
import { loadRuleSet, readRuleFiles } from '../../src/rules/load';
import { compileRuleSet } from '../../src/rules/compile';
import { readFileSync } from 'node:fs';
import { loadCreditModel } from '../../src/scoring/onnx-model';

const RULES = path.resolve(import.meta.dirname, '../../rules');
const MODELS = path.resolve(import.meta.dirname, '../../models');

const protector = new IdentifierProtector(randomBytes(32), { defaultCountryCode: '86' });
const loaded = await loadRuleSet(RULES, { hashIdentifier: (type, raw) => protector.hash(type, raw) });
if (!loaded.ok) throw new Error(`the shipped rules do not load:\n${loaded.diagnostics.map(formatDiagnostic).join('\n')}`);
const { ruleSet } = loaded;
const model = await loadCreditModel(MODELS, 'credit-pd.card.json', MODEL_INPUT_FIELDS);
const { cases, unreadable } = await readRuleTestCases(RULES, ruleSet, model);
const now = Date.now();
const results = new Map<string, RuleTestResult>();

describe('analysts’ rule test cases (rules/tests)', () => {
  it('the credit model is loaded, so cases see real grades', () => {
    expect(model.status, model.detail).toBe('ready');
  });

  it('every case file can run', () => {
    expect(unreadable.map(formatUnreadableCase)).toEqual([]);
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const testCase of cases) {
    it(`${path.basename(testCase.file)}: ${testCase.description ?? ''}`, async () => {
      const result = await runRuleTestCase(testCase, { ruleSet, protector, model, now });
      results.set(testCase.file, result);
      expect(result.failures, formatRuleTestResult(result)).toEqual([]);
    });
  }

  // Runs after the cases above (a file's tests run in order) and reuses their results; a case
  // filtered out of this run is run here.
  it('every rule of the shipped flows fires in at least one case', async () => {
    for (const testCase of cases) if (!results.has(testCase.file)) results.set(testCase.file, await runRuleTestCase(testCase, { ruleSet, protector, model, now }));
    const coverage = ruleCoverage(ruleSet, [...results.values()]);
    expect(coverage.map((c) => c.product).sort()).toEqual(['micro_loan', 'personal_loan']);
    expect(formatUncoveredRules(coverage)).toBe('');
    for (const c of coverage) expect(c.covered, c.product).toBe(c.rules);
  });
});

describe('the shipped decision tables decide as the rule lists they replaced', () => {
  // test/rules/fixtures/rule-form holds both flows as they were written before the tables: the
  // same thresholds as json-rules-engine rules. Every case must reach the same decision with both.
  it('gives every case the same outcome, approval level, fired rules and reasons', async () => {
    const files = (await readRuleFiles(RULES)).map((f) => {
      const m = /^flows\/(.+)\.json$/.exec(f.relPath);
      return m ? { ...f, text: readFileSync(path.join(import.meta.dirname, 'fixtures', 'rule-form', `${m[1]}.json`), 'utf8') } : f;
    });
    const ruleForm = compileRuleSet(files, { hashIdentifier: (type, raw) => protector.hash(type, raw) });
    if (!ruleForm.ok) throw new Error(ruleForm.diagnostics.map(formatDiagnostic).join('\n'));
    expect(ruleForm.ruleSet.version).not.toBe(ruleSet.version);
    const decided = (r: RuleTestResult) => ({
      outcome: r.outcome,
      approvalLevel: r.approvalLevel,
      reasons: r.reasons.map((reason) => reason.code).sort(),
      fired: r.fired.map((f) => `${f.stage}/${f.rule}`).sort(),
    });
    for (const testCase of cases) {
      const tables = await runRuleTestCase(testCase, { ruleSet, protector, model, now });
      const rules = await runRuleTestCase(testCase, { ruleSet: ruleForm.ruleSet, protector, model, now });
      expect(decided(tables), path.basename(testCase.file)).toEqual(decided(rules));
    }
  });
});
