// Decisions shared by replicas, on a real PostgreSQL: the same applications sent to two replicas
// at the same moment are each stored once, with one change-stream event, and the replica that
// lost the race learns which decision holds the application; a decision that fails to commit
// leaves neither a row nor an event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStoredDocument } from '../../../src/store/decision-writer';
import type { Pool } from 'pg';
import type { DecisionRow, DecisionStatus } from '../../../src/store/audit-store';
import { PgDecisionCommitter } from '../../../src/store/postgres/decisions';
import { migrate } from '../../../src/store/postgres/migrations';
import { decisionRow } from '../../support/factories';
import { createTestSchema, type TestSchema } from '../../support/pg';

let schema: TestSchema;

/** A decision that books nothing, committed as it is. */
const commitDecision = (pool: Pool, row: DecisionRow, status: DecisionStatus) =>
  new PgDecisionCommitter(pool).commit({ applicationId: row.applicationId, plan: () => ({ row, status }) });

beforeAll(async () => {
  schema = await createTestSchema('decisions');
  await migrate(schema.pool);
});
afterAll(() => schema?.drop());

describe('a decision committed on PostgreSQL', () => {
  it('is stored once when two replicas decide the same application at the same moment, with one event', async () => {
    const [a, b] = [schema.newPool(10), schema.newPool(10)];
    const applications = Array.from({ length: 100 }, (_, i) => `RACE-${i}`);
    const row = (replica: string, applicationId: string) =>
      decisionRow(applicationId, { decisionId: `${replica}-${applicationId}`, requestFingerprint: 'fp', caller: 'key:los', identifiers: [{ type: 'phone', hash: `h-${applicationId}`, masked: '***1' }], document: { outcome: 'approve', applicationId } });
    const results = await Promise.all(applications.flatMap((id) => [commitDecision(a, row('a', id), 'final'), commitDecision(b, row('b', id), 'final')]));

    for (let i = 0; i < applications.length; i++) {
      const [fromA, fromB] = [results[2 * i], results[2 * i + 1]];
      const winners = [fromA, fromB].filter((r) => r?.stored);
      expect(winners).toHaveLength(1);
      const loser = [fromA, fromB].find((r) => !r?.stored);
      const winner = fromA?.stored ? 'a' : 'b';
      expect(loser).toMatchObject({ stored: false, existing: { decisionId: `${winner}-${applications[i]}`, requestFingerprint: 'fp', caller: 'key:los' } });
    }
    const counts = await schema.pool.query<{ decisions: string; events: string; identifiers: string }>(
      `SELECT (SELECT count(*) FROM decisions WHERE application_id LIKE 'RACE-%') AS decisions,
              (SELECT count(*) FROM decision_events WHERE payload->>'applicationId' LIKE 'RACE-%') AS events,
              (SELECT count(*) FROM application_identifiers WHERE application_id LIKE 'RACE-%') AS identifiers`,
    );
    expect(counts.rows[0]).toEqual({ decisions: '100', events: '100', identifiers: '100' });
    // Every event names the decision that was stored, never the one that lost.
    const mismatched = await schema.pool.query(`SELECT 1 FROM decision_events e LEFT JOIN decisions d ON d.decision_id = e.decision_id WHERE d.decision_id IS NULL`);
    expect(mismatched.rowCount).toBe(0);
  });

  it('keeps the lean record byte for byte as the SQLite store does, and the identifiers by hash and mask only', async () => {
    const row = decisionRow('RECORD-1', { identifiers: [{ type: 'email', hash: 'h-mail', masked: 'a***@x' }], document: { outcome: 'review', reasons: ['X'] } });
    expect(await commitDecision(schema.pool, row, 'awaiting_review')).toMatchObject({ stored: true });
    const { rows } = await schema.pool.query<{ record: Buffer; status: string }>('SELECT record, status FROM decisions WHERE application_id = $1', ['RECORD-1']);
    expect(JSON.parse(decodeStoredDocument({ document: '', record: rows[0]?.record as Buffer }))).toEqual({ outcome: 'review', reasons: ['X'] });
    expect(rows[0]?.status).toBe('awaiting_review');
    const event = await schema.pool.query<{ payload: { identifiers: unknown } }>('SELECT payload FROM decision_events WHERE decision_id = $1', [row.decisionId]);
    expect(event.rows[0]?.payload.identifiers).toEqual([{ type: 'email', hash: 'h-mail' }]);
  });

  it('that fails leaves neither a row nor an event', async () => {
    // Two identifier rows of one type break the identifiers' primary key after the decision's insert.
    const row = decisionRow('BROKEN-1', { identifiers: [{ type: 'phone', hash: 'h1', masked: '1' }, { type: 'phone', hash: 'h2', masked: '2' }] });
    await expect(commitDecision(schema.pool, row, 'final')).rejects.toThrow(/duplicate key/);
    const { rows } = await schema.pool.query<{ n: string }>(
      "SELECT (SELECT count(*) FROM decisions WHERE application_id = 'BROKEN-1') + (SELECT count(*) FROM decision_events WHERE decision_id = $1) AS n",
      [row.decisionId],
    );
    expect(rows[0]?.n).toBe('0');
  });
});

describe('group commit on PostgreSQL', () => {
  it('commits concurrent decisions of a region in shared transactions, each settled against the bookings before it in its batch', async () => {
    const committer = new PgDecisionCommitter(schema.newPool(4));
    const seen: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const row = decisionRow(`GROUP-${i}`, { decisionId: `g-${i}`, region: 'grouped' });
        return committer.commit({
          applicationId: row.applicationId,
          exposureRegion: 'grouped',
          plan: (exposure) => {
            seen.push(exposure.reserved);
            // Room for 150 of 10 each: the 151st in any order sees 1,500 booked and books nothing.
            const fits = exposure.reserved + 10 <= 1_500;
            return { row, status: 'final', ...(fits ? { reservation: { decisionId: row.decisionId, region: 'grouped', product: 'personal_loan', amount: 10, pd: null, reservedAt: 1, expiresAt: 2 } } : {}) };
          },
        });
      }),
    );
    expect(results.every((r) => r.stored)).toBe(true);
    expect(results.filter((r) => r.stored && r.plan.reservation)).toHaveLength(150);
    // Every plan saw a distinct total: no two were settled against the same exposure.
    expect(new Set(seen.filter((r) => r < 1_500)).size).toBe(150);
    expect(committer.stats.decisions).toBe(200);
    expect(committer.stats.commits).toBeLessThan(200 / 4);
  });
});
