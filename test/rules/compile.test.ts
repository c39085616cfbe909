// Rule files are validated at load: JSON syntax, JSON Schema, then semantic checks, each error
// positioned as file:line:col json.path: message.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApplicationSchema } from '../../src/decision/application';
import { compileRuleSet, type RuleFileText } from '../../src/rules/compile';
import { formatDiagnostic } from '../../src/rules/diagnostics';
import { readRuleFiles } from '../../src/rules/load';
import { REPO_RULES } from '../support/server';

const hashIdentifier = (type: string, raw: string) => `${type}:${raw}`;
let repoFiles: RuleFileText[];
beforeAll(async () => {
  // The shipped flows are written as decision tables; these checks edit rules in their long form,
  // which keeps working: personal_loan as it was written before the tables (fixtures/rule-form).
  repoFiles = (await readRuleFiles(REPO_RULES)).map((f) =>
    f.relPath === 'flows/personal_loan.json' ? { ...f, text: readFileSync(path.join(import.meta.dirname, 'fixtures', 'rule-form', 'personal_loan.json'), 'utf8') } : f,
  );
});

/** The repository's rules with rules/flows/personal_loan.json replaced by a fixture. */
function withPersonalLoan(fixture: string): RuleFileText[] {
  const text = readFileSync(path.join(import.meta.dirname, 'fixtures', fixture), 'utf8');
  return repoFiles.map((f) => (f.relPath === 'flows/personal_loan.json' ? { ...f, text } : f));
}

function errorsOf(files: RuleFileText[]): string[] {
  const result = compileRuleSet(files, { hashIdentifier });
  return result.ok ? [] : result.diagnostics.map(formatDiagnostic);
}

describe('compileRuleSet', () => {
  it('loads the shipped rules, with a stable content hash', () => {
    const a = compileRuleSet(repoFiles, { hashIdentifier });
    const b = compileRuleSet([...repoFiles].reverse(), { hashIdentifier });
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) {
      expect(a.ruleSet.version).toMatch(/^[0-9a-f]{16}$/);
      expect(b.ruleSet.version).toBe(a.ruleSet.version);
      expect([...a.ruleSet.flows.keys()].sort()).toEqual(['micro_loan', 'personal_loan']);
    }
  });

  it('accepts the valid fixture (the broken ones below differ from it in one place)', () => {
    expect(errorsOf(withPersonalLoan('valid.json'))).toEqual([]);
  });

  it('changes the version when any rule file changes', () => {
    const a = compileRuleSet(repoFiles, { hashIdentifier });
    const b = compileRuleSet(withPersonalLoan('valid.json'), { hashIdentifier });
    expect(a.ok && b.ok && a.ruleSet.version !== b.ruleSet.version).toBe(true);
  });

  it.each([
    ['invalid-json.json', 'rules/flows/personal_loan.json:4:3 (root): invalid JSON: CommaExpected'],
    ['wrong-type.json', 'rules/flows/personal_loan.json:3:15 budgetMs: expected integer'],
    ['missing-operator.json', 'rules/flows/personal_loan.json:45:15 stages[1].rules[0].conditions.all[0]: missing "operator"'],
    ['unknown-fact.json', 'rules/flows/personal_loan.json:46:25 stages[1].rules[0].conditions.all[0].fact: unknown fact "velocty"'],
    ['unknown-operator.json', 'rules/flows/personal_loan.json:48:29 stages[1].rules[0].conditions.all[0].operator: unknown operator "greaterThen"'],
    ['duplicate-rule.json', 'rules/flows/personal_loan.json:42:19 stages[1].rules[0].name: duplicate rule name "amount-above-product-max" (first used at line 14)'],
    ['unknown-stage.json', 'rules/flows/personal_loan.json:34:16 stages[1].stage: unknown stage "fraudd" (expected one of eligibility, fraud, scoring, approval, limits)'],
    ['unknown-reason.json', 'rules/flows/personal_loan.json:56:25 stages[1].rules[0].event.params.reason: unknown reason code "VELOCITY_PHONEE" (declare it in rules/reasons.json)'],
    ['fact-not-yet-available.json', 'rules/flows/personal_loan.json:18:25 stages[0].rules[0].conditions.all[0].fact: fact "velocity" is produced by stage "fraud", which runs after "eligibility" in this flow'],
    ['unknown-path.json', 'rules/flows/personal_loan.json:47:25 stages[1].rules[0].conditions.all[0].path: unknown path "$.agee" for fact "applicant"'],
  ])('%s → %s', (fixture, expected) => {
    const errors = errorsOf(withPersonalLoan(fixture));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.slice(0, expected.length)).toBe(expected);
  });

  it('rejects a list operator pointed at the wrong identifier type', () => {
    const files = repoFiles.map((f) =>
      f.relPath === 'flows/personal_loan.json' ? { ...f, text: f.text.replace('"value": "blocked-phones"', '"value": "blocked-devices"') } : f,
    );
    expect(errorsOf(files).join('\n')).toContain('list "blocked-devices" holds deviceId hashes');
  });

  describe('type-checks each condition against the fact registry', () => {
    /** The repository's personal_loan flow with one condition's text replaced, and the line it is on. */
    function edited(rule: string, from: string, to: string): { files: RuleFileText[]; line: number } {
      const flow = repoFiles.find((f) => f.relPath === 'flows/personal_loan.json');
      if (!flow) throw new Error('no personal_loan flow');
      const at = flow.text.indexOf(from, flow.text.indexOf(`"name": "${rule}"`));
      const text = flow.text.slice(0, at) + to + flow.text.slice(at + from.length);
      return { files: repoFiles.map((f) => (f === flow ? { ...f, text } : f)), line: flow.text.slice(0, at).split('\n').length };
    }

    it.each([
      ['age-below-minimum', '"value": 21', '"value": "twenty-one"', 'stages[0].rules[0].conditions.all[0].value', 'value "twenty-one" is a string but fact "applicant" $.age is a whole number: lessThan compares numbers'],
      ['amount-below-product-min', '"value": 250', '"value": "abc"', 'stages[0].rules[3].conditions.all[0].value', 'value "abc" is a string but fact "amount" is a number of at least 0: lessThan compares numbers'],
      ['risk-grade-review', '"operator": "equal"', '"operator": "lessThan"', 'stages[2].rules[1].conditions.all[0].operator', 'lessThan compares numbers, but fact "score" $.grade is a risk grade: one of "A", "B", "C", "D", "E"'],
      ['risk-grade-too-low', '"value": "E"', '"value": "gold"', 'stages[2].rules[0].conditions.all[0].value', 'value "gold" is not one of the values of fact "score" $.grade, the risk grades in rules/scoring/grades.json: "A", "B", "C", "D", "E"'],
    ])('%s: %s → %s', (rule, from, to, jsonPath, message) => {
      const { files, line } = edited(rule, from, to);
      const errors = errorsOf(files);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(new RegExp(`^rules/flows/personal_loan\\.json:${line}:\\d+ ${jsonPath.replace(/[.[\]$]/g, '\\$&')}: `));
      expect(errors[0]?.endsWith(message)).toBe(true);
    });

    it("checks the applicant's categories and bounds when given the request schema", () => {
      const { files } = edited('unemployed-large-request', '"value": "unemployed"', '"value": "unemploye"');
      expect(errorsOf(files)).toEqual([]);
      const result = compileRuleSet(files, { hashIdentifier, applicationSchema: buildApplicationSchema() });
      expect(result.ok ? [] : result.diagnostics.map(formatDiagnostic)).toEqual([
        expect.stringContaining('stages[0].rules[9].conditions.all[0].value: value "unemploye" is not one of the values of fact "applicant" $.employmentDuration: "1_to_4", "4_to_7", "gt_7", "lt_1", "unemployed"; did you mean "unemployed"?'),
      ]);
      expect(compileRuleSet(repoFiles, { hashIdentifier, applicationSchema: buildApplicationSchema() }).ok).toBe(true);
    });
  });

  it('rejects a file it does not know and a missing reasons.json', () => {
    const errors = errorsOf([...repoFiles.filter((f) => f.relPath !== 'reasons.json'), { relPath: 'flows/x/y.json', displayPath: 'rules/flows/x/y.json', text: '{}' }]);
    expect(errors.some((e) => e.startsWith('rules/flows/x/y.json:1:1 (root): not a rule file'))).toBe(true);
    expect(errors.some((e) => e.includes('missing: every rule set needs rules/reasons.json'))).toBe(true);
  });

  it('hashes list entries at load and keeps no raw value', () => {
    const result = compileRuleSet(repoFiles, { hashIdentifier: (type, raw) => `h(${type}:${raw.length})` });
    expect(result.ok).toBe(true);
    if (result.ok) {
      const phones = result.ruleSet.lists.get('blocked-phones');
      expect(phones?.identifierType).toBe('phone');
      expect([...(phones?.hashes ?? [])].every((h) => h.startsWith('h(phone:'))).toBe(true);
    }
  });
});
