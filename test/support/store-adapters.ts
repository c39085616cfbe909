// The two store adapters (the embedded SQLite one, and PostgreSQL's for replicas) behind the
// decision service's ports, built the same way for the contract tests that hold both to one
// specification (test/store/decision-commit.test.ts, decision-change.test.ts).
import path from 'node:path';
import { ExposureBook } from '../../src/limits/exposure-book';
import { AuditStore } from '../../src/store/audit-store';
import type { DecisionChanger } from '../../src/store/decision-change';
import type { DecisionCommitter } from '../../src/store/decision-commit';
import { LocalDecisionChanger } from '../../src/store/local-decision-change';
import { LocalDecisionCommitter } from '../../src/store/local-decision-commit';
import { PgDecisionChanger } from '../../src/store/postgres/decision-change';
import { PgDecisionCommitter } from '../../src/store/postgres/decisions';
import { migrate } from '../../src/store/postgres/migrations';
import { createTestSchema, type TestSchema } from './pg';
import { tempDir } from './server';

export interface StoreAdapter {
  /** Committers over one shared record (a replica each, where the adapter has replicas). */
  readonly committers: readonly DecisionCommitter[];
  /** Changers over the same record, one per committer. */
  readonly changers: readonly DecisionChanger[];
  /** Live reservations as stored, and their sum per region. */
  reservations(region: string): Promise<{ count: number; sum: number }>;
  decisionCount(applicationIdPrefix: string): Promise<number>;
  /** A decision's history entries, as stored. */
  history(decisionId: string): Promise<{ type: string }[]>;
  close(): Promise<void>;
}

export const STORE_ADAPTERS: Record<string, () => Promise<StoreAdapter>> = {
  sqlite: async () => {
    const store = new AuditStore(path.join(tempDir(), 'audit.db'), { decisionWriter: 'worker' });
    await store.ready();
    const book = new ExposureBook();
    return {
      committers: [new LocalDecisionCommitter(store, book)],
      changers: [new LocalDecisionChanger(store, book)],
      reservations: async (region) => {
        const rows = store.liveExposure().filter((r) => r.region === region);
        return { count: rows.length, sum: rows.reduce((s, r) => s + r.amount, 0) };
      },
      decisionCount: async (prefix) => (store.database.prepare('SELECT count(*) AS n FROM decisions WHERE application_id LIKE ?').get(`${prefix}%`) as { n: number }).n,
      history: async (decisionId) => store.events(decisionId),
      close: () => store.close(),
    };
  },
  postgresql: async () => {
    const schema: TestSchema = await createTestSchema('store_contract');
    await migrate(schema.pool);
    // Three replicas, each with a pool of its own.
    const pools = [schema.newPool(8), schema.newPool(8), schema.newPool(8)];
    return {
      committers: pools.map((pool) => new PgDecisionCommitter(pool)),
      changers: pools.map((pool) => new PgDecisionChanger(pool)),
      reservations: async (region) => {
        const { rows } = await schema.pool.query<{ n: string; sum: string | null }>('SELECT count(*) AS n, sum(amount)::text AS sum FROM exposure_reservations WHERE region = $1 AND released_at IS NULL', [region]);
        return { count: Number(rows[0]?.n), sum: Number(rows[0]?.sum ?? 0) };
      },
      decisionCount: async (prefix) => Number((await schema.pool.query<{ n: string }>('SELECT count(*) AS n FROM decisions WHERE application_id LIKE $1', [`${prefix}%`])).rows[0]?.n),
      history: async (decisionId) => (await schema.pool.query<{ type: string }>('SELECT type FROM decision_history WHERE decision_id = $1 ORDER BY at', [decisionId])).rows,
      close: () => schema.drop(),
    };
  },
};
