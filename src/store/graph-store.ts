// The fraud graph's side of the audit database: reads decisions and their identifier hashes to
// rebuild the identity graph at start, and keeps investigators' labels. Labels are append-only
// (the rows are the audit trail; an application's latest label is the one in force). Shares the
// audit store's connection (SQLite has one writer), with its own tables.
import type Database from 'better-sqlite3';

export type ApplicationLabel = 'fraud' | 'legit';

export interface StoredGraphApplication {
  readonly applicationId: string;
  readonly decidedAt: number;
  readonly outcome: string;
  readonly fraudEvidence: boolean;
  readonly identifiers: { readonly type: string; readonly hash: string; readonly masked: string }[];
}

export interface LabelRecord {
  readonly labelId: number;
  readonly applicationId: string;
  readonly label: ApplicationLabel;
  readonly by: string;
  readonly note: string | null;
  /** Epoch milliseconds. */
  readonly labelledAt: number;
}

interface LabelRow {
  label_id: number;
  application_id: string;
  label: ApplicationLabel;
  labelled_by: string;
  note: string | null;
  labelled_at: number;
}

const toLabel = (r: LabelRow): LabelRecord => ({
  labelId: r.label_id,
  applicationId: r.application_id,
  label: r.label,
  by: r.labelled_by,
  note: r.note,
  labelledAt: r.labelled_at,
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
     CREATE INDEX IF NOT EXISTS application_labels_by_application ON application_labels (application_id, label_id);`);
    this.statements = {
      applications: db.prepare<[], { application_id: string; decided_at: number; outcome: string; fraud_evidence: number; type: string | null; hash: string | null; masked: string | null }>(
        `SELECT d.application_id, d.decided_at, d.outcome, d.fraud_evidence, i.type, i.hash, i.masked
           FROM decisions d LEFT JOIN application_identifiers i ON i.application_id = d.application_id
          ORDER BY d.rowid, i.type`,
      ),
      insertLabel: db.prepare<[string, string, string, string | null, number], LabelRow>(
        'INSERT INTO application_labels (application_id, label, labelled_by, note, labelled_at) VALUES (?, ?, ?, ?, ?) RETURNING *',
      ),
      current: db.prepare<[], LabelRow>(
        `SELECT l.* FROM application_labels l
           JOIN (SELECT application_id, MAX(label_id) AS last FROM application_labels GROUP BY application_id) m ON l.label_id = m.last
          ORDER BY l.label_id`,
      ),
      history: db.prepare<[string], LabelRow>('SELECT * FROM application_labels WHERE application_id = ? ORDER BY label_id'),
    };
  }

  /** Every decided application with its identifiers, in commit order. Do not write to the database while iterating. */
  *applications(): Generator<StoredGraphApplication> {
    let current: StoredGraphApplication | undefined;
    for (const r of this.statements.applications.iterate()) {
      if (current?.applicationId !== r.application_id) {
        if (current) yield current;
        current = { applicationId: r.application_id, decidedAt: r.decided_at, outcome: r.outcome, fraudEvidence: r.fraud_evidence === 1, identifiers: [] };
      }
      if (r.type !== null && r.hash !== null) current.identifiers.push({ type: r.type, hash: r.hash, masked: r.masked ?? '' });
    }
    if (current) yield current;
  }

  /** Records a label (committed before it returns). */
  addLabel(input: { applicationId: string; label: ApplicationLabel; by: string; note?: string; at: number }): LabelRecord {
    const row = this.statements.insertLabel.get(input.applicationId, input.label, input.by, input.note ?? null, input.at);
    return toLabel(row as LabelRow);
  }

  /** Each labelled application's label in force. */
  currentLabels(): LabelRecord[] {
    return this.statements.current.all().map(toLabel);
  }

  labelHistory(applicationId: string): LabelRecord[] {
    return this.statements.history.all(applicationId).map(toLabel);
  }
}
