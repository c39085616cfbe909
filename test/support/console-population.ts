// What the investigator console's browser tests look at (issue 17): a real test server seeded
// with a simulated population — legitimate applicants from bench/graph-population.ts (households,
// employers, carrier IPs, returning applicants) back-filled through POST /history, plus a planted
// device-farm ring and a household decided through POST /decide — reclustered through the API.
// And, for the "2,000-node network interactive in ≤ 1 s" measurement, one cluster whose drawn
// network (members + shared identifiers, as GET /clusters/:id returns it) has about 2,000 nodes.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generatePopulation, rawIdentifiers, syntheticOutcome, type SyntheticApplication } from '../../bench/graph-population';
import { seededRandom } from '../../src/graph/rng';
import type { IdentifierType, RawIdentifiers } from '../../src/identity/identifiers';
import { application } from './factories';
import { copyRules, startTestServer, type TestServer } from './server';
import { HOUSEHOLD_IDS, householdMember, LONE_IDS, loneApplicant, RING_IDS, ringMember } from './planted';

/** Reclusters only when asked (POST /clusters/recluster), so the clusters a test sees are the ones it seeded. */
export const CONSOLE_SERVER_ENV: Readonly<Record<string, string>> = { GRAPH_RECLUSTER_EVERY: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0' };

/**
 * The linking density (rules/fraud/clusters.json) a server needs to hold seedLargeCluster's
 * cluster together. Louvain merges two groups only when the link weight between them exceeds
 * density × the product of their total link weights (src/graph/communities.ts); every application
 * brings at most ~5.4 of link weight (one identifier per type, weights normalised per identifier,
 * src/graph/projection.ts), so at the shipped 0.005 no community grows past a few dozen
 * applications — a few hundred nodes at most, far from 2,000. At 1e-6 a connected group of 500
 * applications stays one community.
 */
export const LARGE_CLUSTER_DENSITY = 1e-6;

/**
 * A copy of the shipped rules whose only change is the linking density LARGE_CLUSTER_DENSITY
 * (the budgets are the test servers' usual generous ones).
 */
export function largeClusterRulesDir(): string {
  const dir = copyRules();
  const file = path.join(dir, 'fraud', 'clusters.json');
  const text = readFileSync(file, 'utf8');
  // Edit the number in place (the rest of the file byte for byte as shipped), then check the edit.
  const edited = text.replace(/("density":\s*)[0-9.eE+-]+/, `$1${LARGE_CLUSTER_DENSITY}`);
  if ((JSON.parse(edited) as { linking: { density: number } }).linking.density !== LARGE_CLUSTER_DENSITY) throw new Error(`could not set the density in ${file}`);
  writeFileSync(file, edited);
  return dir;
}

/**
 * A test server for the console: reclusters only on request; with `largeClusters`, runs the rules
 * of largeClusterRulesDir() so seedLargeCluster can build its cluster (the other clusters then
 * differ little: the planted ring and household are components of their own either way).
 */
export async function startConsoleServer(options: { readonly largeClusters?: boolean; readonly env?: Readonly<Record<string, string>> } = {}): Promise<TestServer> {
  return startTestServer({ env: { ...CONSOLE_SERVER_ENV, ...options.env }, ...(options.largeClusters ? { rulesDir: largeClusterRulesDir() } : {}) });
}

/** A bounded wait for a recluster: plenty on a loaded 2-core machine for a few thousand applications. */
const RECLUSTER_DEADLINE_MS = 30_000;

/** POST /clusters/recluster: starts a recluster (or joins the one running); returns the generation it will produce. */
export async function startRecluster(server: TestServer): Promise<number> {
  const started = await server.as('admin').post('/clusters/recluster', {});
  if (started.status !== 202) throw new Error(`POST /clusters/recluster answered ${started.status}: ${JSON.stringify(started.body)}`);
  return started.body.generation as number;
}

/** Polls GET /clusters until it serves `generation` or a later one; returns the generation served. Throws after `deadlineMs`. */
export async function waitForGeneration(server: TestServer, generation: number, deadlineMs = RECLUSTER_DEADLINE_MS): Promise<number> {
  const until = Date.now() + deadlineMs;
  for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
    const res = await server.as('admin').get('/clusters?limit=1');
    if (res.status !== 200) throw new Error(`GET /clusters answered ${res.status}: ${JSON.stringify(res.body)}`);
    const served = (res.body.clustering?.generation as number | undefined) ?? 0;
    if (served >= generation) return served;
    if (Date.now() > until) throw new Error(`recluster generation ${generation} not served within ${deadlineMs} ms (serving ${served}): ${JSON.stringify(res.body.nextRecluster)}`);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/**
 * Reclusters everything the server holds now, through the API, and waits until that clustering
 * is served; returns its generation. A recluster already running works on an older snapshot, so
 * it is waited out first and a fresh one started.
 */
export async function recluster(server: TestServer, deadlineMs = RECLUSTER_DEADLINE_MS): Promise<number> {
  const status = await server.as('admin').get('/clusters?limit=1');
  const running = status.body.nextRecluster?.running?.generation as number | undefined;
  if (running !== undefined) await waitForGeneration(server, running, deadlineMs);
  return waitForGeneration(server, await startRecluster(server), deadlineMs);
}

/** The cluster an application is in (via its one-hop network), or null when it is in none. */
export async function clusterOfApplication(server: TestServer, applicationId: string): Promise<string | null> {
  const res = await server.as('investigator').get(`/applications/${encodeURIComponent(applicationId)}/network?depth=1`);
  if (res.status !== 200) throw new Error(`GET /applications/${applicationId}/network answered ${res.status}: ${JSON.stringify(res.body)}`);
  const self = (res.body.nodes as { kind: string; applicationId?: string; clusterId?: string | null }[]).find((n) => n.kind === 'application' && n.applicationId === applicationId);
  return self?.clusterId ?? null;
}

export interface ConsolePopulationOptions {
  /** Seed the given server instead of starting one with startConsoleServer(). */
  readonly server?: TestServer;
  /** Legitimate applicants back-filled from the simulator (default 300). */
  readonly background?: number;
  /** The simulator's seed (default 17). */
  readonly seed?: number;
}

export interface ConsolePopulation {
  readonly server: TestServer;
  /** The planted ring's applications, decided through /decide (they share 2 devices, 3 accounts). */
  readonly ringIds: readonly string[];
  /** A family at one address with one landline, spelt three ways. */
  readonly householdIds: readonly string[];
  /** Applicants who share only an office IP and a big employer (weight 0: they link nobody). */
  readonly loneIds: readonly string[];
  /** The simulated legitimate applicants, back-filled through POST /history. */
  readonly backgroundIds: readonly string[];
  /** The first cluster of GET /clusters?suspicious=true (sorted by score). */
  readonly topClusterId: string;
  readonly ringClusterId: string;
  readonly householdClusterId: string;
  /** The clustering generation the population is clustered in. */
  readonly generation: number;
  readonly seedMs: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** One back-filled history line for a simulated applicant: the /decide body plus its time and outcome. */
function historyLine(app: SyntheticApplication, id: string, start: number, outcome: string, identifiers: RawIdentifiers) {
  return { ...application({ applicationId: id, identifiers }), submittedAt: new Date(start + app.at).toISOString(), outcome };
}

async function importHistory(server: TestServer, lines: readonly unknown[]): Promise<void> {
  // POST /history takes at most 1,000 lines (HISTORY_BATCH_MAX in src/http/app.ts).
  for (let i = 0; i < lines.length; i += 1000) {
    const res = await server.as('admin').post('/history', { applications: lines.slice(i, i + 1000) });
    if (res.status !== 200) throw new Error(`POST /history answered ${res.status}: ${JSON.stringify(res.body).slice(0, 2000)}`);
  }
}

async function decide(server: TestServer, applicationId: string, identifiers: RawIdentifiers): Promise<void> {
  const res = await server.as('admin').post('/decide', application({ applicationId, identifiers }));
  if (res.status !== 200) throw new Error(`POST /decide ${applicationId} answered ${res.status}: ${JSON.stringify(res.body)}`);
}

/**
 * Seeds a server with the console's population and reclusters it. The ring, the household and the
 * lone applicants are those of test/http/investigator.test.ts (a shape known to be flagged: shared
 * devices, mule accounts, strangers sharing); the background is the benchmark simulator's
 * legitimate population, ~90 days of it, so the lists have realistic quiet clusters around them.
 */
export async function seedConsolePopulation(options: ConsolePopulationOptions = {}): Promise<ConsolePopulation> {
  const t0 = performance.now();
  const server = options.server ?? (await startConsoleServer());
  // The first recluster of a server starts its worker thread (TypeScript transform, gang model):
  // ~3 s on a quiet machine, 2/3 of the seeding. Started now, on the empty graph, it overlaps the
  // seeding; recluster() below waits it out, then clusters the seeded population.
  const warmUp = startRecluster(server);
  const population = generatePopulation({ size: options.background ?? 300, seed: options.seed ?? 17, days: 90, ringShare: 0 });
  const start = Date.now() - 91 * DAY_MS;
  const rnd = seededRandom(options.seed ?? 17);
  const backgroundIds = population.applications.map((a) => `POP-${a.index}`);
  await importHistory(
    server,
    population.applications.map((a, k) => historyLine(a, backgroundIds[k] as string, start, syntheticOutcome(a, rnd), rawIdentifiers(a, a.index))),
  );

  const ringIds = RING_IDS;
  for (const [k, id] of ringIds.entries()) await decide(server, id, ringMember(k));
  const householdIds = HOUSEHOLD_IDS;
  for (const [k, id] of householdIds.entries()) await decide(server, id, householdMember(k));
  const loneIds = LONE_IDS;
  for (const [i, id] of loneIds.entries()) await decide(server, id, loneApplicant(i));

  await waitForGeneration(server, await warmUp);
  const generation = await recluster(server);
  const top = await server.as('investigator').get('/clusters?suspicious=true&sort=score&limit=1');
  const topClusterId = top.body.clusters?.[0]?.id as string | undefined;
  if (!topClusterId) throw new Error(`no suspicious cluster after seeding: ${JSON.stringify(top.body)}`);
  const ringClusterId = await clusterOfApplication(server, 'RING-0');
  const householdClusterId = await clusterOfApplication(server, 'HOME-0');
  if (!ringClusterId || !householdClusterId) throw new Error(`the planted ring (${ringClusterId}) or household (${householdClusterId}) formed no cluster`);
  return { server, ringIds, householdIds, loneIds, backgroundIds, topClusterId, ringClusterId, householdClusterId, generation, seedMs: performance.now() - t0 };
}

/** The identifier types seedLargeCluster links by: the six with a linking weight (ip and employer link nobody). */
const LARGE_CLUSTER_TYPES: readonly IdentifierType[] = ['nationalId', 'phone', 'deviceId', 'email', 'address', 'bankAccount'];
/** Entity numbers far above the simulated population's (a few thousand per type), so the two never share an identifier. */
const LARGE_CLUSTER_ENTITY_BASE = 5_000_000;

export interface LargeCluster {
  readonly clusterId: string;
  readonly applicationIds: readonly string[];
  /** Nodes of the cluster's network as GET /clusters/:id returns it: members + shared identifiers. */
  readonly nodes: number;
  readonly edges: number;
  readonly members: number;
  readonly sharedIdentifiers: number;
  readonly generation: number;
  readonly seedMs: number;
}

/**
 * Adds one cluster of `applications` applications (even; default 500) whose network has
 * 4 × applications nodes: for each of the six linking identifier types, the applications are
 * paired at random and each pair shares one identifier of that type — 3 × applications shared
 * identifiers, each carried by exactly two applications (never a hub: maxShare is 10 or more), on
 * a random 6-regular multigraph, which is connected. Back-filled through POST /history (one
 * request), then reclustered. The server must run largeClusterRulesDir()'s rules
 * (startConsoleServer({ largeClusters: true })): see LARGE_CLUSTER_DENSITY.
 */
export async function seedLargeCluster(server: TestServer, applications = 500, options: { readonly prefix?: string; readonly seed?: number } = {}): Promise<LargeCluster> {
  if (applications < 2 || applications % 2 !== 0 || applications > 1000) throw new RangeError(`applications must be even, 2..1000 (GET /clusters/:id lists at most 1,000 members); got ${applications}`);
  const density = (JSON.parse(readFileSync(path.join(server.rulesDir, 'fraud', 'clusters.json'), 'utf8')) as { linking: { density: number } }).linking.density;
  if (density > LARGE_CLUSTER_DENSITY) {
    throw new Error(
      `seedLargeCluster needs a server with linking density ≤ ${LARGE_CLUSTER_DENSITY} (this one runs ${density}): at the shipped density ` +
        'Louvain splits any large group into communities of a few dozen applications. Start it with startConsoleServer({ largeClusters: true }).',
    );
  }
  const t0 = performance.now();
  const prefix = options.prefix ?? 'BIG';
  const rnd = seededRandom(options.seed ?? 2000);
  const ids: Partial<Record<IdentifierType, number>>[] = Array.from({ length: applications }, () => ({}));
  for (const [t, type] of LARGE_CLUSTER_TYPES.entries()) {
    const order = Array.from({ length: applications }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    for (let p = 0; p < applications / 2; p++) {
      const entity = LARGE_CLUSTER_ENTITY_BASE + t * 100_000 + p;
      (ids[order[2 * p] as number] as Partial<Record<IdentifierType, number>>)[type] = entity;
      (ids[order[2 * p + 1] as number] as Partial<Record<IdentifierType, number>>)[type] = entity;
    }
  }
  // Applied over the last two weeks, in index order (the cluster is named after its earliest member).
  const start = Date.now() - 15 * DAY_MS;
  const applicationIds = ids.map((_, i) => `${prefix}-${i}`);
  const lines = ids.map((entities, i) => {
    const app: SyntheticApplication = { index: i, at: Math.floor((i / applications) * 14 * DAY_MS), ids: entities, ring: -1 };
    return historyLine(app, applicationIds[i] as string, start, 'approve', rawIdentifiers(app, i));
  });
  await importHistory(server, lines);
  const generation = await recluster(server);

  const clusterId = await clusterOfApplication(server, applicationIds[0] as string);
  if (!clusterId) throw new Error(`${applicationIds[0]} is in no cluster after the recluster`);
  const detail = await server.as('investigator').get(`/clusters/${encodeURIComponent(clusterId)}`);
  if (detail.status !== 200) throw new Error(`GET /clusters/${clusterId} answered ${detail.status}: ${JSON.stringify(detail.body)}`);
  const members = (detail.body.members as unknown[]).length;
  const sharedIdentifiers = Object.values(detail.body.sharedIdentifiers as Record<string, unknown[]>).reduce((n, list) => n + list.length, 0);
  const nodes = members + sharedIdentifiers;
  if (members !== applications || detail.body.membersTruncated) {
    throw new Error(`the ${applications} applications formed a cluster of ${detail.body.size} (${members} listed): Louvain or the core split broke them apart`);
  }
  if (nodes < 4 * applications) throw new Error(`GET /clusters/${clusterId} draws ${nodes} nodes, expected ${4 * applications} (${applications} members + ${3 * applications} shared identifiers)`);
  return { clusterId, applicationIds, nodes, edges: (detail.body.edges as unknown[]).length, members, sharedIdentifiers, generation, seedMs: performance.now() - t0 };
}
