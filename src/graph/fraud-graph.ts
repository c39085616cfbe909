// The fraud graph as the service uses it: the identity graph, the latest clustering, and the
// recluster schedule (every N new applications and every interval, one at a time, on a snapshot,
// in a worker). The request path only reads and appends in O(degree); Louvain never runs on it.
import type { IdentifierType } from '../identity/identifiers';
import { Clustering } from './clustering';
import type { ClusterConfig } from './config';
import { fraudFacts, type FraudFacts } from './fraud-facts';
import { IdentityGraph, type GraphApplication, type Label } from './identity-graph';
import type { ReclusterSummary, ResultBuffers } from './recluster';
import type { ReclusterRunner } from './recluster-runner';

export interface FraudGraphOptions {
  /** The thresholds in force (rules/fraud/clusters.json of the active rule set). */
  readonly config: () => ClusterConfig;
  readonly runner: ReclusterRunner;
  /** Recluster after this many new applications; 0 = never on count. */
  readonly reclusterEvery: number;
  /** Recluster on this period (ms); 0 = never on time. */
  readonly reclusterIntervalMs: number;
  readonly clock?: () => number;
  readonly onReclustered?: (summary: ReclusterSummary, generation: number) => void;
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
}

export class FraudGraph {
  readonly identity = new IdentityGraph();
  private current: Clustering | undefined;
  /** Clusters given to applications decided since the last clustering's snapshot, by id. */
  private readonly provisional = new Map<number, string>();
  private generation = 0;
  private sinceRecluster = 0;
  private running: Promise<ReclusterSummary | undefined> | undefined;
  private again: Promise<ReclusterSummary | undefined> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Applications labelled while a recluster runs: its snapshot has their old label. */
  private readonly relabelled = new Set<number>();
  private lastConfig: ClusterConfig | undefined;
  /** Result buffers: the current clustering's, and a spare the next recluster writes into. */
  private activeBuffers: ResultBuffers | undefined;
  private spareBuffers: ResultBuffers | undefined;
  private readonly clock: () => number;

  constructor(private readonly options: FraudGraphOptions) {
    this.clock = options.clock ?? Date.now;
  }

  get clustering(): Clustering | undefined {
    return this.current;
  }

  /** Starts the periodic recluster (unref'd: it never keeps the process alive). */
  start(): void {
    if (this.options.reclusterIntervalMs > 0 && !this.timer) {
      this.timer = setInterval(() => void this.recluster().catch(() => undefined), this.options.reclusterIntervalMs).unref();
    }
  }

  /** Adds a decided application; `clusterId` is the community its fraud stage linked it to. */
  add(application: GraphApplication, clusterId?: string | null): void {
    if (!this.identity.add(application)) return;
    const index = this.identity.applications - 1;
    if (clusterId) this.provisional.set(index, clusterId);
    this.sinceRecluster++;
    if (this.options.reclusterEvery > 0 && this.sinceRecluster >= this.options.reclusterEvery && !this.running) {
      void this.recluster().catch(() => undefined);
    }
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
        this.options.onReclusterFailed?.(err);
        throw err;
      },
    );
    this.running = run.finally(() => {
      this.running = undefined;
    });
    return this.running;
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
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.options.runner.close();
  }
}
