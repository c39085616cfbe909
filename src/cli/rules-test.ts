// npm run rules:test [rulesDir]: runs every case in <rulesDir>/tests/*.json through the real
// flows and stage providers, and prints one line per case. Exit 1 if any case fails.
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import caseSchema from '../../rules/schema/test-case.schema.json' with { type: 'json' };
import { buildApplicationSchema } from '../decision/application';
import { standardProviders } from '../decision/stages';
import { runRuleTestCase, type RuleTestCase } from '../decision/rule-tests';
import { ApiError } from '../http/errors';
import { compileValidator } from '../http/validation';
import { IdentifierProtector } from '../identity/identifiers';
import { formatDiagnostic } from '../rules/diagnostics';
import { loadRuleSet } from '../rules/load';
import { MODEL_INPUT_FIELDS } from '../rules/facts';
import { loadCreditModel } from '../scoring/onnx-model';

const rulesDir = process.argv[2] ?? process.env.RULES_DIR ?? './rules';
const protector = new IdentifierProtector(randomBytes(32), { defaultCountryCode: process.env.DEFAULT_PHONE_COUNTRY_CODE ?? '86' });
const loaded = await loadRuleSet(rulesDir, { hashIdentifier: (type, raw) => protector.hash(type, raw) });
if (!loaded.ok) {
  for (const d of loaded.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  process.exit(1);
}

// The real credit model, so cases can expect grades and model reasons.
const modelLoad = await loadCreditModel(process.env.MODELS_DIR ?? './models', process.env.MODEL_CARD ?? 'credit-pd.card.json', MODEL_INPUT_FIELDS);
if (modelLoad.status !== 'ready') process.stderr.write(`warning: ${modelLoad.detail}; cases run with the scoring stage's fallback\n`);
const model = modelLoad.status === 'ready' ? modelLoad.model : undefined;

const validateCase = new Ajv({ allErrors: true, strict: false }).compile(caseSchema);
const validateApplication = compileValidator(buildApplicationSchema());
const testsDir = path.join(rulesDir, 'tests');
const files = (await readdir(testsDir)).filter((f) => f.endsWith('.json')).sort();
let passed = 0;
let failed = 0;
for (const file of files) {
  const shown = `${path.basename(rulesDir)}/tests/${file}`;
  const problems: string[] = [];
  let testCase: RuleTestCase | undefined;
  try {
    const value: unknown = JSON.parse(await readFile(path.join(testsDir, file), 'utf8'));
    if (!validateCase(value)) problems.push(...(validateCase.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}`));
    else {
      const candidate = value as unknown as RuleTestCase;
      validateApplication(candidate.application);
      testCase = candidate;
    }
  } catch (err) {
    if (err instanceof ApiError) problems.push(...(err.details ?? []).map((d) => `application.${d.path}: ${d.message}`));
    else problems.push((err as Error).message);
  }
  if (testCase) {
    const result = await runRuleTestCase(testCase, {
      ruleSet: loaded.ruleSet,
      protector,
      providers: (velocity, exposure, clock) => standardProviders({ velocity, exposure, clock, scoring: { model: () => model, unavailableReason: () => modelLoad.detail } }),
    });
    problems.push(...result.failures);
    if (problems.length === 0) {
      passed++;
      process.stdout.write(`ok    ${shown}  ${result.outcome} (${result.approvalLevel}) [${result.reasons.join(', ')}]\n`);
      continue;
    }
  }
  failed++;
  process.stdout.write(`FAIL  ${shown}\n${problems.map((p) => `        ${p}\n`).join('')}`);
}
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 || files.length === 0 ? 1 : 0);
