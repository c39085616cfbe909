// npm run bench: load on POST /decide against a bare JSON endpoint of the same server in the
// same run (the ceiling), then where the time of one decision goes. Prints rps, p50, p99 and
// ratios. The load generator runs in this process, the server in a child process.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { devAuthorization } from './credentials';
import { profileDecision } from './profile';
import { sampleApplication } from './sample';
import { startupBench } from './startup';
import { processCpuSeconds } from './process-cpu';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

async function startServer(dataDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'server.ts')], {
    env: { ...process.env, DATA_DIR: dataDir, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve((JSON.parse(String(chunk)) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`bench server exited ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** The server process's CPU time (all its threads, user + system) per request answered, in ms; NaN without /proc. */
  serverCpuMs: number;
}


let sequence = 0;
let authorization = '';
async function load(url: string, pathname: string, pid?: number): Promise<Load> {
  const cpuBefore = processCpuSeconds(pid);
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: [
      {
        method: 'POST',
        path: pathname,
        // The bare endpoint ignores the credential; /decide checks it, as every caller's request is.
        headers: { 'content-type': 'application/json', authorization },
        // A fresh applicationId per request: every /decide is a real decision, not a replay.
        setupRequest: (req) => ({ ...req, body: JSON.stringify(sampleApplication(`B-${process.pid}-${++sequence}`)) }),
      },
    ],
  });
  const serverCpuMs = ((processCpuSeconds(pid) - cpuBefore) * 1000) / Math.max(result.requests.total, 1);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors, serverCpuMs };
}

const fmt = (n: number, d = 2) => n.toFixed(d).padStart(9);

const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-'));
const server = await startServer(dataDir);
authorization = devAuthorization(dataDir);
try {
  // Warm both paths (JIT, rule engines, SQLite pages) before measuring.
  await autocannon({ url: server.url, connections: 4, amount: 500, requests: [{ method: 'POST', path: '/__bare', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sampleApplication('warm')) }] });
  await load(server.url, '/decide');
  const bare = await load(server.url, '/__bare', server.child.pid);
  const decide = await load(server.url, '/decide', server.child.pid);
  console.log(`\nHTTP load: ${CONNECTIONS} connections, ${DURATION_S} s each, server and load generator on this machine (${process.platform}, ${(await import('node:os')).cpus().length} cores)`);
  console.log('endpoint            rps      p50 ms    p99 ms   non-2xx  errors  server CPU ms/request (all threads)');
  for (const [name, r] of [['bare JSON', bare], ['POST /decide', decide]] as const) {
    console.log(`${name.padEnd(14)}${fmt(r.rps, 0)}${fmt(r.p50)}${fmt(r.p99)}${String(r.non2xx).padStart(9)}${String(r.errors).padStart(8)}${fmt(r.serverCpuMs, 3)}`);
  }
  console.log(`ratio /decide ÷ bare: rps ${(decide.rps / bare.rps).toFixed(2)}, p50 ${(decide.p50 / Math.max(bare.p50, 0.01)).toFixed(2)}, p99 ${(decide.p99 / Math.max(bare.p99, 0.01)).toFixed(2)}`);
  console.log(`  target: /decide rps ≥ 0.60 × bare: ${(decide.rps / bare.rps).toFixed(2)} ${decide.rps / bare.rps >= 0.6 ? 'met' : 'NOT met'}`);
  console.log(`  target: /decide p99 ≤ 10 ms at ${CONNECTIONS} connections: ${decide.p99} ms ${decide.p99 <= 10 ? 'met' : 'NOT met'}`);
} finally {
  server.child.kill('SIGTERM');
  await new Promise((r) => server.child.once('exit', r));
  reportStoredBytes(dataDir);
  rmSync(dataDir, { recursive: true, force: true });
}

/** What the store keeps per decision, after the load: the whole file (rows, identifier rows, indexes, the rule-set archive) over its decisions. */
function reportStoredBytes(dir: string): void {
  const file = path.join(dir, 'audit.db');
  const db = new Database(file, { readonly: true });
  const { n, records } = db.prepare<[], { n: number; records: number }>('SELECT COUNT(*) AS n, SUM(LENGTH(record)) AS records FROM decisions').get() ?? { n: 0, records: 0 };
  const identifierRows = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM application_identifiers').get()?.n ?? 0;
  db.close();
  const bytes = statSync(file).size + (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
  const perDecision = bytes / Math.max(n, 1);
  console.log(
    `stored per decision: ${Math.round(perDecision)} bytes of store file (${n} decisions, ${identifierRows} identifier rows; compressed records ${Math.round(records / Math.max(n, 1))} bytes on average)`,
  );
  console.log(`  target: ≤ 2 KB stored per decision: ${Math.round(perDecision)} bytes ${perDecision <= 2048 ? 'met' : 'NOT met'}`);
}

await profileDecision();

// Rule stages alone: json-rules-engine against the compiled evaluator, and the whole personal_loan flow against its target.
console.log('');
await import('./rule-evaluators');

// Startup time and memory: the compiled build (npm start, the image) against the tsx source run.
console.log('');
await startupBench();

// The fraud graph's scale and isolation figures (recluster at 100k and 1M, /decide p99 during a
// recluster vs idle) run in their own process with a larger heap; BENCH_GRAPH=0 skips them.
if (process.env.BENCH_GRAPH !== '0') {
  console.log('\nFraud graph (npm run bench:graph):');
  const child = spawn('npm', ['run', '--silent', 'bench:graph'], { stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) process.exitCode = code ?? 1;
}
