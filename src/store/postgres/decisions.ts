// Decisions shared by replicas on PostgreSQL: a decision, its identifier rows and its change-stream
// event commit in one transaction, so every replica that follows the stream sees exactly the
// decisions that were stored, and an acknowledged decision is both stored and streamed. The same
// application reaching two replicas at once is stored once: application_id is unique, the second
// insert waits on the first's entry and, when that commits, finds it and answers with it (the
// caller then answers as a retry would, or 409, exactly as the single-instance service does).
import type { Pool } from 'pg';
import type { DecisionRow, DecisionStatus } from '../audit-store';
import { encodeStoredDocument } from '../decision-writer';
import { decisionEventOf, publishDecision } from './decision-stream';

/** The decision already stored for an application: enough to tell a retry from a conflict. */
export interface StoredElsewhere {
  readonly decisionId: string;
  readonly requestFingerprint: string;
  readonly caller: string | null;
}

export type CommitResult = { readonly stored: true; readonly seq: number } | { readonly stored: false; readonly existing: StoredElsewhere };

const INSERT = `INSERT INTO decisions (decision_id, application_id, request_fingerprint, product, region, outcome, rules_version, decided_at, record, status, fraud_evidence, source, caller, approval_level)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
  ON CONFLICT (application_id) DO NOTHING RETURNING decision_id`;

/**
 * Stores the decision with its identifiers and publishes it on the change stream, in one
 * transaction; or, if its application is stored already (by this replica or another), stores
 * nothing and says which decision holds it.
 */
export async function commitDecision(pool: Pool, row: DecisionRow, status: DecisionStatus, clusterId: string | null = null): Promise<CommitResult> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    try {
      const record = encodeStoredDocument(row.documentJson ?? JSON.stringify(row.document));
      const inserted = await client.query(INSERT, [
        row.decisionId,
        row.applicationId,
        row.requestFingerprint,
        row.product,
        row.region,
        row.outcome,
        row.rulesVersion,
        row.decidedAt,
        record,
        status,
        row.fraudEvidence,
        row.source,
        row.caller ?? null,
        row.approvalLevel ?? null,
      ]);
      if (inserted.rowCount === 0) {
        const { rows } = await client.query<{ decision_id: string; request_fingerprint: string; caller: string | null }>(
          'SELECT decision_id, request_fingerprint, caller FROM decisions WHERE application_id = $1',
          [row.applicationId],
        );
        await client.query('ROLLBACK');
        const found = rows[0];
        // Deleted between the conflict and the read (retention): nothing holds it now; the caller retries.
        if (!found) return commitDecision(pool, row, status, clusterId);
        return { stored: false, existing: { decisionId: found.decision_id, requestFingerprint: found.request_fingerprint, caller: found.caller } };
      }
      if (row.identifiers.length > 0) {
        await client.query(
          `INSERT INTO application_identifiers (application_id, type, hash, masked, decided_at)
             SELECT $1, i.type, i.hash, i.masked, $2 FROM jsonb_to_recordset($3::jsonb) AS i (type text, hash text, masked text)`,
          [row.applicationId, row.decidedAt, JSON.stringify(row.identifiers)],
        );
      }
      const seq = await publishDecision(client, decisionEventOf(row, clusterId));
      await client.query('COMMIT');
      return { stored: true, seq: seq as number };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw err;
    }
  } finally {
    client.release(broken);
  }
}
