// One recluster, start to finish, on a snapshot: projection, Louvain, per-community statistics
// and scores. Pure and synchronous; the worker (recluster-worker.ts) runs it off the request path,
// tests and benchmarks call it directly. The result is typed arrays only, written into buffers the
// caller owns (ResultBuffers), so nothing crosses back but two counts and a summary. The statistics
// measured are those of cluster-stats.ts (one table); measureCommunities computes them in steps:
// community labels → clusters → members → per-community measurements → portfolio baseline.
//
// NOTE: the service reuses two sets of result buffers (SharedArrayBuffers) across reclusters.
// Transferring fresh arrays each time (~15 MB at 300k applications) grew the request thread's
// external memory until V8 ran a full collection of its large heap (the graph): measured 0.2–0.7 s
// stalls of /decide during back-to-back reclusters, gone with reused buffers.
import {
  allocateClusterColumns,
  allocateClusterTypeColumns,
  clusterColumnViews,
  clusterTypeColumnViews,
  statsOf,
  type ArrayMaker,
  type ClusterColumns,
  type ClusterTypeColumns,
} from './cluster-stats';
import { detectCommunities, type Communities } from './communities';
import { TYPE_INDEX, typeMask, type ClusterConfig, type Projection as ProjectionKind } from './config';
import { FRAUD_LABEL, OUTCOME_CODES, type GraphSnapshot } from './identity-graph';
import { applicationOfNode, buildProjection, find, type PairLinks, type Projection } from './projection';
import { flagBitsOf, scoreCluster, TYPE_COUNT, WEEK_MS, type PortfolioBaseline } from './community-scoring';

/** A community's statistics from a result's columns (defined with the statistics, in cluster-stats.ts). */
export { statsOf };

export interface ReclusterSummary {
  readonly projection: ProjectionKind;
  readonly applications: number;
  readonly linkingIdentifiers: number;
  readonly commonIdentifiers: number;
  readonly linkedApplications: number;
  readonly linkedPairs: number;
  readonly louvainNodes: number;
  readonly louvainEdges: number;
  readonly modularity: number | null;
  /** Louvain's resolution: the config's density × twice the total link weight. */
  readonly resolution: number | null;
  readonly clusters: number;
  readonly suspicious: number;
  /** Whether the gang-case model scored the communities (else its flag is never raised). */
  readonly gangModel: boolean;
  readonly projectionMs: number;
  readonly louvainMs: number;
  readonly statsMs: number;
  readonly totalMs: number;
}

export interface ReclusterResult {
  /** Applications in the snapshot; later ones are not clustered yet. */
  readonly applications: number;
  /** Per application: its cluster, or -1 (linked to nobody, or alone in its community). */
  readonly clusterOf: Int32Array;
  readonly clusters: number;
  /** Cluster c's members are members[memberStart[c] .. memberStart[c + 1]), ascending: the first is the earliest. */
  readonly memberStart: Int32Array;
  readonly members: Int32Array;
  readonly stats: ClusterColumns;
  readonly typeStats: ClusterTypeColumns;
  readonly baseline: PortfolioBaseline;
  readonly score: Float64Array;
  readonly suspicious: Uint8Array;
  /** Bit i set = flag rule i of the scoring config was raised. */
  readonly flagMask: Uint32Array;
  /** Cluster indices by score (highest first), then earliest member. */
  readonly order: Int32Array;
  readonly summary: ReclusterSummary;
}

/** Outcome code of a declined application in the snapshot. */
const DECLINED = OUTCOME_CODES.indexOf('decline');
/** Community sizes are counted exactly up to this; larger ones share the last bucket. */
const SIZE_BUCKETS = 256;
/** Fraudar's damping of popular identifiers: an edge into an identifier with n carriers weighs 1/ln(n + 5). */
const FRAUDAR_C = 5;
/** Bits of CommunityMeter.flagged: the member shares with a stranger; its national id is re-used. */
const STRANGER = 1;
const REUSED_IDENTITY = 2;
const ADDRESS = TYPE_INDEX.address;
const NATIONAL_ID = TYPE_INDEX.nationalId;
/** A national id is re-used when two members carrying it differ in at least this many of these contact identifiers. */
const CONTACT_TYPES = [TYPE_INDEX.phone, TYPE_INDEX.email, TYPE_INDEX.deviceId];
const REUSED_IDENTITY_MIN_DIFFERING = 2;

/**
 * array[i], for an index the caller knows is in range: noUncheckedIndexedAccess types every
 * typed-array read as possibly undefined, and this is the one place that says otherwise.
 */
function at(array: ArrayLike<number>, i: number): number {
  return array[i] as number;
}

/** array[i] += by. */
function addAt(array: Int32Array | Float64Array, i: number, by: number): void {
  array[i] = at(array, i) + by;
}

/** Result arrays sized for `capacity` applications (communities have two members or more). */
export interface ResultBuffers {
  readonly capacity: number;
  readonly clusterOf: Int32Array;
  readonly members: Int32Array;
  readonly memberStart: Int32Array;
  readonly order: Int32Array;
  readonly score: Float64Array;
  readonly suspicious: Uint8Array;
  readonly flagMask: Uint32Array;
  readonly stats: ClusterColumns;
  readonly typeStats: ClusterTypeColumns;
  /** Room for the snapshot's copy of the labels. */
  readonly label: Int8Array;
}

export function allocateResultBuffers(capacity: number, shared = false): ResultBuffers {
  const clusters = Math.floor(capacity / 2) + 1;
  const make = <T>(ctor: new (buffer: ArrayBufferLike) => T, bytes: number, length: number): T =>
    new ctor(shared ? new SharedArrayBuffer(bytes * length) : new ArrayBuffer(bytes * length));
  const i32 = (n: number) => make(Int32Array, 4, n);
  const f64 = (n: number) => make(Float64Array, 8, n);
  const column: ArrayMaker = (kind, length) => (kind === 'int32' ? i32(length) : f64(length));
  return {
    capacity,
    clusterOf: i32(capacity),
    members: i32(capacity),
    memberStart: i32(clusters + 1),
    order: i32(clusters),
    score: f64(clusters),
    suspicious: make(Uint8Array, 1, clusters),
    flagMask: make(Uint32Array, 4, clusters),
    label: make(Int8Array, 1, capacity),
    stats: allocateClusterColumns(clusters, column),
    typeStats: allocateClusterTypeColumns(clusters, column),
  };
}

/** The result's views into its buffers, from the counts and baseline a recluster reports. */
export function resultIn(out: ResultBuffers, applications: number, clusters: number, baseline: PortfolioBaseline, summary: ReclusterSummary): ReclusterResult {
  const C = clusters;
  const memberStart = out.memberStart.subarray(0, C + 1);
  return {
    applications,
    clusterOf: out.clusterOf.subarray(0, applications),
    clusters: C,
    memberStart,
    members: out.members.subarray(0, at(memberStart, C)),
    stats: clusterColumnViews(out.stats, C),
    typeStats: clusterTypeColumnViews(out.typeStats, C),
    baseline,
    score: out.score.subarray(0, C),
    suspicious: out.suspicious.subarray(0, C),
    flagMask: out.flagMask.subarray(0, C),
    order: out.order.subarray(0, C),
    summary,
  };
}

/**
 * Projection, Louvain and every community's statistics; the scores are left for scoreCommunities,
 * so that a gang-case model (asynchronous) can fill stats.gangScore in between.
 */
export function measureCommunities(
  s: GraphSnapshot,
  config: ClusterConfig,
  out: ResultBuffers = allocateResultBuffers(s.applications),
  now: () => number = () => performance.now(),
): ReclusterResult {
  if (out.capacity < s.applications) throw new RangeError(`result buffers hold ${out.capacity} applications; the snapshot has ${s.applications}`);
  const t0 = now();
  const A = s.applications;
  const p = buildProjection(s, config.linking);
  const t1 = now();
  const found = detectCommunities(p.graph, { seed: config.linking.seed, density: config.linking.density });
  const t2 = now();

  const clusterOf = out.clusterOf.subarray(0, A);
  const C = numberClusters(communityLabels(p, found, A), clusterOf);
  const { memberStart, members } = groupMembers(clusterOf, C, out);
  const stats = clusterColumnViews(out.stats, C, true);
  const typeStats = clusterTypeColumnViews(out.typeStats, C, true);
  measurePairs(p.pairs, clusterOf, stats);
  const largest = largestCluster(memberStart);
  const meter = new CommunityMeter(s, p, config, stats, typeStats, largest);
  for (let c = 0; c < C; c++) meter.measure(c, members.subarray(at(memberStart, c), at(memberStart, c + 1)));
  const baseline = portfolioBaseline(s, stats.size, largest);
  const t3 = now();

  return {
    applications: A,
    clusterOf,
    clusters: C,
    memberStart,
    members,
    stats,
    typeStats,
    baseline,
    score: out.score.subarray(0, C),
    suspicious: out.suspicious.subarray(0, C),
    flagMask: out.flagMask.subarray(0, C),
    order: out.order.subarray(0, C),
    summary: {
      projection: config.linking.projection,
      applications: A,
      linkingIdentifiers: p.stats.linkingIdentifiers,
      commonIdentifiers: p.stats.commonIdentifiers,
      linkedApplications: p.stats.linkedApplications,
      linkedPairs: p.stats.pairs,
      louvainNodes: p.stats.nodes,
      louvainEdges: p.stats.edges,
      modularity: Number.isNaN(found.modularity) ? null : found.modularity,
      resolution: Number.isNaN(found.resolution) ? null : found.resolution,
      clusters: C,
      suspicious: 0,
      gangModel: false,
      projectionMs: t1 - t0,
      louvainMs: t2 - t1,
      statsMs: t3 - t2,
      totalMs: t3 - t0,
    },
  };
}

/**
 * Community label per application (-1: none): Louvain's for projected applications, the
 * component for linked pairs (which Louvain never sees), each then split into its core components.
 */
function communityLabels(p: Projection, found: Communities, A: number): Int32Array {
  const label = new Int32Array(A).fill(-1);
  for (const [key, community] of Object.entries(found.communities)) {
    const a = applicationOfNode(key);
    if (a >= 0) label[a] = community;
  }
  for (let a = 0; a < A; a++) {
    const root = at(p.component, a);
    if (root >= 0 && p.componentSize[root] === 2) label[a] = found.count + root;
  }
  splitIntoCores(label, p.pairs, A);
  return label;
}

/**
 * Clusters are the labels with two members or more, numbered by their earliest member (so the
 * numbering does not depend on Louvain's). Writes each application's cluster (-1: none) into
 * clusterOf; returns the number of clusters.
 */
function numberClusters(label: Int32Array, clusterOf: Int32Array): number {
  // Labels are below the number of applications (splitIntoCores numbers them from 0).
  const labelSize = new Int32Array(label.length);
  for (const l of label) if (l >= 0) addAt(labelSize, l, 1);
  const clusterOfLabel = new Int32Array(label.length).fill(-1);
  clusterOf.fill(-1);
  let C = 0;
  label.forEach((l, a) => {
    if (l < 0 || at(labelSize, l) < 2) return;
    if (at(clusterOfLabel, l) < 0) clusterOfLabel[l] = C++;
    clusterOf[a] = at(clusterOfLabel, l);
  });
  return C;
}

/** Each cluster's members, ascending (so the first is the earliest): members[memberStart[c] .. memberStart[c + 1]). */
function groupMembers(clusterOf: Int32Array, C: number, out: ResultBuffers): { memberStart: Int32Array; members: Int32Array } {
  const memberStart = out.memberStart.subarray(0, C + 1).fill(0);
  for (const c of clusterOf) if (c >= 0) addAt(memberStart, c + 1, 1);
  for (let c = 0; c < C; c++) addAt(memberStart, c + 1, at(memberStart, c));
  const members = out.members.subarray(0, at(memberStart, C));
  const next = memberStart.slice(0, C);
  clusterOf.forEach((c, a) => {
    if (c < 0) return;
    members[at(next, c)] = a;
    addAt(next, c, 1);
  });
  return { memberStart, members };
}

function largestCluster(memberStart: Int32Array): number {
  let largest = 0;
  for (let c = 0; c + 1 < memberStart.length; c++) largest = Math.max(largest, at(memberStart, c + 1) - at(memberStart, c));
  return largest;
}

/** links (linked member pairs inside a cluster) and strength (link weight of the members), from the projection's pairs. */
function measurePairs(pairs: PairLinks, clusterOf: Int32Array, stats: ClusterColumns): void {
  for (let e = 0; e < pairs.count; e++) {
    const c = at(clusterOf, at(pairs.a, e));
    const d = at(clusterOf, at(pairs.b, e));
    const w = at(pairs.weight, e);
    if (c >= 0 && c === d) addAt(stats.links, c, 1);
    if (c >= 0) addAt(stats.strength, c, w);
    if (d >= 0) addAt(stats.strength, d, w);
  }
}

/** The portfolio the communities are judged against: its evidence rate and community sizes. */
function portfolioBaseline(s: GraphSnapshot, sizes: Int32Array, largest: number): PortfolioBaseline {
  let evidence = 0;
  for (const e of s.evidence.subarray(0, s.applications)) evidence += e;
  const sizeCounts = new Int32Array(Math.min(SIZE_BUCKETS, largest + 1));
  for (const size of sizes) addAt(sizeCounts, Math.min(sizeCounts.length - 1, size), 1);
  return { applications: s.applications, evidence, sizeCounts: Array.from(sizeCounts) };
}

/**
 * Measures one community after another into the statistics columns (cluster-stats.ts), with
 * scratch space allocated once per recluster. A community's identifiers are marked as it is
 * measured, so its steps run in order: countIdentifiers before measureSharing.
 */
class CommunityMeter {
  private readonly riskyMask: number;
  private readonly coreMask: number;
  private readonly strangerWindowMs: number;
  /** Per identifier: the community that last carried it (-1: none yet). */
  private readonly mark: Int32Array;
  /** Per identifier: how many of that community's members carry it. */
  private readonly carriers: Int32Array;
  /** Room for the application times of the largest community. */
  private readonly times: Float64Array;
  /** Per application: STRANGER and REUSED_IDENTITY bits, cleared after each community. */
  private readonly flagged: Uint8Array;
  /** (identifier, member) incidences of identifiers shared inside the community, interleaved; grows as needed. */
  private incidence = new Float64Array(1024);

  constructor(
    private readonly s: GraphSnapshot,
    private readonly p: Projection,
    config: ClusterConfig,
    private readonly stats: ClusterColumns,
    private readonly typeStats: ClusterTypeColumns,
    largest: number,
  ) {
    this.riskyMask = typeMask(config.scoring.riskyIdentifierTypes);
    this.coreMask = typeMask(config.linking.coreIdentifierTypes);
    this.strangerWindowMs = config.scoring.strangerWindowDays * 24 * 60 * 60 * 1000;
    this.mark = new Int32Array(s.identifiers).fill(-1);
    this.carriers = new Int32Array(s.identifiers);
    this.times = new Float64Array(largest);
    this.flagged = new Uint8Array(s.applications);
  }

  /** Community c, whose members (ascending) are `group`. */
  measure(c: number, group: Int32Array): void {
    this.countMembers(c, group);
    this.countIdentifiers(c, group);
    this.stats.peakWeek[c] = this.busiestWeek(group);
    const incidences = this.measureSharing(c, group);
    this.flagSharingPairs(c, group, incidences);
  }

  private linkStart(a: number): number {
    return at(this.s.linkStart, a);
  }

  private linkEnd(a: number): number {
    return a + 1 < this.s.applications ? at(this.s.linkStart, a + 1) : this.s.links;
  }

  /** The application's identifier of a type, or -1. */
  private identifierOf(a: number, type: number): number {
    const { linkIdentifier, identifierType } = this.s;
    for (let l = this.linkStart(a), end = this.linkEnd(a); l < end; l++) if (identifierType[at(linkIdentifier, l)] === type) return at(linkIdentifier, l);
    return -1;
  }

  /** size, declined, evidence, labelledFraud, firstSeen, lastSeen. */
  private countMembers(c: number, group: Int32Array): void {
    const { s, stats } = this;
    let declined = 0;
    let evidence = 0;
    let labelledFraud = 0;
    let first = Infinity;
    let last = -Infinity;
    for (const a of group) {
      if (s.outcome[a] === DECLINED) declined++;
      if (s.evidence[a] === 1) evidence++;
      if (s.label[a] === FRAUD_LABEL) labelledFraud++;
      const time = at(s.decidedAt, a);
      if (time < first) first = time;
      if (time > last) last = time;
    }
    stats.size[c] = group.length;
    stats.declined[c] = declined;
    stats.evidence[c] = evidence;
    stats.labelledFraud[c] = labelledFraud;
    stats.firstSeen[c] = first;
    stats.lastSeen[c] = last;
  }

  /** Per type: carrying and distinct; sharedTypes. Marks every identifier the members carry, with how many carry it. */
  private countIdentifiers(c: number, group: Int32Array): void {
    const { s, mark, carriers } = this;
    const { carrying, distinct } = this.typeStats;
    const row = c * TYPE_COUNT;
    let sharedTypes = 0;
    for (const a of group) {
      for (let l = this.linkStart(a), end = this.linkEnd(a); l < end; l++) {
        const j = at(s.linkIdentifier, l);
        const t = at(s.identifierType, j);
        addAt(carrying, row + t, 1);
        if (mark[j] !== c) {
          mark[j] = c;
          carriers[j] = 1;
          addAt(distinct, row + t, 1);
        } else {
          addAt(carriers, j, 1);
          if (carriers[j] === 2 && this.p.linking[j]) sharedTypes |= 1 << t;
        }
      }
    }
    this.stats.sharedTypes[c] = sharedTypes;
  }

  /** The most members who applied within any 7 days: a sliding window over their sorted times. */
  private busiestWeek(group: Int32Array): number {
    const times = this.times.subarray(0, group.length);
    group.forEach((a, k) => {
      times[k] = at(this.s.decidedAt, a);
    });
    times.sort();
    let peak = 0;
    for (let hi = 0, lo = 0; hi < times.length; hi++) {
      while (at(times, hi) - at(times, lo) >= WEEK_MS) lo++;
      if (hi - lo + 1 > peak) peak = hi - lo + 1;
    }
    return peak;
  }

  /**
   * Who shares what inside the community: riskyMembers, multiTypeMembers, per-type sharing and
   * Fraudar's weighted edges. Collects the (identifier, member) incidences of shared linking
   * identifiers for flagSharingPairs; returns how many.
   */
  private measureSharing(c: number, group: Int32Array): number {
    const { s, p, stats, carriers, riskyMask, coreMask } = this;
    const { sharing } = this.typeStats;
    const row = c * TYPE_COUNT;
    let incidences = 0;
    let fraudarWeight = 0;
    let riskyMembers = 0;
    let multiTypeMembers = 0;
    for (const a of group) {
      let risky = false;
      let typesShared = 0;
      for (let l = this.linkStart(a), end = this.linkEnd(a); l < end; l++) {
        const j = at(s.linkIdentifier, l);
        if (at(carriers, j) < 2 || !p.linking[j]) continue;
        const t = at(s.identifierType, j);
        if ((riskyMask & (1 << t)) !== 0) risky = true;
        typesShared |= 1 << t;
        fraudarWeight += 1 / Math.log(at(p.carriers, j) + FRAUDAR_C);
        this.addIncidence(incidences++, j, a);
      }
      if (risky) riskyMembers++;
      const core = typesShared & coreMask;
      if ((core & (core - 1)) !== 0) multiTypeMembers++;
      for (let t = 0; t < TYPE_COUNT; t++) if ((typesShared & (1 << t)) !== 0) addAt(sharing, row + t, 1);
    }
    stats.riskyMembers[c] = riskyMembers;
    stats.multiTypeMembers[c] = multiTypeMembers;
    stats.fraudarWeight[c] = fraudarWeight;
    stats.fraudarNodes[c] = group.length + countShared(this.incidence, incidences);
    return incidences;
  }

  private addIncidence(k: number, identifier: number, member: number): void {
    if (k * 2 + 2 > this.incidence.length) {
      const grown = new Float64Array(this.incidence.length * 2);
      grown.set(this.incidence);
      this.incidence = grown;
    }
    this.incidence[k * 2] = identifier;
    this.incidence[k * 2 + 1] = member;
  }

  /**
   * Pairs of members carrying the same shared identifier: strangers (different addresses, close
   * in time, an identifier other than the address) and re-used identities (one national id,
   * different contact details). strangerMembers, reusedIdentityMembers.
   */
  private flagSharingPairs(c: number, group: Int32Array, incidences: number): void {
    const { s, flagged, strangerWindowMs } = this;
    const pairs = sortedIncidences(this.incidence, incidences);
    for (let g = 0; g < incidences; ) {
      const j = at(pairs, g * 2);
      let h = g;
      while (h < incidences && pairs[h * 2] === j) h++;
      const t = at(s.identifierType, j);
      for (let x = g; x < h; x++) {
        const a = at(pairs, x * 2 + 1);
        for (let y = x + 1; y < h; y++) {
          const b = at(pairs, y * 2 + 1);
          if (t !== ADDRESS && Math.abs(at(s.decidedAt, a) - at(s.decidedAt, b)) <= strangerWindowMs && !this.sameAddress(a, b)) {
            flagged[a] = at(flagged, a) | STRANGER;
            flagged[b] = at(flagged, b) | STRANGER;
          }
          if (t === NATIONAL_ID && this.differingContacts(a, b) >= REUSED_IDENTITY_MIN_DIFFERING) {
            flagged[a] = at(flagged, a) | REUSED_IDENTITY;
            flagged[b] = at(flagged, b) | REUSED_IDENTITY;
          }
        }
      }
      g = h;
    }
    let strangerMembers = 0;
    let reusedIdentityMembers = 0;
    for (const a of group) {
      if ((at(flagged, a) & STRANGER) !== 0) strangerMembers++;
      if ((at(flagged, a) & REUSED_IDENTITY) !== 0) reusedIdentityMembers++;
      flagged[a] = 0;
    }
    this.stats.strangerMembers[c] = strangerMembers;
    this.stats.reusedIdentityMembers[c] = reusedIdentityMembers;
  }

  /** Both give the same address (one without an address is at another). */
  private sameAddress(a: number, b: number): boolean {
    const address = this.identifierOf(a, ADDRESS);
    return address >= 0 && address === this.identifierOf(b, ADDRESS);
  }

  /** Contact identifiers (phone, email, device) both give, with different values. */
  private differingContacts(a: number, b: number): number {
    let differing = 0;
    for (const contact of CONTACT_TYPES) {
      const ca = this.identifierOf(a, contact);
      const cb = this.identifierOf(b, contact);
      if (ca >= 0 && cb >= 0 && ca !== cb) differing++;
    }
    return differing;
  }
}

/**
 * Splits each community into its core components (members tied by core-type identifiers inside
 * it) and the rest, relabelling in place: members keep their community only with the members of
 * their own core component; those with no core tie inside it stay together as one remainder.
 */
function splitIntoCores(label: Int32Array, pairs: PairLinks, A: number): void {
  const parent = new Int32Array(A);
  for (let a = 0; a < A; a++) parent[a] = a;
  const tied = new Uint8Array(A);
  for (let e = 0; e < pairs.count; e++) {
    if (pairs.core[e] !== 1) continue;
    const a = at(pairs.a, e);
    const b = at(pairs.b, e);
    if (at(label, a) < 0 || label[a] !== label[b]) continue;
    tied[a] = 1;
    tied[b] = 1;
    const ra = find(parent, a);
    const rb = find(parent, b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  // New labels: (community, core root) for tied members, (community, remainder) for the others.
  const relabel = new Map<string, number>();
  for (let a = 0; a < A; a++) {
    const l = at(label, a);
    if (l < 0) continue;
    const key = tied[a] ? `${l}:${find(parent, a)}` : `${l}:rest`;
    let next = relabel.get(key);
    if (next === undefined) relabel.set(key, (next = relabel.size));
    label[a] = next;
  }
}

/** Distinct identifiers among (identifier, member) incidences. */
function countShared(incidence: Float64Array, n: number): number {
  const ids = new Set<number>();
  for (let i = 0; i < n; i++) ids.add(at(incidence, i * 2));
  return ids.size;
}

/** The incidences ordered by identifier (then member), as a new interleaved array. */
function sortedIncidences(incidence: Float64Array, n: number): Float64Array {
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => at(incidence, x * 2) - at(incidence, y * 2) || at(incidence, x * 2 + 1) - at(incidence, y * 2 + 1));
  const out = new Float64Array(n * 2);
  order.forEach((i, k) => {
    out[k * 2] = at(incidence, i * 2);
    out[k * 2 + 1] = at(incidence, i * 2 + 1);
  });
  return out;
}

/** Scores every measured community (flags, score, suspicious, order), in place; returns the result with its summary completed. */
export function scoreCommunities(result: ReclusterResult, config: ClusterConfig, options: { gangModel?: boolean; now?: () => number } = {}): ReclusterResult {
  const now = options.now ?? (() => performance.now());
  const t = now();
  const C = result.clusters;
  const { score, suspicious, flagMask } = result;
  suspicious.fill(0);
  flagMask.fill(0);
  let suspiciousCount = 0;
  for (let c = 0; c < C; c++) {
    const verdict = scoreCluster(statsOf(result.stats, result.typeStats, c), config.scoring, result.baseline);
    score[c] = verdict.score;
    if (verdict.suspicious) {
      suspicious[c] = 1;
      suspiciousCount++;
    }
    flagMask[c] = flagBitsOf(verdict, config.scoring);
  }
  const order = result.order;
  for (let c = 0; c < C; c++) order[c] = c;
  order.sort((x, y) => at(score, y) - at(score, x) || x - y);
  const ms = now() - t;
  const summary = result.summary;
  return {
    ...result,
    summary: { ...summary, suspicious: suspiciousCount, gangModel: options.gangModel ?? false, statsMs: summary.statsMs + ms, totalMs: summary.totalMs + ms },
  };
}

/** One recluster without a gang-case model: measure, then score. */
export function recluster(
  s: GraphSnapshot,
  config: ClusterConfig,
  out: ResultBuffers = allocateResultBuffers(s.applications),
  now: () => number = () => performance.now(),
): ReclusterResult {
  return scoreCommunities(measureCommunities(s, config, out, now), config, { now });
}
