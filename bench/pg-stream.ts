// The decision change stream's latency, commit to delivery, against issue 16's target (a decision
// committed on one replica reaches every other within 1 s at the p99):
//   npm run bench:pg-stream      (DATABASE_URL, default postgresql://127.0.0.1:5432/test)
// One publisher pool (BENCH_PG_STREAM_CONNECTIONS connections) commits BENCH_PG_STREAM_RATE
// events a second for BENCH_PG_STREAM_SECONDS, each in its own transaction (BEGIN, publish,
// COMMIT), 1% of them rolled back to leave holes the subscribers must pass; two subscribers, each
// on its own pool as two replicas would be, follow the stream. Latency is from the publisher's
// COMMIT acknowledgement to the subscriber's onEvent (0 where the event arrived first: the NOTIFY
// can overtake the acknowledgement). A fresh schema per run, dropped at the end.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { withDefaultUser } from '../src/store/postgres/connection';
import { DecisionStreamSubscriber, publishDecision, type DecisionEvent } from '../src/store/postgres/decision-stream';
import { migrate, quoteIdent } from '../src/store/postgres/migrations';

const DATABASE_URL = withDefaultUser(process.env.DATABASE_URL ?? 'postgresql://127.0.0.1:5432/test');
const RATE = Number(process.env.BENCH_PG_STREAM_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_PG_STREAM_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_PG_STREAM_CONNECTIONS ?? 8);
const ROLLBACK_EVERY = 100;
const TARGET_P99_MS = 1000;

const schema = `bench_stream_${process.pid}_${randomBytes(3).toString('hex')}`;
const admin = new pg.Client({ connectionString: DATABASE_URL });
await admin.connect();
await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
const newPool = (max: number) => new pg.Pool({ connectionString: DATABASE_URL, options: `-c search_path=${schema}`, max });
const publisher = newPool(CONNECTIONS);
const replicaPools = [newPool(2), newPool(2)];

const event = (id: string): DecisionEvent => ({
  decisionId: id,
  applicationId: `app-${id}`,
  product: 'personal_loan',
  region: 'north',
  outcome: 'approve',
  decidedAt: Date.now(),
  identifiers: [
    { type: 'email', hash: randomBytes(16).toString('hex') },
    { type: 'phone', hash: randomBytes(16).toString('hex') },
  ],
  clusterId: null,
});

const acked = new Map<string, number>();
let committed = 0;
let failed = 0;

async function publishOne(i: number): Promise<void> {
  const id = `d-${i}`;
  const client = await publisher.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    await publishDecision(client, event(id));
    if (i % ROLLBACK_EVERY === ROLLBACK_EVERY - 1) {
      await client.query('ROLLBACK');
      return;
    }
    await client.query('COMMIT');
    acked.set(id, performance.now());
    committed += 1;
  } catch (err) {
    failed += 1;
    broken = true;
    await client.query('ROLLBACK').catch(() => undefined);
    process.stderr.write(`publish failed: ${err instanceof Error ? err.message : String(err)}\n`);
  } finally {
    client.release(broken);
  }
}

try {
  await migrate(publisher);
  const subscribers = replicaPools.map((pool) => {
    const delivered = new Map<string, number>();
    const sub = new DecisionStreamSubscriber(pool, {
      onEvent: (e) => void delivered.set((e.event as DecisionEvent).decisionId, performance.now()),
      onError: (err) => process.stderr.write(`subscriber: ${err.message}\n`),
    });
    return { sub, delivered };
  });
  await Promise.all(subscribers.map((s) => s.sub.start(0)));

  const total = Math.round(RATE * SECONDS);
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  let issued = 0;
  while (issued < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE));
    for (; issued < due; issued++) {
      const p = publishOne(issued).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await Promise.all(inFlight);
  const publishSeconds = (performance.now() - started) / 1000;
  const deadline = performance.now() + 30_000;
  while (subscribers.some((s) => s.delivered.size < committed) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const deliverySeconds = (Math.max(...subscribers.flatMap((s) => [...s.delivered.values()])) - started) / 1000;
  await Promise.all(subscribers.map((s) => s.sub.stop()));

  const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  const ms = (v: number) => `${v.toFixed(1).padStart(7)} ms`;
  console.log(
    `decision stream: ${committed} committed (${total - committed - failed} rolled back, ${failed} failed) from ${CONNECTIONS} connections ` +
      `at ${(committed / publishSeconds).toFixed(0)}/s committed (target rate ${RATE}/s, ${SECONDS} s)`,
  );
  console.log(`target: commit → delivery p99 ≤ ${TARGET_P99_MS} ms on every replica\n`);
  console.log('subscriber   delivered   events/s        p50         p99         max   reads  notifications  holes passed  forced');
  subscribers.forEach((s, n) => {
    const lat = [...acked].map(([id, at]) => Math.max(0, (s.delivered.get(id) ?? Infinity) - at)).sort((a, b) => a - b);
    const p99 = percentile(lat, 99);
    console.log(
      `${`#${n + 1}`.padEnd(12)} ${String(s.delivered.size).padStart(9)} ${(s.delivered.size / deliverySeconds).toFixed(0).padStart(10)} ` +
        `${ms(percentile(lat, 50))} ${ms(p99)} ${ms(lat.at(-1) ?? NaN)} ${String(s.sub.stats.reads).padStart(7)} ${String(s.sub.stats.notifications).padStart(14)} ` +
        `${String(s.sub.stats.abandonedGaps).padStart(13)} ${String(s.sub.stats.forcedGaps).padStart(7)}  ${p99 <= TARGET_P99_MS ? 'meets' : 'MISSES'} the 1 s p99`,
    );
    if (s.delivered.size !== committed) console.log(`  #${n + 1} MISSED ${committed - s.delivered.size} events`);
  });
} finally {
  await Promise.all([publisher, ...replicaPools].map((p) => p.end()));
  await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  await admin.end();
}
