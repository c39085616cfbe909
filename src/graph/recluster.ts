// One recluster, start to finish, on a snapshot: projection, Louvain, per-community statistics
// and scores. Pure and synchronous; the worker (recluster-worker.ts) runs it off the request path,
// tests and benchmarks call it directly. The result is typed arrays only, written into buffers the
// caller owns (ResultBuffers), so nothing crosses back but two counts and a summary.
//
// NOTE: the service reuses two sets of result buffers (SharedArrayBuffers) across reclusters.
// Transferring fresh arrays each time (~15 MB at 300k applications) grew the request thread's
// external memory until V8 ran a full collection of its large heap (the graph): measured 0.2–0.7 s
// stalls of /decide during back-to-back reclusters, gone with reused buffers.
import type { ClusterConfig, Projection as ProjectionKind } from './config';
import { detectCommunities } from './communities';
import type { GraphSnapshot } from './identity-graph';
import { buildProjection, find } from './projection';
import { scoreCluster, TYPE_COUNT, WEEK_MS, type ClusterStats, type PortfolioBaseline } from './scoring';
import { TYPE_INDEX, typeMask } from './config';

/** Per-community statistics, one typed array per statistic (see ClusterStats). */
export interface ClusterColumns {
  readonly size: Int32Array;
  readonly links: Int32Array;
  readonly declined: Int32Array;
  readonly evidence: Int32Array;
  readonly labelledFraud: Int32Array;
  readonly firstSeen: Float64Array;
  readonly lastSeen: Float64Array;
  readonly sharedTypes: Int32Array;
  readonly riskyMembers: Int32Array;
  readonly strangerMembers: Int32Array;
  readonly reusedIdentityMembers: Int32Array;
  readonly multiTypeMembers: Int32Array;
  readonly fraudarWeight: Float64Array;
  readonly fraudarNodes: Int32Array;
  readonly peakWeek: Int32Array;
  readonly gangScore: Float64Array;
  /** Sum of members' link weights in the application–application projection (for joining decisions). */
  readonly strength: Float64Array;
}

/** Per-community, per-identifier-type statistics: entry c × TYPE_COUNT + t. */
export interface ClusterTypeColumns {
  readonly distinct: Int32Array;
  readonly carrying: Int32Array;
  readonly sharing: Int32Array;
}

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

export function statsOf(columns: ClusterColumns, types: ClusterTypeColumns, c: number): ClusterStats {
  const from = c * TYPE_COUNT;
  return {
    size: columns.size[c] as number,
    links: columns.links[c] as number,
    distinct: types.distinct.subarray(from, from + TYPE_COUNT),
    carrying: types.carrying.subarray(from, from + TYPE_COUNT),
    sharing: types.sharing.subarray(from, from + TYPE_COUNT),
    declined: columns.declined[c] as number,
    evidence: columns.evidence[c] as number,
    labelledFraud: columns.labelledFraud[c] as number,
    firstSeen: columns.firstSeen[c] as number,
    lastSeen: columns.lastSeen[c] as number,
    sharedTypes: columns.sharedTypes[c] as number,
    riskyMembers: columns.riskyMembers[c] as number,
    strangerMembers: columns.strangerMembers[c] as number,
    reusedIdentityMembers: columns.reusedIdentityMembers[c] as number,
    multiTypeMembers: columns.multiTypeMembers[c] as number,
    fraudarWeight: columns.fraudarWeight[c] as number,
    fraudarNodes: columns.fraudarNodes[c] as number,
    peakWeek: columns.peakWeek[c] as number,
    gangScore: columns.gangScore[c] as number,
  };
}

const DECLINE = 2;
const FRAUD = 1;
/** Community sizes are counted exactly up to this; larger ones share the last bucket. */
const SIZE_BUCKETS = 256;
/** Fraudar's damping of popular identifiers: an edge into an identifier with n carriers weighs 1/ln(n + 5). */
const FRAUDAR_C = 5;

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
    stats: {
      size: i32(clusters),
      links: i32(clusters),
      declined: i32(clusters),
      evidence: i32(clusters),
      labelledFraud: i32(clusters),
      firstSeen: f64(clusters),
      lastSeen: f64(clusters),
      sharedTypes: i32(clusters),
      riskyMembers: i32(clusters),
      strangerMembers: i32(clusters),
      reusedIdentityMembers: i32(clusters),
      multiTypeMembers: i32(clusters),
      fraudarWeight: f64(clusters),
      fraudarNodes: i32(clusters),
      peakWeek: i32(clusters),
      gangScore: f64(clusters),
      strength: f64(clusters),
    },
    typeStats: { distinct: i32(clusters * TYPE_COUNT), carrying: i32(clusters * TYPE_COUNT), sharing: i32(clusters * TYPE_COUNT) },
  };
}

function viewColumns<T extends object>(columns: T, length: number, fill?: number): T {
  return Object.fromEntries(
    Object.entries(columns).map(([k, v]) => {
      const view = (v as Int32Array).subarray(0, length);
      if (fill !== undefined) view.fill(fill);
      return [k, view];
    }),
  ) as T;
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
    members: out.members.subarray(0, memberStart[C] as number),
    stats: viewColumns(out.stats, C),
    typeStats: viewColumns(out.typeStats, C * TYPE_COUNT),
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

  // Community label per application: Louvain's for projected ones, the component for pairs.
  const label = new Int32Array(A).fill(-1);
  for (const [key, community] of Object.entries(found.communities)) {
    if (key.charCodeAt(0) !== 105 /* i: identifier node */) label[Number(key)] = community;
  }
  for (let a = 0; a < A; a++) {
    const root = p.component[a] as number;
    if (root >= 0 && p.componentSize[root] === 2) label[a] = found.count + root;
  }
  splitIntoCores(label, p.pairs, A);
  const labelSize = new Map<number, number>();
  for (let a = 0; a < A; a++) if ((label[a] as number) >= 0) labelSize.set(label[a] as number, (labelSize.get(label[a] as number) ?? 0) + 1);
  // Clusters numbered by their earliest member, so the numbering does not depend on Louvain's.
  const clusterOf = out.clusterOf.subarray(0, A).fill(-1);
  const clusterOfLabel = new Map<number, number>();
  let C = 0;
  for (let a = 0; a < A; a++) {
    const l = label[a] as number;
    if (l < 0 || (labelSize.get(l) as number) < 2) continue;
    let c = clusterOfLabel.get(l);
    if (c === undefined) clusterOfLabel.set(l, (c = C++));
    clusterOf[a] = c;
  }
  const memberStart = out.memberStart.subarray(0, C + 1).fill(0);
  for (let a = 0; a < A; a++) if ((clusterOf[a] as number) >= 0) memberStart[clusterOf[a]! + 1]!++;
  for (let c = 0; c < C; c++) memberStart[c + 1]! += memberStart[c]!;
  const members = out.members.subarray(0, memberStart[C] as number);
  const fill = memberStart.slice(0, C);
  for (let a = 0; a < A; a++) if ((clusterOf[a] as number) >= 0) members[fill[clusterOf[a]!]!++] = a;

  const stats = viewColumns(out.stats, C, 0);
  const typeStats = viewColumns(out.typeStats, C * TYPE_COUNT, 0);
  const { distinct, carrying, sharing } = typeStats;

  for (let e = 0; e < p.pairs.count; e++) {
    const c = clusterOf[p.pairs.a[e] as number] as number;
    const d = clusterOf[p.pairs.b[e] as number] as number;
    const w = p.pairs.weight[e] as number;
    if (c >= 0 && c === d) stats.links[c]!++;
    if (c >= 0) stats.strength[c]! += w;
    if (d >= 0) stats.strength[d]! += w;
  }
  const riskyMask = typeMask(config.scoring.riskyIdentifierTypes);
  const coreMask = typeMask(config.linking.coreIdentifierTypes);
  const ADDRESS = TYPE_INDEX.address;
  const NATIONAL_ID = TYPE_INDEX.nationalId;
  const CONTACT = [TYPE_INDEX.phone, TYPE_INDEX.email, TYPE_INDEX.deviceId];
  const strangerWindow = config.scoring.strangerWindowDays * 24 * 60 * 60 * 1000;
  const linkEnd = (a: number) => (a + 1 < A ? (s.linkStart[a + 1] as number) : s.links);
  /** The member's identifier of a type, or -1. */
  const identifierOf = (a: number, type: number) => {
    for (let l = s.linkStart[a] as number, end = linkEnd(a); l < end; l++) if (s.identifierType[s.linkIdentifier[l] as number] === type) return s.linkIdentifier[l] as number;
    return -1;
  };
  const mark = new Int32Array(s.identifiers).fill(-1);
  const seen = new Int32Array(s.identifiers);
  let largest = 0;
  for (let c = 0; c < C; c++) largest = Math.max(largest, (memberStart[c + 1] as number) - (memberStart[c] as number));
  const scratch = new Float64Array(largest);
  const flagged = new Uint8Array(A);
  /** (identifier, member) incidences of identifiers shared inside the community, grouped by identifier. */
  let incidence = new Float64Array(1024);

  for (let c = 0; c < C; c++) {
    const from = memberStart[c] as number;
    const end = memberStart[c + 1] as number;
    const size = end - from;
    const row = c * TYPE_COUNT;
    let first = Infinity;
    let last = -Infinity;
    for (let m = from; m < end; m++) {
      const a = members[m] as number;
      if (s.outcome[a] === DECLINE) stats.declined[c]!++;
      if (s.evidence[a] === 1) stats.evidence[c]!++;
      if (s.label[a] === FRAUD) stats.labelledFraud[c]!++;
      const at = s.decidedAt[a] as number;
      if (at < first) first = at;
      if (at > last) last = at;
      for (let l = s.linkStart[a] as number, le = linkEnd(a); l < le; l++) {
        const j = s.linkIdentifier[l] as number;
        const t = s.identifierType[j] as number;
        carrying[row + t]!++;
        if (mark[j] !== c) {
          mark[j] = c;
          seen[j] = 1;
          distinct[row + t]!++;
        } else if (++seen[j]! === 2 && p.linking[j]) {
          stats.sharedTypes[c]! |= 1 << t;
        }
      }
    }
    stats.size[c] = size;
    stats.firstSeen[c] = first;
    stats.lastSeen[c] = last;
    // Busiest week: a sliding window over the members' application times.
    const times = scratch.subarray(0, size);
    for (let k = 0; k < size; k++) times[k] = s.decidedAt[members[from + k] as number] as number;
    times.sort();
    let peak = 0;
    for (let hi = 0, lo = 0; hi < size; hi++) {
      while ((times[hi] as number) - (times[lo] as number) >= WEEK_MS) lo++;
      if (hi - lo + 1 > peak) peak = hi - lo + 1;
    }
    stats.peakWeek[c] = peak;

    // Second pass: who shares what inside the community; Fraudar's weighted edges.
    let incidences = 0;
    let fraudarWeight = 0;
    for (let m = from; m < end; m++) {
      const a = members[m] as number;
      let risky = false;
      let typesShared = 0;
      for (let l = s.linkStart[a] as number, le = linkEnd(a); l < le; l++) {
        const j = s.linkIdentifier[l] as number;
        if ((seen[j] as number) < 2 || !p.linking[j]) continue;
        const t = s.identifierType[j] as number;
        if ((riskyMask & (1 << t)) !== 0) risky = true;
        typesShared |= 1 << t;
        fraudarWeight += 1 / Math.log((p.carriers[j] as number) + FRAUDAR_C);
        if (incidences * 2 + 2 > incidence.length) {
          const grown = new Float64Array(incidence.length * 2);
          grown.set(incidence);
          incidence = grown;
        }
        incidence[incidences * 2] = j;
        incidence[incidences * 2 + 1] = a;
        incidences++;
      }
      if (risky) stats.riskyMembers[c]!++;
      const core = typesShared & coreMask;
      if ((core & (core - 1)) !== 0) stats.multiTypeMembers[c]!++;
      for (let t = 0; t < TYPE_COUNT; t++) if ((typesShared & (1 << t)) !== 0) sharing[row + t]!++;
    }
    stats.fraudarWeight[c] = fraudarWeight;
    stats.fraudarNodes[c] = size + countShared(incidence, incidences);

    // Pairs of members carrying the same shared identifier: strangers (different addresses, close
    // in time, an identifier other than the address) and re-used identities (one national id,
    // different contact details).
    const pairs = sortedIncidences(incidence, incidences);
    for (let g = 0; g < incidences; ) {
      const j = pairs[g * 2] as number;
      let h = g;
      while (h < incidences && pairs[h * 2] === j) h++;
      const t = s.identifierType[j] as number;
      for (let x = g; x < h; x++) {
        const a = pairs[x * 2 + 1] as number;
        for (let y = x + 1; y < h; y++) {
          const b = pairs[y * 2 + 1] as number;
          if (t !== ADDRESS && Math.abs((s.decidedAt[a] as number) - (s.decidedAt[b] as number)) <= strangerWindow) {
            const addressA = identifierOf(a, ADDRESS);
            if (addressA < 0 || addressA !== identifierOf(b, ADDRESS)) {
              flagged[a]! |= 1;
              flagged[b]! |= 1;
            }
          }
          if (t === NATIONAL_ID) {
            let differing = 0;
            for (const contact of CONTACT) {
              const ca = identifierOf(a, contact);
              const cb = identifierOf(b, contact);
              if (ca >= 0 && cb >= 0 && ca !== cb) differing++;
            }
            if (differing >= 2) {
              flagged[a]! |= 2;
              flagged[b]! |= 2;
            }
          }
        }
      }
      g = h;
    }
    for (let m = from; m < end; m++) {
      const a = members[m] as number;
      if ((flagged[a]! & 1) !== 0) stats.strangerMembers[c]!++;
      if ((flagged[a]! & 2) !== 0) stats.reusedIdentityMembers[c]!++;
      flagged[a] = 0;
    }
  }
  stats.gangScore.fill(Number.NaN);

  let evidence = 0;
  for (let a = 0; a < A; a++) evidence += s.evidence[a] as number;
  const sizeCounts = new Array<number>(Math.min(SIZE_BUCKETS, largest + 1)).fill(0);
  for (let c = 0; c < C; c++) sizeCounts[Math.min(sizeCounts.length - 1, stats.size[c] as number)]!++;
  const t3 = now();

  return {
    applications: A,
    clusterOf,
    clusters: C,
    memberStart,
    members,
    stats,
    typeStats,
    baseline: { applications: A, evidence, sizeCounts },
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
 * Splits each community into its core components (members tied by core-type identifiers inside
 * it) and the rest, relabelling in place: members keep their community only with the members of
 * their own core component; those with no core tie inside it stay together as one remainder.
 */
function splitIntoCores(label: Int32Array, pairs: { count: number; a: Int32Array; b: Int32Array; core: Uint8Array }, A: number): void {
  const parent = new Int32Array(A);
  for (let a = 0; a < A; a++) parent[a] = a;
  const tied = new Uint8Array(A);
  for (let e = 0; e < pairs.count; e++) {
    if (pairs.core[e] !== 1) continue;
    const a = pairs.a[e] as number;
    const b = pairs.b[e] as number;
    if ((label[a] as number) < 0 || label[a] !== label[b]) continue;
    tied[a] = 1;
    tied[b] = 1;
    const ra = find(parent, a);
    const rb = find(parent, b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  // New labels: (community, core root) for tied members, (community, remainder) for the others.
  const relabel = new Map<string, number>();
  for (let a = 0; a < A; a++) {
    const l = label[a] as number;
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
  for (let i = 0; i < n; i++) ids.add(incidence[i * 2] as number);
  return ids.size;
}

/** The incidences ordered by identifier (then member), as a new interleaved array. */
function sortedIncidences(incidence: Float64Array, n: number): Float64Array {
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (x, y) => (incidence[x * 2] as number) - (incidence[y * 2] as number) || (incidence[x * 2 + 1] as number) - (incidence[y * 2 + 1] as number),
  );
  const out = new Float64Array(n * 2);
  order.forEach((i, k) => {
    out[k * 2] = incidence[i * 2] as number;
    out[k * 2 + 1] = incidence[i * 2 + 1] as number;
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
  const flagBit = new Map(config.scoring.flags.map((f, i) => [f.flag, i]));
  let suspiciousCount = 0;
  for (let c = 0; c < C; c++) {
    const verdict = scoreCluster(statsOf(result.stats, result.typeStats, c), config.scoring, result.baseline);
    score[c] = verdict.score;
    if (verdict.suspicious) {
      suspicious[c] = 1;
      suspiciousCount++;
    }
    for (const f of verdict.flags) flagMask[c] = ((flagMask[c] as number) | (1 << (flagBit.get(f.flag) as number))) >>> 0;
  }
  const order = result.order;
  for (let c = 0; c < C; c++) order[c] = c;
  order.sort((x, y) => (score[y] as number) - (score[x] as number) || x - y);
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
