// The fraud graph's side of the audit database: reads decisions and their identifier hashes to
// rebuild the identity graph at start, and keeps investigators' labels. Labels are append-only
// (the rows are the audit trail; an application's latest label is the one in force). Shares the
// audit store's connection (SQLite has one writer), with its own tables.
//
// Four eyes: a fraud label is cleared only when two different investigators agree. The first
// "legit" on an application labelled fraud is a clearance request; the label in force changes when
// another investigator confirms it, and the legit label then names both.
import type Database from 'better-sqlite3';

export type ApplicationLabel = 'fraud' | 'legit';

export interface StoredGraphApplication {
  readonly applicationId: string;
  readonly decidedAt: number;
  readonly outcome: string;
  readonly fraudEvidence: boolean;
  readonly region: string;
  readonly product: string;
  readonly identifiers: { readonly type: string; readonly hash: string; readonly masked: string }[];
}

/** Where a paged read of applications carries on: (decided_at, rowid) of the last one read. */
export interface GraphPagePosition {
  readonly decidedAt: number;
  readonly row: number;
}

interface ApplicationRow {
  row: number;
  application_id: string;
  decided_at: number;
  outcome: string;
  fraud_evidence: number;
  region: string;
  product: string;
  type: string | null;
  hash: string | null;
  masked: string | null;
}

/** Rows of an application ⟕ identifiers join, ordered by application, as one record per application. */
function* grouped(rows: Iterable<ApplicationRow>): Generator<StoredGraphApplication> {
  let current: StoredGraphApplication | undefined;
  for (const r of rows) {
    if (current?.applicationId !== r.application_id) {
      if (current) yield current;
      current = { applicationId: r.application_id, decidedAt: r.decided_at, outcome: r.outcome, fraudEvidence: r.fraud_evidence === 1, region: r.region, product: r.product, identifiers: [] };
    }
    if (r.type !== null && r.hash !== null) current.identifiers.push({ type: r.type, hash: r.hash, masked: r.masked ?? '' });
  }
  if (current) yield current;
}

export interface LabelRecord {
  readonly labelId: number;
  readonly applicationId: string;
  readonly label: ApplicationLabel;
  readonly by: string;
  readonly note: string | null;
  /** Epoch milliseconds. */
  readonly labelledAt: number;
  /** For a cleared fraud label: the second investigator, who confirmed `by`'s request. */
  readonly confirmedBy: string | null;
}

/** A fraud label's clearance, waiting for a second investigator. */
export interface ClearanceRequest {
  readonly applicationId: string;
  readonly requestedBy: string;
  readonly note: string | null;
  readonly requestedAt: number;
}

export type LabelOutcome = { readonly kind: 'labelled'; readonly record: LabelRecord } | { readonly kind: 'clearance_requested'; readonly request: ClearanceRequest };

/** The investigator asking to confirm a clearance is the one who requested it. */
export class FourEyesError extends Error {}

export interface LabelInput {
  readonly applicationId: string;
  readonly label: ApplicationLabel;
  readonly by: string;
  readonly note?: string;
  readonly at: number;
}

/** What a label request does, given the label in force and any pending clearance (one definition, for every store). */
export type LabelStep =
  | { readonly kind: 'clearance_requested'; readonly request: ClearanceRequest }
  | { readonly kind: 'labelled'; readonly label: Omit<LabelRecord, 'labelId'> };

/**
 * Four eyes: a "legit" on an application whose label in force is fraud is a clearance request, or
 * confirms another investigator's (the legit label then names both, with both notes). Any other
 * label is recorded as it is, and withdraws a pending clearance. Throws FourEyesError when the
 * requester tries to confirm their own request.
 */
export function labelStep(inForce: ApplicationLabel | undefined, pending: ClearanceRequest | undefined, input: LabelInput): LabelStep {
  const note = input.note ?? null;
  if (input.label === 'legit' && inForce === 'fraud') {
    if (!pending) return { kind: 'clearance_requested', request: { applicationId: input.applicationId, requestedBy: input.by, note, requestedAt: input.at } };
    if (pending.requestedBy === input.by) throw new FourEyesError(`clearing this fraud label needs a second investigator; ${input.by} requested it`);
    const combined = [pending.note, note].filter((n) => n !== null).join(' / ') || null;
    return { kind: 'labelled', label: { applicationId: input.applicationId, label: 'legit', by: pending.requestedBy, note: combined, labelledAt: input.at, confirmedBy: input.by } };
  }
  return { kind: 'labelled', label: { applicationId: input.applicationId, label: input.label, by: input.by, note, labelledAt: input.at, confirmedBy: null } };
}

interface LabelRow {
  label_id: number;
  application_id: string;
  label: ApplicationLabel;
  labelled_by: string;
  note: string | null;
  labelled_at: number;
  confirmed_by: string | null;
}

interface ClearanceRow {
  application_id: string;
  requested_by: string;
  note: string | null;
  requested_at: number;
}

const toClearance = (r: ClearanceRow): ClearanceRequest => ({ applicationId: r.application_id, requestedBy: r.requested_by, note: r.note, requestedAt: r.requested_at });

const toLabel = (r: LabelRow): LabelRecord => ({
  labelId: r.label_id,
  applicationId: r.application_id,
  label: r.label,
  by: r.labelled_by,
  note: r.note,
  labelledAt: r.labelled_at,
  confirmedBy: r.confirmed_by ?? null,
});

export class GraphStore {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS application_labels (
       label_id INTEGER PRIMARY KEY AUTOINCREMENT,
       application_id TEXT NOT NULL,
       label TEXT NOT NULL CHECK (label IN ('fraud', 'legit')),
       labelled_by TEXT NOT NULL,
       note TEXT,
       labelled_at INTEGER NOT NULL
     ) STRICT;
     CREATE INDEX IF NOT EXISTS application_labels_by_application ON application_labels (application_id, label_id);
     CREATE TABLE IF NOT EXISTS label_clearance_requests (
       application_id TEXT PRIMARY KEY,
       requested_by TEXT NOT NULL,
       note TEXT,
       requested_at INTEGER NOT NULL
     ) STRICT;`);
    const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('application_labels')").all();
    if (!columns.some((c) => c.name === 'confirmed_by')) db.exec('ALTER TABLE application_labels ADD COLUMN confirmed_by TEXT');
    this.statements = {
      applications: db.prepare<[number], ApplicationRow>(
        `SELECT d.rowid AS row, d.application_id, d.decided_at, d.outcome, d.fraud_evidence, d.region, d.product, i.type, i.hash, i.masked
           FROM decisions d LEFT JOIN application_identifiers i ON i.application_id = d.application_id
          WHERE d.decided_at >= ?
          ORDER BY d.rowid, i.type`,
      ),
      // A bounded page in (decided_at, rowid) order (the decided_at index's own): a rebuild of the
      // graph's window while the service runs reads it a few applications at a time.
      applicationsPage: db.prepare<[number, number, number, number], ApplicationRow>(
        `WITH page AS (
           SELECT rowid AS row, application_id, decided_at, outcome, fraud_evidence, region, product FROM decisions
            WHERE decided_at >= ? AND (decided_at, rowid) > (?, ?)
            ORDER BY decided_at, rowid LIMIT ?)
         SELECT page.row, page.application_id, page.decided_at, page.outcome, page.fraud_evidence, page.region, page.product, i.type, i.hash, i.masked
           FROM page LEFT JOIN application_identifiers i ON i.application_id = page.application_id
          ORDER BY page.decided_at, page.row, i.type`,
      ),
      insertLabel: db.prepare<[string, string, string, string | null, number, string | null], LabelRow>(
        'INSERT INTO application_labels (application_id, label, labelled_by, note, labelled_at, confirmed_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING *',
      ),
      latest: db.prepare<[string], LabelRow>('SELECT * FROM application_labels WHERE application_id = ? ORDER BY label_id DESC LIMIT 1'),
      clearance: db.prepare<[string], ClearanceRow>('SELECT * FROM label_clearance_requests WHERE application_id = ?'),
      requestClearance: db.prepare<[string, string, string | null, number], ClearanceRow>(
        'INSERT INTO label_clearance_requests (application_id, requested_by, note, requested_at) VALUES (?, ?, ?, ?) RETURNING *',
      ),
      dropClearance: db.prepare('DELETE FROM label_clearance_requests WHERE application_id = ?'),
      copyLabel: db.prepare<[number, string, string, string, string | null, number, string | null]>(
        'INSERT OR IGNORE INTO application_labels (label_id, application_id, label, labelled_by, note, labelled_at, confirmed_by) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      copyClearance: db.prepare<[string, string, string | null, number]>(
        'INSERT INTO label_clearance_requests (application_id, requested_by, note, requested_at) VALUES (?, ?, ?, ?) ON CONFLICT (application_id) DO NOTHING',
      ),
      deleteLabels: db.prepare('DELETE FROM application_labels WHERE application_id = ?'),
      current: db.prepare<[], LabelRow>(
        `SELECT l.* FROM application_labels l
           JOIN (SELECT application_id, MAX(label_id) AS last FROM application_labels GROUP BY application_id) m ON l.label_id = m.last
          ORDER BY l.label_id`,
      ),
      history: db.prepare<[string], LabelRow>('SELECT * FROM application_labels WHERE application_id = ? ORDER BY label_id'),
    };
  }

  /** Every decided application with its identifiers, in commit order. Do not write to the database while iterating. */
  /** Every application decided at or after `since` (default: all), in commit order, with its identifiers. */
  applications(since = Number.MIN_SAFE_INTEGER): Generator<StoredGraphApplication> {
    return grouped(this.statements.applications.iterate(since));
  }

  /**
   * Up to `limit` applications decided at or after `since`, after the position `after`, in
   * (decided_at, rowid) order; `next` is where the following page starts (undefined on the last).
   */
  applicationsPage(since: number, after: GraphPagePosition | undefined, limit: number): { applications: StoredGraphApplication[]; next: GraphPagePosition | undefined } {
    const from = after ?? { decidedAt: Number.MIN_SAFE_INTEGER, row: 0 };
    const rows = this.statements.applicationsPage.all(since, from.decidedAt, from.row, limit);
    const applications = [...grouped(rows)];
    const last = rows[rows.length - 1];
    return { applications, next: last && applications.length === limit ? { decidedAt: last.decided_at, row: last.row } : undefined };
  }


  /**
   * Records an investigator's label (committed before it returns). A "legit" on an application whose
   * label in force is fraud becomes a clearance request, or confirms another investigator's request.
   * Throws FourEyesError when the requester tries to confirm their own request.
   */
  label(input: LabelInput): LabelOutcome {
    return this.db.transaction((): LabelOutcome => {
      const inForce = this.statements.latest.get(input.applicationId);
      const pending = this.statements.clearance.get(input.applicationId);
      const step = labelStep(inForce?.label, pending && toClearance(pending), input);
      if (step.kind === 'clearance_requested') return { kind: 'clearance_requested', request: toClearance(this.statements.requestClearance.get(input.applicationId, step.request.requestedBy, step.request.note, step.request.requestedAt) as ClearanceRow) };
      this.statements.dropClearance.run(input.applicationId);
      const l = step.label;
      return { kind: 'labelled', record: toLabel(this.statements.insertLabel.get(input.applicationId, l.label, l.by, l.note, l.labelledAt, l.confirmedBy) as LabelRow) };
    })();
  }

  /**
   * A label recorded on the shared database (by any replica), into this replica's copy: the same
   * rows, with the shared label id, so a label met twice is written once. True where it was new.
   */
  copyLabel(outcome: LabelOutcome): boolean {
    return this.db.transaction((): boolean => {
      if (outcome.kind === 'clearance_requested') {
        const r = outcome.request;
        return this.statements.copyClearance.run(r.applicationId, r.requestedBy, r.note, r.requestedAt).changes > 0;
      }
      const l = outcome.record;
      const added = this.statements.copyLabel.run(l.labelId, l.applicationId, l.label, l.by, l.note, l.labelledAt, l.confirmedBy).changes > 0;
      if (added) this.statements.dropClearance.run(l.applicationId);
      return added;
    })();
  }

  /** Records a label as found in imported history (the bank's own records; no four-eyes step here). */
  addLabel(input: { applicationId: string; label: ApplicationLabel; by: string; note?: string; at: number }): LabelRecord {
    return toLabel(this.statements.insertLabel.get(input.applicationId, input.label, input.by, input.note ?? null, input.at, null) as LabelRow);
  }

  /** Retention: forgets an application's labels and any pending clearance (inside the unit of work that deletes it). */
  purgeLabels(applicationId: string): void {
    this.statements.deleteLabels.run(applicationId);
    this.statements.dropClearance.run(applicationId);
  }

  /** A clearance waiting for a second investigator, if any. */
  pendingClearance(applicationId: string): ClearanceRequest | undefined {
    const row = this.statements.clearance.get(applicationId);
    return row && toClearance(row);
  }

  /** Each labelled application's label in force. */
  currentLabels(): LabelRecord[] {
    return this.statements.current.all().map(toLabel);
  }

  labelHistory(applicationId: string): LabelRecord[] {
    return this.statements.history.all(applicationId).map(toLabel);
  }
}
