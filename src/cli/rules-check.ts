// npm run rules:check [rulesDir]: validates the rule set the way the service loads it and
// prints positioned errors (file:line:col json.path: message). Exit 1 on any error.
import { randomBytes } from 'node:crypto';
import { IdentifierProtector } from '../identity/identifiers';
import { formatDiagnostic } from '../rules/diagnostics';
import { loadRuleSet } from '../rules/load';

const rulesDir = process.argv[2] ?? process.env.RULES_DIR ?? './rules';
// Lists are hashed at load; any key will do for a check.
const protector = new IdentifierProtector(randomBytes(32), { defaultCountryCode: process.env.DEFAULT_PHONE_COUNTRY_CODE ?? '86' });
const result = await loadRuleSet(rulesDir, { hashIdentifier: (type, raw) => protector.hash(type, raw) });
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
