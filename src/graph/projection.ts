// From a snapshot of the identity graph to the weighted undirected graph Louvain runs on.
//
// Commonness: an identifier links applications only while few carry it. Above its type's
// `maxShare` (a carrier IP, a large employer, an office building) it is dropped; below, a shared
// identifier adds weight `w_type / (n − 1)` to each pair of its n applications, so every
// application gets at most w_type from one identifier however many share it (the "resource
// allocation" normalisation). Weights of several shared identifiers add up on a pair.
//
// Two projections (docs/fraud-graph.md compares them on the simulated population):
//  - 'application': application nodes, an edge per linked pair;
//  - 'bipartite': application and identifier nodes, an edge per (application, linking identifier)
//    with weight w_type / log2(n + 1).
// Connected components of one or two applications never need Louvain (it cannot merge
// disconnected parts): they become clusters directly, and only larger components are projected.
import { UndirectedGraph } from 'graphology';
import { linkingArrays, typeMask, type LinkingConfig } from './config';
import type { GraphSnapshot } from './identity-graph';

/** Linked application pairs as parallel arrays (a < b), in a deterministic order. */
export interface PairLinks {
  readonly count: number;
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly weight: Float64Array;
  /** 1 when an identifier of a core type (linking.coreIdentifierTypes) links the pair. */
  readonly core: Uint8Array;
}

/**
 * Louvain's node keys: an application node is its index (`"42"`), an identifier node (bipartite
 * projection only) is IDENTIFIER_NODE_PREFIX and its index (`"i7"`). Application keys start with a
 * digit, so the first character alone tells the two apart (applicationOfNode, on every node of
 * Louvain's answer).
 */
const IDENTIFIER_NODE_PREFIX = 'i';
const IDENTIFIER_NODE_FIRST_CHAR = IDENTIFIER_NODE_PREFIX.charCodeAt(0);
const identifierNodeKey = (identifier: number) => `${IDENTIFIER_NODE_PREFIX}${identifier}`;

/** The application a projection node stands for, or -1 for an identifier node. */
export const applicationOfNode = (key: string): number => (key.charCodeAt(0) === IDENTIFIER_NODE_FIRST_CHAR ? -1 : Number(key));

export interface Projection {
  /** The graph Louvain runs on: application nodes keyed by index, identifier nodes by identifierNodeKey (bipartite only). */
  readonly graph: UndirectedGraph<Record<string, never>, { weight: number }>;
  readonly pairs: PairLinks;
  /** Per identifier: 1 when it links (2 ≤ carriers ≤ maxShare and weight > 0). */
  readonly linking: Uint8Array;
  /** Per identifier: how many applications carry it. */
  readonly carriers: Int32Array;
  /** Per application: its connected component's representative (union-find root), or -1 when unlinked. */
  readonly component: Int32Array;
  readonly componentSize: Int32Array;
  readonly stats: {
    readonly linkingIdentifiers: number;
    readonly commonIdentifiers: number;
    readonly linkedApplications: number;
    readonly pairs: number;
    readonly nodes: number;
    readonly edges: number;
  };
}

class Growable {
  a = new Int32Array(1024);
  b = new Int32Array(1024);
  w = new Float64Array(1024);
  core = new Uint8Array(1024);
  n = 0;
  push(a: number, b: number, w: number, core: number) {
    if (this.n === this.a.length) {
      const grow = <T extends Int32Array | Float64Array | Uint8Array>(x: T): T => {
        const y = new (x.constructor as new (n: number) => T)(x.length * 2);
        y.set(x);
        return y;
      };
      this.a = grow(this.a);
      this.b = grow(this.b);
      this.w = grow(this.w);
      this.core = grow(this.core);
    }
    this.a[this.n] = a;
    this.b[this.n] = b;
    this.core[this.n] = core;
    this.w[this.n++] = w;
  }
}

export function find(parent: Int32Array, x: number): number {
  while (parent[x] !== x) {
    const p = parent[x] as number;
    parent[x] = parent[p] as number;
    x = p;
  }
  return x;
}

export function buildProjection(s: GraphSnapshot, linkingConfig: LinkingConfig): Projection {
  const A = s.applications;
  const I = s.identifiers;
  const { weight, maxShare } = linkingArrays(linkingConfig);
  const linkEnd = (a: number) => (a + 1 < A ? (s.linkStart[a + 1] as number) : s.links);

  const carriers = new Int32Array(I);
  for (let l = 0; l < s.links; l++) carriers[s.linkIdentifier[l]!]!++;
  const linking = new Uint8Array(I);
  let linkingIdentifiers = 0;
  let commonIdentifiers = 0;
  for (let j = 0; j < I; j++) {
    const n = carriers[j] as number;
    if (n < 2) continue;
    const t = s.identifierType[j] as number;
    if (n > (maxShare[t] as number)) commonIdentifiers++;
    else if ((weight[t] as number) > 0) {
      linking[j] = 1;
      linkingIdentifiers++;
    }
  }

  // Identifier → its applications (ascending), for linking identifiers only.
  const start = new Int32Array(I + 1);
  for (let j = 0; j < I; j++) start[j + 1] = (start[j] as number) + (linking[j] ? (carriers[j] as number) : 0);
  const members = new Int32Array(start[I] as number);
  const fill = start.slice(0, I);
  for (let a = 0; a < A; a++) {
    for (let l = s.linkStart[a] as number, end = linkEnd(a); l < end; l++) {
      const j = s.linkIdentifier[l] as number;
      if (linking[j]) members[fill[j]!++] = a;
    }
  }

  // Pairs, accumulated per application over its linking identifiers.
  const pairs = new Growable();
  const acc = new Float64Array(A);
  const coreTie = new Uint8Array(A);
  const coreTypes = typeMask(linkingConfig.coreIdentifierTypes);
  const touched: number[] = [];
  for (let a = 0; a < A; a++) {
    for (let l = s.linkStart[a] as number, end = linkEnd(a); l < end; l++) {
      const j = s.linkIdentifier[l] as number;
      if (!linking[j]) continue;
      const w = (weight[s.identifierType[j] as number] as number) / ((carriers[j] as number) - 1);
      const core = (coreTypes >> (s.identifierType[j] as number)) & 1;
      for (let m = start[j] as number, e = start[j + 1] as number; m < e; m++) {
        const b = members[m] as number;
        if (b <= a) continue;
        if (acc[b] === 0) touched.push(b);
        acc[b]! += w;
        coreTie[b]! |= core;
      }
    }
    for (const b of touched) {
      pairs.push(a, b, acc[b] as number, coreTie[b] as number);
      acc[b] = 0;
      coreTie[b] = 0;
    }
    touched.length = 0;
  }

  const parent = new Int32Array(A);
  for (let a = 0; a < A; a++) parent[a] = a;
  for (let e = 0; e < pairs.n; e++) {
    const ra = find(parent, pairs.a[e] as number);
    const rb = find(parent, pairs.b[e] as number);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  const component = new Int32Array(A).fill(-1);
  const componentSize = new Int32Array(A);
  let linkedApplications = 0;
  for (let e = 0; e < pairs.n; e++) {
    component[pairs.a[e] as number] = 0;
    component[pairs.b[e] as number] = 0;
  }
  for (let a = 0; a < A; a++) {
    if (component[a] !== 0) continue;
    const root = find(parent, a);
    component[a] = root;
    componentSize[root]!++;
    linkedApplications++;
  }

  const inGraph = (a: number) => component[a] !== -1 && (componentSize[component[a] as number] as number) > 2;
  const graph = new UndirectedGraph<Record<string, never>, { weight: number }>();
  for (let a = 0; a < A; a++) if (inGraph(a)) graph.addNode(String(a));
  if (linkingConfig.projection === 'application') {
    for (let e = 0; e < pairs.n; e++) {
      const a = pairs.a[e] as number;
      if (inGraph(a)) graph.addEdge(String(a), String(pairs.b[e]), { weight: pairs.w[e] as number });
    }
  } else {
    for (let j = 0; j < I; j++) {
      if (!linking[j] || !inGraph(members[start[j] as number] as number)) continue;
      const key = identifierNodeKey(j);
      graph.addNode(key);
      const w = (weight[s.identifierType[j] as number] as number) / Math.log2((carriers[j] as number) + 1);
      for (let m = start[j] as number, e = start[j + 1] as number; m < e; m++) graph.addEdge(String(members[m]), key, { weight: w });
    }
  }

  return {
    graph,
    pairs: { count: pairs.n, a: pairs.a, b: pairs.b, weight: pairs.w, core: pairs.core },
    linking,
    carriers,
    component,
    componentSize,
    stats: { linkingIdentifiers, commonIdentifiers, linkedApplications, pairs: pairs.n, nodes: graph.order, edges: graph.size },
  };
}
