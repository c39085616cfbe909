// npm run backtest -- --rules DIR [--from ISO] [--to ISO] [--product P] [--region R] [--threads N] [--json] [--data-dir DIR]
// What a candidate rule folder would have done to the stored decisions of a period (or all): each
// decided again from its record (src/decision/backtest.ts) and compared, per product and region,
// split between as many threads as the machine has cores (src/decision/backtest-run.ts).
// A candidate with errors is refused with the diagnostics rules:check prints. Reads the store
// only, from connections that never write: beside a running service, or on a copy of its store.
// Exit codes: 0 done, 1 the candidate has errors or the backtest failed, 2 usage, 78 the store is unreadable or refuses the key.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { identifierKey } from '../config/identifier-key';
import { loadSettings } from '../config/settings';
import { applicationSchemaFor } from '../decision/application';
import type { BacktestReport, BacktestSide } from '../decision/backtest';
import { CandidateRulesInvalid, runBacktest } from '../decision/backtest-run';
import { IdentifierProtector } from '../identity/identifiers';
import { compileRuleSet } from '../rules/compile';
import { formatDiagnostic } from '../rules/diagnostics';
import { MODEL_INPUT_FIELDS } from '../rules/facts';
import { readRuleFiles } from '../rules/load';
import { cardOf, loadCreditModel } from '../scoring/onnx-model';
import { ALL_TIME, HistoryReader } from '../store/history-reader';

const USAGE = 'usage: npm run backtest -- --rules DIR [--from 2026-01-01] [--to 2026-04-01] [--product personal_loan] [--region east] [--threads N] [--json] [--data-dir DIR]';

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

let values: { rules?: string; from?: string; to?: string; product?: string; region?: string; threads?: string; json?: boolean; 'data-dir'?: string };
try {
  values = parseArgs({
    options: {
      rules: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      product: { type: 'string' },
      region: { type: 'string' },
      threads: { type: 'string' },
      json: { type: 'boolean' },
      'data-dir': { type: 'string' },
    },
  }).values;
} catch (err) {
  fail(`${(err as Error).message}\n${USAGE}`);
}
if (!values.rules) fail(`--rules: the candidate rule folder is required\n${USAGE}`);
const instant = (name: 'from' | 'to', fallback: number): number => {
  const text = values[name];
  if (text === undefined) return fallback;
  const at = Date.parse(text);
  if (Number.isNaN(at)) fail(`--${name} ${text}: not a date (ISO 8601)\n${USAGE}`);
  return at;
};
const from = instant('from', ALL_TIME.from);
const to = instant('to', ALL_TIME.to);
const threads = values.threads === undefined ? availableParallelism() : Number(values.threads);
if (!Number.isInteger(threads) || threads < 1 || threads > 64) fail(`--threads ${values.threads}: a whole number from 1 to 64\n${USAGE}`);

const settings = loadSettings({ ...process.env, ...(values['data-dir'] ? { DATA_DIR: values['data-dir'] } : {}) });
const storeFile = path.join(settings.dataDir, 'audit.db');
// The store is read from connections that never write, so the service may keep running.
let keys: Buffer[];
try {
  const reader = new HistoryReader(storeFile);
  try {
    // The candidate's lists hash with the store's key (and its chain after a rekey), as the service's do.
    keys = reader.identifierKeys(identifierKey(settings), settings.identifierHashKey ? 'IDENTIFIER_HASH_KEY' : path.join(settings.dataDir, 'identifier-hash.key')).keys;
  } finally {
    reader.close();
  }
} catch (err) {
  fail((err as Error).message, 78);
}
const protector = new IdentifierProtector(keys, { defaultCountryCode: settings.defaultPhoneCountryCode });
const card = cardOf(await loadCreditModel(settings.modelsDir, settings.modelCard, MODEL_INPUT_FIELDS));
const files = await readRuleFiles(values.rules);
// Checked here first, for rules:check's diagnostics with the folder's own paths before any thread starts.
const compiled = compileRuleSet(files, { hashIdentifier: (type, raw) => protector.hash(type, raw), applicationSchema: applicationSchemaFor(card) });
if (!compiled.ok) {
  for (const d of compiled.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  fail(`the candidate rules in ${values.rules} have ${compiled.diagnostics.length} error(s); nothing was backtested`, 1);
}

let result: Awaited<ReturnType<typeof runBacktest>>;
try {
  result = await runBacktest(
    { storeFile, files, keys, defaultCountryCode: settings.defaultPhoneCountryCode, card, filter: { from, to, ...(values.product ? { product: values.product } : {}), ...(values.region ? { region: values.region } : {}) } },
    { threads, lowPriority: false },
  );
} catch (err) {
  if (err instanceof CandidateRulesInvalid) {
    for (const d of err.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    fail(`the candidate rules in ${values.rules} have ${err.diagnostics.length} error(s); nothing was backtested`, 1);
  }
  fail((err as Error).message, 1);
}

if (values.json) {
  process.stdout.write(`${JSON.stringify({ ...result.report, seconds: result.seconds, threads: result.threads, changedSample: result.changedSample })}\n`);
} else {
  process.stdout.write(render(result.report, result.seconds, result.changedSample));
}

function render(r: BacktestReport, s: number, sample: readonly string[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const money = (x: number) => Math.round(x).toLocaleString('en');
  const bad = (x: BacktestSide) => (x.badRate === null ? 'n/a' : `${pct(x.badRate)} of ${x.outcomesKnown}`);
  const out: string[] = [`candidate ${r.candidate}: ${r.decisions.toLocaleString('en')} decisions backtested in ${s.toFixed(1)} s, ${r.changed.toLocaleString('en')} change outcome${r.skipped ? ` (${r.skipped} skipped: imported or stored whole)` : ''}`];
  for (const g of r.groups) {
    out.push('', `${g.product} / ${g.region}: ${g.decisions.toLocaleString('en')} decisions, ${g.changed} change`);
    const outcomes = ['approve', 'review', 'decline'];
    out.push(`  ${'stored \\ candidate'.padEnd(20)}${outcomes.map((o) => o.padStart(10)).join('')}`);
    for (const fromOutcome of outcomes) out.push(`  ${fromOutcome.padEnd(20)}${outcomes.map((o) => String(g.transitions[`${fromOutcome}->${o}`] ?? 0).padStart(10)).join('')}`);
    out.push(`  ${''.padEnd(20)}${'stored'.padStart(16)}${'candidate'.padStart(16)}`);
    out.push(`  ${'approval rate'.padEnd(20)}${pct(g.before.approvalRate).padStart(16)}${pct(g.after.approvalRate).padStart(16)}`);
    out.push(`  ${'approved amount'.padEnd(20)}${money(g.before.approvedAmount).padStart(16)}${money(g.after.approvedAmount).padStart(16)}`);
    out.push(`  ${'expected loss'.padEnd(20)}${money(g.before.expectedLoss).padStart(16)}${money(g.after.expectedLoss).padStart(16)}`);
    out.push(`  ${'bad rate (known)'.padEnd(20)}${bad(g.before).padStart(16)}${bad(g.after).padStart(16)}`);
    const levels = (x: BacktestSide) => Object.entries(x.approvalLevels).sort().map(([k, v]) => `${k} ${v}`).join(', ');
    out.push(`  approval levels: stored ${levels(g.before)}; candidate ${levels(g.after)}`);
    const reasons = (m: Readonly<Record<string, number>>) => Object.entries(m).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ') || 'none';
    out.push(`  reasons appearing: ${reasons(g.reasonsAppearing)}`, `  reasons vanishing: ${reasons(g.reasonsVanishing)}`);
  }
  out.push('', 'exposure of the approved book by region (candidate limit):');
  for (const e of r.exposure) out.push(`  ${e.region.padEnd(12)} stored ${money(e.before).padStart(14)}  candidate ${money(e.after).padStart(14)}  limit ${money(e.limit).padStart(14)}${e.after > e.limit ? '  OVER' : ''}`);
  if (sample.length) out.push('', `some decisions that change (POST /decisions/:id/replay, GET /decisions/:id): ${sample.join(', ')}`);
  return `${out.join('\n')}\n`;
}
