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
import { buildProjection } from './projection';
import { scoreCluster, typeMask, WEEK_MS, type ClusterStats } from './scoring';
import { TYPE_INDEX } from './config';

export interface ClusterColumns {
  readonly size: Int32Array;
  readonly links: Int32Array;
  readonly devices: Int32Array;
  readonly withDevice: Int32Array;
  readonly phones: Int32Array;
  readonly withPhone: Int32Array;
  readonly declined: Int32Array;
  readonly labelledFraud: Int32Array;
  readonly firstSeen: Float64Array;
  readonly lastSeen: Float64Array;
  readonly sharedTypes: Int32Array;
  readonly riskyMembers: Int32Array;
  readonly peakWeek: Int32Array;
  /** Sum of members' link weights in the application–application projection (for joining decisions). */
  readonly strength: Float64Array;
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
  readonly score: Float64Array;
  readonly suspicious: Uint8Array;
  /** Bit i set = flag rule i of the scoring config was raised. */
  readonly flagMask: Uint32Array;
  /** Cluster indices by score (highest first), then earliest member. */
  readonly order: Int32Array;
  readonly summary: ReclusterSummary;
}

export function statsOf(columns: ClusterColumns, c: number): ClusterStats {
  return {
    size: columns.size[c] as number,
    links: columns.links[c] as number,
    devices: columns.devices[c] as number,
    withDevice: columns.withDevice[c] as number,
    phones: columns.phones[c] as number,
    withPhone: columns.withPhone[c] as number,
    declined: columns.declined[c] as number,
    labelledFraud: columns.labelledFraud[c] as number,
    firstSeen: columns.firstSeen[c] as number,
    lastSeen: columns.lastSeen[c] as number,
    sharedTypes: columns.sharedTypes[c] as number,
    riskyMembers: columns.riskyMembers[c] as number,
    peakWeek: columns.peakWeek[c] as number,
  };
}

const DECLINE = 2;
const FRAUD = 1;

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
      devices: i32(clusters),
      withDevice: i32(clusters),
      phones: i32(clusters),
      withPhone: i32(clusters),
      declined: i32(clusters),
      labelledFraud: i32(clusters),
      firstSeen: f64(clusters),
      lastSeen: f64(clusters),
      sharedTypes: i32(clusters),
      riskyMembers: i32(clusters),
      peakWeek: i32(clusters),
      strength: f64(clusters),
    },
  };
}

/** The result's views into its buffers, from the counts a recluster reports. */
export function resultIn(out: ResultBuffers, applications: number, clusters: number, summary: ReclusterSummary): ReclusterResult {
  const C = clusters;
  const stats = Object.fromEntries(Object.entries(out.stats).map(([k, v]) => [k, (v as Int32Array).subarray(0, C)])) as unknown as ClusterColumns;
  const memberStart = out.memberStart.subarray(0, C + 1);
  return {
    applications,
    clusterOf: out.clusterOf.subarray(0, applications),
    clusters: C,
    memberStart,
    members: out.members.subarray(0, memberStart[C] as number),
    stats,
    score: out.score.subarray(0, C),
    suspicious: out.suspicious.subarray(0, C),
    flagMask: out.flagMask.subarray(0, C),
    order: out.order.subarray(0, C),
    summary,
  };
}

export function recluster(
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

  const stats = Object.fromEntries(Object.entries(out.stats).map(([k, v]) => [k, (v as Int32Array).subarray(0, C).fill(0)])) as unknown as ClusterColumns;

  for (let e = 0; e < p.pairs.count; e++) {
    const c = clusterOf[p.pairs.a[e] as number] as number;
    const d = clusterOf[p.pairs.b[e] as number] as number;
    const w = p.pairs.weight[e] as number;
    if (c >= 0 && c === d) stats.links[c]!++;
    if (c >= 0) stats.strength[c]! += w;
    if (d >= 0) stats.strength[d]! += w;
  }
  const riskyMask = typeMask(config.scoring.riskyIdentifierTypes);
  const DEVICE = TYPE_INDEX.deviceId;
  const PHONE = TYPE_INDEX.phone;
  const mark = new Int32Array(s.identifiers).fill(-1);
  let largest = 0;
  for (let c = 0; c < C; c++) largest = Math.max(largest, (memberStart[c + 1] as number) - (memberStart[c] as number));
  const scratch = new Float64Array(largest);
  const seen = new Int32Array(s.identifiers);
  for (let c = 0; c < C; c++) {
    let first = Infinity;
    let last = -Infinity;
    for (let m = memberStart[c] as number, end = memberStart[c + 1] as number; m < end; m++) {
      const a = members[m] as number;
      stats.size[c]!++;
      if (s.outcome[a] === DECLINE) stats.declined[c]!++;
      if (s.label[a] === FRAUD) stats.labelledFraud[c]!++;
      const at = s.decidedAt[a] as number;
      if (at < first) first = at;
      if (at > last) last = at;
      const linkEnd = a + 1 < A ? (s.linkStart[a + 1] as number) : s.links;
      for (let l = s.linkStart[a] as number; l < linkEnd; l++) {
        const j = s.linkIdentifier[l] as number;
        const t = s.identifierType[j] as number;
        if (t === DEVICE) stats.withDevice[c]!++;
        if (t === PHONE) stats.withPhone[c]!++;
        if (mark[j] !== c) {
          mark[j] = c;
          seen[j] = 1;
          if (t === DEVICE) stats.devices[c]!++;
          if (t === PHONE) stats.phones[c]!++;
        } else if (++seen[j]! === 2 && p.linking[j]) {
          stats.sharedTypes[c]! |= 1 << t;
        }
      }
    }
    stats.firstSeen[c] = first;
    stats.lastSeen[c] = last;
    // Busiest week: a sliding window over the members' decision times.
    const size = (memberStart[c + 1] as number) - (memberStart[c] as number);
    const times = scratch.subarray(0, size);
    for (let k = 0; k < size; k++) times[k] = s.decidedAt[members[(memberStart[c] as number) + k] as number] as number;
    times.sort();
    let peak = 0;
    for (let hi = 0, lo = 0; hi < size; hi++) {
      while ((times[hi] as number) - (times[lo] as number) >= WEEK_MS) lo++;
      if (hi - lo + 1 > peak) peak = hi - lo + 1;
    }
    stats.peakWeek[c] = peak;
    // Second pass: members holding a risky identifier that another member holds too.
    for (let m = memberStart[c] as number, end = memberStart[c + 1] as number; m < end; m++) {
      const a = members[m] as number;
      const linkEnd = a + 1 < A ? (s.linkStart[a + 1] as number) : s.links;
      for (let l = s.linkStart[a] as number; l < linkEnd; l++) {
        const j = s.linkIdentifier[l] as number;
        if (p.linking[j] && (seen[j] as number) >= 2 && (riskyMask & (1 << (s.identifierType[j] as number))) !== 0) {
          stats.riskyMembers[c]!++;
          break;
        }
      }
    }
  }

  const score = out.score.subarray(0, C);
  const suspicious = out.suspicious.subarray(0, C).fill(0);
  const flagMask = out.flagMask.subarray(0, C).fill(0);
  const flagBit = new Map(config.scoring.flags.map((f, i) => [f.flag, i]));
  let suspiciousCount = 0;
  for (let c = 0; c < C; c++) {
    const verdict = scoreCluster(statsOf(stats, c), config.scoring);
    score[c] = verdict.score;
    if (verdict.suspicious) {
      suspicious[c] = 1;
      suspiciousCount++;
    }
    for (const f of verdict.flags) flagMask[c] = ((flagMask[c] as number) | (1 << (flagBit.get(f.flag) as number))) >>> 0;
  }
  const order = out.order.subarray(0, C);
  for (let c = 0; c < C; c++) order[c] = c;
  order.sort((x, y) => (score[y] as number) - (score[x] as number) || x - y);
  const t3 = now();

  return {
    applications: A,
    clusterOf,
    clusters: C,
    memberStart,
    members,
    stats,
    score,
    suspicious,
    flagMask,
    order,
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
      suspicious: suspiciousCount,
      projectionMs: t1 - t0,
      louvainMs: t2 - t1,
      statsMs: t3 - t2,
      totalMs: t3 - t0,
    },
  };
}
