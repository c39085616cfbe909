// npm run rekey -- --old-key-file F --new-key-file G [--data-dir DIR] [--rules-dir DIR]
//                  [--rewrite-lists | --keep-lists] [--batch 1000] [--max-batches N] [--no-vacuum]
// Carries the audit store of DATA_DIR over to a new identifier hash key, with the service stopped
// (its exclusive lock on the store tells). The keys come from files (or the environment variables
// OLD_IDENTIFIER_HASH_KEY and NEW_IDENTIFIER_HASH_KEY), never from the command line, where they
// would show in the process list and the shell's history. Resumable: re-run it with the same keys
// after any interruption. Then start the service with IDENTIFIER_HASH_KEY set to the new key.
// See src/store/rekey.ts and docs/security.md ("Key changes").
// Exit codes: 0 done (or done before), 2 usage, 3 paused (--max-batches; re-run to continue),
// 78 the store is in use or refuses these keys, 1 anything else.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AuditStore } from '../store/audit-store';
import { IdentifierKeyError } from '../store/identifier-key-chain';
import { RekeyError, rekeyStore, RekeyUsageError, type ListsMode, type RekeyProgress } from '../store/rekey';

const USAGE =
  'usage: npm run rekey -- --old-key-file FILE --new-key-file FILE [--data-dir DIR] [--rules-dir DIR] [--rewrite-lists | --keep-lists] [--batch 1000] [--max-batches N] [--no-vacuum]\n' +
  '       (or OLD_IDENTIFIER_HASH_KEY and NEW_IDENTIFIER_HASH_KEY in the environment instead of the key files; the service must be stopped)';

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

const OPTIONS = {
  'data-dir': { type: 'string' },
  'rules-dir': { type: 'string' },
  'old-key-file': { type: 'string' },
  'new-key-file': { type: 'string' },
  'rewrite-lists': { type: 'boolean' },
  'keep-lists': { type: 'boolean' },
  'no-vacuum': { type: 'boolean' },
  batch: { type: 'string' },
  'max-batches': { type: 'string' },
} as const;

function parse() {
  try {
    return parseArgs({ options: OPTIONS }).values;
  } catch (err) {
    const message = (err as Error).message;
    fail(/'--(old|new)-key'/.test(message) ? `keys are not taken on the command line (the process list and shell history would show them): use --old-key-file/--new-key-file or the environment\n${USAGE}` : `${message}\n${USAGE}`);
  }
}
const values = parse();

/** A key from its file (trimmed, as the service reads DATA_DIR/identifier-hash.key) or the environment. */
function readKey(which: 'old' | 'new'): Buffer {
  const file = values[`${which}-key-file`];
  const env = process.env[`${which.toUpperCase()}_IDENTIFIER_HASH_KEY`];
  if (file !== undefined && env !== undefined) fail(`give the ${which} key once: --${which}-key-file or ${which.toUpperCase()}_IDENTIFIER_HASH_KEY, not both`);
  let text: string;
  if (file !== undefined) {
    if (!existsSync(file)) fail(`--${which}-key-file ${file}: no such file`);
    text = readFileSync(file, 'utf8').trim();
  } else if (env !== undefined) text = env;
  else fail(`the ${which} key is missing\n${USAGE}`);
  if (text === '') fail(`the ${which} key is empty`);
  // The same rule as IDENTIFIER_HASH_KEY (src/config/settings.ts) for the key that will serve.
  if (which === 'new' && text.length < 32) fail('the new key must be a secret of at least 32 characters (like IDENTIFIER_HASH_KEY)');
  return Buffer.from(text, 'utf8');
}

const count = (name: 'batch' | 'max-batches', fallback: number | undefined) => {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) fail(`--${name}: expected a whole number of at least 1, got ${JSON.stringify(raw)}`);
  return n;
};

if (values['rewrite-lists'] && values['keep-lists']) fail('--rewrite-lists and --keep-lists exclude each other');
const oldKey = readKey('old');
const newKey = readKey('new');
const batchSize = count('batch', 1000) as number;
const maxBatches = count('max-batches', undefined);
const dataDir = values['data-dir'] ?? process.env.DATA_DIR ?? './data';
const rulesDir = values['rules-dir'] ?? process.env.RULES_DIR ?? './rules';
const listsMode: ListsMode | undefined = values['rewrite-lists'] ? 'rewrite' : values['keep-lists'] ? 'keep' : undefined;
const file = path.join(dataDir, 'audit.db');
// A replica's store is a copy of the shared database: rekeying it alone would leave it hashing
// apart from PostgreSQL and every other replica (which then refuses it at start).
if (process.env.DATABASE_URL) {
  fail('DATABASE_URL is set: replicas sharing PostgreSQL cannot be rekeyed by npm run rekey, which rewrites one embedded store; it works on a single instance (unset DATABASE_URL to rekey one)', 78);
}
if (!existsSync(file)) fail(`no audit store at ${file} (--data-dir or DATA_DIR)`);

let store: AuditStore;
try {
  store = new AuditStore(file);
} catch (err) {
  const message = (err as Error).message;
  fail(`${message}${/in use by another process/.test(message) ? ': stop the service before rekeying' : ''}`, 78);
}

let shownAt = 0;
const show = (p: RekeyProgress, final = false) => {
  if (!final && Date.now() - shownAt < 1000) return;
  shownAt = Date.now();
  process.stderr.write(
    `rekey: decisions ${p.done.decisions.toLocaleString('en')}/${p.total.decisions.toLocaleString('en')}, identifiers ${p.done.identifiers.toLocaleString('en')}/${p.total.identifiers.toLocaleString('en')}\n`,
  );
};

try {
  const result = rekeyStore(store.database, { oldKey, newKey, batchSize, maxBatches, vacuum: !values['no-vacuum'], lists: { dir: rulesDir, mode: listsMode }, onProgress: (p) => show(p) });
  store.close();
  if (result.status === 'already-done') {
    process.stdout.write(`${file} is already written with the new key (fingerprint ${result.fingerprint}); nothing to do\n`);
  } else if (result.status === 'paused') {
    show(result, true);
    process.stdout.write(`paused after ${maxBatches} batch(es) as asked; the store is refused to the service until the rekey finishes: re-run with the same keys to continue\n`);
    process.exit(3);
  } else {
    const { rewritten, kept } = result.lists;
    if (rewritten.length > 0) process.stdout.write(`rewrote the precomputed hashes of ${rewritten.join(', ')} in ${rulesDir}: commit the change to the rules repository\n`);
    if (kept.length > 0) process.stdout.write(`kept ${kept.join(', ')} in ${rulesDir} as they were: their hashes match nothing until you replace them (each as HMAC-SHA256(new key, old hash))\n`);
    process.stdout.write(
      `${file}: ${result.decisions.toLocaleString('en')} decisions and ${result.identifiers.toLocaleString('en')} identifiers rekeyed; the store's key is now fingerprint ${result.fingerprint}. ` +
        'Start the service with IDENTIFIER_HASH_KEY set to the new key; the old key is no longer needed (it is sealed in the store under the new one). ' +
        'Backups taken before the rekey are still readable with the old key: destroy them, or guard the old key as long as they exist.\n',
    );
    const devKey = path.join(dataDir, 'identifier-hash.key');
    if (existsSync(devKey) && readFileSync(devKey, 'utf8').trim() === oldKey.toString('utf8')) {
      process.stdout.write(`note: ${devKey} (a generated development key) is the old key; put the new key in it, or set IDENTIFIER_HASH_KEY\n`);
    }
  }
} catch (err) {
  store.close();
  if (err instanceof RekeyUsageError) fail(`rekey refused: ${err.message}`, 2);
  if (err instanceof RekeyError || err instanceof IdentifierKeyError) fail(`rekey refused: ${err.message}`, 78);
  throw err;
}
