// npm run rules:check [rulesDir] [--require-coverage]: validates the rule set the way the service
// loads it and prints positioned errors (file:line:col json.path: message); exit 1 on any error.
// Then runs the analysts' cases (src/decision/rule-tests.ts, as rules:test does) to report, as
// warnings, every rule that no case fires: `uncovered: <product>/<stage>/<rule>`. Uncovered
// rules fail the check only with --require-coverage; failing cases are rules:test's to report.
import { randomBytes } from 'node:crypto';
import { formatCoverageSummary, formatUncoveredRules, runRuleTests } from '../decision/rule-tests';
import { applicationSchemaFor } from '../decision/application';
import { IdentifierProtector } from '../identity/identifiers';
import { formatDiagnostic } from '../rules/diagnostics';
import { MODEL_INPUT_FIELDS } from '../rules/facts';
import { loadRuleSet } from '../rules/load';
import { cardOf, loadCreditModel } from '../scoring/onnx-model';

const args = process.argv.slice(2);
const requireCoverage = args.includes('--require-coverage');
const rulesDir = args.find((a) => !a.startsWith('--')) ?? process.env.RULES_DIR ?? './rules';
// Lists are hashed at load; any key will do for a check.
const protector = new IdentifierProtector(randomBytes(32), { defaultCountryCode: process.env.DEFAULT_PHONE_COUNTRY_CODE ?? '86' });
// The credit model first: its card's categories are what rules on the applicant are checked against, as in the service.
const model = await loadCreditModel(process.env.MODELS_DIR ?? './models', process.env.MODEL_CARD ?? 'credit-pd.card.json', MODEL_INPUT_FIELDS);
const result = await loadRuleSet(rulesDir, { hashIdentifier: (type, raw) => protector.hash(type, raw), applicationSchema: applicationSchemaFor(cardOf(model)) });
if (!result.ok) {
  for (const d of result.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  process.stderr.write(`\n${result.diagnostics.length} error(s) in ${rulesDir}\n`);
  process.exit(1);
}
const { ruleSet } = result;
const ruleCount = [...ruleSet.flows.values()].reduce((n, f) => n + f.stages.reduce((m, s) => m + s.rules.length, 0), 0);
process.stdout.write(
  `rules OK: version ${ruleSet.version}, ${ruleSet.files.length} files, ${ruleSet.flows.size} flows (${[...ruleSet.flows.keys()].join(', ')}), ${ruleCount} rules, ${ruleSet.reasons.size} reason codes, ${ruleSet.lists.size} lists\n`,
);

// Coverage comes from running the cases with the real credit model, as rules:test does.
if (model.status !== 'ready') process.stderr.write(`warning: ${model.detail}; cases run with the scoring stage's fallback, so coverage of scoring rules is understated\n`);
const run = await runRuleTests(rulesDir, { ruleSet, protector, model });
const notRun = run.unreadable.length;
const failing = run.results.filter((r) => r.failures.length > 0).length;
if (notRun + failing > 0) process.stderr.write(`warning: ${notRun} case file(s) could not run and ${failing} case(s) fail; npm run rules:test says why\n`);
// Warnings go to stderr, one `uncovered:` line per rule, so they can be grepped.
const uncovered = formatUncoveredRules(run.coverage);
process.stderr.write(uncovered);
process.stdout.write(formatCoverageSummary(run.coverage));
process.exit(requireCoverage && uncovered !== '' ? 1 : 0);
