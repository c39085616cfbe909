// The fraud graph as the service uses it: the identity graph, the latest clustering, and the
// recluster schedule (every N new applications and at the latest an interval after the last one,
// one at a time, on a snapshot, in a worker). Until the first clustering exists the schedule is
// shortened (a few applications, or a few seconds after the first), so investigators do not wait
// for the regular period. The request path only reads and appends in O(degree); Louvain never
// runs on it.
import type { IdentifierType } from '../identity/identifiers';
import { Clustering } from './clustering';
import type { ClusterConfig } from './config';
import { fraudFacts, type FraudFacts } from './fraud-facts';
import { IdentityGraph, type GraphApplication, type Label } from './identity-graph';
import type { ReclusterResult, ReclusterSummary, ResultBuffers } from './recluster';
import type { ReclusterRunner } from './recluster-runner';

/** Until the first clustering: recluster after this many applications (capped at reclusterEvery)… */
export const FIRST_RECLUSTER_AFTER = 20;
/** …or this long after the first application arrives (capped at reclusterIntervalMs), whichever comes first. */
export const FIRST_RECLUSTER_DELAY_MS = 5_000;

/** The timers the schedule uses (tests inject fake ones); the default's are unref'd. */
export interface ScheduleTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const NODE_TIMERS: ScheduleTimers = {
  set: (fn, ms) => setTimeout(fn, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface FraudGraphOptions {
  /** The thresholds in force (rules/fraud/clusters.json of the active rule set). */
  readonly config: () => ClusterConfig;
  readonly runner: ReclusterRunner;
  /** Recluster after this many new applications; 0 = never on count. */
  readonly reclusterEvery: number;
  /** Recluster on this period (ms); 0 = never on time. */
  readonly reclusterIntervalMs: number;
  /** Until the first clustering, recluster after this many new applications (default FIRST_RECLUSTER_AFTER; never above reclusterEvery; off with it). */
  readonly firstReclusterAfter?: number;
  /** Until the first clustering, recluster this long after an application arrives (default FIRST_RECLUSTER_DELAY_MS; never above reclusterIntervalMs; off with it). */
  readonly firstReclusterDelayMs?: number;
  readonly clock?: () => number;
  readonly timers?: ScheduleTimers;
  readonly onReclustered?: (summary: ReclusterSummary, generation: number) => void;
  /**
   * Whether this instance computes clusterings (default: always). Replicas sharing a database
   * leave it to the one holding the recluster lease, and adopt what it publishes.
   */
  readonly reclustersHere?: () => boolean;
  readonly onReclusterFailed?: (err: Error) => void;
}

export interface GraphStatus {
  readonly applications: number;
  readonly identifiers: number;
  readonly sharedIdentifiers: number;
  readonly clustering: null | {
    readonly generation: number;
    readonly at: string;
    readonly applications: number;
    readonly clusters: number;
    readonly suspicious: number;
    readonly durationMs: number;
  };
  readonly reclusterRunning: boolean;
  readonly applicationsSinceRecluster: number;
  readonly nextRecluster: NextRecluster;
}

/** The recluster in progress: the generation it will produce and the snapshot it clusters. */
export interface RunningRecluster {
  readonly generation: number;
  readonly startedAt: string;
  readonly applications: number;
}

/** When the next recluster is due, and in plain words why (and why there are no clusters yet). */
export interface NextRecluster {
  readonly running: RunningRecluster | null;
  /** When the timer starts one (ISO), null if no timer is set. */
  readonly dueAt: string | null;
  /** This many more new applications start one, null if the count does not. */
  readonly afterApplications: number | null;
  readonly reason: string;
}

/** What a request for a recluster got: a new run, or the one already running. */
export interface ReclusterTicket {
  readonly state: 'started' | 'joined';
  readonly generation: number;
  readonly startedAt: number;
  readonly applications: number;
  /** Settles when that run ends (undefined if the graph closed meanwhile; rejects if it failed). */
  readonly done: Promise<ReclusterSummary | undefined>;
}

const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`);
const applicationsWord = (n: number) => `${n} application${n === 1 ? '' : 's'}`;

export class FraudGraph {
  private identityGraph = new IdentityGraph();
  /** Applications added while a rebuild of the window runs (see replaceIdentity); undefined otherwise. */
  private rebuildTap: GraphApplication[] | undefined;
  private current: Clustering | undefined;
  /** Clusters given to applications decided since the last clustering's snapshot, by id. */
  private readonly provisional = new Map<number, string>();
  private generation = 0;
  private sinceRecluster = 0;
  private running: Promise<ReclusterSummary | undefined> | undefined;
  /** The run in progress: the generation it will produce, when it started, its snapshot's size. */
  private runningInfo: { generation: number; startedAt: number; applications: number } | undefined;
  private again: Promise<ReclusterSummary | undefined> | undefined;
  private started = false;
  /** The periodic recluster's timer and when it fires. */
  private intervalTimer: unknown;
  private intervalDueAt: number | undefined;
  /** The first recluster's short timer and when it fires (only while there is no clustering). */
  private firstTimer: unknown;
  private firstDueAt: number | undefined;
  private closed = false;
  /** Applications labelled while a recluster runs: its snapshot has their old label. */
  private readonly relabelled = new Set<number>();
  private lastConfig: ClusterConfig | undefined;
  /** Result buffers: the current clustering's, and a spare the next recluster writes into. */
  private activeBuffers: ResultBuffers | undefined;
  private spareBuffers: ResultBuffers | undefined;
  private readonly clock: () => number;
  private readonly timers: ScheduleTimers;
  /** The shortened schedule until the first clustering (0 = that trigger is off). */
  private readonly firstAfter: number;
  private readonly firstDelayMs: number;

  constructor(private readonly options: FraudGraphOptions) {
    this.clock = options.clock ?? Date.now;
    this.timers = options.timers ?? NODE_TIMERS;
    const every = Math.max(0, options.reclusterEvery);
    const interval = Math.max(0, options.reclusterIntervalMs);
    this.firstAfter = every > 0 ? Math.max(1, Math.min(every, options.firstReclusterAfter ?? FIRST_RECLUSTER_AFTER)) : 0;
    this.firstDelayMs = interval > 0 ? Math.max(0, Math.min(interval, options.firstReclusterDelayMs ?? FIRST_RECLUSTER_DELAY_MS)) : 0;
  }

  get clustering(): Clustering | undefined {
    return this.current;
  }

  /** The identity graph in force (replaced whole when the window is rebuilt). */
  get identity(): IdentityGraph {
    return this.identityGraph;
  }

  /** How many applications in the graph were decided before `cutoff` (outside the window). O(applications). */
  applicationsBefore(cutoff: number): number {
    const graph = this.identityGraph;
    let count = 0;
    for (let i = 0; i < graph.applications; i++) if (graph.decidedAtOf(i) < cutoff) count++;
    return count;
  }

  /**
   * Starts recording the applications added from now on, for a rebuilt graph to take in at the
   * moment it replaces this one (replaceIdentity). The rebuild reads the store meanwhile.
   */
  beginRebuild(): void {
    this.rebuildTap = [];
  }

  /** A rebuild that will not finish (shutting down): stop recording. */
  abandonRebuild(): void {
    this.rebuildTap = undefined;
  }

  /**
   * Replaces the identity graph with one rebuilt from the store for the current window (memory
   * stays bounded by the window, not by history). Waits for a running recluster, whose result is
   * indexed by the old graph; then, in one synchronous step, adds what arrived during the rebuild
   * (those `keep` accepts), applies the labels in force, swaps the graph in, and reclusters it.
   * Until that recluster ends there is no clustering, as just after a start.
   */
  async replaceIdentity(fresh: IdentityGraph, labels: () => Iterable<{ readonly applicationId: string; readonly label: Label }>, keep: (application: GraphApplication) => boolean): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
    const arrived = this.rebuildTap ?? [];
    this.rebuildTap = undefined;
    if (this.closed) return;
    for (const application of arrived) if (keep(application)) fresh.add(application);
    for (const l of labels()) {
      const index = fresh.indexOf(l.applicationId);
      if (index !== undefined) fresh.setLabel(index, l.label);
    }
    this.identityGraph = fresh;
    this.current = undefined;
    this.provisional.clear();
    this.relabelled.clear();
    this.sinceRecluster = 0;
    if (fresh.applications > 0) void this.recluster().catch(() => undefined);
  }

  /** A clustering that covers at least one application (an empty graph's does not count). */
  private hasClustering(): boolean {
    return this.current !== undefined && this.current.result.applications > 0;
  }

  /** Starts the timed reclusters (unref'd: they never keep the process alive). */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.scheduleInterval();
    this.armFirst();
  }

  /** The periodic recluster, due reclusterIntervalMs after the last one started (or after start). */
  private scheduleInterval(): void {
    if (this.intervalTimer !== undefined) this.timers.clear(this.intervalTimer);
    this.intervalTimer = undefined;
    this.intervalDueAt = undefined;
    if (!this.started || this.closed || this.options.reclusterIntervalMs <= 0) return;
    this.intervalDueAt = this.clock() + this.options.reclusterIntervalMs;
    this.intervalTimer = this.timers.set(() => {
      this.intervalTimer = undefined;
      this.intervalDueAt = undefined;
      // An empty graph has nothing to cluster: wait another period. A run that starts reschedules.
      if (this.identity.applications === 0) this.scheduleInterval();
      else void this.recluster().catch(() => undefined);
    }, this.options.reclusterIntervalMs);
  }

  /** Until the first clustering: a recluster shortly after applications arrive (one timer, never re-armed while set). */
  private armFirst(): void {
    if (!this.started || this.closed || this.firstDelayMs <= 0 || this.firstTimer !== undefined) return;
    if (this.hasClustering() || this.running || this.identity.applications === 0) return;
    this.firstDueAt = this.clock() + this.firstDelayMs;
    this.firstTimer = this.timers.set(() => {
      this.firstTimer = undefined;
      this.firstDueAt = undefined;
      if (!this.hasClustering() && !this.running) void this.recluster().catch(() => undefined);
    }, this.firstDelayMs);
  }

  private disarmFirst(): void {
    if (this.firstTimer !== undefined) this.timers.clear(this.firstTimer);
    this.firstTimer = undefined;
    this.firstDueAt = undefined;
  }

  /** Adds a decided application; `clusterId` is the community its fraud stage linked it to. */
  add(application: GraphApplication, clusterId?: string | null): void {
    this.rebuildTap?.push(application);
    if (!this.identity.add(application)) return;
    const index = this.identity.applications - 1;
    if (clusterId) this.provisional.set(index, clusterId);
    this.sinceRecluster++;
    if (this.running) return;
    const every = this.hasClustering() ? this.options.reclusterEvery : this.firstAfter;
    if (every > 0 && this.sinceRecluster >= every) void this.recluster().catch(() => undefined);
    else this.armFirst();
  }

  /** Sets or clears an application's label; false for an unknown application. */
  label(applicationId: string, label: Label | undefined): boolean {
    const index = this.identity.indexOf(applicationId);
    if (index === undefined) return false;
    const wasFraud = this.identity.isLabelledFraud(index);
    this.identity.setLabel(index, label);
    if (this.running) this.relabelled.add(index);
    this.current?.relabel(index, wasFraud, this.identity.isLabelledFraud(index));
    return true;
  }

  /** The cluster an application belongs to now: the last clustering's, else its provisional one. */
  clusterOf = (application: number): number => {
    const clustering = this.current;
    if (!clustering) return -1;
    if (application < clustering.result.applications) return clustering.clusterOf(application);
    const id = this.provisional.get(application);
    return id === undefined ? -1 : clustering.find(id);
  };

  /** The fraud stage's graph facts for an application about to be decided. O(degree). */
  facts(identifiers: Readonly<Partial<Record<IdentifierType, string>>>): FraudFacts {
    const config = this.options.config();
    this.noticeConfig(config);
    return fraudFacts({ graph: this.identity, clustering: this.current, clusterOf: this.clusterOf, linking: config.linking, identifiers });
  }

  /** An edit of clusters.json (a rules reload) reclusters, so the new settings apply to every community. */
  private noticeConfig(config: ClusterConfig): void {
    if (config === this.lastConfig) return;
    const previous = this.lastConfig;
    this.lastConfig = config;
    if (previous && this.current && JSON.stringify(previous) !== JSON.stringify(config)) void this.recluster().catch(() => undefined);
  }

  /**
   * Reclusters a snapshot taken now, in the runner (a worker). A call while one runs returns
   * the next run, which starts when the current one ends (so no change is ever missed).
   */
  recluster(): Promise<ReclusterSummary | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    if (!this.reclustersHere) {
      // Another replica computes the clusterings; this one adopts them.
      this.sinceRecluster = 0;
      return Promise.resolve(undefined);
    }
    if (this.running) {
      this.again ??= this.running.catch(() => undefined).then(() => {
        this.again = undefined;
        return this.recluster();
      });
      return this.again;
    }
    const config = this.options.config();
    this.lastConfig = config;
    const applications = this.identity.applications;
    let out = this.spareBuffers;
    this.spareBuffers = undefined;
    if (!out || out.capacity < applications) out = this.options.runner.allocate(Math.ceil(applications * 1.25) + 1024);
    const snapshot = this.identity.snapshot(out.label);
    this.sinceRecluster = 0;
    this.relabelled.clear();
    this.runningInfo = { generation: this.generation + 1, startedAt: this.clock(), applications };
    this.disarmFirst();
    this.scheduleInterval();
    const run = this.options.runner.run(snapshot, config, out).then(
      (result) => {
        if (this.closed) return undefined;
        this.spareBuffers = this.activeBuffers;
        this.activeBuffers = out;
        const generation = ++this.generation;
        const clustering = new Clustering(result, config, this.identity, generation, this.clock());
        // Labels set while it ran are not in its snapshot: bring them in.
        for (const a of this.relabelled) {
          if (a < snapshot.applications) clustering.relabel(a, snapshot.label[a] === 1, this.identity.isLabelledFraud(a));
        }
        this.relabelled.clear();
        this.current = clustering;
        for (const index of this.provisional.keys()) if (index < result.applications) this.provisional.delete(index);
        this.options.onReclustered?.(result.summary, generation);
        return result.summary;
      },
      (err: Error) => {
        this.spareBuffers ??= out;
        // A worker terminated by close() is no failure worth reporting.
        if (!this.closed) this.options.onReclusterFailed?.(err);
        throw err;
      },
    );
    this.running = run.finally(() => {
      this.running = undefined;
      this.runningInfo = undefined;
      // A first recluster that failed is tried again shortly (no clustering yet).
      this.armFirst();
    });
    return this.running;
  }

  /** Whether this instance computes its clusterings (else it adopts another replica's). */
  get reclustersHere(): boolean {
    return this.options.reclustersHere?.() ?? true;
  }

  /**
   * Takes a clustering computed elsewhere (the replica holding the recluster lease) over this
   * graph's positions (published-clustering.ts), unless one as new is in force already. Labels
   * changed between that replica's snapshot and now are in the next clustering's statistics.
   */
  adopt(result: ReclusterResult, generation: number, at: number): boolean {
    if (this.closed || generation <= this.generation) return false;
    this.generation = generation;
    this.current = new Clustering(result, this.options.config(), this.identity, generation, at);
    for (const index of this.provisional.keys()) if (index < result.applications) this.provisional.delete(index);
    this.sinceRecluster = 0;
    this.disarmFirst();
    return true;
  }

  /** The next clustering computed here is numbered after `generation` (a replica taking over the lease continues the count). */
  continueFrom(generation: number): void {
    this.generation = Math.max(this.generation, generation);
  }

  /**
   * An operator's request: starts a recluster now, or joins the one running. It never queues a
   * further run, so any number of requests costs at most the one recluster.
   */
  reclusterNow(): ReclusterTicket | undefined {
    if (this.closed) return undefined;
    const state = this.running ? 'joined' : 'started';
    const done = this.running ?? this.recluster();
    const info = this.runningInfo;
    if (!info) return undefined;
    done.catch(() => undefined);
    return { state, generation: info.generation, startedAt: info.startedAt, applications: info.applications, done };
  }

  /** When the next recluster is due, and why there is no clustering yet if there is none. */
  private nextRecluster(): NextRecluster {
    const info = this.runningInfo;
    const running = info ? { generation: info.generation, startedAt: new Date(info.startedAt).toISOString(), applications: info.applications } : null;
    if (this.closed) return { running: null, dueAt: null, afterApplications: null, reason: 'the service is shutting down: no further reclusters' };
    const { reclusterEvery: every, reclusterIntervalMs: interval } = this.options;
    const first = !this.hasClustering();
    const none = this.current === undefined ? 'no clustering yet' : 'no application clustered yet';
    if (running) {
      const what = first ? `the first recluster is running (generation ${running.generation}, ${applicationsWord(running.applications)})` : `a recluster is running (generation ${running.generation}, ${applicationsWord(running.applications)})`;
      return { running, dueAt: null, afterApplications: null, reason: `${what}; ${first ? 'its clusters appear when it ends' : "until it ends, the previous generation's clusters are served"}` };
    }
    if (every <= 0 && interval <= 0) {
      const manual = 'automatic reclustering is off (GRAPH_RECLUSTER_EVERY and GRAPH_RECLUSTER_INTERVAL_MS are 0); an admin can start one with POST /clusters/recluster';
      return { running, dueAt: null, afterApplications: null, reason: first ? `${none}: ${manual}` : manual };
    }
    const dues = [this.firstDueAt, this.intervalDueAt].filter((t): t is number => t !== undefined);
    const dueAt = dues.length ? new Date(Math.min(...dues)).toISOString() : null;
    const count = first ? this.firstAfter : every;
    const afterApplications = count > 0 ? Math.max(1, count - this.sinceRecluster) : null;
    const triggers: string[] = [];
    if (first) {
      if (count > 0) triggers.push(`after ${applicationsWord(count)}`);
      if (this.firstDelayMs > 0) triggers.push(`${seconds(this.firstDelayMs)} after the first application`);
    } else {
      if (count > 0) triggers.push(`after every ${count} new application${count === 1 ? '' : 's'}`);
      if (interval > 0) triggers.push(`at the latest ${seconds(interval)} after the last one`);
    }
    const rule = `${triggers.join(' or ')}${triggers.length > 1 ? ', whichever comes first' : ''}`;
    if (!first) return { running, dueAt, afterApplications, reason: `reclusters run ${rule}` };
    const waiting = this.identity.applications === 0 ? 'no applications yet; ' : '';
    return { running, dueAt, afterApplications, reason: `${none}: ${waiting}the first recluster runs ${rule}` };
  }

  status(): GraphStatus {
    const c = this.current;
    return {
      applications: this.identity.applications,
      identifiers: this.identity.identifiers,
      sharedIdentifiers: this.identity.sharedIdentifiers,
      clustering: c
        ? {
            generation: c.generation,
            at: new Date(c.at).toISOString(),
            applications: c.result.applications,
            clusters: c.count,
            suspicious: c.summary.suspicious,
            durationMs: Math.round(c.summary.totalMs),
          }
        : null,
      reclusterRunning: this.running !== undefined,
      applicationsSinceRecluster: this.sinceRecluster,
      nextRecluster: this.nextRecluster(),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.disarmFirst();
    if (this.intervalTimer !== undefined) this.timers.clear(this.intervalTimer);
    this.intervalTimer = undefined;
    this.intervalDueAt = undefined;
    await this.options.runner.close();
  }
}
