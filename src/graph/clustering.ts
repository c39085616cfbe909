// The latest clustering: which community each application belongs to, the communities' scores
// and flags, and the queries investigators make of them. Built from a ReclusterResult (typed
// arrays) without an object per community; a label changes one community's score in place.
// Its arrays are views of reused buffers: a Clustering is valid until the recluster after next,
// so hold FraudGraph.clustering, not an old Clustering, across reclusters.
import type { ClusterConfig } from './config';
import type { IdentityGraph } from './identity-graph';
import { statsOf, type ClusterStats } from './cluster-stats';
import type { ReclusterResult, ReclusterSummary } from './recluster';
import { flagBitsOf, raisesFlag, scoreCluster, type ClusterVerdict } from './community-scoring';

const CLUSTER_ID_PREFIX = 'cl_';
export type ClusterSort = 'score' | 'size' | 'lastSeen';

export interface ClusterQuery {
  readonly suspicious?: boolean;
  readonly minSize?: number;
  /** Only clusters raising this flag (a code of rules/fraud/clusters.json). */
  readonly flag?: string;
  /** Only clusters with a member that applied in this region. */
  readonly region?: string;
  /** Only clusters with a member that applied for this product. */
  readonly product?: string;
  readonly sort: ClusterSort;
  readonly limit: number;
  /** Position in the sorted list to continue from (from a previous page's cursor). */
  readonly after?: number;
}

export interface ClusterSummaryView {
  readonly id: string;
  readonly size: number;
  readonly score: number;
  readonly suspicious: boolean;
  readonly flags: ClusterVerdict['flags'];
  readonly firstSeen: string;
  readonly lastSeen: string;
}

export interface ClusterPage {
  readonly clusters: readonly ClusterSummaryView[];
  /** Position of the last cluster returned, for the next page; undefined at the end. */
  readonly next?: number;
}

/** What a cluster filter may test of its members: where they applied, and for what. */
export type MemberFilter = 'region' | 'product';

export class Clustering {
  private sorted = new Map<ClusterSort, Int32Array>();
  /**
   * Per region or product, 1 for each cluster with a member there: computed on first use in one
   * pass over the applications, so a filtered page then costs what an unfiltered one does. The
   * callers validate the values against their definitions, so the entries are few.
   */
  private readonly memberMasks = new Map<string, Uint8Array>();

  constructor(
    readonly result: ReclusterResult,
    readonly config: ClusterConfig,
    private readonly graph: IdentityGraph,
    readonly generation: number,
    /** Epoch ms when it was computed. */
    readonly at: number,
  ) {
    this.sorted.set('score', result.order);
  }

  get summary(): ReclusterSummary {
    return this.result.summary;
  }

  get count(): number {
    return this.result.clusters;
  }

  /** The application's cluster, or -1 (unclustered, or decided after this clustering's snapshot). */
  clusterOf(application: number): number {
    return application < this.result.applications ? (this.result.clusterOf[application] as number) : -1;
  }

  /** A cluster is named after its earliest member, so its id survives reclusters that keep that member in it. */
  idOf(cluster: number): string {
    return CLUSTER_ID_PREFIX + this.graph.applicationId(this.result.members[this.result.memberStart[cluster] as number] as number);
  }

  /** The cluster with this id, or -1. O(1). */
  find(clusterId: string): number {
    if (!clusterId.startsWith(CLUSTER_ID_PREFIX)) return -1;
    const first = this.graph.indexOf(clusterId.slice(CLUSTER_ID_PREFIX.length));
    if (first === undefined) return -1;
    const c = this.clusterOf(first);
    return c >= 0 && this.result.members[this.result.memberStart[c] as number] === first ? c : -1;
  }

  members(cluster: number): Int32Array {
    return this.result.members.subarray(this.result.memberStart[cluster] as number, this.result.memberStart[cluster + 1] as number);
  }

  stats(cluster: number): ClusterStats {
    return statsOf(this.result.stats, this.result.typeStats, cluster);
  }

  /** Total link weight of the members (application–application weights). */
  strength(cluster: number): number {
    return this.result.stats.strength[cluster] as number;
  }

  score(cluster: number): number {
    return this.result.score[cluster] as number;
  }

  isSuspicious(cluster: number): boolean {
    return this.result.suspicious[cluster] === 1;
  }

  verdict(cluster: number): ClusterVerdict {
    return scoreCluster(this.stats(cluster), this.config.scoring, this.result.baseline);
  }

  /** Keeps a member's label change in its community's statistics and score. */
  relabel(application: number, wasFraud: boolean, isFraud: boolean): void {
    const c = this.clusterOf(application);
    if (c < 0 || wasFraud === isFraud) return;
    this.result.stats.labelledFraud[c]! += isFraud ? 1 : -1;
    const verdict = this.verdict(c);
    this.result.score[c] = verdict.score;
    this.result.suspicious[c] = verdict.suspicious ? 1 : 0;
    this.result.flagMask[c] = flagBitsOf(verdict, this.config.scoring);
    this.sorted.delete('score');
  }

  /** 1 for each cluster with a member whose region (or product) is `value`. */
  private withMember(filter: MemberFilter, value: string): Uint8Array {
    const key = `${filter}\u0000${value}`;
    let mask = this.memberMasks.get(key);
    if (!mask) {
      const matching = new Uint8Array(this.graph.knownSegments().map((s) => (s[filter] === value ? 1 : 0)));
      mask = new Uint8Array(this.count);
      const { clusterOf, applications } = this.result;
      for (let a = 0; a < applications; a++) {
        const c = clusterOf[a] as number;
        if (c >= 0 && matching[this.graph.segmentCodeOf(a)] === 1) mask[c] = 1;
      }
      this.memberMasks.set(key, mask);
    }
    return mask;
  }

  private order(sort: ClusterSort): Int32Array {
    let order = this.sorted.get(sort);
    if (!order) {
      const { score, stats } = this.result;
      const key = sort === 'score' ? score : sort === 'size' ? stats.size : stats.lastSeen;
      order = Int32Array.from({ length: this.count }, (_, i) => i).sort((x, y) => (key[y] as number) - (key[x] as number) || x - y);
      this.sorted.set(sort, order);
    }
    return order;
  }

  view(cluster: number): ClusterSummaryView {
    const verdict = this.verdict(cluster);
    return {
      id: this.idOf(cluster),
      size: this.result.stats.size[cluster] as number,
      score: verdict.score,
      suspicious: verdict.suspicious,
      flags: verdict.flags,
      firstSeen: new Date(this.result.stats.firstSeen[cluster] as number).toISOString(),
      lastSeen: new Date(this.result.stats.lastSeen[cluster] as number).toISOString(),
    };
  }

  /** One page of clusters, highest first by the chosen key. */
  list(query: ClusterQuery): ClusterPage {
    const order = this.order(query.sort);
    const masks = [
      ...(query.region !== undefined ? [this.withMember('region', query.region)] : []),
      ...(query.product !== undefined ? [this.withMember('product', query.product)] : []),
    ];
    const out: ClusterSummaryView[] = [];
    let position = query.after === undefined ? 0 : query.after + 1;
    for (; position < order.length && out.length < query.limit; position++) {
      const c = order[position] as number;
      if (query.suspicious !== undefined && this.isSuspicious(c) !== query.suspicious) continue;
      if (query.minSize !== undefined && (this.result.stats.size[c] as number) < query.minSize) continue;
      if (masks.some((mask) => mask[c] !== 1)) continue;
      if (query.flag !== undefined && !raisesFlag(this.result.flagMask[c] as number, this.config.scoring, query.flag)) continue;
      out.push(this.view(c));
    }
    return out.length === query.limit && position < order.length ? { clusters: out, next: position - 1 } : { clusters: out };
  }
}
