// Properties of community detection on small graphs with known structure (after graphology's own
// Louvain tests): planted rings are found whole, legitimate sharing is not flagged, the modularity
// agrees with an independent computation, and a seed makes the answer reproducible.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterConfig } from '../../src/graph/config';
import { detectCommunities } from '../../src/graph/communities';
import type { IdentityGraph } from '../../src/graph/identity-graph';
import { buildProjection } from '../../src/graph/projection';
import { recluster, type ReclusterResult } from '../../src/graph/recluster';
import { WorkerRunner } from '../../src/graph/recluster-runner';
import { app, background, CONFIG, DAY, deviceFarm, graphOf, household } from './fixtures';

const clusterOf = (graph: IdentityGraph, result: ReclusterResult, applicationId: string) => result.clusterOf[graph.indexOf(applicationId) as number] as number;
const sizeOf = (result: ReclusterResult, c: number) => (result.memberStart[c + 1] as number) - (result.memberStart[c] as number);

/** Newman's weighted modularity at resolution γ, from the graph and a partition alone. */
function modularity(graph: ReturnType<typeof buildProjection>['graph'], communities: Readonly<Record<string, number>>, resolution: number): number {
  let m = 0;
  const internal = new Map<number, number>();
  const strength = new Map<number, number>();
  graph.forEachEdge((_e, { weight }, u, v) => {
    m += weight;
    const cu = communities[u] as number;
    const cv = communities[v] as number;
    strength.set(cu, (strength.get(cu) ?? 0) + weight);
    strength.set(cv, (strength.get(cv) ?? 0) + weight);
    if (cu === cv) internal.set(cu, (internal.get(cu) ?? 0) + weight);
  });
  let q = 0;
  for (const [c, s] of strength) q += (internal.get(c) ?? 0) / m - resolution * (s / (2 * m)) ** 2;
  return q;
}

describe('recluster: planted rings', () => {
  it.each([1, 2, 3, 4, 5])('members of a planted device farm share one community, which holds nobody else and is suspicious (seed %i)', (seed) => {
    const farm = deviceFarm(8 + seed, `farm${seed}`, { start: 60 * DAY });
    const graph = graphOf(background(150, seed), household(4, `home${seed}`), farm);
    const result = recluster(graph.snapshot(), CONFIG);
    const communities = new Set(farm.map((a) => clusterOf(graph, result, a.applicationId)));
    expect(communities.size).toBe(1);
    const c = [...communities][0] as number;
    expect(c).toBeGreaterThanOrEqual(0);
    expect(sizeOf(result, c)).toBe(farm.length);
    expect(result.suspicious[c]).toBe(1);
  });

  it('a ring that also touches legitimate hubs (big employer, carrier IP, a branch kiosk) stays its own community', () => {
    const kiosk = Array.from({ length: 40 }, (_, i) => app({ deviceId: 'branch-kiosk', nationalId: `k${i}`, employer: 'big-employer-0' }, { at: i * DAY }));
    const farm = deviceFarm(12, 'hub', { start: 30 * DAY }).map((a) => ({
      ...a,
      identifiers: [...a.identifiers.filter((i) => i.type !== 'ip'), { type: 'employer', hash: 'big-employer-0', masked: '' }, { type: 'ip', hash: 'carrier-1', masked: '' }],
    }));
    farm[0] = { ...farm[0]!, identifiers: farm[0]!.identifiers.map((i) => (i.type === 'deviceId' ? { ...i, hash: 'branch-kiosk' } : i)) };
    const graph = graphOf(background(200, 9), kiosk, farm);
    const result = recluster(graph.snapshot(), CONFIG);
    const c = clusterOf(graph, result, farm[5]!.applicationId);
    // The member who applied from the kiosk still belongs through its mule account; no kiosk user joins.
    expect(new Set(farm.map((a) => clusterOf(graph, result, a.applicationId)))).toEqual(new Set([c]));
    expect(sizeOf(result, c)).toBe(12);
    expect(kiosk.every((a) => clusterOf(graph, result, a.applicationId) === -1)).toBe(true);
    expect(result.suspicious[c]).toBe(1);
    expect(result.summary.commonIdentifiers).toBeGreaterThanOrEqual(1);
  });
});

describe('recluster: legitimate sharing', () => {
  it('a household is not suspicious: its core (landline, tablet, joint account) and the members tied by the address alone are separate clusters', () => {
    const home = household(5, 'family');
    const graph = graphOf(background(100, 3), home);
    const result = recluster(graph.snapshot(), CONFIG);
    const core = clusterOf(graph, result, home[0]!.applicationId);
    const rest = clusterOf(graph, result, home[2]!.applicationId);
    expect(home.map((a) => clusterOf(graph, result, a.applicationId))).toEqual([core, core, rest, rest, rest]);
    expect(core).not.toBe(rest);
    expect([result.suspicious[core], result.suspicious[rest]]).toEqual([0, 0]);
  });

  it('a ring that borrows a real household’s address keeps the household out of its cluster', () => {
    const home = household(3, 'borrowed', 10 * DAY);
    const farm = deviceFarm(10, 'nest', { start: 60 * DAY }).map((a, k) =>
      k < 3 ? { ...a, identifiers: a.identifiers.map((i) => (i.type === 'address' ? { ...i, hash: 'borrowed-home' } : i)) } : a,
    );
    const graph = graphOf(background(150, 8), home, farm);
    const result = recluster(graph.snapshot(), CONFIG);
    const c = clusterOf(graph, result, farm[5]!.applicationId);
    expect(new Set(farm.map((a) => clusterOf(graph, result, a.applicationId)))).toEqual(new Set([c]));
    expect(sizeOf(result, c)).toBe(10);
    expect(result.suspicious[c]).toBe(1);
    expect(home.every((a) => clusterOf(graph, result, a.applicationId) !== c)).toBe(true);
  });

  it('colleagues at a big employer, customers of a carrier IP and users of a branch kiosk are linked to nobody', () => {
    const colleagues = Array.from({ length: 300 }, (_, i) =>
      app({ nationalId: `c${i}`, employer: 'megacorp', ip: i % 2 ? 'megacorp-office' : 'carrier-7', deviceId: i < 60 ? 'branch-kiosk' : `c-dev-${i}` }, { at: (i * DAY) / 10 }),
    );
    const graph = graphOf(colleagues);
    const result = recluster(graph.snapshot(), CONFIG);
    expect(result.clusters).toBe(0);
    expect(result.summary.linkedApplications).toBe(0);
    // megacorp, its office IP, the carrier IP and the kiosk: each above its type's maxShare.
    expect(result.summary.commonIdentifiers).toBe(4);
  });

  it('with commonness caps lifted, the same kiosk makes one big community of strangers sharing a device (what the caps prevent)', () => {
    const kiosk = Array.from({ length: 60 }, (_, i) => app({ deviceId: 'branch-kiosk', nationalId: `k${i}` }, { at: (i * DAY) / 10 }));
    const graph = graphOf(kiosk);
    const uncapped: ClusterConfig = {
      ...CONFIG,
      linking: { ...CONFIG.linking, identifiers: { ...CONFIG.linking.identifiers, deviceId: { weight: 1, maxShare: 1000 } } },
    };
    const result = recluster(graph.snapshot(), uncapped);
    expect(result.clusters).toBe(1);
    expect(result.stats.size[0]).toBe(60);
    expect(result.stats.strangerMembers[0]).toBe(60);
    expect(recluster(graph.snapshot(), CONFIG).clusters).toBe(0);
  });
});

describe('Louvain on the projection', () => {
  it.each(['application', 'bipartite'] as const)('reports the modularity an independent computation gives, within 1e-4 (%s projection)', (projection) => {
    const graph = graphOf(background(120, 4), household(5, 'h1'), household(3, 'h2'), deviceFarm(9, 'f1'), deviceFarm(12, 'f2', { devices: 3, mules: 4 }));
    const linking = { ...CONFIG.linking, projection };
    const p = buildProjection(graph.snapshot(), linking);
    expect(p.graph.size).toBeGreaterThan(20);
    const found = detectCommunities(p.graph, linking);
    expect(Math.abs(found.modularity - modularity(p.graph, found.communities, found.resolution))).toBeLessThan(1e-4);
    // And at plain modularity (resolution 1).
    let m = 0;
    p.graph.forEachEdge((_e, { weight }) => (m += weight));
    const plain = detectCommunities(p.graph, { seed: 3, density: 1 / (2 * m) });
    expect(plain.resolution).toBeCloseTo(1, 9);
    expect(Math.abs(plain.modularity - modularity(p.graph, plain.communities, 1))).toBeLessThan(1e-4);
  });

  it('the same snapshot and seed give the same communities, run after run', () => {
    const graph = graphOf(background(200, 5), household(4, 'h'), deviceFarm(10, 'f'), deviceFarm(7, 'g'));
    const snapshot = graph.snapshot();
    const first = recluster(snapshot, CONFIG);
    const second = recluster(snapshot, CONFIG);
    expect(Array.from(second.clusterOf)).toEqual(Array.from(first.clusterOf));
    expect(Array.from(second.score)).toEqual(Array.from(first.score));
    const p = buildProjection(snapshot, CONFIG.linking);
    expect(detectCommunities(p.graph, { seed: 42, density: 0.005 }).communities).toEqual(detectCommunities(p.graph, { seed: 42, density: 0.005 }).communities);
  });

  it('gives the same answer in the worker thread as inline', async () => {
    const graph = graphOf(background(150, 6), deviceFarm(10, 'w'));
    const runner = new WorkerRunner();
    try {
      const inWorker = await runner.run(graph.snapshot(), CONFIG);
      const inline = recluster(graph.snapshot(), CONFIG);
      expect(Array.from(inWorker.clusterOf)).toEqual(Array.from(inline.clusterOf));
      expect(inWorker.summary.suspicious).toBe(1);
    } finally {
      await runner.close();
    }
  });

  it('closes a worker holding the gang model by letting it finish its job and exit by itself', async () => {
    // The worker runs at nice 19: on a machine busy with other work its job can take many
    // seconds, so the grace is generous here; what is under test is the order (job, release, exit).
    const runner = new WorkerRunner({ dir: path.resolve(import.meta.dirname, '../../models'), cardFile: 'gang-model.card.json' });
    const graph = graphOf(background(150, 6), deviceFarm(10, 'w'));
    const running = runner.run(graph.snapshot(), CONFIG);
    const closed = runner.close(100_000);
    expect((await running).summary.suspicious).toBe(1);
    expect(await closed).toBe('released');
  }, 120_000);
});
