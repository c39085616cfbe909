// npm run replay -- [--from ISO] [--to ISO] [--data-dir DIR] [--json] [--show N]
// Decides every stored decision of a period again from its record, against the archived rule
// set it was made with (src/decision/replay.ts), and reports the share reproduced (the target is
// 100 %) with each difference found. With the service stopped (its lock on the store tells), or
// on a copy of the store. Nothing is written.
// Exit codes: 0 every replayable decision reproduced, 4 some did not, 2 usage, 78 the store is
// in use, 1 anything else.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadSettings } from '../config/settings';
import { applicationSchemaFor } from '../decision/application';
import { isDecisionRecord, protectedIdentifiersOf } from '../decision/record';
import { replayDecision, type ReplayDifference } from '../decision/replay';
import { RuleSetVersions } from '../decision/rule-set-versions';
import { compileRuleSet } from '../rules/compile';
import { MODEL_INPUT_FIELDS } from '../rules/facts';
import { cardOf, loadCreditModel } from '../scoring/onnx-model';
import { AuditStore, PURGED_IDENTIFIER } from '../store/audit-store';

const USAGE = 'usage: npm run replay -- [--from 2026-01-01] [--to 2026-04-01] [--data-dir DIR] [--json] [--show 10]';
const PAGE = 500;

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

let values: { from?: string; to?: string; 'data-dir'?: string; json?: boolean; show?: string };
try {
  values = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' }, 'data-dir': { type: 'string' }, json: { type: 'boolean' }, show: { type: 'string' } } }).values;
} catch (err) {
  fail(`${(err as Error).message}\n${USAGE}`);
}
const instant = (name: 'from' | 'to', fallback: number): number => {
  const text = values[name];
  if (text === undefined) return fallback;
  const at = Date.parse(text);
  if (Number.isNaN(at)) fail(`--${name} ${text}: not a date (ISO 8601, e.g. 2026-01-01 or 2026-01-01T09:00:00Z)\n${USAGE}`);
  return at;
};
const from = instant('from', Number.MIN_SAFE_INTEGER);
const to = instant('to', Number.MAX_SAFE_INTEGER);
if (from >= to) fail(`--from must be before --to\n${USAGE}`);
const show = Number(values.show ?? 10);
if (!Number.isInteger(show) || show < 0 || show > 1000) fail(`--show ${values.show}: a whole number from 0 to 1000\n${USAGE}`);

const settings = loadSettings({ ...process.env, ...(values['data-dir'] ? { DATA_DIR: values['data-dir'] } : {}) });
let store: AuditStore;
try {
  store = new AuditStore(path.join(settings.dataDir, 'audit.db'));
} catch (err) {
  const message = (err as Error).message;
  fail(`${message}${/in use by another process/.test(message) ? ': stop the service, or replay a copy of the store' : ''}`, /in use by another process/.test(message) ? 78 : 1);
}
// Archived rule sets compile as the service compiles them: checked against the request schema of
// the credit model's card; their lists already hold hashes (no raw identifier, no key needed).
const modelLoad = await loadCreditModel(settings.modelsDir, settings.modelCard, MODEL_INPUT_FIELDS);
const applicationSchema = applicationSchemaFor(cardOf(modelLoad));
const versions = new RuleSetVersions({
  store,
  compile: (files) =>
    compileRuleSet(files, {
      applicationSchema,
      hashIdentifier: () => {
        throw new Error('an archived list holds raw entries');
      },
    }),
  clock: Date.now,
});

const started = performance.now();
const counts = { decisions: 0, replayed: 0, reproduced: 0, notReplayable: 0, missingRules: 0 };
const byField = new Map<string, number>();
const missing = new Set<string>();
const examples: { decisionId: string; differences: readonly ReplayDifference[] }[] = [];
let after: Parameters<AuditStore['decisionsBetween']>[2];
do {
  const page = store.decisionsBetween(from, to, after, PAGE);
  for (const stored of page.decisions) {
    counts.decisions++;
    // Imported history and decisions stored whole (before lean records) hold no record to replay.
    if (!isDecisionRecord(stored.document)) {
      counts.notReplayable++;
      continue;
    }
    const record = stored.document;
    const ruleSet = await versions.ofVersion(record.versions.rules);
    if (!ruleSet) {
      counts.missingRules++;
      missing.add(record.versions.rules);
      continue;
    }
    const report = await replayDecision(record, protectedIdentifiersOf(record, store.identifierHashes(stored.applicationId), PURGED_IDENTIFIER), ruleSet);
    counts.replayed++;
    if (report.reproduced) counts.reproduced++;
    else {
      for (const d of report.differences) byField.set(d.field, (byField.get(d.field) ?? 0) + 1);
      if (examples.length < show) examples.push({ decisionId: report.decisionId, differences: report.differences });
    }
  }
  after = page.next;
} while (after);
await store.close();

const share = counts.replayed > 0 ? counts.reproduced / counts.replayed : 1;
const seconds = (performance.now() - started) / 1000;
if (values.json) {
  process.stdout.write(`${JSON.stringify({ ...counts, share, seconds, differencesByField: Object.fromEntries(byField), missingRuleSets: [...missing], examples })}\n`);
} else {
  const period = `${values.from ?? 'the first decision'} to ${values.to ?? 'the last'}`;
  process.stdout.write(
    [
      `replayed ${counts.replayed.toLocaleString('en')} of ${counts.decisions.toLocaleString('en')} decisions from ${period} in ${seconds.toFixed(1)} s`,
      `reproduced ${counts.reproduced.toLocaleString('en')} (${(100 * share).toFixed(2)} %; target 100 %)`,
      ...(counts.notReplayable > 0 ? [`not replayable: ${counts.notReplayable} (imported history, or stored whole before lean records)`] : []),
      ...(counts.missingRules > 0 ? [`rules not archived: ${counts.missingRules} decisions, rule sets ${[...missing].join(', ')} (never replayed on other rules)`] : []),
      ...[...byField].map(([field, n]) => `  differing ${field}: ${n}`),
      ...examples.map((e) => `  ${e.decisionId}: ${e.differences.map((d) => `${d.field}${d.stage ? ` (${d.stage})` : ''} stored ${JSON.stringify(d.stored)} replayed ${JSON.stringify(d.replayed)}`).join('; ')}`),
    ].join('\n') + '\n',
  );
}
process.exit(counts.reproduced === counts.replayed && counts.missingRules === 0 ? 0 : 4);
