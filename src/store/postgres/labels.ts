// Investigators' labels shared by replicas: the shared adapter of LabelRecorder (../label-record.ts).
// A transaction-scoped advisory lock per application serialises label requests of one application
// across replicas (the four-eyes step reads the label in force and the pending clearance), the
// rows and a stream event commit together, and every replica's copy applies the event (replica.ts).
import type { Pool, PoolClient } from 'pg';
import { labelStep, type ApplicationLabel, type ClearanceRequest, type LabelInput, type LabelOutcome } from '../graph-store';
import { publishLabel } from './decision-stream';
import { inTransaction } from './decisions';

interface LabelRow {
  readonly label_id: string;
  readonly application_id: string;
  readonly label: ApplicationLabel;
  readonly labelled_by: string;
  readonly note: string | null;
  readonly labelled_at: string;
  readonly confirmed_by: string | null;
}

export class PgLabelRecorder {
  constructor(
    private readonly pool: Pool,
    private readonly statementTimeoutMs = 5_000,
  ) {}

  async record(input: LabelInput): Promise<LabelOutcome> {
    return inTransaction(this.pool, this.statementTimeoutMs, (client) => this.recordIn(client, input));
  }

  private async recordIn(client: PoolClient, input: LabelInput): Promise<LabelOutcome> {
    await client.query(`SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':label:' || $1::text, 0))`, [input.applicationId]);
    const latest = await client.query<{ label: ApplicationLabel }>('SELECT label FROM application_labels WHERE application_id = $1 ORDER BY label_id DESC LIMIT 1', [input.applicationId]);
    const pending = await client.query<{ requested_by: string; note: string | null; requested_at: string }>('SELECT requested_by, note, requested_at::text AS requested_at FROM label_clearance_requests WHERE application_id = $1', [
      input.applicationId,
    ]);
    const p = pending.rows[0];
    const clearance: ClearanceRequest | undefined = p && { applicationId: input.applicationId, requestedBy: p.requested_by, note: p.note, requestedAt: Number(p.requested_at) };
    const step = labelStep(latest.rows[0]?.label, clearance, input);
    let outcome: LabelOutcome;
    if (step.kind === 'clearance_requested') {
      const r = step.request;
      await client.query('INSERT INTO label_clearance_requests (application_id, requested_by, note, requested_at) VALUES ($1, $2, $3, $4)', [r.applicationId, r.requestedBy, r.note, r.requestedAt]);
      outcome = { kind: 'clearance_requested', request: r };
    } else {
      const l = step.label;
      await client.query('DELETE FROM label_clearance_requests WHERE application_id = $1', [l.applicationId]);
      const { rows } = await client.query<LabelRow>(
        `INSERT INTO application_labels (application_id, label, labelled_by, note, labelled_at, confirmed_by) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING label_id::text AS label_id, application_id, label, labelled_by, note, labelled_at::text AS labelled_at, confirmed_by`,
        [l.applicationId, l.label, l.by, l.note, l.labelledAt, l.confirmedBy],
      );
      outcome = labelledOf(rows[0] as LabelRow);
    }
    await publishLabel(client, outcome);
    return outcome;
  }
}

/**
 * A label that came with imported history (the bank's own records: no four-eyes step), in the
 * caller's transaction, published for every replica's copy.
 */
export async function insertImportedLabel(client: PoolClient, input: LabelInput): Promise<LabelOutcome> {
  const { rows } = await client.query<LabelRow>(
    `INSERT INTO application_labels (application_id, label, labelled_by, note, labelled_at) VALUES ($1, $2, $3, $4, $5)
     RETURNING label_id::text AS label_id, application_id, label, labelled_by, note, labelled_at::text AS labelled_at, confirmed_by`,
    [input.applicationId, input.label, input.by, input.note ?? null, input.at],
  );
  const outcome = labelledOf(rows[0] as LabelRow);
  await publishLabel(client, outcome);
  return outcome;
}

function labelledOf(r: LabelRow): LabelOutcome {
  return { kind: 'labelled', record: { labelId: Number(r.label_id), applicationId: r.application_id, label: r.label, by: r.labelled_by, note: r.note, labelledAt: Number(r.labelled_at), confirmedBy: r.confirmed_by } };
}
