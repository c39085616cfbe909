// Carries a store over to a new identifier key (npm run rekey). HMAC is one-way and the raw values
// are not stored, so a hash cannot be recomputed under the new key; what can be computed is the
// old hash under the new key: h → HMAC(newKey, h) (rekeyedHash). Every stored hash is rewritten so,
// the old key joins the store's chain of earlier keys (sealed under the new key), and from then on
// the service hashes a value through the whole chain, meeting the rewritten hashes.
//
// Resumable: decisions, then identifier rows, are rewritten in keyset order in batches, each batch
// committed in one transaction with the position it reached (store_meta), so an interrupted run
// (crash, kill, --max-batches) loses at most its open batch, which rolled back whole, and a re-run
// continues from the position. While a rekey is under way the store is refused to everyone else
// (src/store/identifier-key-chain.ts). Rule lists that give precomputed hashes are rewritten (or
// deliberately kept) as the last step, recorded the same way. docs/security.md, "Key changes".
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { parse as parseJsonc } from 'jsonc-parser';
import { rekeyedHash } from '../identity/identifiers';
import { keyFingerprint, META, previousKeys, rekeyHistory, sealChain } from './identifier-key-chain';
import { decodeStoredDocument, encodeStoredDocument } from './decision-writer';
import { deleteMeta, getMeta, setMeta } from './store-meta';

const HASH = /^[0-9a-f]{64}$/;
const TRAILING_HASH = /^(.*?)([0-9a-f]{64})$/s;

export type RekeyPhase = 'decisions' | 'identifiers' | 'lists';
export type ListsMode = 'rewrite' | 'keep';

/** A rule list file rewritten (or to be): its content hash before and after. */
interface ListRewrite {
  readonly before: string;
  readonly after: string;
}

/** store_meta 'identifier_key.rekey_in_progress'. */
interface RekeyState {
  readonly v: 1;
  readonly from: string;
  readonly to: string;
  readonly startedAt: number;
  phase: RekeyPhase;
  /** Last decision_id rewritten ('' before the first). */
  decisionsAfter: string;
  /** Last (application_id, type) rewritten (null before the first). */
  identifiersAfter: [string, string] | null;
  done: { decisions: number; identifiers: number };
  lists: { mode: ListsMode | 'none'; files: Record<string, ListRewrite> };
}

export interface RekeyProgress {
  readonly phase: RekeyPhase;
  readonly done: { readonly decisions: number; readonly identifiers: number };
  readonly total: { readonly decisions: number; readonly identifiers: number };
}

export interface RekeyOptions {
  readonly oldKey: Buffer;
  readonly newKey: Buffer;
  /** Rows per transaction (default 1000). */
  readonly batchSize?: number;
  /** Stop after this many batches in this run (the rest on a re-run): work in slices, or test an interruption. */
  readonly maxBatches?: number;
  /**
   * VACUUM when done (default true), so no old hash survives in the file's free space (SQLite's
   * page rebalancing leaves copies that secure_delete does not reach). Needs free disk space of
   * about twice the store's size while it runs.
   */
  readonly vacuum?: boolean;
  /** The rules directory whose lists/*.json may give precomputed hashes, and what to do with them. */
  readonly lists?: { readonly dir: string; readonly mode?: ListsMode };
  readonly now?: () => number;
  /** Called inside each batch's transaction after its writes: a throw rolls that batch back (tests simulate a crash with it). */
  readonly inBatch?: (phase: RekeyPhase, rows: number) => void;
  readonly onProgress?: (progress: RekeyProgress) => void;
}

export type RekeyResult =
  | { readonly status: 'done'; readonly fingerprint: string; readonly decisions: number; readonly identifiers: number; readonly lists: { readonly rewritten: string[]; readonly kept: string[] } }
  | { readonly status: 'already-done'; readonly fingerprint: string }
  | ({ readonly status: 'paused' } & RekeyProgress);

/** The rekey cannot start or continue; nothing was changed by this run. */
export class RekeyError extends Error {}

/** The rekey needs a decision from its caller first (what to do with rule lists of precomputed hashes). */
export class RekeyUsageError extends RekeyError {}

/** Set when a finished rekey still has to VACUUM (a re-run does it if the first run stopped before). */
const VACUUM_PENDING = 'identifier_key.rekey_vacuum_pending';

/** Rewrites the file whole (no old page content survives) and empties the WAL. */
function compact(db: Database.Database): void {
  db.exec('VACUUM');
  db.transaction(() => deleteMeta(db, VACUUM_PENDING))();
  db.pragma('wal_checkpoint(TRUNCATE)');
}

/** The hash rewritten under `key`; anything that is not a hash ('purged', empty) stays as it is. */
const stepHash = (key: Buffer, value: string) => (HASH.test(value) ? rekeyedHash(key, value) : value);

/** A request fingerprint ('<hash>' or 'history:<hash>') rewritten under `key`. */
function stepFingerprint(key: Buffer, value: string): string {
  const m = TRAILING_HASH.exec(value);
  return m ? `${m[1]}${rekeyedHash(key, m[2] as string)}` : value;
}

/** The identifier hashes a decision document holds: request.identifiers.*.hash and facts.identifiers.*. */
function documentHashes(doc: unknown): string[] {
  const found: string[] = [];
  const d = doc as { request?: { identifiers?: Record<string, { hash?: unknown }> }; facts?: { identifiers?: Record<string, unknown> } } | null;
  for (const v of Object.values(d?.request?.identifiers ?? {})) if (typeof v?.hash === 'string') found.push(v.hash);
  for (const v of Object.values(d?.facts?.identifiers ?? {})) if (typeof v === 'string') found.push(v);
  return found;
}

/**
 * A decision document with every occurrence of its identifier hashes rewritten: they appear in the
 * request, the facts and the traced rule conditions, and a 64-hex HMAC cannot occur by chance in
 * other text, so a plain text replacement reaches them all (as purging identifiers does).
 */
export function rekeyDocument(json: string, ownHashes: Iterable<string>, key: Buffer): string {
  const hashes = new Set<string>();
  for (const h of ownHashes) if (HASH.test(h)) hashes.add(h);
  for (const h of documentHashes(JSON.parse(json))) if (HASH.test(h)) hashes.add(h);
  let out = json;
  for (const h of hashes) out = out.split(h).join(rekeyedHash(key, h));
  return out;
}

/** Rule list files (lists/*.json under the rules directory) that give precomputed hashes, with their hashes. */
export function listsWithHashes(rulesDir: string): { file: string; hashes: string[] }[] {
  const dir = path.join(rulesDir, 'lists');
  if (!existsSync(dir)) return [];
  const out: { file: string; hashes: string[] }[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.json')) continue;
    const file = path.join(dir, name);
    const value = parseJsonc(readFileSync(file, 'utf8')) as { hashes?: unknown } | undefined;
    const hashes = Array.isArray(value?.hashes) ? value.hashes.filter((h): h is string => typeof h === 'string' && HASH.test(h)) : [];
    if (hashes.length > 0) out.push({ file, hashes });
  }
  return out;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Replaces a file's content atomically (a temporary file renamed over it), keeping its mode. */
function replaceFile(file: string, text: string): void {
  const temporary = `${file}.rekey-${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: statSync(file).mode & 0o777 });
  renameSync(temporary, file);
}

/**
 * Rewrites every identifier hash and request fingerprint in the store from `oldKey` to `newKey`,
 * or continues a rekey from `oldKey` to `newKey` that was interrupted. The store must be open by
 * this process alone (AuditStore's exclusive lock: the service stopped).
 */
export function rekeyStore(db: Database.Database, options: RekeyOptions): RekeyResult {
  const { oldKey, newKey } = options;
  const now = options.now ?? Date.now;
  const batchSize = options.batchSize ?? 1000;
  const from = keyFingerprint(oldKey);
  const to = keyFingerprint(newKey);
  if (from === to) throw new RekeyError('the new key is the old key: nothing to change');

  const readState = () => {
    const text = getMeta(db, META.rekeyInProgress);
    return text === undefined ? undefined : (JSON.parse(text) as RekeyState);
  };
  const writeState = (s: RekeyState) => setMeta(db, META.rekeyInProgress, JSON.stringify(s));

  let state = readState();
  const stored = getMeta(db, META.fingerprint);
  if (state) {
    if (state.from !== from || state.to !== to) {
      throw new RekeyError(
        `a rekey of this store from key fingerprint ${state.from} to ${state.to} is under way; re-run it with those two keys ` +
          `(given: old ${from}, new ${to}). It cannot be undone part-way: finish it, or restore the backup taken before it`,
      );
    }
  } else if (stored === to) {
    if (getMeta(db, VACUUM_PENDING) !== undefined && options.vacuum !== false) compact(db);
    return { status: 'already-done', fingerprint: to };
  } else if (stored === undefined) {
    throw new RekeyError(
      'this store has no identifier key fingerprint yet (it was written before fingerprints were recorded): start the service, or run npm run import, ' +
        'once with the key it was written with (that records the fingerprint), stop it, then rekey',
    );
  } else if (stored !== from) {
    const retired = rekeyHistory(db).some((r) => r.from === from);
    throw new RekeyError(
      retired
        ? `the old key given (fingerprint ${from}) is one this store was already rekeyed away from; its current key has fingerprint ${stored}: give that as the old key`
        : `the old key given (fingerprint ${from}) is not the key this store was written with (fingerprint ${stored}): give the store's current key as the old key`,
    );
  }
  // The earlier keys, opened with the old (still current) key: checked before anything is written.
  const earlier = previousKeys(db, oldKey);

  const lists = options.lists && existsSync(options.lists.dir) ? listsWithHashes(options.lists.dir) : [];
  const rel = (file: string) => path.relative(options.lists?.dir ?? '.', file);
  if (!state) {
    if (lists.length > 0 && !options.lists?.mode) {
      throw new RekeyUsageError(
        `${lists.map((l) => `${rel(l.file)} (${l.hashes.length} hashes)`).join(', ')} in ${options.lists?.dir} give${lists.length === 1 ? 's' : ''} precomputed hashes under the old key, ` +
          'which match nothing after the rekey: pass --rewrite-lists to rewrite them in place (then commit the change to the rules repository), ' +
          'or --keep-lists if you will replace them yourself',
      );
    }
    state = {
      v: 1,
      from,
      to,
      startedAt: now(),
      phase: 'decisions',
      decisionsAfter: '',
      identifiersAfter: null,
      done: { decisions: 0, identifiers: 0 },
      lists: { mode: lists.length > 0 ? (options.lists?.mode as ListsMode) : 'none', files: {} },
    };
    const initial = state;
    db.transaction(() => writeState(initial))();
  }
  const s: RekeyState = state;

  // Deleted content is overwritten, so the old hashes do not linger in free pages.
  db.pragma('secure_delete = ON');
  const total = {
    decisions: (db.prepare('SELECT COUNT(*) AS n FROM decisions').get() as { n: number }).n,
    identifiers: (db.prepare('SELECT COUNT(*) AS n FROM application_identifiers').get() as { n: number }).n,
  };
  const progress = (): RekeyProgress => ({ phase: s.phase, done: { ...s.done }, total });
  const statements = {
    decisions: db.prepare<[string, number], { decision_id: string; application_id: string; request_fingerprint: string; document: string; record: Buffer | null }>(
      'SELECT decision_id, application_id, request_fingerprint, document, record FROM decisions WHERE decision_id > ? ORDER BY decision_id LIMIT ?',
    ),
    ownHashes: db.prepare<[string], { hash: string }>('SELECT hash FROM application_identifiers WHERE application_id = ?'),
    updateDecision: db.prepare('UPDATE decisions SET request_fingerprint = ?, document = ?, record = ? WHERE decision_id = ?'),
    firstIdentifiers: db.prepare<[number], { application_id: string; type: string; hash: string }>(
      'SELECT application_id, type, hash FROM application_identifiers ORDER BY application_id, type LIMIT ?',
    ),
    identifiers: db.prepare<[string, string, string, number], { application_id: string; type: string; hash: string }>(
      'SELECT application_id, type, hash FROM application_identifiers WHERE application_id > ? OR (application_id = ? AND type > ?) ORDER BY application_id, type LIMIT ?',
    ),
    updateIdentifier: db.prepare('UPDATE application_identifiers SET hash = ? WHERE application_id = ? AND type = ?'),
  };

  let batches = 0;
  const paused = () => options.maxBatches !== undefined && batches >= options.maxBatches;

  // Decisions first: a document's hashes are found through its application's identifier rows too,
  // which must still hold the old hashes then.
  while (s.phase === 'decisions') {
    if (paused()) return { status: 'paused', ...progress() };
    const page = statements.decisions.all(s.decisionsAfter, batchSize);
    db.transaction(() => {
      for (const d of page) {
        const own = statements.ownHashes.all(d.application_id).map((r) => r.hash);
        const json = rekeyDocument(decodeStoredDocument(d), own, newKey);
        statements.updateDecision.run(stepFingerprint(newKey, d.request_fingerprint), d.record ? '' : json, d.record ? encodeStoredDocument(json) : null, d.decision_id);
      }
      if (page.length > 0) {
        s.decisionsAfter = (page[page.length - 1] as { decision_id: string }).decision_id;
        s.done.decisions += page.length;
        options.inBatch?.('decisions', page.length);
      }
      if (page.length < batchSize) s.phase = 'identifiers';
      writeState(s);
    })();
    if (page.length > 0) batches++;
    options.onProgress?.(progress());
  }

  while (s.phase === 'identifiers') {
    if (paused()) return { status: 'paused', ...progress() };
    const after = s.identifiersAfter;
    const page = after ? statements.identifiers.all(after[0], after[0], after[1], batchSize) : statements.firstIdentifiers.all(batchSize);
    db.transaction(() => {
      for (const r of page) statements.updateIdentifier.run(stepHash(newKey, r.hash), r.application_id, r.type);
      const last = page[page.length - 1];
      if (last) {
        s.identifiersAfter = [last.application_id, last.type];
        s.done.identifiers += page.length;
        options.inBatch?.('identifiers', page.length);
      }
      if (page.length < batchSize) s.phase = 'lists';
      writeState(s);
    })();
    if (page.length > 0) batches++;
    options.onProgress?.(progress());
  }

  // Rule lists: each file's content hash before and after is recorded before it is replaced, so a
  // re-run knows a rewritten file (after) from one still to do (before) and never rewrites twice.
  const rewritten: string[] = [];
  const kept: string[] = [];
  for (const { file, hashes } of s.lists.mode === 'none' ? [] : listsWithHashes(options.lists?.dir ?? '')) {
    const name = rel(file);
    if (s.lists.mode === 'keep') {
      kept.push(name);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    const current = sha256(text);
    const recorded = s.lists.files[name];
    if (recorded?.after === current) {
      rewritten.push(name);
      continue;
    }
    if (recorded && recorded.before !== current) throw new RekeyError(`${file} changed while the rekey was under way; restore it as it was before the rekey and re-run`);
    let next = text;
    for (const h of new Set(hashes)) next = next.split(h).join(rekeyedHash(newKey, h));
    s.lists.files[name] = { before: current, after: sha256(next) };
    db.transaction(() => writeState(s))();
    replaceFile(file, next);
    rewritten.push(name);
  }
  // Lists written since the state was recorded (by another run) are already in `rewritten`.
  for (const name of Object.keys(s.lists.files)) if (!rewritten.includes(name)) rewritten.push(name);

  // Done: the old key joins the sealed chain under the new key; the new fingerprint is the store's.
  db.transaction(() => {
    setMeta(db, META.chain, JSON.stringify(sealChain([...earlier, oldKey], newKey)));
    setMeta(db, META.fingerprint, to);
    setMeta(db, META.rekeys, JSON.stringify([...rekeyHistory(db), { at: now(), from, to }]));
    deleteMeta(db, META.rekeyInProgress);
    if (options.vacuum !== false) setMeta(db, VACUUM_PENDING, String(now()));
  })();
  if (options.vacuum !== false) compact(db);
  else db.pragma('wal_checkpoint(TRUNCATE)');
  return { status: 'done', fingerprint: to, decisions: s.done.decisions, identifiers: s.done.identifiers, lists: { rewritten, kept } };
}
