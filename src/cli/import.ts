// npm run import -- <file.ndjson> [--batch 5000]: loads past applications (one /decide body plus
// submittedAt, and optionally outcome, reasons and label, per line) into the audit store of
// DATA_DIR, with the service stopped (it owns the store while it runs; POST /history feeds a
// running one). The file is checked whole first: any bad line is reported with its number and
// nothing is written. Then it loads in batches, each committed with the file's progress, so an
// interrupted import resumes after the last committed line and a finished one is not loaded twice.
// Exit codes: 0 loaded (or already loaded), 1 bad lines, 2 usage, 78 bad settings, store in use, or
// an identifier key the store refuses (not the key it was written with; a rekey under way).
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { identifierKey } from '../config/identifier-key';
import { loadSettings, SettingsError } from '../config/settings';
import { applicationSchemaFor } from '../decision/application';
import { Worker } from 'node:worker_threads';
import { buildHistoryLineSchema, HistoryService, regionsOf } from '../decision/history';
import { fraudEvidenceReasons } from '../rules/evidence';
import type { ImportBatch, ImportBatchReply, ImportWorkerData } from './import-worker';
import { compileChecker } from '../http/validation';
import { IdentifierProtector } from '../identity/identifiers';
import { formatDiagnostic } from '../rules/diagnostics';
import { loadRuleSet } from '../rules/load';
import { MODEL_INPUT_FIELDS } from '../rules/facts';
import { parseModelCard } from '../scoring/model-card';
import { AuditStore } from '../store/audit-store';
import { GraphStore } from '../store/graph-store';
import { checkStoreIdentifierKey } from '../store/identifier-key-chain';

const MAX_REPORTED = 100;
const args = process.argv.slice(2);
const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--batch');
const batchSize = args.includes('--batch') ? Number(args[args.indexOf('--batch') + 1]) : 5000;
if (!file || !existsSync(file) || !Number.isInteger(batchSize) || batchSize < 1) {
  process.stderr.write('usage: npm run import -- <file.ndjson> [--batch 5000]   (each line: a /decide body plus "submittedAt", optional "outcome", "reasons", "label")\n');
  process.exit(2);
}

let settings;
try {
  settings = loadSettings(process.env);
} catch (err) {
  if (err instanceof SettingsError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(78);
  }
  throw err;
}

// A replica's store is a copy of the shared database: decisions written into it alone would be
// missing from PostgreSQL and every other replica. Replicas take history through the service.
if (settings.databaseUrl) {
  process.stderr.write('DATABASE_URL is set: replicas sharing PostgreSQL take history through POST /history on any replica (all or nothing across replicas); npm run import writes one instance\'s embedded store\n');
  process.exit(78);
}

const key = identifierKey(settings, (f) => process.stderr.write(`generated a development identifier hash key in ${f}\n`));
// The same check as the service's: the store's key fingerprint (recorded if there is none yet), and
// after a rekey the chain of earlier keys to hash through.
let keys: Buffer[];
try {
  mkdirSync(settings.dataDir, { recursive: true });
  keys = checkStoreIdentifierKey(path.join(settings.dataDir, 'audit.db'), key, settings.identifierHashKey ? 'IDENTIFIER_HASH_KEY' : path.join(settings.dataDir, 'identifier-hash.key')).keys;
} catch (err) {
  const message = (err as Error).message;
  process.stderr.write(`${message}${/in use by another process/.test(message) ? ': stop the service to import a file, or send the lines to its POST /history' : ''}\n`);
  process.exit(78);
}
const protector = new IdentifierProtector(keys, { defaultCountryCode: settings.defaultPhoneCountryCode });
const loaded = await loadRuleSet(settings.rulesDir, { hashIdentifier: (type, raw) => protector.hash(type, raw) });
if (!loaded.ok) {
  process.stderr.write(`rules in ${settings.rulesDir} are invalid:\n  ${loaded.diagnostics.map(formatDiagnostic).join('\n  ')}\n`);
  process.exit(78);
}
const ruleSet = loaded.ruleSet;
const cardFile = path.join(settings.modelsDir, settings.modelCard);
const parsedCard = existsSync(cardFile) ? parseModelCard(JSON.parse(readFileSync(cardFile, 'utf8')), MODEL_INPUT_FIELDS) : undefined;
const card = parsedCard && 'card' in parsedCard ? parsedCard.card : undefined;
const historyLineSchema = buildHistoryLineSchema(applicationSchemaFor(card));
const validate = compileChecker(historyLineSchema);

let store: AuditStore;
try {
  mkdirSync(settings.dataDir, { recursive: true });
  store = new AuditStore(path.join(settings.dataDir, 'audit.db'));
  store.reserveCache(512);
} catch (err) {
  const message = (err as Error).message;
  process.stderr.write(`${message}${/in use by another process/.test(message) ? ': stop the service to import a file, or send the lines to its POST /history' : ''}\n`);
  process.exit(78);
}
const history = new HistoryService({ store, labels: new GraphStore(store.database), protector, ruleSet: () => ruleSet, clock: Date.now, validate });
const name = path.basename(file);

/** Every line of the file with its number (1-based), blank lines skipped. */
async function* lines(): AsyncGenerator<{ number: number; text: string }> {
  let number = 0;
  for await (const text of createInterface({ input: createReadStream(file as string), crlfDelay: Infinity })) {
    number++;
    if (text.trim() !== '') yield { number, text };
  }
}

function parse(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    return { error: `not valid JSON: ${(err as Error).message}` };
  }
}

const progressBar = (label: string, total: number) => {
  const started = performance.now();
  let shownAt = -1;
  return (done: number, final = false) => {
    const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
    if (!final && (process.stderr.isTTY ? pct === shownAt : pct < shownAt + 10)) return;
    shownAt = pct;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const bar = '#'.repeat(Math.floor(pct / 5)).padEnd(20, '-');
    const text = `${label} [${bar}] ${String(pct).padStart(3)}% ${done.toLocaleString('en')}/${total.toLocaleString('en')} lines ${seconds} s`;
    process.stderr.write(process.stderr.isTTY ? `\r${text}${final ? '\n' : ''}` : `${text}\n`);
  };
};

// Pass 1: check every line (schema, product, time, duplicates in the file and against the store).
const hash = createHash('sha256');
const seen = new Map<string, string>();
const problems: string[] = [];
let problemLines = 0;
let total = 0;
for await (const { number, text } of lines()) {
  hash.update(text).update('\n');
  total++;
  const parsed = parse(text);
  const checked = 'error' in parsed ? { problems: [{ path: '(line)', message: parsed.error }] } : history.check(parsed.value);
  let found = 'problems' in checked ? checked.problems.map((p) => `${p.path}: ${p.message}`) : [];
  if ('record' in checked) {
    const { record } = checked;
    // NOTE: in the file, lines are compared by their text (a cheap native hash): the canonical
    // fingerprint (a JSON walk and an HMAC) is only needed against what the store holds.
    const key = createHash('sha256').update(text).digest('base64').slice(0, 16);
    const earlier = seen.get(record.line.applicationId);
    if (earlier !== undefined && earlier !== key) found = [`applicationId: "${record.line.applicationId}" appears on an earlier line with a different body`];
    else if (history.conflictsWithStore(record)) found = [`applicationId: "${record.line.applicationId}" is already recorded with a different body`];
    seen.set(record.line.applicationId, key);
  }
  if (found.length > 0) {
    problemLines++;
    if (problems.length < MAX_REPORTED) problems.push(...found.map((f) => `${name}:${number}: ${f}`));
  }
}
seen.clear();
if (problemLines > 0) {
  process.stderr.write(`${problems.slice(0, MAX_REPORTED).join('\n')}\n`);
  if (problemLines > MAX_REPORTED) process.stderr.write(`… and more\n`);
  process.stderr.write(`${problemLines.toLocaleString('en')} of ${total.toLocaleString('en')} lines have problems; nothing was imported\n`);
  store.close();
  process.exit(1);
}

// Pass 2: load in batches, resuming after the last committed line of an earlier run of this file.
const importId = hash.digest('hex');
const before = store.historyImport(importId);
if (before?.finishedAt) {
  process.stderr.write(`${name} (${importId.slice(0, 12)}) was imported in full on ${new Date(before.finishedAt).toISOString()}; nothing to do\n`);
  store.close();
  process.exit(0);
}
await store.commit(() => store.startHistoryImport(importId, name, total, Date.now()));
// Built once at the end from sorted entries, not row by row in hash order (six times slower).
const rebuildSearchIndex = store.suspendIdentifierSearchIndex();
const resumeAfter = before?.linesDone ?? 0;
if (resumeAfter > 0) process.stderr.write(`resuming ${name} after line ${resumeAfter.toLocaleString('en')}\n`);
const show = progressBar('import', total);
const source = `import ${name}`;
const workerData: ImportWorkerData = {
  keys: keys.map((k) => new Uint8Array(k)),
  defaultCountryCode: settings.defaultPhoneCountryCode,
  schema: historyLineSchema,
  products: [...ruleSet.flows.keys()],
  regions: regionsOf(ruleSet),
  fraudEvidence: [...fraudEvidenceReasons(ruleSet)],
  source,
  importedAt: Date.now(),
  now: Date.now(),
};
const worker = import.meta.url.endsWith('.ts')
  ? new Worker(new URL('../graph/ts-worker-boot.mjs', import.meta.url), { workerData: { ...workerData, entry: new URL('./import-worker.ts', import.meta.url).href } })
  : new Worker(new URL('./import-worker.js', import.meta.url), { workerData });
const replies = new Map<number, (reply: ImportBatchReply) => void>();
worker.on('message', (reply: ImportBatchReply) => replies.get(reply.id)?.(reply));
worker.on('error', (err) => {
  process.stderr.write(`import worker failed: ${err.message}\n`);
  process.exit(1);
});
let nextId = 0;
const prepare = (lines: ImportBatch['lines']) =>
  new Promise<ImportBatchReply>((resolve) => {
    const id = nextId++;
    replies.set(id, (reply) => {
      replies.delete(id);
      resolve(reply);
    });
    worker.postMessage({ id, lines } satisfies ImportBatch);
  });

// The worker prepares batch k + 1 while batch k commits: at most two batches in flight.
let imported = 0;
let present = 0;
let done = resumeAfter;
let pending: { readonly reply: Promise<ImportBatchReply>; readonly lastLine: number; readonly size: number } | undefined;
const commit = async (batch: NonNullable<typeof pending>, finished: boolean) => {
  const reply = await batch.reply;
  if ('error' in reply) throw new Error(`${name}: ${reply.error}`);
  const result = await history.commitPrepared(reply.prepared, source, { importId, linesDone: batch.lastLine, finished });
  imported += result.imported;
  present += result.alreadyPresent;
  done += batch.size;
  show(done);
};
let batchLines: { number: number; text: string }[] = [];
let lastLine = resumeAfter;
for await (const line of lines()) {
  if (line.number <= resumeAfter) continue;
  batchLines.push(line);
  lastLine = line.number;
  if (batchLines.length >= batchSize) {
    const next = { reply: prepare(batchLines), lastLine, size: batchLines.length };
    batchLines = [];
    if (pending) await commit(pending, false);
    pending = next;
  }
}
const last = { reply: prepare(batchLines), lastLine, size: batchLines.length };
if (pending) await commit(pending, false);
await commit(last, true);
show(done, true);
await worker.terminate();
const indexing = performance.now();
rebuildSearchIndex();
process.stderr.write(`identifier search index built in ${((performance.now() - indexing) / 1000).toFixed(1)} s\n`);
store.close();
process.stdout.write(`${name}: ${imported.toLocaleString('en')} applications imported, ${present.toLocaleString('en')} already present; start the service to serve them\n`);
