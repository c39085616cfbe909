// One replica of the service as far as the exposure ledger goes: its own process and its own
// pool, started by exposure-ledger.test.ts (node --import tsx, with an IPC channel). Like a real
// replica it migrates the schema on start (all three start together: the advisory lock keeps
// that safe), then waits for orders: each 'run' fires reserve attempts at a fixed concurrency and
// reports every booking the moment the ledger acknowledges it, so the parent knows which bookings
// were acknowledged before it killed this process.
import pg from 'pg';
import { PgExposureLedger, type LedgerStats, type LedgerStrategy } from '../../../src/store/postgres/exposure-ledger';
import { migrate } from '../../../src/store/postgres/migrations';
import { schemaPool } from '../../support/pg';

export interface RunOrder {
  readonly type: 'run';
  readonly strategy: LedgerStrategy;
  readonly region: string;
  readonly amount: number;
  readonly decisionIds: readonly string[];
  readonly concurrency: number;
}

export type ReplicaMessage =
  | { readonly type: 'ready'; readonly migratedFrom: number }
  | { readonly type: 'booked'; readonly decisionId: string }
  | {
      readonly type: 'done';
      readonly booked: readonly string[];
      readonly replayed: readonly string[];
      readonly refused: number;
      readonly errors: readonly string[];
      readonly stats: LedgerStats;
    }
  | { readonly type: 'failed'; readonly error: string };

const schema = process.env.LEDGER_SCHEMA;
const poolSize = Number(process.env.LEDGER_POOL_SIZE ?? 10);
if (!schema || !process.send) throw new Error('ledger-replica runs as a child of the ledger test (LEDGER_SCHEMA, IPC channel)');

const send = (message: ReplicaMessage) => process.send?.(message);
const pool: pg.Pool = schemaPool(schema, poolSize);

async function run(order: RunOrder): Promise<void> {
  const ledger = new PgExposureLedger(pool, { strategy: order.strategy });
  const booked: string[] = [];
  const replayed: string[] = [];
  const errors: string[] = [];
  let refused = 0;
  let next = 0;
  const worker = async () => {
    while (next < order.decisionIds.length) {
      const decisionId = order.decisionIds[next++] as string;
      try {
        const result = await ledger.reserve({ decisionId, region: order.region, product: 'personal_loan', amount: order.amount, pd: 0.05, reservedAt: Date.now(), expiresAt: null });
        if (!result.booked) refused += 1;
        else if (result.replayed) replayed.push(decisionId);
        else {
          booked.push(decisionId);
          send({ type: 'booked', decisionId });
        }
      } catch (err) {
        errors.push(`${decisionId}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: order.concurrency }, worker));
  send({ type: 'done', booked, replayed, refused, errors, stats: ledger.stats });
}

process.on('message', (message: unknown) => {
  const order = message as RunOrder | { readonly type: 'exit' };
  if (order.type === 'exit') process.disconnect();
  else run(order).catch((err: unknown) => send({ type: 'failed', error: String(err) }));
});
// Ordered to exit, or orphaned (the test runner died): either way, close the connections and go.
process.on('disconnect', () => void pool.end().finally(() => process.exit()));

try {
  const { from } = await migrate(pool);
  // Open the pool's connections before the race, so the race measures bookings, not connecting.
  const clients = await Promise.all(Array.from({ length: poolSize }, () => pool.connect()));
  for (const client of clients) client.release();
  send({ type: 'ready', migratedFrom: from });
} catch (err) {
  send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exitCode = 1;
  process.disconnect();
}
