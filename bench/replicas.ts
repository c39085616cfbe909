// npm run bench:replicas — two replicas sharing PostgreSQL beside one instance on SQLite, in the
// same run, under the same closed-loop load (autocannon, as `npm run bench`):
//   (a) one instance on its embedded SQLite store alone (no DATABASE_URL);
//   (b) two replicas sharing a fresh PostgreSQL schema (same IDENTIFIER_HASH_KEY, each its own
//       DATA_DIR and port), the load's connections alternating between them (a client-side
//       round-robin standing in for the load balancer: connection i goes to replica i mod 2).
// Each is the real service (src/main.ts) in a child process of its own, with production settings
// (NODE_ENV=production, an API keys file with an origination key, LOG_LEVEL=warn).
//
// Then, on (b):
//   - no acknowledged decision lost: every decisionId answered 200 must be in PostgreSQL's
//     `decisions` table and readable from BOTH replicas' GET /decisions/:id (after a short wait for
//     the stream); any missing one fails the run (exit 1);
//   - cross-replica latency, measured directly: beside the load, ~BENCH_REPLICAS_PROBES decisions
//     at a modest rate, each made on one replica, whose GET /decisions/:id is then polled every
//     5 ms on the other; from replica A's 200 to replica B's first 200 (target p99 ≤ 1,000 ms);
//     and, for comparison, each replica's own replica_copy_lag_ms histogram from GET /metrics.
//
//   DATABASE_URL                     default postgresql://127.0.0.1:5432/test (a schema per run, dropped at the end)
//   BENCH_REPLICAS_SECONDS           measured load per configuration, default 15
//   BENCH_REPLICAS_CONCURRENCY       closed-loop connections, default 32
//   BENCH_REPLICAS_WARMUP_SECONDS    warm-up load before each measurement, default 3
//   BENCH_REPLICAS_PROBES            cross-replica latency probes, default 200
//   BENCH_REPLICAS_REGIONS           optional comma-separated regions the applications take in turn (default: sample.ts's east for all)
//   BENCH_REPLICAS_DB_RTT_MS         optional round trip added between the replicas and PostgreSQL (a TCP proxy holding each
//                                    chunk half of it each way), as if the database ran on another machine; default 0
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import pg from 'pg';
import { generateApiKey } from '../src/access/api-keys';
import { withDefaultUser } from '../src/store/postgres/connection';
import { quoteIdent } from '../src/store/postgres/migrations';
import { sampleApplication } from './sample';
import { processCpuSeconds } from './process-cpu';
import { startTcpProxy } from '../test/support/tcp-proxy';

const DATABASE_URL = withDefaultUser(process.env.DATABASE_URL ?? 'postgresql://127.0.0.1:5432/test');
const SECONDS = Number(process.env.BENCH_REPLICAS_SECONDS ?? 15);
const CONCURRENCY = Number(process.env.BENCH_REPLICAS_CONCURRENCY ?? 32);
const WARMUP_SECONDS = Number(process.env.BENCH_REPLICAS_WARMUP_SECONDS ?? 3);
const PROBES = Number(process.env.BENCH_REPLICAS_PROBES ?? 200);
/** Optional: spread the applications over these regions (comma-separated); default bench/sample.ts's, one region for all. */
const REGIONS = (process.env.BENCH_REPLICAS_REGIONS ?? '').split(',').map((r) => r.trim()).filter(Boolean);
const application = (id: string, n: number) => {
  const app = sampleApplication(id);
  return REGIONS.length ? { ...app, region: REGIONS[n % REGIONS.length] as string } : app;
};
const LAG_TARGET_P99_MS = 1000;
const POLL_MS = 5;
/** How long after the load every acknowledged decision has to show up everywhere. */
const SETTLE_MS = 15_000;
const ROOT = path.resolve(import.meta.dirname, '..');

const shownUrl = (url: string): string => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
/** A histogram quantile: Infinity where it falls in the +Inf bucket, past the last finite bound (5,000 ms). */
const bucketMs = (v: number) => (v === Infinity ? '> 5000' : v.toFixed(1));
const fmt = (n: number, d = 1, w = 9) => (Number.isFinite(n) ? n.toFixed(d) : String(n)).padStart(w);

// ---------------------------------------------------------------------------------------------
// The run's scratch: data folders, the API keys file, the PostgreSQL schema; all removed at the end.
const scratch = mkdtempSync(path.join(tmpdir(), 'bench-replicas-'));
const los = generateApiKey({ id: 'los', roles: ['origination'] });
const monitoring = generateApiKey({ id: 'monitoring', roles: ['monitoring'] });
const keysFile = path.join(scratch, 'api-keys.json');
writeFileSync(keysFile, JSON.stringify({ keys: [los.entry, monitoring.entry] }, null, 2), { mode: 0o600 });
const AUTH = `Bearer ${los.key}`;
const METRICS_AUTH = `Bearer ${monitoring.key}`;
const IDENTIFIER_HASH_KEY = randomBytes(32).toString('hex');

const schema = `bench_replicas_${process.pid}_${randomBytes(3).toString('hex')}`;
const DB_RTT_MS = Number(process.env.BENCH_REPLICAS_DB_RTT_MS ?? 0);
const replicaUrl = async (): Promise<string> => {
  const url = new URL(DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  if (DB_RTT_MS > 0) {
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432), delayMs: DB_RTT_MS / 2 });
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
  }
  return url.toString();
};
let schemaCreated = false;

// ---------------------------------------------------------------------------------------------
// The service as a child process: src/main.ts (what `npm run dev` and, built, `npm start` run).
interface Instance {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  readonly dataDir: string;
}
const running = new Set<Instance>();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || !address) throw new Error('no free port');
  return address.port;
}

async function startInstance(name: string, extraEnv: Record<string, string>): Promise<Instance> {
  const dataDir = mkdtempSync(path.join(scratch, `${name}-`));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  Object.assign(env, {
    NODE_ENV: 'production',
    LOG_LEVEL: process.env.BENCH_REPLICAS_LOG_LEVEL ?? 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    API_KEYS_FILE: keysFile,
    IDENTIFIER_HASH_KEY,
    ...extraEnv,
  });
  // The service logs JSON to stdout: passed on to this process's stderr (warnings and worse only).
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => process.stderr.write(`[${name}] ${String(chunk)}`));
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[${name}] ${String(chunk)}`));
  const instance: Instance = { name, child, url: `http://127.0.0.1:${port}`, dataDir };
  running.add(instance);
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready`))));
  exited.catch(() => undefined);
  const started = performance.now();
  const ready = (async () => {
    while (performance.now() - started < 120_000) {
      if (child.exitCode !== null || child.signalCode !== null) return; // `exited` has rejected
      try {
        if ((await fetch(`${instance.url}/ready`)).status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`${name} not ready within 120 s`);
  })();
  await Promise.race([ready, exited]);
  console.log(`  ${name}: ready on ${instance.url} in ${((performance.now() - started) / 1000).toFixed(1)} s (pid ${child.pid})`);
  return instance;
}

async function stopInstance(instance: Instance): Promise<void> {
  if (!running.delete(instance)) return;
  const { child } = instance;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(force);
}


// ---------------------------------------------------------------------------------------------
// The load: autocannon, closed loop, a fresh application per request (every /decide a real decision).
interface Load {
  /** Decisions answered 200 per second. */
  dps: number;
  p50: number;
  p99: number;
  ok: number;
  non200: number;
  /** Connection errors and timeouts (no answer at all). */
  errors: number;
  statuses: Map<number, number>;
  codes: Map<string, number>;
  /** Server CPU (all instances, all threads) per decision, ms. */
  cpuMsPerDecision: number;
}

let sequence = 0;
async function load(instances: readonly Instance[], seconds: number, acked?: Set<string>): Promise<Load> {
  const statuses = new Map<number, number>();
  /** Non-200 answers by status and error code. */
  const codes = new Map<string, number>();
  let ok = 0;
  const cpuBefore = instances.map((i) => processCpuSeconds(i.child.pid));
  const result = await autocannon({
    // Several URLs: autocannon gives connection i to url[i % n], a client-side round-robin over the replicas.
    url: (instances.length === 1 ? instances[0]?.url : instances.map((i) => i.url)) as string,
    connections: CONCURRENCY,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/decide',
        headers: { 'content-type': 'application/json', authorization: AUTH },
        setupRequest: (req) => ({ ...req, body: JSON.stringify(application(`R-${process.pid}-${++sequence}`, sequence)) }),
        onResponse: (status, body) => {
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status !== 200) {
            const key = `${status} ${/"code":"([A-Za-z_]+)"/.exec(body)?.[1] ?? '?'}`;
            codes.set(key, (codes.get(key) ?? 0) + 1);
            return;
          }
          ok += 1;
          const id = /"decisionId":"([^"]+)"/.exec(body)?.[1];
          if (id) acked?.add(id);
        },
      },
    ],
  });
  const cpu = instances.reduce((sum, i, n) => sum + processCpuSeconds(i.child.pid) - (cpuBefore[n] ?? Number.NaN), 0);
  const answered = [...statuses.values()].reduce((a, b) => a + b, 0);
  return {
    dps: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok,
    non200: answered - ok,
    errors: result.errors,
    statuses,
    codes,
    cpuMsPerDecision: (cpu * 1000) / Math.max(ok, 1),
  };
}

// ---------------------------------------------------------------------------------------------
// Cross-replica latency, measured directly: decide on one replica, poll the other's GET /decisions/:id.
interface ProbeResults {
  /** From replica A's 200 to the answer of replica B's first 200 GET (an upper bound: includes that GET's round trip). */
  seen: number[];
  /** From replica A's 200 to the sending of that GET (a lower bound). */
  seenLower: number[];
  notDecided: Map<string, number>;
  neverSeen: number;
}

async function probe(from: Instance, to: Instance, applicationId: string, acked: Set<string>, out: ProbeResults): Promise<void> {
  let decided: Response;
  try {
    decided = await fetch(`${from.url}/decide`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: AUTH },
      body: JSON.stringify(application(applicationId, Number(applicationId.replace(/\D/g, '').slice(-6)))),
    });
  } catch {
    out.notDecided.set('no answer', (out.notDecided.get('no answer') ?? 0) + 1);
    return;
  }
  const body = (await decided.json().catch(() => ({}))) as { decisionId?: string };
  const committed = performance.now();
  if (decided.status !== 200 || !body.decisionId) {
    const key = `${decided.status} ${(body as { error?: { code?: string } }).error?.code ?? '?'}`;
    out.notDecided.set(key, (out.notDecided.get(key) ?? 0) + 1);
    return;
  }
  acked.add(body.decisionId);
  while (performance.now() - committed < 10_000) {
    const sent = performance.now();
    const read = await fetch(`${to.url}/decisions/${encodeURIComponent(body.decisionId)}`, { headers: { authorization: AUTH } }).catch(() => undefined);
    await read?.arrayBuffer().catch(() => undefined);
    if (read?.status === 200) {
      out.seen.push(performance.now() - committed);
      out.seenLower.push(sent - committed);
      return;
    }
    await sleep(POLL_MS);
  }
  out.neverSeen += 1;
  out.seen.push(Infinity);
  out.seenLower.push(Infinity);
}

/** PROBES probes spread evenly over `seconds`, alternating direction (A→B, B→A). */
async function probes(pair: readonly [Instance, Instance], seconds: number, acked: Set<string>): Promise<ProbeResults> {
  const out: ProbeResults = { seen: [], seenLower: [], notDecided: new Map(), neverSeen: 0 };
  const spacing = (seconds * 1000) / Math.max(PROBES, 1);
  const started = performance.now();
  const all: Promise<void>[] = [];
  for (let i = 0; i < PROBES; i++) {
    const due = started + i * spacing;
    if (due > performance.now()) await sleep(due - performance.now());
    all.push(probe(pair[i % 2] as Instance, pair[(i + 1) % 2] as Instance, `P-${process.pid}-${i}`, acked, out));
  }
  await Promise.all(all);
  return out;
}

// ---------------------------------------------------------------------------------------------
// replica_copy_lag_ms from GET /metrics: quantiles from the cumulative buckets, interpolated within one (as histogram_quantile does).
async function metricsLag(instance: Instance): Promise<{ count: number; p50: number; p99: number }> {
  const text = await (await fetch(`${instance.url}/metrics`, { headers: { authorization: METRICS_AUTH } })).text();
  const buckets: { le: number; n: number }[] = [];
  for (const m of text.matchAll(/^replica_copy_lag_ms_bucket\{le="([^"]+)"\} (\d+(?:\.\d+)?)/gm)) buckets.push({ le: m[1] === '+Inf' ? Infinity : Number(m[1]), n: Number(m[2]) });
  buckets.sort((a, b) => a.le - b.le);
  const count = buckets.at(-1)?.n ?? 0;
  const quantile = (q: number) => {
    if (count === 0) return Number.NaN;
    const rank = q * count;
    let lower = 0;
    let below = 0;
    for (const b of buckets) {
      if (b.n >= rank) {
        if (b.le === Infinity) return Infinity; // beyond the last finite bucket (shown "> 5000")
        return lower + ((b.le - lower) * (rank - below)) / Math.max(b.n - below, 1);
      }
      lower = b.le;
      below = b.n;
    }
    return Number.NaN;
  };
  return { count, p50: quantile(0.5), p99: quantile(0.99) };
}

/** replica_stream_position (the last stream event the replica holds; the gauge is refreshed every second). */
async function streamPosition(instance: Instance): Promise<number> {
  const text = await (await fetch(`${instance.url}/metrics`, { headers: { authorization: METRICS_AUTH } })).text();
  return Number(/^replica_stream_position (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

/**
 * Every second while `until` is pending: how many stream events each replica is behind the
 * stream's head (max(seq) on PostgreSQL). A follower slower than the decisions shows as a growing backlog.
 */
async function sampleBacklog(pair: readonly Instance[], admin: pg.Client, until: Promise<unknown>): Promise<{ name: string; max: number; mean: number; samples: number }[]> {
  let done = false;
  void until.finally(() => (done = true));
  const backlogs = pair.map(() => [] as number[]);
  while (!done) {
    await sleep(1000);
    if (done) break;
    try {
      const head = Number((await admin.query<{ head: string }>(`SELECT COALESCE(max(seq), 0)::text AS head FROM ${quoteIdent(schema)}.decision_events`)).rows[0]?.head ?? 0);
      const positions = await Promise.all(pair.map((r) => streamPosition(r)));
      positions.forEach((p, i) => Number.isFinite(p) && backlogs[i]?.push(Math.max(0, head - p)));
    } catch {
      // a sample missed; the next one counts
    }
  }
  return pair.map((r, i) => {
    const b = backlogs[i] ?? [];
    return { name: r.name, max: b.length ? Math.max(...b) : Number.NaN, mean: b.reduce((x, y) => x + y, 0) / Math.max(b.length, 1), samples: b.length };
  });
}

// ---------------------------------------------------------------------------------------------
// No acknowledged decision lost: in PostgreSQL, and on every replica.
async function missingOnReplica(instance: Instance, ids: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++] as string;
      const res = await fetch(`${instance.url}/decisions/${encodeURIComponent(id)}`, { headers: { authorization: AUTH } }).catch(() => undefined);
      await res?.arrayBuffer().catch(() => undefined);
      if (res?.status !== 200) missing.push(id);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return missing;
}

async function everywhere(replicas: readonly Instance[], acked: ReadonlySet<string>, admin: pg.Client) {
  const ids = [...acked];
  const inPg = await admin.query<{ decision_id: string }>(`SELECT decision_id FROM ${quoteIdent(schema)}.decisions WHERE decision_id = ANY($1::text[])`, [ids]);
  const pgFound = new Set(inPg.rows.map((r) => r.decision_id));
  const missingPg = ids.filter((id) => !pgFound.has(id));
  const total = await admin.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${quoteIdent(schema)}.decisions`);
  const started = performance.now();
  const perReplica: { name: string; missing: string[]; afterMs: number }[] = [];
  await Promise.all(
    replicas.map(async (r) => {
      let missing = await missingOnReplica(r, ids);
      while (missing.length > 0 && performance.now() - started < SETTLE_MS) {
        await sleep(250);
        missing = await missingOnReplica(r, missing);
      }
      perReplica.push({ name: r.name, missing, afterMs: performance.now() - started });
    }),
  );
  perReplica.sort((a, b) => a.name.localeCompare(b.name));
  return { acked: ids.length, missingPg, pgTotal: Number(total.rows[0]?.n ?? 0), perReplica };
}

// ---------------------------------------------------------------------------------------------
const admin = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 10_000 });
let cleaning: Promise<void> | undefined;
async function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all([...running].map((i) => stopInstance(i)));
    if (schemaCreated) {
      await admin
        .query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`)
        .then(() => console.log(`schema ${schema} dropped`))
        .catch((err: unknown) => console.error(`could not drop schema ${schema}: ${(err as Error).message}`));
      schemaCreated = false;
    }
    await admin.end().catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the instances and dropping ${schema}`);
    void cleanup().finally(() => process.exit(130));
  });
}

const command = `npm run bench:replicas  (BENCH_REPLICAS_SECONDS=${SECONDS} BENCH_REPLICAS_CONCURRENCY=${CONCURRENCY} BENCH_REPLICAS_WARMUP_SECONDS=${WARMUP_SECONDS} BENCH_REPLICAS_PROBES=${PROBES}${DB_RTT_MS > 0 ? ` BENCH_REPLICAS_DB_RTT_MS=${DB_RTT_MS}` : ''}${REGIONS.length ? ` BENCH_REPLICAS_REGIONS=${REGIONS.join(',')}` : ''} DATABASE_URL=${shownUrl(process.env.DATABASE_URL ?? 'postgresql://127.0.0.1:5432/test')})`;
const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), shared by everything: the load generator, every service instance and PostgreSQL`;
let failed = false;
const runStarted = performance.now();

try {
  console.log(`$ ${command}`);
  console.log(`machine: ${machine}; 1-min load average at start ${loadavg()[0]?.toFixed(2)} (anything else running skews every figure)`);
  console.log(`load: closed loop, ${CONCURRENCY} connections, ${WARMUP_SECONDS} s warm-up then ${SECONDS} s measured, POST /decide with a fresh application each (bench/sample.ts; ${REGIONS.length ? `regions ${REGIONS.join(', ')} in turn` : 'all in its region, east'}), autocannon in this process\n`);
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  schemaCreated = true;

  // (a) One instance, SQLite alone.
  console.log('(a) one instance, SQLite alone');
  const single = await startInstance('sqlite', {});
  await load([single], WARMUP_SECONDS);
  const a = await load([single], SECONDS);
  await stopInstance(single);

  // (b) Two replicas sharing PostgreSQL; the second starts once the first has migrated the schema.
  console.log(`(b) two replicas sharing PostgreSQL (${shownUrl(DATABASE_URL)}, schema ${schema}${DB_RTT_MS > 0 ? `, ${DB_RTT_MS} ms round trip added to each replica's database connections` : ''})`);
  const databaseUrl = await replicaUrl();
  const r1 = await startInstance('replica-1', { DATABASE_URL: databaseUrl });
  const r2 = await startInstance('replica-2', { DATABASE_URL: databaseUrl });
  const pair = [r1, r2] as const;
  const acked = new Set<string>();
  await load(pair, WARMUP_SECONDS, acked);
  const probing = probes(pair, Math.max(SECONDS - 2, 1), acked);
  const loading = load(pair, SECONDS, acked);
  const backlog = await sampleBacklog(pair, admin, loading);
  const b = await loading;
  const lag = await probing;
  const check = await everywhere(pair, acked, admin);
  const histogram = await Promise.all(pair.map(async (r) => ({ name: r.name, ...(await metricsLag(r)) })));

  // ---------------------------------------------------------------------------------------------
  const statusText = (m: Map<number | string, number>) => [...m].filter(([s]) => s !== 200).map(([s, n]) => `${s}×${n}`).join(', ') || 'none';
  console.log(`\nPOST /decide, ${CONCURRENCY} connections, ${SECONDS} s (NOTE: ${cpus().length} cores shared by load generator, instances and PostgreSQL)`);
  console.log('configuration                      decisions/s   p50 ms   p99 ms  non-200  errors  server CPU ms/decision');
  for (const [name, r] of [['(a) 1 instance, SQLite', a], ['(b) 2 replicas, PostgreSQL', b]] as const) {
    console.log(`${name.padEnd(34)}${fmt(r.dps, 0, 12)}${fmt(r.p50)}${fmt(r.p99)}${String(r.non200).padStart(9)}${String(r.errors).padStart(8)}${fmt(r.cpuMsPerDecision, 2, 12)}`);
  }
  console.log(`  non-200 answers: (a) ${statusText(a.codes)}; (b) ${statusText(b.codes)} (p50/p99 are autocannon's, over every answer: a quick 503 counts too)`);
  const ratio = b.dps / a.dps;
  console.log(`  ratio (b)/(a) decisions/s: ${ratio.toFixed(2)} (two replicas on ${cpus().length} shared cores: more than 1 only where the cores had room one instance left unused)`);

  console.log(`\nno acknowledged decision lost (every decisionId answered 200 on (b), warm-up, load and probes):`);
  console.log(`  acknowledged ${check.acked}; in PostgreSQL decisions: ${check.acked - check.missingPg.length} (${check.missingPg.length} missing; the table holds ${check.pgTotal}: also requests answered otherwise, or still in flight when autocannon stopped)`);
  for (const r of check.perReplica) console.log(`  ${r.name} GET /decisions/:id: ${check.acked - r.missing.length} of ${check.acked} (${r.missing.length} missing; checked within ${(r.afterMs / 1000).toFixed(1)} s after the load)`);
  const lost = check.missingPg.length + check.perReplica.reduce((n, r) => n + r.missing.length, 0);
  if (lost > 0) {
    failed = true;
    console.log(`  FAIL: ${lost} acknowledged decision(s) missing: ${[...check.missingPg.map((id) => `pg:${id}`), ...check.perReplica.flatMap((r) => r.missing.map((id) => `${r.name}:${id}`))].slice(0, 10).join(', ')}`);
  } else {
    console.log('  target: none lost: met');
  }

  // A probe never seen within 10 s counts as beyond 10 s (shown "> 10000"), not left out.
  const seen = [...lag.seen].sort((x, y) => x - y);
  const lower = [...lag.seenLower].sort((x, y) => x - y);
  const lagP99 = percentile(seen, 99);
  const lagMs = (v: number) => (v === Infinity ? '> 10000' : v.toFixed(1));
  console.log(`\ncross-replica latency, measured directly (beside the load: ${PROBES} decisions over ${Math.max(SECONDS - 2, 1)} s, alternating A→B / B→A; B polled every ${POLL_MS} ms):`);
  console.log(`  decided ${lag.seen.length} (not decided: ${statusText(lag.notDecided)}), seen on the other replica ${lag.seen.length - lag.neverSeen}, never seen within 10 s ${lag.neverSeen}`);
  console.log(`  A's 200 → B's first 200: p50 ${lagMs(percentile(seen, 50))} ms, p99 ${lagMs(lagP99)} ms, max ${lagMs(seen.at(-1) ?? Number.NaN)} ms (lower bound, to that GET's sending: p50 ${lagMs(percentile(lower, 50))}, p99 ${lagMs(percentile(lower, 99))} ms)`);
  const lagMet = seen.length > 0 && lag.neverSeen === 0 && lagP99 <= LAG_TARGET_P99_MS;
  console.log(`  target: p99 ≤ ${LAG_TARGET_P99_MS} ms: ${lagMs(lagP99)} ms ${lagMet ? 'met' : 'NOT met'}`);
  console.log('replica_copy_lag_ms (GET /metrics, quantiles interpolated in the buckets 1,2,5,10,20,50,100,250,500,1000,2500,5000 ms; commit on the database clock → copied here):');
  for (const h of histogram) console.log(`  ${h.name}: ${h.count} copies, p50 ${bucketMs(h.p50)} ms, p99 ${bucketMs(h.p99)} ms ${h.p99 <= LAG_TARGET_P99_MS ? '(≤ 1,000 ms)' : '(> 1,000 ms or none)'}`);
  console.log('stream backlog during the load (events behind max(seq) on PostgreSQL, sampled every second from replica_stream_position):');
  for (const k of backlog) console.log(`  ${k.name}: max ${k.max}, mean ${k.mean.toFixed(0)} over ${k.samples} samples`);

  console.log(`\nsummary (${((performance.now() - runStarted) / 1000).toFixed(0)} s; ${cpus().length} shared cores; 1-min load average at the end ${loadavg()[0]?.toFixed(2)})`);
  console.log('  figure                                       value        target');
  const row = (name: string, value: string, target: string) => console.log(`  ${name.padEnd(44)} ${value.padStart(10)}   ${target}`);
  row('(a) SQLite, 1 instance: decisions/s', a.dps.toFixed(0), '');
  row('(a) p50 / p99 ms', `${a.p50.toFixed(1)} / ${a.p99.toFixed(1)}`, '');
  row('(a) non-200', String(a.non200 + a.errors), '');
  row('(b) PostgreSQL, 2 replicas: decisions/s', b.dps.toFixed(0), '');
  row('(b) p50 / p99 ms', `${b.p50.toFixed(1)} / ${b.p99.toFixed(1)}`, '');
  row('(b) non-200', String(b.non200 + b.errors), '');
  row('ratio (b)/(a) decisions/s', ratio.toFixed(2), '');
  row('acknowledged decisions lost', String(lost), `0: ${lost === 0 ? 'met' : 'FAILED'}`);
  row('cross-replica p50 / p99 ms (direct)', `${lagMs(percentile(seen, 50))} / ${lagMs(lagP99)}`, `p99 ≤ ${LAG_TARGET_P99_MS}: ${lagMet ? 'met' : 'NOT met'}`);
  for (const h of histogram) row(`${h.name} replica_copy_lag_ms p50 / p99`, `${bucketMs(h.p50)} / ${bucketMs(h.p99)}`, '');
} catch (err) {
  failed = true;
  console.error(`bench:replicas failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
} finally {
  await cleanup();
}
if (failed) {
  console.error('bench:replicas: FAIL');
  process.exitCode = 1;
}
