// Retention at a glance: what a decision costs on disk, and what a sweep costs /decide.
//   npm run bench:retention            (BENCH_RETENTION_N decisions, default 10 000)
// Decides N applications spread over 1,000 days (the service's clock is moved, nothing else is
// faked), measures the store per decision, then moves the clock to day 1,000 and runs the sweep
// (identifiers older than 730 days, and a graph rebuild for its window) while an open-loop client
// sends /decide at a steady rate: p50/p99 of the requests sent during the sweep against those sent
// in the same run just before it, with nothing sweeping.
import { readFileSync, statSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSettings } from '../src/config/settings';
import { createService } from '../src/main';
import { createLogger } from '../src/observability/logger';

const N = Number(process.env.BENCH_RETENTION_N ?? 10_000);
const RATE = Number(process.env.BENCH_RETENTION_RATE ?? 100);
const DAY = 86_400_000;
const T0 = Date.UTC(2027, 0, 1);
let now = T0;

const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-retention-'));
const settings = loadSettings({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', RULES_WATCH: 'false', RETENTION_SWEEP_MS: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0', EXPIRY_SWEEP_MS: '200' });
const service = await createService(settings, createLogger('silent'), { clock: () => now });
const server = service.app.listen(0, '127.0.0.1');
await new Promise<void>((resolve) => server.once('listening', () => resolve()));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/decide`;
const authorization = `Bearer ${readFileSync(path.join(dataDir, 'admin-api-key'), 'utf8').trim()}`;

const body = (i: number) =>
  JSON.stringify({
    applicationId: `RET-${i}`,
    product: 'personal_loan',
    region: 'east',
    amount: 2500,
    termMonths: 24,
    identifiers: { phone: `+86 139 ${String(10_000_000 + i).slice(-8)}`, email: `user${i}@example.org`, deviceId: `device-${i}`, ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
    applicant: {
      age: 45, checkingAccountStatus: 'none', creditHistory: 'critical', purpose: 'radio_television', savingsAccountBonds: 'unknown',
      employmentDuration: 'gt_7', personalStatusSex: 'male_single', otherDebtorsGuarantors: 'none', property: 'real_estate',
      otherInstallmentPlans: 'none', housing: 'own', job: 'skilled_employee', installmentRatePct: 2, residenceYears: 4,
      existingCredits: 1, dependents: 1, hasTelephone: true, foreignWorker: true,
    },
  });
const decide = async (i: number) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: body(i) });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`decide ${i}: ${res.status}`);
};

process.stdout.write(`deciding ${N} applications over 1,000 days…\n`);
let next = 0;
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (next < N) {
      const i = next++;
      now = T0 + Math.floor((i * 1000 * DAY) / N);
      await decide(i);
    }
  }),
);
const db = service.store.database;
db.pragma('wal_checkpoint(TRUNCATE)');
const file = path.join(dataDir, 'audit.db');
const bytes = statSync(file).size;
const docBytes = (db.prepare('SELECT SUM(LENGTH(document)) AS n FROM decisions').get() as { n: number }).n;
const heap = process.memoryUsage();

// Day 1,000: approvals long past their expiry are released first (as the expiry sweep has done
// all along in a service that ran those 1,000 days); a decision holding exposure is never purged.
now = T0 + 1000 * DAY;
const due = service.store.database.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM exposure_reservations WHERE released_at IS NULL AND expires_at <= ?');
while ((due.get(now)?.n ?? 0) > 0) await new Promise((r) => setTimeout(r, 100));

// Open loop: one request every 1000/RATE ms, each timed from its scheduled send.
let sent = N;
const samples: { at: number; ms: number }[] = [];
let loadOn = true;
const load = (async () => {
  const interval = 1000 / RATE;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let k = 0; loadOn; k++) {
    const due = start + k * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const i = sent++;
    pending.push(decide(i).then(() => void samples.push({ at: due, ms: performance.now() - due })));
  }
  await Promise.all(pending);
})();
await new Promise((r) => setTimeout(r, 3000));
const sweepStart = performance.now();
const report = await service.retention.sweep();
const sweepEnd = performance.now();
await new Promise((r) => setTimeout(r, 500));
loadOn = false;
await load;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number) : NaN;
};
const idle = samples.filter((s) => s.at >= sweepStart - 2500 && s.at < sweepStart).map((s) => s.ms);
const during = samples.filter((s) => s.at >= sweepStart && s.at < sweepEnd).map((s) => s.ms);
const f = (x: number) => x.toFixed(1);
db.pragma('wal_checkpoint(TRUNCATE)');
const after = statSync(file).size;
process.stdout.write(
  [
    '',
    `store: ${(bytes / N / 1024).toFixed(1)} KB per decision on disk (${(docBytes / N / 1024).toFixed(1)} KB of it the decision document): ${((bytes / N) * 1e6 / 1e9).toFixed(1)} GB per million decisions`,
    `process after ${N} decisions: RSS ${(heap.rss / 1e6).toFixed(0)} MB, heap ${(heap.heapUsed / 1e6).toFixed(0)} MB`,
    `sweep at day 1,000: identifiers of ${report.identifiers} decisions forgotten, ${report.decisions} deleted, graph ${report.graph ? `${report.graph.before} → ${report.graph.after} applications` : 'not rebuilt'}, ${f(report.ms)} ms (${f(report.ms / Math.max(1, report.identifiers))} ms per decision)`,
    `store after the sweep: ${(after / 1e6).toFixed(1)} MB (before ${(bytes / 1e6).toFixed(1)} MB; pages freed are reused, not returned to the disk)`,
    '',
    `/decide at ${RATE}/s, open loop     | requests | p50 ms | p99 ms`,
    `before the sweep (2.5 s)       | ${String(idle.length).padStart(8)} | ${f(pct(idle, 50)).padStart(6)} | ${f(pct(idle, 99)).padStart(6)}`,
    `during the sweep               | ${String(during.length).padStart(8)} | ${f(pct(during, 50)).padStart(6)} | ${f(pct(during, 99)).padStart(6)}`,
    `ratio (target p99 ≤ 1.5×)      |          | ${f(pct(during, 50) / pct(idle, 50)).padStart(5)}× | ${f(pct(during, 99) / pct(idle, 99)).padStart(5)}×`,
    '',
  ].join('\n'),
);
server.closeAllConnections();
server.close();
await service.close();
