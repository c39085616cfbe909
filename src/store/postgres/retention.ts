// Retention with several replicas: the passes of src/decision/retention.ts run on the shared
// database, on the one replica holding the sweep's lease, and each page's purge is published on
// the decision stream in the purge's own transaction, so every replica's local copy forgets the
// same decisions (Replica applies the event with purgeLocally) and a replica that starts late or
// was away never brings a purged decision back:
//   - identifiers: their rows go, and the decision's stream event loses its copy and its hashes,
//     so a replica copying it later reads the decision as it now is (its record is a lean
//     record, which names no identifier: src/decision/record.ts);
//   - decisions: the decision goes with its history, loan outcome, released reservation, labels
//     and every stream event that names it, so nothing on the stream can copy it in again.
// Pending decisions (awaiting review, or holding exposure) are kept, checked again under the
// rows' locks in the purge's transaction (a sign-off may land between the page and the purge).
import type { Pool } from 'pg';
import type { PurgeSubject, RetentionCandidateAt, RetentionPass, RetentionTarget } from '../retention-target';
import { publishEvent } from './decision-stream';
import { inTransaction } from './decisions';

/** A position in the shared decisions' (decided_at, decision_id) order. */
export interface SharedRetentionPosition {
  readonly decidedAt: number;
  readonly decisionId: string;
}

/** Where a label's stream event names its application (migration 10 indexes it). */
export const LABELLED_APPLICATION = `COALESCE(payload->'outcome'->'record'->>'applicationId', payload->'outcome'->'request'->>'applicationId')`;

export class PgRetention implements RetentionTarget<SharedRetentionPosition> {
  constructor(
    private readonly pool: Pool,
    private readonly statementTimeoutMs: number,
  ) {}

  async mark(pass: RetentionPass): Promise<SharedRetentionPosition | undefined> {
    const { rows } = await this.pool.query<{ decided_at: string; decision_id: string }>('SELECT decided_at::text, decision_id FROM retention_marks WHERE pass = $1', [pass]);
    const r = rows[0];
    return r ? { decidedAt: Number(r.decided_at), decisionId: r.decision_id } : undefined;
  }

  async page(cutoff: number, after: SharedRetentionPosition | undefined, size: number): Promise<RetentionCandidateAt<SharedRetentionPosition>[]> {
    const from = after ?? { decidedAt: Number.MIN_SAFE_INTEGER, decisionId: '' };
    // decided_at >= … lets the decided_at index bound the scan; the row comparison breaks ties.
    const { rows } = await this.pool.query<{ decision_id: string; application_id: string; decided_at: string; pending: boolean }>(
      `SELECT d.decision_id, d.application_id, d.decided_at::text,
              d.status = 'awaiting_review' OR EXISTS (SELECT 1 FROM exposure_reservations r WHERE r.decision_id = d.decision_id AND r.released_at IS NULL) AS pending
         FROM decisions d
        WHERE d.decided_at < $1 AND d.decided_at >= $2 AND (d.decided_at, d.decision_id) > ($2, $3)
        ORDER BY d.decided_at, d.decision_id LIMIT $4`,
      [cutoff, from.decidedAt, from.decisionId, size],
    );
    return rows.map((r) => {
      const decidedAt = Number(r.decided_at);
      return { decisionId: r.decision_id, applicationId: r.application_id, decidedAt, pending: r.pending, position: { decidedAt, decisionId: r.decision_id } };
    });
  }

  purge(pass: RetentionPass, page: readonly RetentionCandidateAt<SharedRetentionPosition>[], mark: SharedRetentionPosition | undefined): Promise<number> {
    return inTransaction(this.pool, this.statementTimeoutMs, async (client) => {
      const asked = page.filter((c) => !c.pending).map((c) => c.decisionId);
      // Locked in id order (two sweeps never deadlock each other), and still not pending.
      const { rows: eligible } = await client.query<{ decision_id: string; application_id: string }>(
        `SELECT d.decision_id, d.application_id FROM decisions d
          WHERE d.decision_id = ANY($1) AND d.status <> 'awaiting_review'
            AND NOT EXISTS (SELECT 1 FROM exposure_reservations r WHERE r.decision_id = d.decision_id AND r.released_at IS NULL)
          ORDER BY d.decision_id FOR UPDATE OF d`,
        [asked],
      );
      let subjects: PurgeSubject[] = eligible.map((r) => ({ decisionId: r.decision_id, applicationId: r.application_id, pending: false }));
      const decisionIds = subjects.map((s) => s.decisionId);
      const applicationIds = subjects.map((s) => s.applicationId);
      if (pass === 'identifiers') {
        const { rows: held } = await client.query<{ application_id: string }>('DELETE FROM application_identifiers WHERE application_id = ANY($1) RETURNING application_id', [applicationIds]);
        const had = new Set(held.map((r) => r.application_id));
        subjects = subjects.filter((s) => had.has(s.applicationId));
        // The decided event: without its copy (which holds the masks and hashes) a follower reads the row.
        await client.query(`UPDATE decision_events SET payload = (payload - 'copy') || '{"identifiers": []}'::jsonb WHERE decision_id = ANY($1) AND event_key = decision_id`, [
          subjects.map((s) => s.decisionId),
        ]);
      } else if (subjects.length > 0) {
        await client.query('DELETE FROM decision_events WHERE decision_id = ANY($1)', [decisionIds]);
        await client.query(`DELETE FROM decision_events WHERE payload->>'kind' = 'labelled' AND ${LABELLED_APPLICATION} = ANY($1)`, [applicationIds]);
        await client.query('DELETE FROM exposure_reservations WHERE decision_id = ANY($1)', [decisionIds]);
        await client.query('DELETE FROM application_labels WHERE application_id = ANY($1)', [applicationIds]);
        await client.query('DELETE FROM label_clearance_requests WHERE application_id = ANY($1)', [applicationIds]);
        // Its identifiers, history and loan outcome go with it (ON DELETE CASCADE).
        await client.query('DELETE FROM decisions WHERE decision_id = ANY($1)', [decisionIds]);
      }
      if (subjects.length > 0) {
        const first = subjects[0] as PurgeSubject;
        await publishEvent(client, `purged/${pass}/${first.decisionId}/${subjects.length}`, {
          kind: 'purged',
          pass,
          subjects: subjects.map(({ decisionId, applicationId }) => ({ decisionId, applicationId })),
        });
      }
      if (mark) {
        await client.query(
          `INSERT INTO retention_marks (pass, decided_at, decision_id) VALUES ($1, $2, $3)
           ON CONFLICT (pass) DO UPDATE SET decided_at = excluded.decided_at, decision_id = excluded.decision_id`,
          [pass, mark.decidedAt, mark.decisionId],
        );
      }
      return subjects.length;
    });
  }
}
