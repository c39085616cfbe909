// The audit store: every decision, durably, before its response is sent. Embedded SQLite in WAL
// mode with synchronous=FULL, so a committed decision survives a kill -9 or a power cut.
// Writes arriving in the same event-loop turn share one transaction (group commit): one fsync
// acknowledges many decisions, and none is acknowledged before its commit.
import Database from 'better-sqlite3';

export interface DecisionRow {
  readonly decisionId: string;
  readonly applicationId: string;
  /** Keyed hash of the canonical request body: tells a retry from a conflicting reuse of the id. */
  readonly requestFingerprint: string;
  readonly product: string;
  readonly region: string;
  readonly outcome: string;
  readonly rulesVersion: string;
  /** Epoch milliseconds. */
  readonly decidedAt: number;
  readonly identifiers: readonly { readonly type: string; readonly hash: string; readonly masked: string }[];
  /** The full decision document (JSON-serialisable; holds no raw identifier). */
  readonly document: unknown;
}

export type AppendResult = { readonly status: 'inserted' } | { readonly status: 'exists'; readonly existing: DecisionRow };

const MIGRATIONS: readonly string[] = [
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
}

interface Pending {
  readonly row: DecisionRow;
  readonly resolve: (r: AppendResult) => void;
  readonly reject: (e: unknown) => void;
}

export class AuditStore {
  private readonly db: Database.Database;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly statements;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    this.statements = {
      byApplication: this.db.prepare<[string], RawRow>('SELECT * FROM decisions WHERE application_id = ?'),
      byDecision: this.db.prepare<[string], RawRow>('SELECT * FROM decisions WHERE decision_id = ?'),
      insert: this.db.prepare(
        `INSERT INTO decisions (decision_id, application_id, request_fingerprint, product, region, outcome, rules_version, decided_at, document)
         VALUES (@decisionId, @applicationId, @requestFingerprint, @product, @region, @outcome, @rulesVersion, @decidedAt, @document)`,
      ),
      insertIdentifier: this.db.prepare(
        'INSERT OR REPLACE INTO application_identifiers (application_id, type, hash, masked, decided_at) VALUES (?, ?, ?, ?, ?)',
      ),
      identifiersSince: this.db.prepare<[number], { type: string; hash: string; decided_at: number }>(
        'SELECT type, hash, decided_at FROM application_identifiers WHERE decided_at > ? ORDER BY decided_at',
      ),
      count: this.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM decisions'),
    };
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

  private static toRow(r: RawRow): DecisionRow {
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
    };
  }

  findByApplicationId(applicationId: string): DecisionRow | undefined {
    const r = this.statements.byApplication.get(applicationId);
    return r && AuditStore.toRow(r);
  }

  getDecision(decisionId: string): DecisionRow | undefined {
    const r = this.statements.byDecision.get(decisionId);
    return r && AuditStore.toRow(r);
  }

  /** Resolves once the decision is committed (or found to exist already under its application id). */
  append(row: DecisionRow): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('audit store is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private readonly commitBatch = (rows: readonly DecisionRow[]): AppendResult[] =>
    this.db.transaction((batch: readonly DecisionRow[]) =>
      batch.map((row): AppendResult => {
        const existing = this.statements.byApplication.get(row.applicationId);
        if (existing) return { status: 'exists', existing: AuditStore.toRow(existing) };
        this.statements.insert.run({ ...row, document: JSON.stringify(row.document) });
        for (const id of row.identifiers) this.statements.insertIdentifier.run(row.applicationId, id.type, id.hash, id.masked, row.decidedAt);
        return { status: 'inserted' };
      }),
    )(rows);

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    try {
      const results = this.commitBatch(batch.map((p) => p.row));
      batch.forEach((p, i) => p.resolve(results[i] as AppendResult));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  /** Identifier sightings after `since` (epoch ms), oldest first: rebuilds the velocity index. */
  *identifiersSince(since: number): Generator<{ type: string; hash: string; at: number }> {
    for (const r of this.statements.identifiersSince.iterate(since)) yield { type: r.type, hash: r.hash, at: r.decided_at };
  }

  /** The connection, for sibling stores that keep their own tables in the same file (one writer). */
  get database(): Database.Database {
    return this.db;
  }

  countDecisions(): number {
    return this.statements.count.get()?.n ?? 0;
  }

  /** Commits what is queued, then closes the database. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }
}
