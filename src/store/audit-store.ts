// The audit store: every decision, its later sign-offs and releases, and the exposure ledger,
// durably. Embedded SQLite in WAL mode with synchronous=FULL, so a committed decision survives
// a kill -9 or a power cut. Units of work arriving in the same event-loop turn share one
// transaction (group commit): one fsync acknowledges many decisions, and none is acknowledged
// before its commit. Each unit runs in its own savepoint, so one failing unit fails alone.
import Database from 'better-sqlite3';

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
];

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
  status: DecisionStatus;
  current_outcome: string | null;
  fraud_evidence: number;
  source: DecisionSource;
  caller: string | null;
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

function prepareStatements(db: Database.Database) {
  return {
    byApplication: db.prepare<[string], RawRow>('SELECT * FROM decisions WHERE application_id = ?'),
    byDecision: db.prepare<[string], RawRow>('SELECT * FROM decisions WHERE decision_id = ?'),
    insert: db.prepare(
      `INSERT INTO decisions (decision_id, application_id, request_fingerprint, product, region, outcome, rules_version, decided_at, document, status, fraud_evidence, source, caller)
       VALUES (@decisionId, @applicationId, @requestFingerprint, @product, @region, @outcome, @rulesVersion, @decidedAt, @document, @status, @fraudEvidence, @source, @caller)`,
    ),
    // One statement per count of identifiers (1–8): a decision's identifier rows go in with one call.
    insertIdentifiers: Array.from({ length: 9 }, (_, n) =>
      n === 0
        ? undefined
        : db.prepare(`INSERT OR REPLACE INTO application_identifiers (application_id, type, hash, masked, decided_at) VALUES ${Array(n).fill('(?, ?, ?, ?, ?)').join(', ')}`),
    ),
    identifiersSince: db.prepare<[number], { type: string; hash: string; decided_at: number }>(
      `SELECT i.type, i.hash, i.decided_at FROM decisions d JOIN application_identifiers i ON i.application_id = d.application_id
        WHERE d.decided_at > ? ORDER BY d.decided_at`,
    ),
    count: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM decisions'),
    setStatus: db.prepare('UPDATE decisions SET status = ?, current_outcome = ? WHERE decision_id = ?'),
    insertEvent: db.prepare('INSERT INTO decision_events (decision_id, at, type, detail) VALUES (?, ?, ?, ?)'),
    events: db.prepare<[string], { at: number; type: string; detail: string }>('SELECT at, type, detail FROM decision_events WHERE decision_id = ? ORDER BY seq'),
    reserve: db.prepare(
      `INSERT INTO exposure_reservations (decision_id, region, product, amount, pd, reserved_at, expires_at)
       VALUES (@decisionId, @region, @product, @amount, @pd, @reservedAt, @expiresAt)`,
    ),
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
    deleteEvents: db.prepare('DELETE FROM decision_events WHERE decision_id = ?'),
    deleteReleasedReservation: db.prepare('DELETE FROM exposure_reservations WHERE decision_id = ? AND released_at IS NOT NULL'),
    deleteDecision: db.prepare('DELETE FROM decisions WHERE decision_id = ?'),
    identifierHashes: db.prepare<[string], { hash: string }>('SELECT hash FROM application_identifiers WHERE application_id = ?'),
    deleteIdentifiers: db.prepare('DELETE FROM application_identifiers WHERE application_id = ?'),
    document: db.prepare<[string], { document: string }>('SELECT document FROM decisions WHERE decision_id = ?'),
    setDocument: db.prepare('UPDATE decisions SET document = ? WHERE decision_id = ?'),
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

export interface RetentionCandidate extends RetentionPosition {
  readonly decisionId: string;
  readonly applicationId: string;
  /** Awaiting review, or holding a live exposure reservation: kept whatever its age. */
  readonly pending: boolean;
}

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

export class AuditStore {
  private readonly db: Database.Database;
  private fault: StorageFault | undefined;
  /** Called once when writes start failing (for one log line, not one per request). */
  onFault?: (fault: StorageFault) => void;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly statements: ReturnType<typeof prepareStatements>;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('busy_timeout = 5000');
    // NOTE: one process owns the store. The exposure book and velocity index mirror it in
    // memory, so a second writer would let approvals overshoot; the exclusive lock makes a
    // second service on the same DATA_DIR fail at start instead.
    try {
      this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma('foreign_keys = ON');
      this.migrate();
    } catch (err) {
      this.db.close();
      if ((err as { code?: string }).code === 'SQLITE_BUSY') throw new Error(`audit store ${file} is in use by another process (one service per DATA_DIR)`);
      throw err;
    }
    this.statements = prepareStatements(this.db);
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v] ?? '');
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
      document: JSON.parse(r.document) as unknown,
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
    const { documentJson, ...columns } = row;
    this.statements.insert.run({ ...columns, document: documentJson ?? JSON.stringify(row.document), status, fraudEvidence: row.fraudEvidence ? 1 : 0, caller: row.caller ?? null });
    const ids = row.identifiers;
    for (let from = 0; from < ids.length; from += 8) {
      const chunk = ids.slice(from, from + 8);
      this.statements.insertIdentifiers[chunk.length]?.run(chunk.flatMap((id) => [row.applicationId, id.type, id.hash, id.masked, row.decidedAt]));
    }
  }

  setStatus(decisionId: string, status: DecisionStatus, currentOutcome: string): void {
    this.statements.setStatus.run(status, currentOutcome, decisionId);
  }

  addEvent(decisionId: string, at: number, type: string, detail: Readonly<Record<string, unknown>>): void {
    this.statements.insertEvent.run(decisionId, at, type, JSON.stringify(detail));
  }

  reserve(reservation: Reservation): void {
    this.statements.reserve.run(reservation);
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
      this.db.transaction(() => {
        for (const unit of batch) {
          try {
            // A nested transaction is a savepoint: a failing unit rolls back alone.
            outcomes.push({ ok: true, value: this.db.transaction(unit.work)() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      })();
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
      })();
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
  purgeDecisions(candidates: readonly RetentionCandidate[]): RetentionCandidate[] {
    const purged: RetentionCandidate[] = [];
    for (const c of candidates) {
      if (c.pending) continue;
      this.statements.deleteEvents.run(c.decisionId);
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
  purgeIdentifiers(candidates: readonly RetentionCandidate[]): number {
    let purged = 0;
    for (const c of candidates) {
      if (c.pending) continue;
      const hashes = this.statements.identifierHashes.all(c.applicationId).map((r) => r.hash);
      if (hashes.length === 0) continue;
      const row = this.statements.document.get(c.decisionId);
      if (row) {
        let json = row.document;
        // The hashes appear in the request, the facts and the traced rule conditions; a plain text
        // replacement reaches them all (a 64-hex HMAC cannot occur by chance in other text).
        for (const h of hashes) json = json.split(h).join(PURGED_IDENTIFIER);
        this.statements.setDocument.run(json, c.decisionId);
      }
      this.statements.deleteIdentifiers.run(c.applicationId);
      purged++;
    }
    return purged;
  }

  /** Commits what is queued, then closes the database. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }
}
