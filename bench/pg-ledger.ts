// The exposure ledger's two strategies on PostgreSQL, side by side in one run:
//   npm run bench:pg-ledger      (DATABASE_URL, default postgresql://127.0.0.1:5432/test)
// Three pools stand for three replicas (BENCH_PG_LEDGER_POOL connections each, one worker per
// connection), and reserve BENCH_PG_LEDGER_N approvals per run against (a) one hot region and
// (b) four regions taken in turn, with limits so large that everything fits: what is measured is
// the price of never overshooting, not refusals. Each strategy runs twice per case, in the order
// A B B A so that neither always goes first on a warmer server; the figures are over both runs.
// A fresh schema per run of the bench, dropped at the end.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { withDefaultUser } from '../src/store/postgres/connection';
import { PgExposureLedger, type LedgerStrategy } from '../src/store/postgres/exposure-ledger';
import { migrate, quoteIdent } from '../src/store/postgres/migrations';

const DATABASE_URL = withDefaultUser(process.env.DATABASE_URL ?? 'postgresql://127.0.0.1:5432/test');
const N = Number(process.env.BENCH_PG_LEDGER_N ?? 3000);
const POOL = Number(process.env.BENCH_PG_LEDGER_POOL ?? 10);
const REPLICAS = 3;
const STRATEGIES: readonly LedgerStrategy[] = ['row-lock', 'serializable'];

interface RunResult {
  readonly seconds: number;
  readonly latencies: number[];
  readonly retries: number;
  readonly errors: number;
  readonly consistent: boolean;
}

const schema = `bench_ledger_${process.pid}_${randomBytes(3).toString('hex')}`;
const admin = new pg.Client({ connectionString: DATABASE_URL });
await admin.connect();
await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
const pools = Array.from({ length: REPLICAS }, () => new pg.Pool({ connectionString: DATABASE_URL, options: `-c search_path=${schema}`, max: POOL }));

let sequence = 0;

/** N reservations from REPLICAS × POOL workers, one ledger per pool (a replica each), spread over `regions`. */
async function run(strategy: LedgerStrategy, regions: readonly string[], n: number): Promise<RunResult> {
  const ledgers = pools.map((pool) => new PgExposureLedger(pool, { strategy }));
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const batch = sequence++;
  const worker = async (ledger: PgExposureLedger) => {
    while (next < n) {
      const i = next++;
      const started = performance.now();
      try {
        const result = await ledger.reserve({ decisionId: `b${batch}-${i}`, region: regions[i % regions.length] as string, product: 'personal_loan', amount: 1234.56, pd: 0.04, reservedAt: Date.now(), expiresAt: null });
        if (!result.booked) throw new Error('refused: the limit should hold everything');
        latencies.push(performance.now() - started);
      } catch {
        errors += 1;
      }
    }
  };
  const started = performance.now();
  await Promise.all(ledgers.flatMap((ledger) => Array.from({ length: POOL }, () => worker(ledger))));
  const seconds = (performance.now() - started) / 1000;
  let consistent = true;
  for (const region of regions) {
    const r = await ledgers[0]?.region(region);
    if (!r || r.reserved !== r.live || r.reserved > r.limit) consistent = false;
  }
  return { seconds, latencies, retries: ledgers.reduce((s, l) => s + l.stats.retries, 0), errors, consistent };
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

interface Summary {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly retriesPerBooking: number;
  readonly errors: number;
  readonly consistent: boolean;
}

function summarise(runs: readonly RunResult[]): Summary {
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const booked = latencies.length;
  return {
    perSecond: booked / runs.reduce((s, r) => s + r.seconds, 0),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    retriesPerBooking: runs.reduce((s, r) => s + r.retries, 0) / Math.max(1, booked),
    errors: runs.reduce((s, r) => s + r.errors, 0),
    consistent: runs.every((r) => r.consistent),
  };
}

async function bench(name: string, regionCount: number): Promise<void> {
  const regions = (strategy: LedgerStrategy, round: number) => Array.from({ length: regionCount }, (_, i) => `${name}-${strategy}-${round}-${i}`);
  const setup = new PgExposureLedger(pools[0] as pg.Pool, { strategy: 'row-lock' });
  for (const strategy of STRATEGIES) for (const round of [0, 1, 2]) for (const region of regions(strategy, round)) await setup.setLimit(region, 9_000_000_000_000);
  // Warm-up (connections, plans, caches), not counted.
  for (const strategy of STRATEGIES) await run(strategy, regions(strategy, 0), Math.min(N, 300));
  const results = new Map<LedgerStrategy, RunResult[]>(STRATEGIES.map((s) => [s, []]));
  for (const [strategy, round] of [[STRATEGIES[0], 1], [STRATEGIES[1], 1], [STRATEGIES[1], 2], [STRATEGIES[0], 2]] as const) {
    results.get(strategy as LedgerStrategy)?.push(await run(strategy as LedgerStrategy, regions(strategy as LedgerStrategy, round), N));
  }
  const [rowLock, serializable] = STRATEGIES.map((s) => summarise(results.get(s) ?? []));
  if (!rowLock || !serializable) return;
  const cell = (s: Summary) => [s.perSecond.toFixed(0), s.p50.toFixed(2), s.p99.toFixed(2), s.retriesPerBooking.toFixed(2), String(s.errors), s.consistent ? 'yes' : 'NO'];
  const rows = [
    ['', 'reservations/s', 'p50 ms', 'p99 ms', 'retries/booking', 'errors', 'reserved = live ≤ limit'],
    ['row-lock', ...cell(rowLock)],
    ['serializable', ...cell(serializable)],
  ];
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  process.stdout.write(`\n${name}: ${N} reservations per run, 2 runs per strategy, ${REPLICAS} pools × ${POOL} connections, ${regionCount} region(s)\n`);
  for (const r of rows) process.stdout.write(`  ${r.map((v, c) => (c === 0 ? v.padEnd(widths[c] ?? 0) : v.padStart(widths[c] ?? 0))).join('  ')}\n`);
  process.stdout.write(`  row-lock ÷ serializable: throughput ${(rowLock.perSecond / serializable.perSecond).toFixed(2)}×, p50 ${(rowLock.p50 / serializable.p50).toFixed(2)}×, p99 ${(rowLock.p99 / serializable.p99).toFixed(2)}×\n`);
}

try {
  await migrate(pools[0] as pg.Pool);
  const { rows } = await admin.query<{ version: string; synchronous_commit: string }>("SELECT version() AS version, current_setting('synchronous_commit') AS synchronous_commit");
  process.stdout.write(`${rows[0]?.version}\nsynchronous_commit=${rows[0]?.synchronous_commit}, schema ${schema}\n`);
  await bench('one hot region', 1);
  await bench('four regions', 4);
} finally {
  await Promise.all(pools.map((p) => p.end()));
  await admin.query(`DROP SCHEMA ${quoteIdent(schema)} CASCADE`);
  await admin.end();
}
