// The recluster schedule and the bookkeeping around it, with a runner the test controls.
import { describe, expect, it } from 'vitest';
import { FIRST_RECLUSTER_AFTER, FIRST_RECLUSTER_DELAY_MS, FraudGraph, type ScheduleTimers } from '../../src/graph/fraud-graph';
import type { GraphSnapshot } from '../../src/graph/identity-graph';
import { allocateResultBuffers, recluster, type ReclusterResult } from '../../src/graph/recluster';
import { inlineRunner, type ReclusterRunner } from '../../src/graph/recluster-runner';
import { background, CONFIG, deviceFarm } from './fixtures';

/** A runner whose jobs finish (or fail) when the test says so. */
function manualRunner() {
  const jobs: { snapshot: GraphSnapshot; finish: () => void; fail: () => void }[] = [];
  const runner: ReclusterRunner = {
    run: (snapshot, config, out) =>
      new Promise<ReclusterResult>((resolve, reject) => {
        jobs.push({ snapshot, finish: () => resolve(recluster(snapshot, config, out)), fail: () => reject(new Error('worker crashed')) });
      }),
    allocate: (capacity) => allocateResultBuffers(capacity),
    close: async () => undefined,
  };
  return { runner, jobs };
}

const graphWith = (runner: ReclusterRunner, reclusterEvery = 0) => new FraudGraph({ config: () => CONFIG, runner, reclusterEvery, reclusterIntervalMs: 0 });
const tick = () => new Promise((r) => setImmediate(r));

/** A clock and timers the test moves by hand: no test waits for real seconds. */
function fakeTime(start = Date.UTC(2026, 4, 1, 9, 0, 0)) {
  let now = start;
  let nextId = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: ScheduleTimers = {
    set: (fn, ms) => {
      pending.set(++nextId, { at: now + ms, fn });
      return nextId;
    },
    clear: (handle) => void pending.delete(handle as number),
  };
  return {
    clock: () => now,
    timers,
    pending: () => pending.size,
    /** Moves time forward, firing every timer that falls due on the way, in order. */
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const due = [...pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        pending.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = until;
    },
  };
}

const scheduled = (runner: ReclusterRunner, time: ReturnType<typeof fakeTime>, reclusterEvery = 1000, reclusterIntervalMs = 300_000) =>
  new FraudGraph({ config: () => CONFIG, runner, reclusterEvery, reclusterIntervalMs, clock: time.clock, timers: time.timers });
const iso = (ms: number) => new Date(ms).toISOString();

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

describe('FraudGraph: the first clustering comes soon, and the status says when the next is due', () => {
  it('the first recluster runs 5 s after the first application, not after the 5-minute period', async () => {
    const { runner, jobs } = manualRunner();
    const time = fakeTime();
    const t0 = time.clock();
    const graph = scheduled(runner, time);
    graph.start();
    expect(graph.status().nextRecluster).toEqual({
      running: null,
      dueAt: iso(t0 + 300_000),
      afterApplications: FIRST_RECLUSTER_AFTER,
      reason: 'no clustering yet: no applications yet; the first recluster runs after 20 applications or 5 s after the first application, whichever comes first',
    });
    // An empty graph is not reclustered when the period passes; the period starts again.
    time.advance(300_000);
    expect(jobs).toHaveLength(0);

    const t1 = time.clock();
    const farm = deviceFarm(3, 'first');
    graph.add(farm[0]!);
    expect(graph.status().nextRecluster).toMatchObject({ running: null, dueAt: iso(t1 + FIRST_RECLUSTER_DELAY_MS), afterApplications: 19, reason: expect.stringMatching(/^no clustering yet: the first recluster runs/) });
    time.advance(2_000);
    graph.add(farm[1]!);
    graph.add(farm[2]!);
    // One timer for the first recluster, started by the first application: later ones do not push it back.
    expect(graph.status().nextRecluster.dueAt).toBe(iso(t1 + FIRST_RECLUSTER_DELAY_MS));
    time.advance(FIRST_RECLUSTER_DELAY_MS - 2_001);
    expect(jobs).toHaveLength(0);
    time.advance(1);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.snapshot.applications).toBe(3);
    expect(graph.status().nextRecluster).toMatchObject({ running: { generation: 1, startedAt: iso(t1 + FIRST_RECLUSTER_DELAY_MS), applications: 3 }, dueAt: null, afterApplications: null });
    expect(graph.status().nextRecluster.reason).toMatch(/^the first recluster is running \(generation 1, 3 applications\)/);

    jobs[0]?.finish();
    await tick();
    expect(graph.status().clustering).toMatchObject({ generation: 1, applications: 3 });
    // From then on, the regular schedule: every 1000 applications, at the latest 5 minutes after the last.
    expect(graph.status().nextRecluster).toEqual({
      running: null,
      dueAt: iso(t1 + FIRST_RECLUSTER_DELAY_MS + 300_000),
      afterApplications: 1000,
      reason: 'reclusters run after every 1000 new applications or at the latest 300 s after the last one, whichever comes first',
    });
    graph.add(deviceFarm(1, 'later')[0]!);
    expect(graph.status().nextRecluster.afterApplications).toBe(999);
    time.advance(299_999);
    expect(jobs).toHaveLength(1);
    time.advance(1);
    expect(jobs).toHaveLength(2);
    jobs[1]?.finish();
    await graph.close();
    expect(time.pending()).toBe(0);
  });

  it('or after 20 applications, whichever comes first; then every reclusterEvery', async () => {
    const { runner, jobs } = manualRunner();
    const time = fakeTime();
    const graph = scheduled(runner, time, 50);
    graph.start();
    const apps = background(100, 7);
    for (const a of apps.slice(0, FIRST_RECLUSTER_AFTER - 1)) graph.add(a);
    expect(jobs).toHaveLength(0);
    expect(graph.status().nextRecluster.afterApplications).toBe(1);
    graph.add(apps[FIRST_RECLUSTER_AFTER - 1]!);
    expect(jobs).toHaveLength(1);
    // The count started it: the short timer is gone, only the period's is left.
    expect(time.pending()).toBe(1);
    jobs[0]?.finish();
    await tick();
    for (const a of apps.slice(FIRST_RECLUSTER_AFTER, FIRST_RECLUSTER_AFTER + 49)) graph.add(a);
    expect(jobs).toHaveLength(1);
    graph.add(apps[FIRST_RECLUSTER_AFTER + 49]!);
    expect(jobs).toHaveLength(2);
    expect(jobs[1]?.snapshot.applications).toBe(FIRST_RECLUSTER_AFTER + 50);
  });

  it('the short schedule never exceeds the settings: reclusterEvery 5 reclusters after 5', () => {
    const { runner, jobs } = manualRunner();
    const time = fakeTime();
    const graph = scheduled(runner, time, 5, 2_000);
    graph.start();
    const t0 = time.clock();
    graph.add(deviceFarm(1, 'cap')[0]!);
    expect(graph.status().nextRecluster).toMatchObject({ dueAt: iso(t0 + 2_000), afterApplications: 4 });
    time.advance(2_000);
    expect(jobs).toHaveLength(1);
  });

  it('a first recluster that fails is tried again after the short delay, not after the period', async () => {
    const { runner, jobs } = manualRunner();
    const failures: string[] = [];
    const time = fakeTime();
    const graph = new FraudGraph({ config: () => CONFIG, runner, reclusterEvery: 1000, reclusterIntervalMs: 300_000, clock: time.clock, timers: time.timers, onReclusterFailed: (e) => failures.push(e.message) });
    graph.start();
    graph.add(deviceFarm(1, 'retry')[0]!);
    time.advance(FIRST_RECLUSTER_DELAY_MS);
    jobs[0]?.fail();
    await tick();
    expect(failures).toEqual(['worker crashed']);
    expect(graph.status().clustering).toBeNull();
    expect(graph.status().nextRecluster.dueAt).toBe(iso(time.clock() + FIRST_RECLUSTER_DELAY_MS));
    time.advance(FIRST_RECLUSTER_DELAY_MS);
    expect(jobs).toHaveLength(2);
    jobs[1]?.finish();
    await tick();
    expect(graph.status().clustering?.generation).toBe(1);
  });

  it('with both settings 0 nothing reclusters by itself, and the status says how to get one', () => {
    const { runner, jobs } = manualRunner();
    const time = fakeTime();
    const graph = scheduled(runner, time, 0, 0);
    graph.start();
    for (const a of background(30, 3)) graph.add(a);
    time.advance(3_600_000);
    expect(jobs).toHaveLength(0);
    expect(time.pending()).toBe(0);
    expect(graph.status().nextRecluster).toEqual({
      running: null,
      dueAt: null,
      afterApplications: null,
      reason: 'no clustering yet: automatic reclustering is off (GRAPH_RECLUSTER_EVERY and GRAPH_RECLUSTER_INTERVAL_MS are 0); an admin can start one with POST /clusters/recluster',
    });
  });

  it('an operator request starts a recluster or joins the running one: any number of requests costs one run', async () => {
    const { runner, jobs } = manualRunner();
    const time = fakeTime();
    const graph = scheduled(runner, time, 0, 0);
    for (const a of deviceFarm(6, 'op')) graph.add(a);
    const first = graph.reclusterNow();
    expect(first).toMatchObject({ state: 'started', generation: 1, startedAt: time.clock(), applications: 6 });
    graph.add(deviceFarm(1, 'op2')[0]!);
    const again = Array.from({ length: 50 }, () => graph.reclusterNow());
    expect(again.every((t) => t?.state === 'joined' && t.generation === 1 && t.applications === 6 && t.done === first?.done)).toBe(true);
    expect(jobs).toHaveLength(1);
    jobs[0]?.finish();
    expect(await first?.done).toMatchObject({ applications: 6 });
    await tick();
    expect(jobs).toHaveLength(1);
    expect(graph.status().clustering?.generation).toBe(1);
    expect(graph.reclusterNow()).toMatchObject({ state: 'started', generation: 2, applications: 7 });
    expect(jobs).toHaveLength(2);
    await graph.close();
    expect(graph.reclusterNow()).toBeUndefined();
  });
});
