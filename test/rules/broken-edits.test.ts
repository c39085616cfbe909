// A corpus of the edits analysts get wrong, each applied to a copy of the shipped rules and loaded
// the way the service loads an edit (RuleSetHolder.reload on the folder): every one is rejected
// with a diagnostic naming the edited file, the edited line and the JSON path of what to fix, and
// the last good rule set keeps serving.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApplicationSchema } from '../../src/decision/application';
import { compileRuleSet, type CompileOptions } from '../../src/rules/compile';
import type { Diagnostic, DiagnosticCode } from '../../src/rules/diagnostics';
import { RuleSetHolder } from '../../src/rules/hot-reload';
import { loadRuleSet } from '../../src/rules/load';
import type { RuleSet } from '../../src/rules/ruleset';
import { REPO_RULES } from '../support/server';

const options: CompileOptions = {
  hashIdentifier: (type, raw) => `${type}:${raw}`,
  // As the service checks requests: conditions on the applicant are held to the request's categories and bounds.
  applicationSchema: buildApplicationSchema(),
};

const PERSONAL = 'flows/personal_loan.json';
const MICRO = 'flows/micro_loan.json';

/** Replaces the first `from` after the unique `anchor` (a rule's name, say) in a file's text. */
function after(anchor: string, from: string, to: string): (text: string) => string {
  return (text) => {
    const at = text.indexOf(anchor);
    expect(at, `anchor ${anchor}`).toBeGreaterThanOrEqual(0);
    expect(text.indexOf(anchor, at + 1), `anchor ${anchor} is unique`).toBe(-1);
    const i = text.indexOf(from, at);
    expect(i, `${from} after ${anchor}`).toBeGreaterThanOrEqual(at);
    return text.slice(0, i) + to + text.slice(i + from.length);
  };
}

interface BrokenEdit {
  readonly kind: string;
  readonly file: string;
  readonly edit: ((text: string) => string) | 'delete';
  readonly code: DiagnosticCode;
  /** The JSON path the diagnostic names; `rule:<name>` stands for that rule's stages[i].rules[j], `row:<name>` for a table row's stages[i].tables[t].rows[r]. */
  readonly path: string;
  readonly message: string;
  /** Where the diagnostic points: the edited line, or (a syntax error) the token after it, or line 1 of a missing file. */
  readonly line?: 'edited' | 'next' | 1;
  /** Other files' references to what the edit removed are reported too (a list's or a reason code's users). */
  readonly cascades?: true;
}

const rule = (name: string, rest: string) => `rule:${name}${rest}`;
/** A decision table's row (by its rule name) and a path below it; or, given `tablePath`, a path below the row's table. */
const table = (row: string, rest: string, tablePath?: readonly (string | number)[]) =>
  tablePath ? `table-of:${row}${tablePath.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}` : `row:${row}${rest}`;

const CORPUS: readonly BrokenEdit[] = [
  {
    kind: 'a string where an amount is compared ("abc" on amount lessThan)',
    file: PERSONAL,
    edit: after('"name": "amount-below-product-min"', '"value": 250', '"value": "abc"'),
    code: 'TYPE_MISMATCH',
    path: rule('amount-below-product-min', '.conditions.all[0].value'),
    message: 'value "abc" is a string but fact "amount" is a number from 0 to 1,000,000,000: lessThan compares numbers',
  },
  {
    kind: 'a spelled-out age ("twenty-one")',
    file: PERSONAL,
    edit: after('"name": "age-below-minimum"', '"value": 21', '"value": "twenty-one"'),
    code: 'TYPE_MISMATCH',
    path: rule('age-below-minimum', '.conditions.all[0].value'),
    message: 'value "twenty-one" is a string but fact "applicant" $.age is a whole number from 18 to 120: lessThan compares numbers',
  },
  {
    kind: 'an age bound the request schema never allows',
    file: PERSONAL,
    edit: after('"name": "age-below-minimum"', '"value": 21', '"value": 210'),
    code: 'TYPE_MISMATCH',
    path: rule('age-below-minimum', '.conditions.all[0].value'),
    message: 'value 210 is outside the range of fact "applicant" $.age: a whole number from 18 to 120',
  },
  {
    kind: 'a number on a categorical field',
    file: PERSONAL,
    edit: after('"name": "overdrawn-large-request"', '"value": "lt_0"', '"value": 0'),
    code: 'TYPE_MISMATCH',
    path: rule('overdrawn-large-request', '.conditions.all[0].value'),
    message: 'value 0 is a number but fact "applicant" $.checkingAccountStatus is a string, one of "0_to_200", "gt_200", "lt_0", "none"',
  },
  {
    kind: 'a misspelt category',
    file: PERSONAL,
    edit: after('"name": "unemployed-large-request"', '"value": "unemployed"', '"value": "unemploye"'),
    code: 'TYPE_MISMATCH',
    path: rule('unemployed-large-request', '.conditions.all[0].value'),
    message: 'did you mean "unemployed"?',
  },
  {
    kind: 'an unknown grade ("gold" for score.grade)',
    file: PERSONAL,
    edit: after('"name": "risk-grade-too-low"', '"value": "E"', '"value": "gold"'),
    code: 'TYPE_MISMATCH',
    path: rule('risk-grade-too-low', '.conditions.all[0].value'),
    message: 'value "gold" is not one of the values of fact "score" $.grade, the risk grades in rules/scoring/grades.json: "A", "B", "C", "D", "E"',
  },
  {
    kind: 'an unknown approval level',
    file: PERSONAL,
    edit: after('"name": "approval-level-required"', '"value": "auto"', '"value": "L0"'),
    code: 'TYPE_MISMATCH',
    path: rule('approval-level-required', '.conditions.all[1].value'),
    message: '"auto", "L1", "L2", "L3"',
  },
  {
    kind: 'an outcome that does not exist',
    file: PERSONAL,
    edit: after('"name": "approval-level-required"', '"value": "approve"', '"value": "approved"'),
    code: 'TYPE_MISMATCH',
    path: rule('approval-level-required', '.conditions.all[0].value'),
    message: 'did you mean "approve"?',
  },
  {
    kind: 'a quoted boolean',
    file: PERSONAL,
    edit: after('"name": "linked-to-confirmed-fraud"', '"value": true', '"value": "true"'),
    code: 'TYPE_MISMATCH',
    path: rule('linked-to-confirmed-fraud', '.conditions.all[0].value'),
    message: 'did you mean true, without quotes?',
  },
  {
    kind: 'lessThan on a string fact',
    file: PERSONAL,
    edit: after('"name": "risk-grade-review"', '"operator": "equal"', '"operator": "lessThan"'),
    code: 'OPERATOR_MISMATCH',
    path: rule('risk-grade-review', '.conditions.all[0].operator'),
    message: 'lessThan compares numbers, but fact "score" $.grade is a risk grade',
  },
  {
    kind: 'contains on a number',
    file: PERSONAL,
    edit: after('"name": "amount-above-product-max"', '"operator": "greaterThan"', '"operator": "contains"'),
    code: 'OPERATOR_MISMATCH',
    path: rule('amount-above-product-max', '.conditions.all[0].operator'),
    message: 'contains looks inside a list, but fact "amount" is a number',
  },
  {
    kind: 'in with a single value instead of a list',
    file: PERSONAL,
    edit: (text) => after('"name": "risk-grade-too-low"', '"value": "E"', '"value": "D, E"')(after('"name": "risk-grade-too-low"', '"operator": "equal"', '"operator": "in"')(text)),
    code: 'TYPE_MISMATCH',
    path: rule('risk-grade-too-low', '.conditions.all[0].value'),
    message: 'value "D, E" is a string: in needs a list of values to look in',
  },
  {
    kind: 'a value referring to a fact of another type',
    file: PERSONAL,
    edit: after('"name": "amount-above-product-max"', '"value": 20000', '"value": { "fact": "applicant", "path": "$.housing" }'),
    code: 'TYPE_MISMATCH',
    path: rule('amount-above-product-max', '.conditions.all[0].value'),
    message: 'greaterThan compares numbers, but the value\'s fact "applicant" $.housing is one of "for_free", "own", "rent"',
  },
  {
    kind: 'an unknown path',
    file: PERSONAL,
    edit: after('"name": "age-below-minimum"', '"path": "$.age"', '"path": "$.agee"'),
    code: 'UNKNOWN_FACT_PATH',
    path: rule('age-below-minimum', '.conditions.all[0].path'),
    message: 'unknown path "$.agee" for fact "applicant" (expected $. followed by one of age,',
  },
  {
    kind: 'a path on a fact that is not an object',
    file: PERSONAL,
    edit: after('"name": "age-at-maturity-above-maximum"', '"fact": "ageAtMaturity",', '"fact": "ageAtMaturity", "path": "$.years",'),
    code: 'UNKNOWN_FACT_PATH',
    path: rule('age-at-maturity-above-maximum', '.conditions.all[0].path'),
    message: 'fact "ageAtMaturity" is not an object; remove "path"',
  },
  {
    kind: 'an unknown fact',
    file: PERSONAL,
    edit: after('"name": "age-at-maturity-above-maximum"', '"fact": "ageAtMaturity"', '"fact": "ageAtMaturty"'),
    code: 'UNKNOWN_FACT',
    path: rule('age-at-maturity-above-maximum', '.conditions.all[0].fact'),
    message: 'unknown fact "ageAtMaturty"',
  },
  {
    kind: 'a fact from a later stage',
    file: PERSONAL,
    edit: after('"name": "age-at-maturity-above-maximum"', '"fact": "ageAtMaturity"', '"fact": "offer", "path": "$.limit"'),
    code: 'FACT_NOT_YET_AVAILABLE',
    path: rule('age-at-maturity-above-maximum', '.conditions.all[0].fact'),
    message: 'fact "offer" is produced by stage "scoring", which runs after "eligibility" in this flow',
  },
  {
    kind: 'an unknown operator',
    file: PERSONAL,
    edit: after('"name": "term-above-product-max"', '"operator": "greaterThan"', '"operator": "greaterThen"'),
    code: 'UNKNOWN_OPERATOR',
    path: rule('term-above-product-max', '.conditions.all[0].operator'),
    message: 'unknown operator "greaterThen"',
  },
  {
    kind: 'an unknown reason code',
    file: PERSONAL,
    edit: after('"name": "age-below-minimum"', '"reason": "AGE_BELOW_MINIMUM"', '"reason": "AGE_BELOW_MINIMUN"'),
    code: 'UNKNOWN_REASON',
    path: rule('age-below-minimum', '.event.params.reason'),
    message: 'unknown reason code "AGE_BELOW_MINIMUN" (declare it in rules/reasons.json)',
  },
  {
    kind: 'an unknown list',
    file: PERSONAL,
    edit: after('"name": "blocklisted-phone"', '"value": "blocked-phones"', '"value": "blocked-phone"'),
    code: 'UNKNOWN_LIST',
    path: rule('blocklisted-phone', '.conditions.any[0].value'),
    message: 'unknown list "blocked-phone"',
  },
  {
    kind: 'a list of another identifier type',
    file: PERSONAL,
    edit: after('"name": "blocklisted-phone"', '"value": "blocked-phones"', '"value": "blocked-devices"'),
    code: 'LIST_TYPE_MISMATCH',
    path: rule('blocklisted-phone', '.conditions.any[0].value'),
    message: 'list "blocked-devices" holds deviceId hashes; compare it with fact "identifiers" and path "$.deviceId"',
  },
  {
    kind: 'a duplicate rule name',
    file: PERSONAL,
    edit: after('"name": "amount-below-product-min"', '"name": "amount-below-product-min"', '"name": "amount-above-product-max"'),
    code: 'DUPLICATE_RULE',
    path: rule('amount-below-product-min', '.name'),
    message: 'duplicate rule name "amount-above-product-max"',
  },
  {
    kind: 'bad JSON syntax (a missing comma)',
    file: PERSONAL,
    edit: after('"name": "term-below-product-min"', '"priority": 10,', '"priority": 10'),
    code: 'INVALID_JSON',
    path: '',
    message: 'invalid JSON: CommaExpected',
    line: 'next',
  },
  {
    kind: 'a schema violation (a negative budgetMs)',
    file: PERSONAL,
    edit: after('"stage": "eligibility"', '"budgetMs": 25', '"budgetMs": -25'),
    code: 'SCHEMA',
    path: 'stages[0].budgetMs',
    message: '',
  },
  {
    kind: 'a product that does not match the file name',
    file: PERSONAL,
    edit: after('"product": "personal_loan"', '"product": "personal_loan"', '"product": "personal_loans"'),
    code: 'PRODUCT_MISMATCH',
    path: 'product',
    message: 'product "personal_loans" must equal the file name "personal_loan"',
  },
  {
    kind: 'a missing reasons.json',
    file: 'reasons.json',
    edit: 'delete',
    code: 'MISSING_FILE',
    path: '',
    message: 'missing: every rule set needs rules/reasons.json',
    line: 1,
    cascades: true,
  },
  {
    kind: 'a table cell that compares a count with a word (micro_loan thin-identity)',
    file: MICRO,
    edit: after('"rule": "thin-identity"', '"< 3"', '"< three"'),
    code: 'DECISION_TABLE',
    path: table('thin-identity', '.when.validIdentifierCount'),
    message: 'cell "< three": "<" compares numbers, and "three" is not a number',
  },
  {
    kind: 'a table cell of the wrong type (a quoted number on a count)',
    file: MICRO,
    edit: after('"rule": "thin-identity"', '"< 3"', '"3"'),
    code: 'TYPE_MISMATCH',
    path: table('thin-identity', '.when.validIdentifierCount'),
    message: 'value "3" is a string but fact "validIdentifierCount" is a whole number from 0 to 8',
  },
  {
    kind: 'an unknown grade in a table cell list',
    file: MICRO,
    edit: after('"rule": "risk-grade-too-low"', '["D", "E"]', '["D", "gold"]'),
    code: 'TYPE_MISMATCH',
    path: table('risk-grade-too-low', '.when["score.grade"]'),
    message: '"gold"',
  },
  {
    kind: 'a table cell on a column the table does not have',
    file: MICRO,
    edit: after('"rule": "velocity-phone"', '"velocity.phone": "> 2"', '"velocity.phnoe": "> 2"'),
    code: 'DECISION_TABLE',
    path: table('velocity-phone', '.when["velocity.phnoe"]'),
    message: '"velocity.phnoe" is not an input of table "identifier-velocity"',
  },
  {
    kind: 'a table input naming a fact from a later stage',
    file: MICRO,
    edit: after('"name": "product-bounds"', '"ageAtMaturity", ', '"ageAtMaturity", "offer.limit", '),
    code: 'FACT_NOT_YET_AVAILABLE',
    path: table('amount-above-product-max', '', ['inputs', 3]),
    message: 'fact "offer" is produced by stage "scoring"',
    line: 'edited',
  },
  {
    kind: 'a reason code in a table row that is not declared',
    file: MICRO,
    edit: after('"rule": "amount-above-product-max"', '"AMOUNT_ABOVE_PRODUCT_MAX"', '"AMOUNT_ABOVE_MAX"'),
    code: 'UNKNOWN_REASON',
    path: table('amount-above-product-max', '.reason'),
    message: 'unknown reason code "AMOUNT_ABOVE_MAX"',
  },
  {
    kind: 'an unknown identifier type in a list file',
    file: 'lists/blocked-phones.json',
    edit: after('"identifierType"', '"phone"', '"phones"'),
    code: 'SCHEMA',
    path: 'identifierType',
    message: '',
    cascades: true,
  },
];

/** stages[i].rules[j] of the named rule in a flow's text. */
/** `stages[i].tables[t].rows[r]` of the row named `name`, or with `ofTable` its table's `stages[i].tables[t]`. */
function rowPath(text: string, name: string, ofTable = false): string {
  const flow = JSON.parse(text) as { stages: { tables?: { rows: { rule?: string }[] }[] }[] };
  for (const [i, stage] of flow.stages.entries()) {
    for (const [t, table] of (stage.tables ?? []).entries()) {
      const r = table.rows.findIndex((row) => row.rule === name);
      if (r >= 0) return ofTable ? `stages[${i}].tables[${t}]` : `stages[${i}].tables[${t}].rows[${r}]`;
    }
  }
  throw new Error(`no table row "${name}"`);
}

function rulePath(text: string, name: string): string {
  const flow = JSON.parse(text) as { stages: { rules?: { name: string }[] }[] };
  for (const [i, stage] of flow.stages.entries()) {
    const j = (stage.rules ?? []).findIndex((r) => r.name === name);
    if (j >= 0) return `stages[${i}].rules[${j}]`;
  }
  throw new Error(`no rule "${name}"`);
}

/** The 1-based numbers of the first and last lines an edit changed (in the edited text). */
function changedLines(before: string, edited: string): { first: number; last: number } {
  const a = before.split('\n');
  const b = edited.split('\n');
  let first = 0;
  while (first < a.length && a[first] === b[first]) first++;
  let fromEnd = 0;
  while (fromEnd < a.length - first && a[a.length - 1 - fromEnd] === b[b.length - 1 - fromEnd]) fromEnd++;
  return { first: first + 1, last: b.length - fromEnd };
}

let good: RuleSet;
let workDir: string | undefined;

beforeAll(async () => {
  const loaded = await loadRuleSet(REPO_RULES, options);
  if (!loaded.ok) throw new Error(`the shipped rules do not load:\n${loaded.diagnostics.map((d) => d.message).join('\n')}`);
  good = loaded.ruleSet;
});

afterEach(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
  workDir = undefined;
});

/** A copy of the shipped rules (named rules/, as diagnostics name files) and a holder serving it. */
async function servedCopy(): Promise<{ dir: string; holder: RuleSetHolder; goodVersion: string }> {
  workDir = await mkdtemp(path.join(tmpdir(), 'broken-edits-'));
  const dir = path.join(workDir, 'rules');
  await cp(REPO_RULES, dir, { recursive: true });
  // personal_loan in the long rule form (as written before the decision tables, which keeps
  // working); micro_loan as shipped, in decision tables.
  await cp(path.join(import.meta.dirname, 'fixtures', 'rule-form', 'personal_loan.json'), path.join(dir, PERSONAL));
  const initial = await loadRuleSet(dir, options);
  if (!initial.ok) throw new Error('the copy does not load');
  const holder = new RuleSetHolder(initial.ruleSet, { rulesDir: dir, compile: (files) => compileRuleSet(files, options) });
  return { dir, holder, goodVersion: initial.ruleSet.version };
}

describe('the shipped rules', () => {
  it('compile clean, type checks included', async () => {
    expect(good.flows.size).toBeGreaterThan(0);
    const { holder, goodVersion } = await servedCopy();
    await holder.reload();
    expect(holder.lastRejection).toBeUndefined();
    expect(holder.current.version).toBe(goodVersion);
  });
});

describe('a broken edit is rejected where it was made, and the last good rules keep serving', () => {
  it('covers at least 20 kinds of edit', () => {
    expect(new Set(CORPUS.map((c) => c.kind)).size).toBe(CORPUS.length);
    expect(CORPUS.length).toBeGreaterThanOrEqual(20);
  });

  it.each(CORPUS.map((c) => [c.kind, c] as const))('%s', async (_kind, broken) => {
    const { dir, holder, goodVersion } = await servedCopy();
    const file = path.join(dir, broken.file);
    const before = await readFile(file, 'utf8');
    let lines = { first: 1, last: 1 };
    if (broken.edit === 'delete') {
      await rm(file);
    } else {
      const edited = broken.edit(before);
      expect(edited).not.toBe(before);
      await writeFile(file, edited);
      const changed = changedLines(before, edited);
      // A parser notices a missing comma at the token after it.
      lines = broken.line === 'next' ? { first: changed.last + 1, last: changed.last + 1 } : broken.line === 1 ? lines : changed;
    }

    await holder.reload();

    const rejection = holder.lastRejection;
    expect(rejection, 'the reload is rejected').toBeDefined();
    expect(holder.current.version, 'the last good set keeps serving').toBe(goodVersion);
    const diagnostics: readonly Diagnostic[] = rejection?.diagnostics ?? [];
    const expectedPath = broken.path
      .replace(/^rule:([a-z0-9-]+)/, (_m, name: string) => rulePath(before, name))
      .replace(/^row:([a-z0-9-]+)/, (_m, name: string) => rowPath(before, name))
      .replace(/^table-of:([a-z0-9-]+)/, (_m, name: string) => rowPath(before, name, true));
    const expectedFile = broken.edit === 'delete' ? broken.file : `rules/${broken.file}`;
    const found = diagnostics.find((d) => d.code === broken.code && d.path === expectedPath);
    expect(found, `a ${broken.code} at ${expectedPath} among:\n${rejection?.messages.join('\n')}`).toBeDefined();
    expect(found?.file).toBe(expectedFile);
    const line = found?.line ?? 0;
    expect(line >= lines.first && line <= lines.last, `line ${line} is the edited line (${lines.first}–${lines.last})`).toBe(true);
    expect(found?.message).toContain(broken.message);
    // An edit does not make other files look broken, unless they use what it took away.
    if (!broken.cascades) expect(new Set(diagnostics.map((d) => d.file))).toEqual(new Set([expectedFile]));
    // As GET /rules and the log show it: file:line:col json.path: message.
    expect(rejection?.messages).toContain(`${expectedFile}:${line}:${found?.column} ${expectedPath || '(root)'}: ${found?.message}`);
  });

  it('loads the next good edit, which clears the rejection', async () => {
    const { dir, holder, goodVersion } = await servedCopy();
    const file = path.join(dir, PERSONAL);
    const before = await readFile(file, 'utf8');
    await writeFile(file, after('"name": "age-below-minimum"', '"value": 21', '"value": "twenty-one"')(before));
    await holder.reload();
    expect(holder.lastRejection).toBeDefined();
    await writeFile(file, after('"name": "age-below-minimum"', '"value": 21', '"value": 22')(before));
    await holder.reload();
    expect(holder.lastRejection).toBeUndefined();
    expect(holder.current.version).not.toBe(goodVersion);
  });
});
