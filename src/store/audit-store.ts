// The audit store: every decision, its later sign-offs and releases, and the exposure ledger,
// durably. Embedded SQLite in WAL mode with synchronous=FULL, so a committed decision survives
// a kill -9 or a power cut. Units of work arriving in the same event-loop turn share one
// transaction (group commit): one fsync acknowledges many decisions, and none is acknowledged
// before its commit. Each unit runs in its own savepoint, so one failing unit fails alone.
// New decisions take a faster road: a worker thread with its own connection commits them
// (src/store/decision-writer.ts), so the event loop never waits on their inserts or their fsync.
import Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import {
  decodeStoredDocument,
  encodeStoredDocument,
  failureOf,
  insertDecisionRows,
  prepareDecisionStatements,
  type DecisionStatements,
  type DecisionWrite,
  type ShadowRow,
  type StoreWrite,
  type WriteFailure,
  type WriterAnswer,
  type WriterRequest,
} from './decision-writer';
import type { PurgeSubject } from './retention-target';

export type DecisionStatus = 'final' | 'awaiting_review' | 'cancelled' | 'expired';

export interface DecisionRow {
  readonly decisionId: string;
  readonly applicationId: string;
  /** Keyed hash of the canonical request body: tells a retry from a conflicting reuse of the id. */
  readonly requestFingerprint: string;
  readonly product: string;
  readonly region: string;
  /** The automatic outcome. */
  readonly outcome: string;
  readonly rulesVersion: string;
  /** Epoch milliseconds. */
  readonly decidedAt: number;
  readonly identifiers: readonly { readonly type: string; readonly hash: string; readonly masked: string }[];
  /** The full decision document (JSON-serialisable; holds no raw identifier). */
  readonly document: unknown;
  /** Whether its reasons include independent fraud evidence (src/rules/evidence.ts). */
  readonly fraudEvidence: boolean;
  /** 'decided' by this service, or 'imported' history (decidedAt is then the original submission time). */
  readonly source: DecisionSource;
  /** The authenticated caller that asked for it (`key:<id>` or `user:<sub>`); null on rows stored before access control. */
  readonly caller?: string | null;
  /** The approval level the decision needs (decided ones; imported history has none). */
  readonly approvalLevel?: string | null;
  /** The document already serialised (a bulk import prepares it off the main thread); else it is serialised here. */
  readonly documentJson?: string;
}

export type DecisionSource = 'decided' | 'imported';

export interface StoredDecision extends DecisionRow {
  readonly status: DecisionStatus;
  /** The outcome now: the automatic one, or a reviewer's. */
  readonly currentOutcome: string;
}

export interface DecisionEvent {
  readonly at: number;
  readonly type: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface Reservation {
  readonly decisionId: string;
  readonly region: string;
  readonly product: string;
  readonly amount: number;
  readonly pd: number | null;
  readonly reservedAt: number;
  readonly expiresAt: number;
}

export interface LiveExposureRow {
  readonly region: string;
  readonly product: string;
  readonly amount: number;
  readonly pd: number | null;
}

const IDENTIFIER_SEARCH_INDEX_SQL = 'CREATE INDEX IF NOT EXISTS application_identifiers_by_hash ON application_identifiers (type, hash, decided_at);';

export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE decisions (
     decision_id TEXT PRIMARY KEY,
     application_id TEXT NOT NULL UNIQUE,
     request_fingerprint TEXT NOT NULL,
     product TEXT NOT NULL,
     region TEXT NOT NULL,
     outcome TEXT NOT NULL,
     rules_version TEXT NOT NULL,
     decided_at INTEGER NOT NULL,
     document TEXT NOT NULL
   ) STRICT;
   CREATE INDEX decisions_decided_at ON decisions (decided_at);
   CREATE TABLE application_identifiers (
     application_id TEXT NOT NULL,
     type TEXT NOT NULL,
     hash TEXT NOT NULL,
     masked TEXT NOT NULL,
     decided_at INTEGER NOT NULL,
     PRIMARY KEY (application_id, type)
   ) STRICT;
   CREATE INDEX application_identifiers_by_hash ON application_identifiers (type, hash, decided_at);
   CREATE INDEX application_identifiers_by_time ON application_identifiers (decided_at);`,
  // Staged approval (sign-offs) and the exposure ledger.
  `ALTER TABLE decisions ADD COLUMN status TEXT NOT NULL DEFAULT 'final';
   ALTER TABLE decisions ADD COLUMN current_outcome TEXT;
   CREATE TABLE decision_events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     decision_id TEXT NOT NULL REFERENCES decisions (decision_id),
     at INTEGER NOT NULL,
     type TEXT NOT NULL,
     detail TEXT NOT NULL
   ) STRICT;
   CREATE INDEX decision_events_by_decision ON decision_events (decision_id, seq);
   CREATE TABLE exposure_reservations (
     decision_id TEXT PRIMARY KEY REFERENCES decisions (decision_id),
     region TEXT NOT NULL,
     product TEXT NOT NULL,
     amount REAL NOT NULL CHECK (amount > 0),
     pd REAL,
     reserved_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     released_at INTEGER,
     release_reason TEXT
   ) STRICT;
   CREATE INDEX exposure_live_by_region ON exposure_reservations (region) WHERE released_at IS NULL;
   CREATE INDEX exposure_live_by_expiry ON exposure_reservations (expires_at) WHERE released_at IS NULL;`,
  // Fraud evidence per decision (cluster flags judge it against the portfolio's rate), imported
  // history, and the progress of each history import (a file loads whole, or resumes where it stopped).
  `ALTER TABLE decisions ADD COLUMN fraud_evidence INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE decisions ADD COLUMN source TEXT NOT NULL DEFAULT 'decided';
   CREATE TABLE history_imports (
     import_id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     lines INTEGER NOT NULL,
     lines_done INTEGER NOT NULL,
     started_at INTEGER NOT NULL,
     finished_at INTEGER
   ) STRICT;`,
  // The velocity rebuild finds recent identifiers through decisions (indexed by time) instead:
  // one index fewer to maintain on the largest table (six rows per application).
  `DROP INDEX application_identifiers_by_time;`,
  // Identifier rows keyed by their primary key alone (no separate rowid tree), and no index by
  // hash: nothing queries one (velocity and the graph are in memory, rebuilt by time at start).
  // Two B-trees fewer per row on the store's largest table: a million-line history import spent
  // most of its time maintaining them.
  `CREATE TABLE application_identifiers_v2 (
     application_id TEXT NOT NULL,
     type TEXT NOT NULL,
     hash TEXT NOT NULL,
     masked TEXT NOT NULL,
     decided_at INTEGER NOT NULL,
     PRIMARY KEY (application_id, type)
   ) STRICT, WITHOUT ROWID;
   INSERT INTO application_identifiers_v2 SELECT application_id, type, hash, masked, decided_at FROM application_identifiers;
   DROP TABLE application_identifiers;
   ALTER TABLE application_identifiers_v2 RENAME TO application_identifiers;`,
  // Who asked for each decision: an origination system reads and cancels only its own, and a
  // retry is answered from the store only to the caller that made the first request.
  `ALTER TABLE decisions ADD COLUMN caller TEXT;`,
  // Facts about the store itself, by name: the identifier key's fingerprint, the sealed chain of
  // earlier keys and a rekey's progress (src/store/identifier-key-chain.ts, src/store/rekey.ts).
  `CREATE TABLE store_meta (
     name TEXT PRIMARY KEY,
     value TEXT NOT NULL
   ) STRICT;`,
  // Decisions keep a lean record, compressed (record; document stays for older rows), and every
  // rule set the service loads is archived by version, so a decision's rule traces can be
  // regained by replaying its record against the rules it was made with.
  `ALTER TABLE decisions ADD COLUMN record BLOB;
   CREATE TABLE rule_set_versions (
     version TEXT PRIMARY KEY,
     files TEXT NOT NULL,
     archived_at INTEGER NOT NULL
   ) STRICT;`,
  // The review queue: what waits for a reviewer, oldest first, by the approval level it needs. A
  // partial index holds only the decisions awaiting review, so it stays as small as the queue.
  // (Rows stored whole carry the level in their document; lean records get it after this step.)
  `ALTER TABLE decisions ADD COLUMN approval_level TEXT;
   UPDATE decisions SET approval_level = json_extract(document, '$.approvalLevel') WHERE document != '' AND json_valid(document);
   CREATE INDEX decisions_awaiting_review ON decisions (decided_at) WHERE status = 'awaiting_review';`,
  // How each approved loan turned out, with the grade and PD it was priced at, so calibration
  // (observed bad rate against predicted PD, by grade) is one aggregate.
  `CREATE TABLE loan_outcomes (
     decision_id TEXT PRIMARY KEY REFERENCES decisions (decision_id),
     status TEXT NOT NULL,
     at INTEGER NOT NULL,
     grade TEXT,
     pd REAL,
     recorded_by TEXT NOT NULL,
     recorded_at INTEGER NOT NULL
   ) STRICT;`,
  // Governance: backtests asked for over HTTP (their request and report, kept after a restart),
  // and what each product's challenger flow decided beside the champion (shadow mode).
  `CREATE TABLE backtests (
     backtest_id TEXT PRIMARY KEY,
     requested_by TEXT NOT NULL,
     requested_at INTEGER NOT NULL,
     request TEXT NOT NULL,
     status TEXT NOT NULL,
     finished_at INTEGER,
     result TEXT,
     error TEXT
   ) STRICT;
   CREATE INDEX backtests_by_time ON backtests (requested_at);
   CREATE TABLE shadow_decisions (
     decision_id TEXT PRIMARY KEY REFERENCES decisions (decision_id),
     product TEXT NOT NULL,
     region TEXT NOT NULL,
     decided_at INTEGER NOT NULL,
     champion_outcome TEXT NOT NULL,
     challenger_version TEXT NOT NULL,
     status TEXT NOT NULL,
     challenger_outcome TEXT,
     challenger_reasons TEXT,
     challenger_approval_level TEXT,
     elapsed_ms REAL NOT NULL
   ) STRICT;
   CREATE INDEX shadow_decisions_by_product ON shadow_decisions (product, decided_at);`,
  // Reviewers find decisions by an identifier (POST /decisions/search), so something queries by
  // hash again: without this index each search would read the whole table on the event loop. It
  // costs one B-tree per identifier row on writes: a bulk import drops it and builds it once at
  // the end (suspendIdentifierSearchIndex), and every open rebuilds it if an import stopped first.
  IDENTIFIER_SEARCH_INDEX_SQL,
];

/** After a migration, what SQL alone cannot do (compressed records are decoded here). */
const MIGRATION_STEPS: Readonly<Record<number, (db: Database.Database) => void>> = {
  9: (db) => {
    const rows = db.prepare<[], { decision_id: string; document: string; record: Buffer }>('SELECT decision_id, document, record FROM decisions WHERE approval_level IS NULL AND record IS NOT NULL').all();
    const set = db.prepare('UPDATE decisions SET approval_level = ? WHERE decision_id = ?');
    for (const r of rows) set.run((JSON.parse(decodeStoredDocument(r)) as { approvalLevel?: string }).approvalLevel ?? null, r.decision_id);
  },
};

/** The parameters of a review-queue page (null: no filter). */
interface QueuePage {
  approvalLevel: string | null;
  region: string | null;
  product: string | null;
  caller: string | null;
  decidedAt: number;
  row: number;
  limit: number;
}

/** The parameters of a page of one identifier's decisions (null: any caller). */
interface IdentifierPage {
  type: string;
  hash: string;
  caller: string | null;
  decidedAt: number;
  applicationId: string;
  limit: number;
}

interface RawRow {
  decision_id: string;
  application_id: string;
  request_fingerprint: string;
  product: string;
  region: string;
  outcome: string;
  rules_version: string;
  decided_at: number;
  document: string;
  record: Buffer | null;
  approval_level: string | null;
  status: DecisionStatus;
  current_outcome: string | null;
  fraud_evidence: number;
  source: DecisionSource;
  caller: string | null;
}

/** A backtest asked for over HTTP: its request and, once finished, its result (both JSON). */
export interface BacktestRow {
  readonly backtestId: string;
  readonly requestedBy: string;
  readonly requestedAt: number;
  readonly request: string;
  readonly status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  readonly finishedAt: number | null;
  readonly result: string | null;
  readonly error: string | null;
}

interface BacktestRowRaw {
  backtest_id: string;
  requested_by: string;
  requested_at: number;
  request: string;
  status: string;
  finished_at: number | null;
  result: string | null;
  error: string | null;
}

const backtestRowOf = (r: BacktestRowRaw): BacktestRow => ({
  backtestId: r.backtest_id,
  requestedBy: r.requested_by,
  requestedAt: r.requested_at,
  request: r.request,
  status: r.status as BacktestRow['status'],
  finishedAt: r.finished_at,
  result: r.result,
  error: r.error,
});


export type { ShadowRow };

interface ShadowRowRaw {
  decision_id: string;
  product: string;
  region: string;
  decided_at: number;
  champion_outcome: string;
  challenger_version: string;
  status: string;
  challenger_outcome: string | null;
  challenger_reasons: string | null;
  challenger_approval_level: string | null;
  elapsed_ms: number;
}

/** A product's shadow decisions over a period, grouped (memory per region × outcome pair, not per decision). */
export interface ShadowTotal {
  readonly region: string;
  readonly champion: string;
  readonly challenger: string | null;
  readonly status: ShadowRow['status'];
  readonly decisions: number;
  readonly elapsedMsSum: number;
  readonly elapsedMsMax: number;
}

export interface LoanOutcomeRow {
  readonly decisionId: string;
  readonly status: string;
  /** Epoch ms when it happened. */
  readonly at: number;
  readonly grade: string | null;
  readonly pd: number | null;
  readonly recordedBy: string;
  readonly recordedAt: number;
}

export interface HistoryImportRow {
  readonly importId: string;
  readonly name: string;
  readonly lines: number;
  readonly linesDone: number;
  readonly startedAt: number;
  readonly finishedAt: number | null;
}

interface Pending {
  readonly work: () => unknown;
  readonly undo: ((result: any) => void) | undefined;
  readonly resolve: (r: any) => void;
  readonly reject: (e: unknown) => void;
}

/** A page of the review queue in either order: the partial index of decisions awaiting review, walked from a keyset position. */
function reviewQueuePage(db: Database.Database, order: 'oldest' | 'newest') {
  const [after, direction] = order === 'oldest' ? ['>', 'ASC'] : ['<', 'DESC'];
  return db.prepare<[QueuePage], RawRow & { row: number }>(
    `SELECT d.*, d.rowid AS row FROM decisions d
      WHERE d.status = 'awaiting_review'
        AND (@approvalLevel IS NULL OR d.approval_level = @approvalLevel) AND (@region IS NULL OR d.region = @region)
        AND (@product IS NULL OR d.product = @product) AND (@caller IS NULL OR d.caller = @caller)
        AND (d.decided_at, d.rowid) ${after} (@decidedAt, @row)
      ORDER BY d.decided_at ${direction}, d.rowid ${direction} LIMIT @limit`,
  );
}

function prepareStatements(db: Database.Database) {
  return {
    byApplication: db.prepare<[string], RawRow>('SELECT * FROM decisions WHERE application_id = ?'),
    byDecision: db.prepare<[string], RawRow>('SELECT * FROM decisions WHERE decision_id = ?'),
    identifiersSince: db.prepare<[number], { type: string; hash: string; decided_at: number }>(
      `SELECT i.type, i.hash, i.decided_at FROM decisions d JOIN application_identifiers i ON i.application_id = d.application_id
        WHERE d.decided_at > ? ORDER BY d.decided_at`,
    ),
    count: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM decisions'),
    setStatus: db.prepare('UPDATE decisions SET status = ?, current_outcome = ? WHERE decision_id = ?'),
    insertEvent: db.prepare('INSERT INTO decision_events (decision_id, at, type, detail) VALUES (?, ?, ?, ?)'),
    events: db.prepare<[string], { at: number; type: string; detail: string }>('SELECT at, type, detail FROM decision_events WHERE decision_id = ? ORDER BY seq'),
    release: db.prepare('UPDATE exposure_reservations SET released_at = ?, release_reason = ? WHERE decision_id = ? AND released_at IS NULL'),
    reservation: db.prepare<[string], { decision_id: string; region: string; product: string; amount: number; pd: number | null; reserved_at: number; expires_at: number; released_at: number | null }>(
      'SELECT * FROM exposure_reservations WHERE decision_id = ?',
    ),
    liveExposure: db.prepare<[], LiveExposureRow>('SELECT region, product, amount, pd FROM exposure_reservations WHERE released_at IS NULL'),
    liveByRegion: db.prepare<[string, number], { decision_id: string; product: string; amount: number; reserved_at: number; expires_at: number }>(
      'SELECT decision_id, product, amount, reserved_at, expires_at FROM exposure_reservations WHERE region = ? AND released_at IS NULL ORDER BY reserved_at DESC LIMIT ?',
    ),
    historyImport: db.prepare<[string], { import_id: string; name: string; lines: number; lines_done: number; started_at: number; finished_at: number | null }>(
      'SELECT * FROM history_imports WHERE import_id = ?',
    ),
    startImport: db.prepare('INSERT INTO history_imports (import_id, name, lines, lines_done, started_at) VALUES (?, ?, ?, 0, ?) ON CONFLICT (import_id) DO NOTHING'),
    importProgress: db.prepare('UPDATE history_imports SET lines_done = ?, finished_at = ? WHERE import_id = ?'),
    // Keyset by (decided_at, rowid), which the decided_at index gives in order: each page is an
    // index range, never a sort of everything older than the cutoff.
    retentionPage: db.prepare<[number, number, number, number], { row: number; decision_id: string; application_id: string; decided_at: number; status: string; live: number }>(
      `SELECT d.rowid AS row, d.decision_id, d.application_id, d.decided_at, d.status,
              EXISTS (SELECT 1 FROM exposure_reservations r WHERE r.decision_id = d.decision_id AND r.released_at IS NULL) AS live
         FROM decisions d
        WHERE d.decided_at < ? AND (d.decided_at, d.rowid) > (?, ?)
        ORDER BY d.decided_at, d.rowid LIMIT ?`,
    ),
    awaitingReview: reviewQueuePage(db, 'oldest'),
    awaitingReviewNewest: reviewQueuePage(db, 'newest'),
    loanOutcome: db.prepare<[string], { decision_id: string; status: string; at: number; grade: string | null; pd: number | null; recorded_by: string; recorded_at: number }>('SELECT * FROM loan_outcomes WHERE decision_id = ?'),
    setLoanOutcome: db.prepare(
      `INSERT INTO loan_outcomes (decision_id, status, at, grade, pd, recorded_by, recorded_at) VALUES (@decision_id, @status, @at, @grade, @pd, @recorded_by, @recorded_at)
       ON CONFLICT (decision_id) DO UPDATE SET status = excluded.status, at = excluded.at, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at`,
    ),
    loanOutcomeTotals: db.prepare<[], { grade: string | null; status: string; loans: number; pd_sum: number | null }>('SELECT grade, status, COUNT(*) AS loans, SUM(pd) AS pd_sum FROM loan_outcomes GROUP BY grade, status'),
    decisionsBetween: db.prepare<[number, number, number, number, number], RawRow & { row: number }>(
      `SELECT d.*, d.rowid AS row FROM decisions d
        WHERE d.decided_at >= ? AND d.decided_at < ? AND (d.decided_at, d.rowid) > (?, ?)
        ORDER BY d.decided_at, d.rowid LIMIT ?`,
    ),
    deleteEvents: db.prepare('DELETE FROM decision_events WHERE decision_id = ?'),
    deleteLoanOutcome: db.prepare('DELETE FROM loan_outcomes WHERE decision_id = ?'),
    deleteShadow: db.prepare('DELETE FROM shadow_decisions WHERE decision_id = ?'),
    saveBacktest: db.prepare(
      `INSERT INTO backtests (backtest_id, requested_by, requested_at, request, status, finished_at, result, error)
       VALUES (@backtestId, @requestedBy, @requestedAt, @request, @status, @finishedAt, @result, @error)
       ON CONFLICT (backtest_id) DO UPDATE SET status = excluded.status, finished_at = excluded.finished_at, result = excluded.result, error = excluded.error`,
    ),
    backtest: db.prepare<[string], BacktestRowRaw>('SELECT * FROM backtests WHERE backtest_id = ?'),
    recentBacktests: db.prepare<[number], BacktestRowRaw>('SELECT * FROM backtests ORDER BY requested_at DESC, backtest_id DESC LIMIT ?'),
    interruptBacktests: db.prepare("UPDATE backtests SET status = 'failed', finished_at = ?, error = ? WHERE status IN ('queued', 'running')"),
    shadowTotals: db.prepare<[string, number, number], { region: string; champion: string; challenger: string | null; status: string; n: number; ms_sum: number; ms_max: number }>(
      `SELECT region, champion_outcome AS champion, challenger_outcome AS challenger, status, COUNT(*) AS n, SUM(elapsed_ms) AS ms_sum, MAX(elapsed_ms) AS ms_max
         FROM shadow_decisions WHERE product = ? AND decided_at >= ? AND decided_at < ?
        GROUP BY region, champion_outcome, challenger_outcome, status`,
    ),
    shadowOf: db.prepare<[string], ShadowRowRaw>('SELECT * FROM shadow_decisions WHERE decision_id = ?'),
    deleteReleasedReservation: db.prepare('DELETE FROM exposure_reservations WHERE decision_id = ? AND released_at IS NOT NULL'),
    deleteDecision: db.prepare('DELETE FROM decisions WHERE decision_id = ?'),
    identifierHashes: db.prepare<[string], { hash: string }>('SELECT hash FROM application_identifiers WHERE application_id = ?'),
    deleteIdentifiers: db.prepare('DELETE FROM application_identifiers WHERE application_id = ?'),
    document: db.prepare<[string], { document: string; record: Buffer | null }>('SELECT document, record FROM decisions WHERE decision_id = ?'),
    setDocument: db.prepare('UPDATE decisions SET document = ?, record = ? WHERE decision_id = ?'),
    identifiersOf: db.prepare<[string], { type: string; hash: string }>('SELECT type, hash FROM application_identifiers WHERE application_id = ?'),
    // Newest first along the index by (type, hash, decided_at), whose entries end in the
    // application id: a page is an index range from the keyset position, never a sort of every match.
    withIdentifier: db.prepare<[IdentifierPage], RawRow & { position_at: number }>(
      `SELECT d.*, i.decided_at AS position_at FROM application_identifiers i JOIN decisions d ON d.application_id = i.application_id
        WHERE i.type = @type AND i.hash = @hash AND (@caller IS NULL OR d.caller = @caller)
          AND (i.decided_at, i.application_id) < (@decidedAt, @applicationId)
        ORDER BY i.decided_at DESC, i.application_id DESC LIMIT @limit`,
    ),
    archiveRuleSet: db.prepare('INSERT INTO rule_set_versions (version, files, archived_at) VALUES (?, ?, ?) ON CONFLICT (version) DO NOTHING'),
    archivedRuleSet: db.prepare<[string], { files: string; archived_at: number }>('SELECT files, archived_at FROM rule_set_versions WHERE version = ?'),
    archivedRuleSets: db.prepare<[number, string, number], { version: string; archived_at: number; files: number }>(
      `SELECT version, archived_at, json_array_length(files) AS files FROM rule_set_versions
        WHERE (archived_at, version) < (?, ?) ORDER BY archived_at DESC, version DESC LIMIT ?`,
    ),
    expiring: db.prepare<[number], { decision_id: string }>('SELECT decision_id FROM exposure_reservations WHERE released_at IS NULL AND expires_at <= ? ORDER BY expires_at'),
  };
}

/** What an identifier's hash reads in a stored decision once retention has forgotten it. */
export const PURGED_IDENTIFIER = 'purged';

/** A position in the store's (decided_at, rowid) order: where a retention sweep carries on. */
export interface RetentionPosition {
  readonly decidedAt: number;
  readonly row: number;
}

/** A position in the (decided_at, application_id) order of one identifier's decisions. */
export interface IdentifierPosition {
  readonly decidedAt: number;
  readonly applicationId: string;
}

export interface RetentionCandidate extends RetentionPosition, PurgeSubject {}

/** SQLite codes that mean the disk cannot take writes now: full, read-only, failing I/O, unopenable files. */
const STORAGE_FAULT_CODES = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN)/;

export interface StorageFault {
  readonly code: string;
  /** Epoch ms when writes started failing. */
  readonly since: number;
}

/** Nothing was written: the storage cannot take writes now. Safe to retry later. */
export class StorageFaultError extends Error {
  constructor(readonly code: string) {
    super(`the audit store cannot write (${code})`);
  }
}

/** The application id is stored already (a concurrent request, or history imported meanwhile): nothing was written. */
export class ApplicationExistsError extends Error {
  constructor(readonly applicationId: string) {
    super(`application ${applicationId} is stored already`);
  }
}

export interface AuditStoreOptions {
  /**
   * Where new decisions are committed: 'worker' (the service) gives them a thread and connection
   * of their own; 'inline' (tools, store tests) commits them on this connection with other units.
   */
  readonly decisionWriter?: 'worker' | 'inline';
}

/** The row a decision becomes, given its status and the reservation it takes. */
export function decisionWriteOf(row: DecisionRow, status: DecisionStatus, reservation?: Reservation): DecisionWrite {
  return {
    decision: {
      decisionId: row.decisionId,
      applicationId: row.applicationId,
      requestFingerprint: row.requestFingerprint,
      product: row.product,
      region: row.region,
      outcome: row.outcome,
      rulesVersion: row.rulesVersion,
      decidedAt: row.decidedAt,
      document: row.documentJson ?? JSON.stringify(row.document),
      status,
      fraudEvidence: row.fraudEvidence ? 1 : 0,
      source: row.source,
      caller: row.caller ?? null,
      approvalLevel: row.approvalLevel ?? null,
    },
    identifiers: row.identifiers,
    ...(reservation ? { reservation } : {}),
  };
}

interface PendingWrite {
  readonly write: StoreWrite;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

export class AuditStore {
  private readonly db: Database.Database;
  /** Holds the store's ownership lock for as long as this store is open (one process per store). */
  private readonly owner: Database.Database;
  private fault: StorageFault | undefined;
  /** Called once when writes start failing (for one log line, not one per request). */
  onFault?: (fault: StorageFault) => void;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly decisionStatements: DecisionStatements;
  private readonly writer: DecisionWriterThread | undefined;
  /** Decisions handed to the writer and not yet committed or failed, by application id. */
  private readonly inFlight = new Map<string, Promise<void>>();

  /** Opens the store; `ready()` resolves once its decision writer (if any) has opened its connection. */
  constructor(file: string, options: AuditStoreOptions = {}) {
    this.owner = claimOwnership(file);
    this.db = new Database(file);
    try {
      this.db.pragma('busy_timeout = 5000');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma('foreign_keys = ON');
      this.migrate();
      // An import that stopped between dropping the search index and building it again left it out.
      this.db.exec(IDENTIFIER_SEARCH_INDEX_SQL);
    } catch (err) {
      this.db.close();
      this.owner.close();
      throw err;
    }
    this.statements = prepareStatements(this.db);
    this.decisionStatements = prepareDecisionStatements(this.db);
    this.writer = options.decisionWriter === 'worker' ? new DecisionWriterThread(file, (failure) => this.writerLost(failure)) : undefined;
  }

  /** Resolves when the store can take decisions (its writer thread has opened the database). */
  async ready(): Promise<void> {
    await this.writer?.opened;
  }

  /**
   * For a bulk load (npm run import): maintaining the identifier search index row by row, in hash
   * order, made a million-line import six times slower than building it once from sorted entries.
   * Returns the step that builds it again; the next open builds it if that step never ran.
   */
  suspendIdentifierSearchIndex(): () => void {
    this.db.exec('DROP INDEX IF EXISTS application_identifiers_by_hash');
    return () => this.db.exec(IDENTIFIER_SEARCH_INDEX_SQL);
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v] ?? '');
        MIGRATION_STEPS[v + 1]?.(this.db);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  private static toStored(r: RawRow): StoredDecision {
    return {
      decisionId: r.decision_id,
      applicationId: r.application_id,
      requestFingerprint: r.request_fingerprint,
      product: r.product,
      region: r.region,
      outcome: r.outcome,
      rulesVersion: r.rules_version,
      decidedAt: r.decided_at,
      identifiers: [],
      document: JSON.parse(decodeStoredDocument(r)) as unknown,
      status: r.status,
      currentOutcome: r.current_outcome ?? r.outcome,
      fraudEvidence: r.fraud_evidence === 1,
      source: r.source,
      caller: r.caller,
    };
  }

  // ---- reads (callable inside or outside a unit of work) ----

  findByApplicationId(applicationId: string): StoredDecision | undefined {
    const r = this.statements.byApplication.get(applicationId);
    return r && AuditStore.toStored(r);
  }

  getDecision(decisionId: string): StoredDecision | undefined {
    const r = this.statements.byDecision.get(decisionId);
    return r && AuditStore.toStored(r);
  }

  /**
   * Up to `limit` decisions made in [from, to) (epoch ms), after the keyset position `after`, in
   * (decided_at, rowid) order: each page is an index range, so a period of any length is read in
   * bounded steps. `next` is where the following page starts (undefined on the last).
   */
  decisionsBetween(from: number, to: number, after: RetentionPosition | undefined, limit: number): { decisions: StoredDecision[]; next: RetentionPosition | undefined } {
    const start = after ?? { decidedAt: Number.MIN_SAFE_INTEGER, row: 0 };
    const rows = this.statements.decisionsBetween.all(from, to, start.decidedAt, start.row, limit);
    const last = rows[rows.length - 1];
    return { decisions: rows.map((r) => AuditStore.toStored(r)), next: last && rows.length === limit ? { decidedAt: last.decided_at, row: last.row } : undefined };
  }

  /**
   * A page of the review queue: decisions awaiting review, oldest (or newest) first, after the
   * keyset position `after`, filtered by approval level, region, product and caller.
   */
  awaitingReview(
    filter: { approvalLevel?: string; region?: string; product?: string; caller?: string },
    order: 'oldest' | 'newest',
    after: RetentionPosition | undefined,
    limit: number,
  ): { decisions: StoredDecision[]; next: RetentionPosition | undefined } {
    const start = after ?? (order === 'oldest' ? { decidedAt: Number.MIN_SAFE_INTEGER, row: 0 } : { decidedAt: Number.MAX_SAFE_INTEGER, row: 0 });
    const statement = order === 'oldest' ? this.statements.awaitingReview : this.statements.awaitingReviewNewest;
    const rows = statement.all({ approvalLevel: filter.approvalLevel ?? null, region: filter.region ?? null, product: filter.product ?? null, caller: filter.caller ?? null, decidedAt: start.decidedAt, row: start.row, limit });
    const last = rows[rows.length - 1];
    return { decisions: rows.map((r) => AuditStore.toStored(r)), next: last && rows.length === limit ? { decidedAt: last.decided_at, row: last.row } : undefined };
  }

  /** How a loan turned out, if reported. */
  loanOutcome(decisionId: string): LoanOutcomeRow | undefined {
    const r = this.statements.loanOutcome.get(decisionId);
    return r && { decisionId: r.decision_id, status: r.status, at: r.at, grade: r.grade, pd: r.pd, recordedBy: r.recorded_by, recordedAt: r.recorded_at };
  }

  /** Inside a unit of work: records (or moves on) a loan's outcome. */
  setLoanOutcome(row: LoanOutcomeRow): void {
    this.statements.setLoanOutcome.run({ ...row, decision_id: row.decisionId, recorded_by: row.recordedBy, recorded_at: row.recordedAt });
  }

  /** Outcomes by grade and status, with the predicted PDs summed: calibration at start. */
  loanOutcomeTotals(): { grade: string | null; status: string; loans: number; pdSum: number }[] {
    return this.statements.loanOutcomeTotals.all().map((r) => ({ grade: r.grade, status: r.status, loans: r.loans, pdSum: r.pd_sum ?? 0 }));
  }

  /** The keyed hashes of an application's identifiers, by type (none once retention forgot them). */
  identifierHashes(applicationId: string): Partial<Record<string, string>> {
    return Object.fromEntries(this.statements.identifiersOf.all(applicationId).map((r) => [r.type, r.hash]));
  }

  /**
   * Up to `limit` decisions of the applications that carried the identifier (`type`, keyed `hash`),
   * newest first, after the keyset position `after`; with `caller`, only the ones it asked for.
   */
  decisionsWithIdentifier(
    type: string,
    hash: string,
    filter: { caller?: string },
    after: IdentifierPosition | undefined,
    limit: number,
  ): { decisions: StoredDecision[]; next: IdentifierPosition | undefined } {
    const start = after ?? { decidedAt: Number.MAX_SAFE_INTEGER, applicationId: '' };
    const rows = this.statements.withIdentifier.all({ type, hash, caller: filter.caller ?? null, decidedAt: start.decidedAt, applicationId: start.applicationId, limit });
    const last = rows[rows.length - 1];
    return { decisions: rows.map((r) => AuditStore.toStored(r)), next: last && rows.length === limit ? { decidedAt: last.position_at, applicationId: last.application_id } : undefined };
  }

  /** Inside a unit of work: records a backtest's request, or moves it on (status, result). */
  saveBacktest(row: BacktestRow): void {
    this.statements.saveBacktest.run(row);
  }

  backtest(backtestId: string): BacktestRow | undefined {
    const r = this.statements.backtest.get(backtestId);
    return r && backtestRowOf(r);
  }

  recentBacktests(limit: number): BacktestRow[] {
    return this.statements.recentBacktests.all(limit).map(backtestRowOf);
  }

  /** Inside a unit of work, at start: backtests a stopped process left queued or running failed with it. */
  interruptBacktests(at: number, reason: string): number {
    return this.statements.interruptBacktests.run(at, reason).changes;
  }

  /** A decision's shadow (challenger) result, if its product had a challenger then. */
  shadowOf(decisionId: string): ShadowRow | undefined {
    const r = this.statements.shadowOf.get(decisionId);
    return (
      r && {
        decisionId: r.decision_id,
        product: r.product,
        region: r.region,
        decidedAt: r.decided_at,
        championOutcome: r.champion_outcome,
        challengerVersion: r.challenger_version,
        status: r.status as ShadowRow['status'],
        challengerOutcome: r.challenger_outcome,
        challengerReasons: r.challenger_reasons,
        challengerApprovalLevel: r.challenger_approval_level,
        elapsedMs: r.elapsed_ms,
      }
    );
  }

  /** A product's shadow decisions in [from, to), grouped by region, both outcomes and status. */
  shadowTotals(product: string, from: number, to: number): ShadowTotal[] {
    return this.statements.shadowTotals.all(product, from, to).map((r) => ({ region: r.region, champion: r.champion, challenger: r.challenger, status: r.status as ShadowRow['status'], decisions: r.n, elapsedMsSum: r.ms_sum, elapsedMsMax: r.ms_max }));
  }

  /** Inside a unit of work: keeps a rule set's files under its version (once; later loads of it change nothing). */
  archiveRuleSet(version: string, files: readonly { readonly path: string; readonly text: string }[], at: number): void {
    this.statements.archiveRuleSet.run(version, JSON.stringify(files), at);
  }

  /** An archived rule set's files, if this store has seen that version. */
  archivedRuleSet(version: string): { files: { path: string; text: string }[]; archivedAt: number } | undefined {
    const r = this.statements.archivedRuleSet.get(version);
    return r && { files: JSON.parse(r.files) as { path: string; text: string }[], archivedAt: r.archived_at };
  }

  /** Archived rule sets, newest first, after the keyset position `before` (archivedAt, version); at most `limit`. */
  archivedRuleSets(limit: number, before?: { archivedAt: number; version: string }): { version: string; archivedAt: number; files: number }[] {
    return this.statements.archivedRuleSets.all(before?.archivedAt ?? Number.MAX_SAFE_INTEGER, before?.version ?? '', limit).map((r) => ({ version: r.version, archivedAt: r.archived_at, files: r.files }));
  }

  events(decisionId: string): DecisionEvent[] {
    return this.statements.events.all(decisionId).map((e) => ({ at: e.at, type: e.type, detail: JSON.parse(e.detail) as Record<string, unknown> }));
  }

  reservation(decisionId: string): (Reservation & { releasedAt: number | null }) | undefined {
    const r = this.statements.reservation.get(decisionId);
    return r && { decisionId: r.decision_id, region: r.region, product: r.product, amount: r.amount, pd: r.pd, reservedAt: r.reserved_at, expiresAt: r.expires_at, releasedAt: r.released_at };
  }

  /** Every unreleased reservation: rebuilds the in-memory exposure book at start. */
  liveExposure(): LiveExposureRow[] {
    return this.statements.liveExposure.all();
  }

  liveReservations(region: string, limit: number) {
    return this.statements.liveByRegion.all(region, limit).map((r) => ({ decisionId: r.decision_id, product: r.product, amount: r.amount, reservedAt: r.reserved_at, expiresAt: r.expires_at }));
  }

  expiringReservations(now: number): string[] {
    return this.statements.expiring.all(now).map((r) => r.decision_id);
  }

  /** Identifier sightings after `since` (epoch ms), oldest first: rebuilds the velocity index. */
  *identifiersSince(since: number): Generator<{ type: string; hash: string; at: number }> {
    for (const r of this.statements.identifiersSince.iterate(since)) yield { type: r.type, hash: r.hash, at: r.decided_at };
  }

  /** The connection, for sibling stores that keep their own tables in the same file (one writer). */
  get database(): Database.Database {
    return this.db;
  }

  /** A history import's progress, by the imported file's content hash. */
  historyImport(importId: string): HistoryImportRow | undefined {
    const r = this.statements.historyImport.get(importId);
    return r && { importId: r.import_id, name: r.name, lines: r.lines, linesDone: r.lines_done, startedAt: r.started_at, finishedAt: r.finished_at };
  }

  /** Inside a unit of work: registers an import (no-op if it exists) and records how far it got. */
  startHistoryImport(importId: string, name: string, lines: number, at: number): void {
    this.statements.startImport.run(importId, name, lines, at);
  }

  recordHistoryProgress(importId: string, linesDone: number, finishedAt: number | null): void {
    this.statements.importProgress.run(linesDone, finishedAt, importId);
  }

  /**
   * For a bulk load (npm run import): a page cache large enough for the identifier indexes, whose
   * inserts land all over the B-tree. NOTE: with SQLite's default 2 MB cache, a million-line import
   * spent most of its time re-reading index pages.
   */
  reserveCache(mebibytes: number): void {
    this.db.pragma(`cache_size = -${Math.round(mebibytes * 1024)}`);
  }

  countDecisions(): number {
    return this.statements.count.get()?.n ?? 0;
  }

  // ---- writes (only inside a unit of work passed to commit) ----

  insertDecision(row: DecisionRow, status: DecisionStatus): void {
    insertDecisionRows(this.decisionStatements, decisionWriteOf(row, status));
  }

  /**
   * Commits a new decision (its rows and the exposure reservation it takes) and resolves once it
   * is durable: on the writer thread, grouped with the decisions that arrive while the previous
   * commit syncs, or inline. Rejects with ApplicationExistsError when the application id is
   * stored already, and StorageFaultError when the disk takes no writes; nothing is then written.
   */
  writeDecision(row: DecisionRow, status: DecisionStatus, reservation?: Reservation): Promise<void> {
    if (this.closed) return Promise.reject(new Error('audit store is closed'));
    const write = decisionWriteOf(row, status, reservation);
    const committing = (
      this.writer
        ? this.writer.write(write)
        : this.commit(() => {
            insertDecisionRows(this.decisionStatements, write);
          })
    ).then(
      () => {
        this.fault = undefined;
      },
      (err: unknown) => {
        throw this.writeError(row.applicationId, err);
      },
    );
    const tracked = committing.finally(() => {
      if (this.inFlight.get(row.applicationId) === tracked) this.inFlight.delete(row.applicationId);
    });
    this.inFlight.set(row.applicationId, tracked);
    return tracked;
  }

  /**
   * Stores what a challenger flow decided beside a committed decision, through the decision
   * writer's group commits (never a commit of its own on the event loop).
   */
  writeShadow(row: ShadowRow): Promise<void> {
    if (this.closed) return Promise.reject(new Error('audit store is closed'));
    const write: StoreWrite = { shadow: row };
    return this.writer ? this.writer.write(write) : this.commit(() => insertDecisionRows(this.decisionStatements, write));
  }

  /** Group commits of the decision writer so far, and the decisions they held (decisions per fsync = ratio). */
  get decisionCommits(): { readonly commits: number; readonly decisions: number } {
    return this.writer?.committed ?? { commits: 0, decisions: 0 };
  }

  /** A decision of this application handed to writeDecision and not yet committed or failed. */
  decisionInFlight(applicationId: string): Promise<void> | undefined {
    return this.inFlight.get(applicationId);
  }

  private writeError(applicationId: string, err: unknown): unknown {
    const failure = err instanceof WriterError ? err.failure : failureOf(err);
    if (failure.code?.startsWith('SQLITE_CONSTRAINT') && /decisions\.application_id/.test(failure.message)) return new ApplicationExistsError(applicationId);
    return this.storageError(err instanceof WriterError ? Object.assign(new Error(failure.message), { code: failure.code }) : err);
  }

  /** The writer thread stopped unexpectedly: what was in flight failed (not acknowledged); a new thread takes over. */
  private writerLost(failure: WriteFailure): void {
    this.onWriterLost?.(failure);
  }

  /** Called when the decision writer thread stopped unexpectedly (it restarts by itself). */
  onWriterLost?: (failure: WriteFailure) => void;

  setStatus(decisionId: string, status: DecisionStatus, currentOutcome: string): void {
    this.statements.setStatus.run(status, currentOutcome, decisionId);
  }

  addEvent(decisionId: string, at: number, type: string, detail: Readonly<Record<string, unknown>>): void {
    this.statements.insertEvent.run(decisionId, at, type, JSON.stringify(detail));
  }

  reserve(reservation: Reservation): void {
    this.decisionStatements.reserve.run(reservation);
  }

  /** Releases a live reservation; false when there is none (never reserved, or released already). */
  release(decisionId: string, at: number, reason: string): boolean {
    return this.statements.release.run(at, reason, decisionId).changes === 1;
  }

  /**
   * Runs `work` inside the next group commit and resolves with its result once committed.
   * If `work` throws, only it is rolled back and its promise rejects. If the whole commit fails,
   * every unit's promise rejects and `undo` reverts the in-memory effects of those that ran.
   */
  commit<T>(work: () => T, undo?: (result: T) => void): Promise<T> {
    if (this.closed) return Promise.reject(new Error('audit store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, undo, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      // IMMEDIATE: take the write lock first. The decision writer commits from its own connection,
      // and a deferred transaction that read before another connection committed could not write.
      this.db.transaction(() => {
        for (const unit of batch) {
          try {
            // A nested transaction is a savepoint: a failing unit rolls back alone.
            outcomes.push({ ok: true, value: this.db.transaction(unit.work)() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      }).immediate();
    } catch (err) {
      const error = this.storageError(err);
      batch.forEach((unit, i) => {
        const o = outcomes[i];
        if (o?.ok) unit.undo?.(o.value);
        unit.reject(error);
      });
      return;
    }
    let faulted = false;
    batch.forEach((unit, i) => {
      const o = outcomes[i];
      if (o?.ok) unit.resolve(o.value);
      else {
        const error = this.storageError(o?.error);
        faulted ||= error instanceof StorageFaultError;
        unit.reject(error);
      }
    });
    if (!faulted) this.fault = undefined;
  }

  /** The storage fault writes are failing with (disk full, read-only, I/O error), if any. */
  get storageFault(): StorageFault | undefined {
    return this.fault;
  }

  /** Tries one small write; clears the fault when it succeeds (space came back, the disk is writable again). */
  probe(): boolean {
    try {
      this.db.transaction(() => {
        // Rewriting the header's user_version dirties page 1: a real write through the WAL.
        this.db.pragma(`user_version = ${this.db.pragma('user_version', { simple: true }) as number}`);
      }).immediate();
      this.fault = undefined;
      return true;
    } catch (err) {
      this.storageError(err);
      return false;
    }
  }

  /** A storage failure becomes a StorageFaultError and marks the store faulted; anything else passes through. */
  private storageError(err: unknown): unknown {
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code !== 'string' || !STORAGE_FAULT_CODES.test(code)) return err;
    if (!this.fault) {
      this.fault = { code, since: Date.now() };
      this.onFault?.(this.fault);
    }
    return new StorageFaultError(code);
  }

  // ---- retention (each call is bounded: a sweep walks the store in small keyset pages) ----

  /**
   * Up to `limit` decisions made before `before`, after the keyset position `after`, in
   * (decided_at, rowid) order, with whether each is still pending (kept whatever its age).
   */
  decisionsBefore(before: number, after: RetentionPosition | undefined, limit: number): RetentionCandidate[] {
    const from = after ?? { decidedAt: Number.MIN_SAFE_INTEGER, row: 0 };
    return this.statements.retentionPage.all(before, from.decidedAt, from.row, limit).map((r) => ({
      row: r.row,
      decisionId: r.decision_id,
      applicationId: r.application_id,
      decidedAt: r.decided_at,
      pending: r.status === 'awaiting_review' || r.live === 1,
    }));
  }

  /**
   * Inside a unit of work: removes the decisions that are not pending, with their events, released
   * reservations and identifiers. Returns the ones removed (their applications' labels go with them,
   * in the graph store, in the same unit).
   */
  purgeDecisions<C extends PurgeSubject>(candidates: readonly C[]): C[] {
    const purged: C[] = [];
    for (const c of candidates) {
      if (c.pending) continue;
      this.statements.deleteEvents.run(c.decisionId);
      this.statements.deleteLoanOutcome.run(c.decisionId);
      this.statements.deleteShadow.run(c.decisionId);
      this.statements.deleteReleasedReservation.run(c.decisionId);
      this.statements.deleteIdentifiers.run(c.applicationId);
      if (this.statements.deleteDecision.run(c.decisionId).changes === 1) purged.push(c);
    }
    return purged;
  }

  /**
   * Inside a unit of work: forgets the identifiers of these applications (pending ones keep
   * theirs): their rows go, and every occurrence of their hashes in the stored decision is
   * overwritten. Returns how many applications had identifiers.
   */
  purgeIdentifiers(candidates: readonly PurgeSubject[]): number {
    let purged = 0;
    for (const c of candidates) {
      if (c.pending) continue;
      const hashes = this.statements.identifierHashes.all(c.applicationId).map((r) => r.hash);
      if (hashes.length === 0) continue;
      const row = this.statements.document.get(c.decisionId);
      if (row) {
        const stored = decodeStoredDocument(row);
        let json = stored;
        // Whole documents (stored before lean records) hold the hashes in the request, the facts and
        // the traced rule conditions; a plain text replacement reaches them all (a 64-hex HMAC cannot
        // occur by chance in other text). A lean record holds none: its identifier rows go below.
        for (const h of hashes) json = json.split(h).join(PURGED_IDENTIFIER);
        if (json !== stored) this.statements.setDocument.run(row.record ? '' : json, row.record ? encodeStoredDocument(json) : null, c.decisionId);
      }
      this.statements.deleteIdentifiers.run(c.applicationId);
      purged++;
    }
    return purged;
  }

  /** Commits what is queued (on this connection and on the writer thread), then closes the database. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.flush();
    this.closed = true;
    const release = () => {
      this.db.close();
      this.owner.close();
    };
    // Without a writer thread everything is closed before this returns (tools exit right after).
    if (!this.writer) {
      release();
      return Promise.resolve();
    }
    return this.writer.close().then(release);
  }
}

/**
 * One process owns a store: the exposure book and velocity index mirror it in memory, so a second
 * writer would let approvals overshoot. A lock file beside the store, held in SQLite's exclusive
 * locking mode, is that claim; the OS releases it when the process dies, even by kill -9.
 */
function claimOwnership(file: string): Database.Database {
  // An in-memory store (tests) belongs to its connection alone.
  const owner = new Database(file === ':memory:' || file === '' ? ':memory:' : `${file}-owner`, { timeout: 250 });
  try {
    owner.pragma('locking_mode = EXCLUSIVE');
    owner.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS owner (pid INTEGER); DELETE FROM owner; INSERT INTO owner VALUES (' + process.pid + '); COMMIT;');
  } catch (err) {
    owner.close();
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw new Error(`audit store ${file} is in use by another process (one service per DATA_DIR)`);
    throw err;
  }
  return owner;
}

/** A failure the writer thread reported (its SQLite code and message). */
class WriterError extends Error {
  constructor(readonly failure: WriteFailure) {
    super(failure.message);
  }
}

/**
 * The main thread's side of the decision writer: at most one batch in flight; what arrives
 * meanwhile waits and goes as the next batch, so a busy store commits many decisions per fsync.
 */
class DecisionWriterThread {
  private worker: Worker;
  readonly opened: Promise<void>;
  private waiting: PendingWrite[] = [];
  private inFlight: { readonly id: number; readonly writes: PendingWrite[] } | undefined;
  private nextId = 1;
  private closing: Promise<void> | undefined;
  private sendScheduled = false;
  /** Whether a thread has opened the store: a thread that cannot open it is not restarted. */
  private everOpened = false;
  readonly committed = { commits: 0, decisions: 0 };

  constructor(
    private readonly file: string,
    private readonly lost: (failure: WriteFailure) => void,
  ) {
    ({ worker: this.worker, opened: this.opened } = this.start());
    // A failed open is reported by ready(); unobserved here, it must not crash the process.
    this.opened.catch(() => undefined);
  }

  /** Settles when the current thread has exited. */
  private exited: Promise<unknown> = Promise.resolve();

  private start(): { worker: Worker; opened: Promise<void> } {
    const worker = new Worker(decisionWriterEntry(), { workerData: { role: 'decision-writer', file: this.file } });
    this.exited = new Promise((resolve) => worker.once('exit', resolve));
    let threadError: Error | undefined;
    worker.on('error', (err) => {
      threadError = err;
    });
    const opened = new Promise<void>((resolve, reject) => {
      worker.on('message', (answer: WriterAnswer) => {
        if (answer.kind === 'ready') {
          this.everOpened = true;
          resolve();
        } else if (answer.kind === 'opened') reject(new WriterError(answer.failure));
        else this.answered(answer);
      });
      worker.once('exit', (code) => {
        reject(new Error(`the decision writer thread stopped (exit code ${code}) before it opened the store${threadError ? `: ${threadError.message}` : ''}`));
        if (this.worker !== worker || this.closing) return;
        const failure: WriteFailure = { code: 'WRITER_EXITED', message: `the decision writer thread exited (code ${code})${threadError ? `: ${threadError.message}` : ''}` };
        // What it held may or may not have committed: not acknowledged. A retry finds it stored or decides it.
        for (const p of this.inFlight?.writes ?? []) p.reject(new WriterError(failure));
        this.inFlight = undefined;
        if (!this.everOpened) {
          for (const p of this.waiting.splice(0)) p.reject(new WriterError(failure));
          return;
        }
        this.lost(failure);
        const restarted = this.start();
        restarted.opened.catch(() => undefined);
        this.worker = restarted.worker;
        this.schedule();
      });
    });
    return { worker, opened };
  }

  write(write: StoreWrite): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ write, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.inFlight || this.sendScheduled || this.waiting.length === 0) return;
    // The rest of this event-loop turn may add more decisions to the same commit.
    this.sendScheduled = true;
    setImmediate(() => {
      this.sendScheduled = false;
      this.send();
    });
  }

  private send(): void {
    if (this.inFlight || this.waiting.length === 0) return;
    const writes = this.waiting;
    this.waiting = [];
    const id = this.nextId++;
    this.inFlight = { id, writes };
    this.worker.postMessage({ kind: 'batch', id, writes: writes.map((p) => p.write) } satisfies WriterRequest);
  }

  private answered(answer: Exclude<WriterAnswer, { kind: 'ready' } | { kind: 'opened' }>): void {
    const batch = this.inFlight;
    if (!batch || batch.id !== answer.id) return;
    this.inFlight = undefined;
    if (answer.kind === 'failed') {
      for (const p of batch.writes) p.reject(new WriterError(answer.failure));
    } else {
      this.committed.commits++;
      this.committed.decisions += batch.writes.filter((p) => 'decision' in p.write).length;
      batch.writes.forEach((p, i) => {
        const failure = answer.failures[i];
        if (failure) p.reject(new WriterError(failure));
        else p.resolve();
      });
    }
    this.send();
  }

  /** Waits for every decision handed over to commit, then stops the thread. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.inFlight || (this.waiting.length > 0 && this.everOpened)) {
        this.send();
        await new Promise((r) => setImmediate(r));
      }
      // A thread that never opened the store (or died) has exited already: nothing to wait for.
      this.worker.postMessage({ kind: 'close' } satisfies WriterRequest);
      await this.exited;
    })();
    return this.closing;
  }
}

/** The writer's entry: this same module as Node runs it, from source (type stripping) or compiled. */
function decisionWriterEntry(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './decision-writer.ts' : './decision-writer.js', import.meta.url);
}
