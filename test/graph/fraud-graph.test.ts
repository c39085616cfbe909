// The recluster schedule and the bookkeeping around it, with a runner the test controls.
import { describe, expect, it } from 'vitest';
import { FraudGraph } from '../../src/graph/fraud-graph';
import type { GraphSnapshot } from '../../src/graph/identity-graph';
import { allocateResultBuffers, recluster, type ReclusterResult } from '../../src/graph/recluster';
import { inlineRunner, type ReclusterRunner } from '../../src/graph/recluster-runner';
import { background, CONFIG, deviceFarm } from './fixtures';

/** A runner whose jobs finish when the test says so. */
function manualRunner() {
  const jobs: { snapshot: GraphSnapshot; finish: () => void }[] = [];
  const runner: ReclusterRunner = {
    run: (snapshot, config, out) =>
      new Promise<ReclusterResult>((resolve) => {
        jobs.push({ snapshot, finish: () => resolve(recluster(snapshot, config, out)) });
      }),
    allocate: (capacity) => allocateResultBuffers(capacity),
    close: async () => undefined,
  };
  return { runner, jobs };
}

const graphWith = (runner: ReclusterRunner, reclusterEvery = 0) => new FraudGraph({ config: () => CONFIG, runner, reclusterEvery, reclusterIntervalMs: 0 });
const tick = () => new Promise((r) => setImmediate(r));

describe('FraudGraph', () => {
  it('reclusters after every N new applications, on a snapshot taken then', async () => {
    const { runner, jobs } = manualRunner();
    const graph = graphWith(runner, 5);
    const farm = deviceFarm(12, 'n');
    for (const a of farm.slice(0, 4)) graph.add(a);
    expect(jobs).toHaveLength(0);
    graph.add(farm[4]!);
    expect(jobs).toHaveLength(1);
    for (const a of farm.slice(5)) graph.add(a);
    expect(jobs[0]?.snapshot.applications).toBe(5);
    jobs[0]?.finish();
    await tick();
    expect(graph.status().clustering).toMatchObject({ generation: 1, applications: 5, clusters: 1 });
  });

  it('a recluster asked for while one runs becomes one more run after it, never two at once', async () => {
    const { runner, jobs } = manualRunner();
    const graph = graphWith(runner);
    for (const a of deviceFarm(6, 'c')) graph.add(a);
    const first = graph.recluster();
    const second = graph.recluster();
    const third = graph.recluster();
    expect(second).toBe(third);
    expect(jobs).toHaveLength(1);
    jobs[0]?.finish();
    await first;
    await tick();
    expect(jobs).toHaveLength(2);
    jobs[1]?.finish();
    await second;
    expect(graph.status().clustering?.generation).toBe(2);
  });

  it('labels set while a recluster runs are not lost when its result lands', async () => {
    const { runner, jobs } = manualRunner();
    const graph = graphWith(runner);
    const farm = deviceFarm(8, 'l');
    for (const a of farm) graph.add(a);
    const run = graph.recluster();
    expect(graph.label(farm[0]!.applicationId, 'fraud')).toBe(true);
    jobs[0]?.finish();
    await run;
    const clustering = graph.clustering!;
    const c = clustering.clusterOf(0);
    expect(clustering.stats(c).labelledFraud).toBe(1);
    expect(clustering.verdict(c).flags.map((f) => f.flag)).toContain('LABELLED_FRAUD');
    expect(graph.label('nobody', 'fraud')).toBe(false);
  });

  it('an application decided after the last recluster counts in its provisional cluster until the next one', async () => {
    const graph = graphWith(inlineRunner());
    const farm = deviceFarm(10, 'p');
    for (const a of [...background(100, 1), ...farm.slice(0, 8)]) graph.add(a);
    await graph.recluster();
    const facts = graph.facts({ deviceId: 'p-dev-0', bankAccount: 'p-mule-1' });
    expect(facts.clusterSuspicious).toBe(true);
    graph.add({ ...farm[8]!, identifiers: [{ type: 'phone', hash: 'p-new-phone', masked: '' }, ...farm[8]!.identifiers] }, facts.clusterId);
    // Linked only to the newcomer (by its phone), a later applicant still reaches the ring's cluster.
    expect(graph.facts({ phone: 'p-new-phone' }).clusterId).toBe(facts.clusterId);
  });

  it('after close, a recluster does nothing', async () => {
    const graph = graphWith(inlineRunner());
    await graph.close();
    expect(await graph.recluster()).toBeUndefined();
  });
});

describe('FraudGraph result buffers', () => {
  it('reuses two buffer sets across reclusters without one clustering overwriting the other', async () => {
    let allocations = 0;
    const runner: ReclusterRunner = { ...inlineRunner(), allocate: (capacity) => (allocations++, allocateResultBuffers(capacity)) };
    const graph = graphWith(runner);
    const farm = deviceFarm(10, 'b1');
    for (const a of farm) graph.add(a);
    await graph.recluster();
    const first = graph.clustering!;
    const firstIds = Array.from({ length: first.count }, (_, c) => first.idOf(c));
    for (const a of deviceFarm(6, 'b2')) graph.add(a);
    await graph.recluster();
    await graph.recluster();
    await graph.recluster();
    expect(allocations).toBe(2);
    const last = graph.clustering!;
    expect(last.count).toBe(2);
    const fresh = recluster(graph.identity.snapshot(), CONFIG);
    expect(Array.from(last.result.clusterOf)).toEqual(Array.from(fresh.clusterOf));
    expect(firstIds).toEqual([`cl_${farm[0]!.applicationId}`]);
  });
});
