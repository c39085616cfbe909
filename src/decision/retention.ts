// Retention (data minimisation, PIPL art. 6 and 19): what the service keeps about an application
// goes once the bank no longer needs it. Three horizons, each 0 = kept for ever:
//   - identifiers: their keyed hashes are deleted and overwritten in the stored decision, so an old
//     application no longer links to anyone (velocity, the fraud graph, history);
//   - decisions: the decision, its events, its released reservation, its labels are deleted;
//   - the fraud graph's window: only applications decided inside it are held in memory, so memory
//     is bounded by the window, not by history.
// A decision still pending (awaiting review, or holding exposure) is kept whatever its age.
//
// NOTE: a sweep never blocks /decide for long: it reads the store in small keyset pages (an index
// range each), purges each page in its own unit of the store's group commit, and yields between
// pages; a graph rebuild reads and adds a few dozen applications at a time. Where each pass
// stopped is kept in the store, so a restart carries on instead of rescanning years of history.
//
// With several replicas (DATABASE_URL), the passes run on the shared database, on whichever
// replica holds the sweep's lease, and every replica's local copy applies the purges from the
// decision stream (src/store/postgres/retention.ts); each replica fits its own graph to the window.
import type { FraudGraph } from '../graph/fraud-graph';
import { IdentityGraph, type GraphApplication } from '../graph/identity-graph';
import type { AuditStore } from '../store/audit-store';
import type { GraphPagePosition, GraphStore } from '../store/graph-store';
import { LocalRetention } from '../store/local-retention';
import type { RetentionPass, RetentionTarget } from '../store/retention-target';

export const DAY_MS = 86_400_000;
/** Decisions examined per unit of work. */
export const RETENTION_PAGE = 10;
/** Applications read and added per step of a graph rebuild (about 4 ms of the request thread). */
export const GRAPH_REBUILD_PAGE = 20;
/** The graph is rebuilt once this share of what it holds is outside the window. */
export const GRAPH_REBUILD_SHARE = 0.1;

export interface RetentionPolicy {
  /** Days a decision (and everything kept about its application) is kept; 0 = for ever. */
  readonly decisionDays: number;
  /** Days an application's identifiers are kept; 0 = for ever (then as long as its decision). */
  readonly identifierDays: number;
  /** Days of applications the fraud graph holds; 0 = all. Never longer than identifiers are kept. */
  readonly graphWindowDays: number;
}

type Pass = RetentionPass;

export interface SweepReport {
  readonly identifiers: number;
  readonly decisions: number;
  /** Decisions past a horizon kept because they are still pending. */
  readonly keptPending: number;
  /** Set when the graph was rebuilt for its window: the applications it held before and holds now. */
  readonly graph: { readonly before: number; readonly after: number } | undefined;
  readonly ms: number;
}

export interface RetentionDeps {
  readonly store: AuditStore;
  readonly graphStore: GraphStore;
  readonly graph: FraudGraph;
  readonly policy: RetentionPolicy;
  /** Where the passes find and purge decisions (default: the embedded store). */
  readonly target?: RetentionTarget<unknown>;
  /**
   * Runs the passes where only one replica may (under the sweep's lease), or answers undefined
   * when another holds it. Default: runs them.
   */
  readonly exclusive?: <T>(passes: () => Promise<T>) => Promise<T | undefined>;
  readonly clock: () => number;
  /** Between pages: gives the request thread back (default: RETENTION_PAUSE_MS, GRAPH_REBUILD_PAUSE_MS). */
  readonly pause?: (step: 'purge' | 'rebuild') => Promise<void>;
  readonly onPurged?: (kind: Pass, count: number) => void;
  readonly pageSize?: number;
  readonly rebuildPageSize?: number;
}

/**
 * Pauses between pages. A purge rewrites stored decisions, and those writes (their fsyncs and WAL
 * checkpoints, on the request thread) are what /decide feels: purge pages are paced to at most
 * RETENTION_PAGE per RETENTION_PAUSE_MS (200 decisions a second, 17 million a day). A rebuild page
 * only reads and adds, so it yields briefly. Measured by npm run bench:retention.
 */
export const RETENTION_PAUSE_MS = 50;
export const GRAPH_REBUILD_PAUSE_MS = 5;
const breather = (step: 'purge' | 'rebuild') => new Promise<void>((resolve) => setTimeout(resolve, step === 'purge' ? RETENTION_PAUSE_MS : GRAPH_REBUILD_PAUSE_MS));

/** The graph window's start at `now` (undefined: the graph holds everything it is given). */
export function graphWindowStart(policy: RetentionPolicy, now: number): number | undefined {
  const days = [policy.graphWindowDays, policy.identifierDays].filter((d) => d > 0);
  return days.length ? now - Math.min(...days) * DAY_MS : undefined;
}

export class RetentionSweeper {
  private running: Promise<SweepReport> | undefined;
  private closed = false;
  private readonly pause: (step: 'purge' | 'rebuild') => Promise<void>;
  private readonly target: RetentionTarget<unknown>;

  constructor(private readonly deps: RetentionDeps) {
    this.pause = deps.pause ?? breather;
    this.target = deps.target ?? new LocalRetention(deps.store, deps.graphStore);
  }

  /** Runs one sweep, or joins the one running. */
  sweep(): Promise<SweepReport> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Stops after the page in progress (the store is closed next). */
  async close(): Promise<void> {
    this.closed = true;
    await this.running?.catch(() => undefined);
  }

  private async run(): Promise<SweepReport> {
    const started = performance.now();
    const now = this.deps.clock();
    const exclusive = this.deps.exclusive ?? ((passes) => passes());
    const purged = (await exclusive(() => this.passes(now))) ?? { identifiers: 0, decisions: 0, keptPending: 0 };
    const graph = await this.fitGraphToWindow(now);
    return { ...purged, graph, ms: performance.now() - started };
  }

  private async passes(now: number): Promise<Pick<SweepReport, 'identifiers' | 'decisions' | 'keptPending'>> {
    const { policy } = this.deps;
    let keptPending = 0;
    let identifiers = 0;
    let decisions = 0;
    if (policy.identifierDays > 0) {
      const r = await this.pass('identifiers', now - policy.identifierDays * DAY_MS);
      identifiers = r.purged;
      keptPending += r.keptPending;
    }
    if (policy.decisionDays > 0) {
      const r = await this.pass('decisions', now - policy.decisionDays * DAY_MS);
      decisions = r.purged;
      keptPending += r.keptPending;
    }
    return { identifiers, decisions, keptPending };
  }

  /**
   * One horizon: pages of decisions older than `cutoff`, from where the last sweep stopped, each
   * purged in its own unit. The mark stops before the first pending decision, so it is looked at
   * again next time (and purged once it is no longer pending).
   */
  private async pass(pass: Pass, cutoff: number): Promise<{ purged: number; keptPending: number }> {
    const target = this.target;
    let after = await target.mark(pass);
    let mark = after;
    let blocked = false;
    let purged = 0;
    let keptPending = 0;
    const size = this.deps.pageSize ?? RETENTION_PAGE;
    while (!this.closed) {
      const page = await target.page(cutoff, after, size);
      if (page.length === 0) break;
      for (const c of page) {
        if (c.pending) {
          keptPending++;
          blocked = true;
        } else if (!blocked) mark = c.position;
      }
      const count = await target.purge(pass, page, mark);
      purged += count;
      if (count > 0) this.deps.onPurged?.(pass, count);
      after = page[page.length - 1]?.position;
      if (page.length < size) break;
      await this.pause('purge');
    }
    return { purged, keptPending };
  }

  /**
   * Rebuilds the fraud graph from the store for its window once enough of it has aged out. The
   * current graph keeps serving meanwhile; what is decided during the rebuild joins both.
   */
  private async fitGraphToWindow(now: number): Promise<SweepReport['graph']> {
    const start = graphWindowStart(this.deps.policy, now);
    const { graph, graphStore } = this.deps;
    if (start === undefined || this.closed) return undefined;
    const held = graph.identity.applications;
    const outside = graph.applicationsBefore(start);
    if (outside === 0 || outside < held * GRAPH_REBUILD_SHARE) return undefined;
    graph.beginRebuild();
    const fresh = new IdentityGraph();
    const size = this.deps.rebuildPageSize ?? GRAPH_REBUILD_PAGE;
    let after: GraphPagePosition | undefined;
    do {
      const page = graphStore.applicationsPage(start, after, size);
      for (const a of page.applications) fresh.add(a);
      after = page.next;
      await this.pause('rebuild');
    } while (after && !this.closed);
    if (this.closed) {
      graph.abandonRebuild();
      return undefined;
    }
    const inWindow = (a: GraphApplication) => a.decidedAt >= start;
    await graph.replaceIdentity(fresh, () => graphStore.currentLabels(), inWindow);
    return { before: held, after: graph.identity.applications };
  }
}
