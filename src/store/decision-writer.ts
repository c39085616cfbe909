// How a decision's rows reach the audit store: the decision, its identifier rows and its exposure
// reservation, as plain data. The service sends them to a worker thread that owns a connection of
// its own and group-commits every decision that arrives while the previous commit syncs, each in
// its own savepoint, so /decide never waits on SQLite or the disk on the event loop. Tools and
// store tests run the same statements inline, on the store's own connection.
//
// NOTE: this file is also the worker's entry, loaded by Node itself (type stripping from source,
// or compiled JavaScript from dist): it imports only Node, better-sqlite3, its JSON dictionary and types.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import Database from 'better-sqlite3';
import recordDictionary from './record-dictionary.json' with { type: 'json' };

/** One decision's rows, ready to insert (the document already serialised). */
export interface DecisionWrite {
  readonly decision: {
    readonly decisionId: string;
    readonly applicationId: string;
    readonly requestFingerprint: string;
    readonly product: string;
    readonly region: string;
    readonly outcome: string;
    readonly rulesVersion: string;
    readonly decidedAt: number;
    readonly document: string;
    readonly status: string;
    readonly fraudEvidence: 0 | 1;
    readonly source: string;
    readonly caller: string | null;
    /** The approval level the decision needs (the review queue's filter); null for imported history. */
    readonly approvalLevel: string | null;
  };
  readonly identifiers: readonly { readonly type: string; readonly hash: string; readonly masked: string }[];
  readonly reservation?: {
    readonly decisionId: string;
    readonly region: string;
    readonly product: string;
    readonly amount: number;
    readonly pd: number | null;
    readonly reservedAt: number;
    readonly expiresAt: number;
  };
}

/** What a product's challenger flow decided beside the champion's decision (shadow mode). */
export interface ShadowRow {
  readonly decisionId: string;
  readonly product: string;
  readonly region: string;
  readonly decidedAt: number;
  readonly championOutcome: string;
  /** The challenger flow file's content hash. */
  readonly challengerVersion: string;
  /** decided; failed (it threw); timed_out (it overran its budget): the last two have no outcome. */
  readonly status: 'decided' | 'failed' | 'timed_out';
  readonly challengerOutcome: string | null;
  /** Reason codes, JSON. */
  readonly challengerReasons: string | null;
  readonly challengerApprovalLevel: string | null;
  readonly elapsedMs: number;
}

/** A shadow result, written after its decision through the same group commits. */
export interface ShadowWrite {
  readonly shadow: ShadowRow;
}

/** Anything the writer commits: a decision's rows, or a shadow result. */
export type StoreWrite = DecisionWrite | ShadowWrite;

/** Why a write (or its whole batch) did not commit: SQLite's error code and message. */
export interface WriteFailure {
  readonly code: string | undefined;
  readonly message: string;
}

export type WriterRequest = { readonly kind: 'batch'; readonly id: number; readonly writes: readonly StoreWrite[] } | { readonly kind: 'close' };

export type WriterAnswer =
  | { readonly kind: 'ready' }
  | { readonly kind: 'opened'; readonly failure: WriteFailure }
  | { readonly kind: 'committed'; readonly id: number; readonly failures: readonly (WriteFailure | null)[] }
  | { readonly kind: 'failed'; readonly id: number; readonly failure: WriteFailure };

// The document goes in compressed (the record column); the document column is left empty.
export const INSERT_DECISION_SQL = `INSERT INTO decisions (decision_id, application_id, request_fingerprint, product, region, outcome, rules_version, decided_at, document, record, status, fraud_evidence, source, caller, approval_level)
  VALUES (@decisionId, @applicationId, @requestFingerprint, @product, @region, @outcome, @rulesVersion, @decidedAt, '', @record, @status, @fraudEvidence, @source, @caller, @approvalLevel)`;

/**
 * How stored documents are compressed: raw deflate primed with a dictionary of typical decision
 * records (record-dictionary.json), so even a small record shrinks to about a fifth: the keys,
 * stage and fact names and reason texts it shares with them cost a few bytes each. The first byte
 * names the codec; a changed dictionary must be a new codec, since old rows decode with theirs.
 */
const CODEC_DEFLATE_DICTIONARY_1 = 1;
export const RECORD_DICTIONARY_1 = Buffer.from(JSON.stringify(recordDictionary));

export function encodeStoredDocument(json: string): Buffer {
  const body = deflateRawSync(json, { dictionary: RECORD_DICTIONARY_1 });
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = CODEC_DEFLATE_DICTIONARY_1;
  body.copy(out, 1);
  return out;
}

export function decodeStoredDocument(row: { readonly document: string; readonly record: Buffer | null }): string {
  if (!row.record) return row.document;
  if (row.record[0] !== CODEC_DEFLATE_DICTIONARY_1) throw new Error(`stored document in an unknown codec (${row.record[0]})`);
  return inflateRawSync(row.record.subarray(1), { dictionary: RECORD_DICTIONARY_1 }).toString('utf8');
}

export const RESERVE_SQL = `INSERT INTO exposure_reservations (decision_id, region, product, amount, pd, reserved_at, expires_at)
  VALUES (@decisionId, @region, @product, @amount, @pd, @reservedAt, @expiresAt)`;

const IDENTIFIERS_PER_STATEMENT = 8;

export type DecisionStatements = ReturnType<typeof prepareDecisionStatements>;

export function prepareDecisionStatements(db: Database.Database) {
  return {
    insert: db.prepare(INSERT_DECISION_SQL),
    // One statement per count of identifiers (1–8): a decision's identifier rows go in with one call.
    insertIdentifiers: Array.from({ length: IDENTIFIERS_PER_STATEMENT + 1 }, (_, n) =>
      n === 0
        ? undefined
        : db.prepare(`INSERT OR REPLACE INTO application_identifiers (application_id, type, hash, masked, decided_at) VALUES ${Array(n).fill('(?, ?, ?, ?, ?)').join(', ')}`),
    ),
    reserve: db.prepare(RESERVE_SQL),
    shadow: db.prepare(INSERT_SHADOW_SQL),
  };
}

const INSERT_SHADOW_SQL = `INSERT OR REPLACE INTO shadow_decisions (decision_id, product, region, decided_at, champion_outcome, challenger_version, status, challenger_outcome, challenger_reasons, challenger_approval_level, elapsed_ms)
  VALUES (@decisionId, @product, @region, @decidedAt, @championOutcome, @challengerVersion, @status, @challengerOutcome, @challengerReasons, @challengerApprovalLevel, @elapsedMs)`;

/** Inserts one write's rows with the given statements (inside the caller's transaction). */
export function insertDecisionRows(statements: DecisionStatements, write: StoreWrite): void {
  if ('shadow' in write) {
    statements.shadow.run(write.shadow);
    return;
  }
  const { decision, identifiers, reservation } = write;
  const { document, ...columns } = decision;
  statements.insert.run({ ...columns, record: encodeStoredDocument(document) });
  for (let from = 0; from < identifiers.length; from += IDENTIFIERS_PER_STATEMENT) {
    const chunk = identifiers.slice(from, from + IDENTIFIERS_PER_STATEMENT);
    statements.insertIdentifiers[chunk.length]?.run(chunk.flatMap((id) => [decision.applicationId, id.type, id.hash, id.masked, decision.decidedAt]));
  }
  if (reservation) statements.reserve.run(reservation);
}

export function failureOf(err: unknown): WriteFailure {
  const code = (err as { code?: unknown } | null)?.code;
  return { code: typeof code === 'string' ? code : undefined, message: err instanceof Error ? err.message : String(err) };
}

/**
 * One group commit: a transaction holding every write, each in its own savepoint so a failing
 * write (say, an application id stored meanwhile) fails alone. Throws when the commit itself fails.
 */
export function commitDecisionBatch(db: Database.Database, statements: DecisionStatements, writes: readonly StoreWrite[]): (WriteFailure | null)[] {
  const failures: (WriteFailure | null)[] = [];
  const one = db.transaction((write: StoreWrite) => insertDecisionRows(statements, write));
  db.transaction(() => {
    for (const write of writes) {
      try {
        one(write);
        failures.push(null);
      } catch (err) {
        failures.push(failureOf(err));
      }
    }
  }).immediate();
  return failures;
}

/** The connection settings every writer of the audit store uses: a commit is durable when it returns. */
export function openWriterConnection(file: string): Database.Database {
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

// ---- the worker thread ----

function serve(file: string): void {
  const port = parentPort;
  if (!port) return;
  let db: Database.Database;
  let statements: DecisionStatements;
  try {
    db = openWriterConnection(file);
    statements = prepareDecisionStatements(db);
  } catch (err) {
    port.postMessage({ kind: 'opened', failure: failureOf(err) } satisfies WriterAnswer);
    return;
  }
  port.on('message', (request: WriterRequest) => {
    if (request.kind === 'close') {
      db.close();
      port.close();
      return;
    }
    let answer: WriterAnswer;
    try {
      answer = { kind: 'committed', id: request.id, failures: commitDecisionBatch(db, statements, request.writes) };
    } catch (err) {
      answer = { kind: 'failed', id: request.id, failure: failureOf(err) };
    }
    port.postMessage(answer);
  });
  port.postMessage({ kind: 'ready' } satisfies WriterAnswer);
}

const role = (workerData as { role?: unknown } | null)?.role;
if (!isMainThread && role === 'decision-writer') serve((workerData as { file: string }).file);
