// npm run rules:test [rulesDir]: runs every case in <rulesDir>/tests/*.json through the real
// flows, stage providers and credit model (src/decision/rule-tests.ts), and prints one line per
// passing case; for a failing one, why, every rule that fired, the reasons given and the facts per
// stage; for a case that cannot run, its problems as file:line:col json.path: message. Then the
// rule coverage (npm run rules:check lists the rules no case fires). Exit 1 if any case fails.
import { randomBytes } from 'node:crypto';
import { formatCoverageSummary, formatRuleTestResult, formatUnreadableCase, runRuleTests } from '../decision/rule-tests';
import { applicationSchemaFor } from '../decision/application';
import { IdentifierProtector } from '../identity/identifiers';
import { formatDiagnostic } from '../rules/diagnostics';
import { MODEL_INPUT_FIELDS } from '../rules/facts';
import { loadRuleSet } from '../rules/load';
import { cardOf, loadCreditModel } from '../scoring/onnx-model';

const rulesDir = process.argv[2] ?? process.env.RULES_DIR ?? './rules';
const protector = new IdentifierProtector(randomBytes(32), { defaultCountryCode: process.env.DEFAULT_PHONE_COUNTRY_CODE ?? '86' });
// The credit model first: its card's categories are what rules on the applicant are checked against, as in the service.
const model = await loadCreditModel(process.env.MODELS_DIR ?? './models', process.env.MODEL_CARD ?? 'credit-pd.card.json', MODEL_INPUT_FIELDS);
const loaded = await loadRuleSet(rulesDir, { hashIdentifier: (type, raw) => protector.hash(type, raw), applicationSchema: applicationSchemaFor(cardOf(model)) });
if (!loaded.ok) {
  for (const d of loaded.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  process.exit(1);
}
if (model.status !== 'ready') process.stderr.write(`warning: ${model.detail}; cases run with the scoring stage's fallback\n`);

const run = await runRuleTests(rulesDir, { ruleSet: loaded.ruleSet, protector, model });
for (const unreadable of run.unreadable) process.stdout.write(formatUnreadableCase(unreadable));
for (const result of run.results) process.stdout.write(formatRuleTestResult(result));
const passed = run.results.filter((r) => r.failures.length === 0).length;
const failed = run.results.length - passed + run.unreadable.length;
process.stdout.write(`\n${passed} passed, ${failed} failed\n${formatCoverageSummary(run.coverage)}`);
process.exit(failed > 0 || run.results.length === 0 ? 1 : 0);
