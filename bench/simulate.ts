// npm run simulate: a synthetic population (households, employers, carrier IPs, planted rings of
// three shapes) decided through the real /decide API of an in-process service, or straight into
// the graph for large sizes. Reclusters on a simulated schedule, lets an investigator confirm one
// member of each ring the graph surfaces, and reports ring-member recall, suspicious-cluster
// precision and time to detection.
//
//   npm run simulate -- [--size 4000] [--seed 7] [--via http|direct] [--days 60]
//                       [--recluster-hours 6] [--ring-share 0.03] [--no-labels]
//                       [--projection application|bipartite] [--config other-clusters.json]   (direct only)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSettings } from '../src/config/settings';
import type { Application } from '../src/decision/application';
import type { ClusterConfig } from '../src/graph/config';
import { FraudGraph } from '../src/graph/fraud-graph';
import { WorkerRunner } from '../src/graph/recluster-runner';
import { seededRandom } from '../src/graph/rng';
import { createService } from '../src/main';
import { createLogger } from '../src/observability/logger';
import {
  evaluateDetection,
  fastSyntheticHash,
  generatePopulation,
  graphApplicationOf,
  rawIdentifiers,
  RING_SHAPES,
  syntheticOutcome,
  type RingShape,
  type SyntheticApplication,
} from './graph-population';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
function option(name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : fallback;
}
const via = option('via', 'http') as 'http' | 'direct';
const size = Number(option('size', via === 'http' ? '4000' : '100000'));
const seed = Number(option('seed', '7'));
const days = Number(option('days', via === 'http' ? '60' : '90'));
const reclusterHours = Number(option('recluster-hours', via === 'http' ? '6' : '24'));
const ringShare = Number(option('ring-share', via === 'http' ? '0.03' : '0.01'));
const labels = !flag('no-labels');
const projection = option('projection', '');

const HOUR = 60 * 60 * 1000;
const START = Date.UTC(2026, 0, 1);
const RULES_DIR = path.resolve(import.meta.dirname, '../rules');
const GRAPH_REASONS = new Set(['FRAUD_RING_SUSPECTED', 'LINKED_TO_CONFIRMED_FRAUD']);

const population = generatePopulation({ size, seed, days, ringShare });
const rnd = seededRandom(seed + 1);
let now = START;

/** What the simulation needs from the system under test, via HTTP or straight into the graph. */
interface Target {
  decide(app: SyntheticApplication): Promise<{ flaggedByGraph: boolean }>;
  label(app: SyntheticApplication): Promise<void>;
  recluster(): Promise<void>;
  graph(): FraudGraph;
  close(): Promise<void>;
}

function applicant(r: () => number): Application['applicant'] {
  return {
    age: 25 + Math.floor(r() * 35),
    checkingAccountStatus: r() < 0.7 ? 'none' : '0_to_200',
    creditHistory: r() < 0.6 ? 'critical' : 'paid_duly',
    purpose: r() < 0.5 ? 'radio_television' : 'new_car',
    savingsAccountBonds: 'unknown',
    employmentDuration: r() < 0.7 ? 'gt_7' : '1_to_4',
    personalStatusSex: 'male_single',
    otherDebtorsGuarantors: 'none',
    property: 'real_estate',
    otherInstallmentPlans: 'none',
    housing: 'own',
    job: 'skilled_employee',
    installmentRatePct: 2,
    residenceYears: 4,
    existingCredits: 1,
    dependents: 1,
    hasTelephone: true,
    foreignWorker: false,
  };
}

async function httpTarget(): Promise<Target> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'simulate-'));
  const settings = loadSettings({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    RULES_DIR,
    RULES_WATCH: 'false',
    LOG_LEVEL: 'silent',
    GRAPH_RECLUSTER_EVERY: '0',
    GRAPH_RECLUSTER_INTERVAL_MS: '0',
  });
  const service = await createService(settings, createLogger(process.env.SIM_LOG ?? 'silent'), { clock: () => now });
  const server = service.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = async (pathname: string, body: unknown) => {
    const res = await fetch(url + pathname, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await res.json()) as any;
    if (!res.ok) throw new Error(`${pathname} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  return {
    async decide(app) {
      const body: Application = {
        applicationId: `SIM-${app.index}`,
        product: 'personal_loan',
        region: 'east',
        amount: 1000 + Math.round(rnd() * 8000),
        termMonths: 12 + 12 * Math.floor(rnd() * 4),
        applicant: applicant(rnd),
        identifiers: rawIdentifiers(app, app.index),
      };
      const decision = await post('/decide', body);
      return { flaggedByGraph: (decision.reasons as { code: string }[]).some((r) => GRAPH_REASONS.has(r.code)) };
    },
    async label(app) {
      await post(`/applications/SIM-${app.index}/labels`, { label: 'fraud', by: 'simulated-investigator', note: 'confirmed on review of a suspicious cluster' });
    },
    async recluster() {
      await service.graph.recluster();
    },
    graph: () => service.graph,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function directTarget(): Target {
  const base = JSON.parse(readFileSync(option('config', path.join(RULES_DIR, 'fraud/clusters.json')), 'utf8')) as ClusterConfig;
  const config: ClusterConfig = projection ? { ...base, linking: { ...base.linking, projection: projection as 'application' | 'bipartite' } } : base;
  const graph = new FraudGraph({ config: () => config, runner: new WorkerRunner(), reclusterEvery: 0, reclusterIntervalMs: 0, clock: () => now });
  return {
    async decide(app) {
      const facts = graph.facts(Object.fromEntries(Object.entries(app.ids).map(([t, n]) => [t, fastSyntheticHash(t as never, n)])));
      graph.add(graphApplicationOf(app, START, syntheticOutcome(app, rnd), fastSyntheticHash), facts.clusterId);
      return { flaggedByGraph: facts.clusterSuspicious || facts.sharedWithLabelledFraud };
    },
    async label(app) {
      graph.label(`SIM-${app.index}`, 'fraud');
    },
    async recluster() {
      await graph.recluster();
    },
    graph: () => graph,
    close: () => graph.close(),
  };
}

const target = via === 'http' ? await httpTarget() : directTarget();
if (via === 'http' && projection) console.warn('--projection applies to --via direct; the service reads rules/fraud/clusters.json');

const ringOf = (app: SyntheticApplication) => (app.ring >= 0 ? population.rings[app.ring] : undefined);
const seenOfRing = population.rings.map(() => 0);
const detectedAt: (number | undefined)[] = population.rings.map(() => undefined);
const seenAtDetection: number[] = population.rings.map(() => 0);
const confirmed = new Set<number>();
let afterDetection = 0;
let afterDetectionCaught = 0;
let legitFlagged = 0;
let legitDecided = 0;
let reclusters = 0;
const wallStart = performance.now();
let nextRecluster = START + reclusterHours * HOUR;

async function reclusterAndReview(): Promise<void> {
  await target.recluster();
  reclusters++;
  const graph = target.graph();
  const clustering = graph.clustering;
  if (!clustering) return;
  const suspiciousOf = (app: SyntheticApplication) => {
    const index = graph.identity.indexOf(`SIM-${app.index}`);
    const c = index === undefined ? -1 : clustering.clusterOf(index);
    return c >= 0 && clustering.isSuspicious(c);
  };
  for (const [r, ring] of population.rings.entries()) {
    if (detectedAt[r] !== undefined || seenOfRing[r]! < 3) continue;
    const decided = ring.members.map((i) => population.applications[i] as SyntheticApplication).filter((a) => START + a.at <= now);
    const flagged = decided.filter(suspiciousOf);
    if (flagged.length * 2 < decided.length) continue;
    detectedAt[r] = now - (START + ring.start);
    seenAtDetection[r] = decided.length;
    // The investigator reviews the cluster and confirms one member: later applications linking to it are caught at once.
    if (labels && flagged[0] && !confirmed.has(r)) {
      confirmed.add(r);
      await target.label(flagged[0]);
    }
  }
}

for (const app of population.applications) {
  now = START + app.at;
  while (reclusterHours > 0 && now >= nextRecluster) {
    await reclusterAndReview();
    nextRecluster += reclusterHours * HOUR;
  }
  const { flaggedByGraph } = await target.decide(app);
  const ring = ringOf(app);
  if (ring) {
    seenOfRing[app.ring]!++;
    if (detectedAt[app.ring] !== undefined) {
      afterDetection++;
      if (flaggedByGraph) afterDetectionCaught++;
    }
  } else {
    legitDecided++;
    if (flaggedByGraph) legitFlagged++;
  }
}
await reclusterAndReview();
const wallMs = performance.now() - wallStart;

const graph = target.graph();
const clustering = graph.clustering;
if (!clustering) throw new Error('no clustering');
const indexOf = (i: number) => graph.identity.indexOf(`SIM-${i}`) ?? -1;
const detection = evaluateDetection(
  population,
  (i) => (indexOf(i) < 0 ? -1 : clustering.clusterOf(indexOf(i))),
  (c) => clustering.isSuspicious(c),
);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const detected = detectedAt.flatMap((d, r) => (d === undefined ? [] : [{ hours: d / HOUR, seen: seenAtDetection[r] as number, size: population.rings[r]!.members.length, shape: population.rings[r]!.shape }]));
const median = (xs: number[]) => (xs.length ? ([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number) : NaN);

console.log(`simulate: ${size} applications via ${via}, ${days} simulated days, seed ${seed}, recluster every ${reclusterHours} h (${reclusters} reclusters), labels ${labels ? 'on' : 'off'}, projection ${clustering.config.linking.projection}`);
console.log(`  planted rings: ${population.rings.length} (${RING_SHAPES.map((s) => `${population.rings.filter((r) => r.shape === s).length} ${s}`).join(', ')}), ${population.rings.reduce((n, r) => n + r.members.length, 0)} ring applications`);
console.log(`  ring-member recall (in a suspicious cluster at the end): ${pct(detection.recall)}  [${RING_SHAPES.map((s: RingShape) => `${s} ${pct(detection.recallByShape[s])}`).join(', ')}]`);
console.log(`  suspicious-cluster precision: ${pct(detection.clusterPrecision)} of ${detection.suspiciousClusters} clusters are mostly ring members; member precision ${pct(detection.memberPrecision)}; legitimate applications in suspicious clusters: ${detection.legitimateFlagged}`);
console.log(`  time to detection (half the ring's decided members in suspicious clusters): ${detected.length}/${population.rings.length} rings, median ${median(detected.map((d) => d.hours)).toFixed(1)} h after the ring's first application, median ${median(detected.map((d) => d.seen))} ring applications decided by then`);
for (const s of RING_SHAPES) {
  const ds = detected.filter((d) => d.shape === s);
  console.log(`    ${s}: ${ds.length}/${population.rings.filter((r) => r.shape === s).length} detected, median ${median(ds.map((d) => d.hours)).toFixed(1)} h, ${median(ds.map((d) => d.seen))} of median ${median(ds.map((d) => d.size))} members seen`);
}
console.log(`  at decision time: ${pct(afterDetection ? afterDetectionCaught / afterDetection : 0)} of ${afterDetection} ring applications decided after their ring's detection were stopped by graph rules (FRAUD_RING_SUSPECTED / LINKED_TO_CONFIRMED_FRAUD); ${pct(legitDecided ? legitFlagged / legitDecided : 0)} of ${legitDecided} legitimate applications were`);
console.log(`  last recluster: ${JSON.stringify(clustering.summary)}`);
console.log(`  wall time ${(wallMs / 1000).toFixed(1)} s`);
await target.close();
