// What investigators see: a cluster's members, shared identifiers (hashed, with masked display
// forms), edges, density and the evidence behind each flag; an application's ego network as
// nodes and edges a front end can draw. Read-only views over the graph and the last clustering.
import { IDENTIFIER_TYPES, type IdentifierType } from '../identity/identifiers';
import type { Clustering } from './clustering';
import type { LinkingConfig } from './config';
import { applicationKey, type IdentityGraph, type Label } from './identity-graph';
import type { RaisedFlag } from './community-scoring';

export interface ApplicationView {
  readonly applicationId: string;
  readonly outcome: string;
  readonly label: Label | null;
  readonly decidedAt: string;
  /** Where and for what it applied (null where the graph was not told). */
  readonly region: string | null;
  readonly product: string | null;
}

export interface SharedIdentifierView {
  readonly id: string;
  readonly type: IdentifierType;
  readonly hash: string;
  readonly masked: string;
  /** Members of this cluster carrying it. */
  readonly members: number;
  /** All applications carrying it. */
  readonly applications: number;
  /** False for a common identifier (above its type's maxShare): shown, but it links nobody. */
  readonly linking: boolean;
}

export interface ClusterDetail {
  readonly id: string;
  readonly size: number;
  readonly score: number;
  readonly suspicious: boolean;
  readonly density: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly flags: readonly (RaisedFlag & { readonly evidence: Readonly<Record<string, unknown>> })[];
  readonly members: readonly ApplicationView[];
  readonly membersTruncated: boolean;
  readonly sharedIdentifiers: Readonly<Partial<Record<IdentifierType, readonly SharedIdentifierView[]>>>;
  /** Member → shared identifier, by node id (app:<applicationId>, <type>:<hash>). */
  readonly edges: readonly { readonly source: string; readonly target: string }[];
  readonly clustering: { readonly generation: number; readonly at: string };
}

export type NetworkNode =
  | (ApplicationView & { readonly id: string; readonly kind: 'application'; readonly clusterId: string | null; readonly hops: number })
  | {
      readonly id: string;
      readonly kind: 'identifier';
      readonly type: IdentifierType;
      readonly hash: string;
      readonly masked: string;
      readonly applications: number;
      /** Common identifiers are shown but not expanded (a carrier IP would pull in thousands). */
      readonly common: boolean;
      readonly hops: number;
    };

export interface EgoNetwork {
  readonly applicationId: string;
  readonly depth: number;
  readonly nodes: readonly NetworkNode[];
  readonly edges: readonly { readonly source: string; readonly target: string }[];
  readonly truncated: boolean;
}

function applicationView(graph: IdentityGraph, index: number): ApplicationView {
  const { region, product } = graph.segmentOf(index);
  return {
    applicationId: graph.applicationId(index),
    outcome: graph.outcomeOf(index),
    label: graph.labelOf(index) ?? null,
    decidedAt: new Date(graph.decidedAtOf(index)).toISOString(),
    region: region ?? null,
    product: product ?? null,
  };
}

const isLinking = (linking: LinkingConfig, type: IdentifierType, count: number) => {
  const spec = linking.identifiers[type];
  return spec.weight > 0 && count <= spec.maxShare;
};

export function clusterDetail(graph: IdentityGraph, clustering: Clustering, cluster: number, linking: LinkingConfig, maxMembers = 1000): ClusterDetail {
  const members = clustering.members(cluster);
  const stats = clustering.stats(cluster);
  const verdict = clustering.verdict(cluster);
  const carried = new Map<number, number[]>();
  for (const a of members) {
    graph.forEachIdentifierOf(a, (j) => {
      const list = carried.get(j);
      if (list) list.push(a);
      else carried.set(j, [a]);
    });
  }
  const shared: Partial<Record<IdentifierType, SharedIdentifierView[]>> = {};
  const edges: { source: string; target: string }[] = [];
  for (const [j, holders] of carried) {
    if (holders.length < 2) continue;
    const node = graph.sharedIdentifier(j);
    if (!node) continue;
    const count = graph.countOn(j);
    const view: SharedIdentifierView = {
      id: node.key,
      type: node.type,
      hash: node.key.slice(node.type.length + 1),
      masked: node.masked,
      members: holders.length,
      applications: count,
      linking: isLinking(linking, node.type, count),
    };
    (shared[node.type] ??= []).push(view);
    for (const a of holders) edges.push({ source: applicationKey(graph.applicationId(a)), target: node.key });
  }
  for (const list of Object.values(shared)) list?.sort((x, y) => y.members - x.members || (x.hash < y.hash ? -1 : 1));

  const ids = (pred: (a: number) => boolean) => Array.from(members).filter(pred).slice(0, 100).map((a) => graph.applicationId(a));
  const sharedOf = (type: IdentifierType) => (shared[type] ?? []).map(({ hash, masked, members: n }) => ({ hash, masked, members: n }));
  const riskyTypes = clustering.config.scoring.riskyIdentifierTypes;
  const perType = (type: IdentifierType) => {
    const t = IDENTIFIER_TYPES.indexOf(type);
    return { distinct: stats.distinct[t] as number, applicationsWith: stats.carrying[t] as number, shared: sharedOf(type) };
  };
  const rate = clustering.result.baseline.applications > 0 ? clustering.result.baseline.evidence / clustering.result.baseline.applications : 0;
  const evidence = (flag: RaisedFlag): Record<string, unknown> => {
    switch (flag.metric) {
      case 'size':
      case 'sizeTail':
        return { members: stats.size, communities: clustering.count };
      case 'density':
        return { linkedPairs: stats.links, pairs: (stats.size * (stats.size - 1)) / 2 };
      case 'devicesPerApplication':
        return perType('deviceId');
      case 'phonesPerApplication':
        return perType('phone');
      case 'accountsPerApplication':
        return perType('bankAccount');
      case 'personsPerApplication':
      case 'reusedIdentityShare':
        return { ...perType('nationalId'), membersReusingAnIdentity: stats.reusedIdentityMembers };
      case 'declinedShare':
        return { declined: stats.declined, members: stats.size, applications: ids((a) => graph.outcomeOf(a) === 'decline') };
      case 'evidenceShare':
      case 'evidenceLift':
      case 'evidenceTail':
        return { withEvidence: stats.evidence, members: stats.size, portfolioRate: Math.round(rate * 10000) / 10000, applications: ids((a) => graph.hasFraudEvidence(a)) };
      case 'labelledFraudShare':
      case 'labelledFraudCount':
        return { labelledFraud: stats.labelledFraud, applications: ids((a) => graph.isLabelledFraud(a)) };
      case 'applicationsPerDay':
        return { busiestWeek: stats.peakWeek, members: stats.size, firstSeen: new Date(stats.firstSeen).toISOString(), lastSeen: new Date(stats.lastSeen).toISOString() };
      case 'sharedIdentifierTypes':
        return { types: Object.keys(shared).filter((t) => shared[t as IdentifierType]?.some((s) => s.linking)) };
      case 'riskySharingShare':
        return { membersSharing: stats.riskyMembers, riskyTypes, shared: riskyTypes.flatMap((t) => sharedOf(t).map((s) => ({ type: t, ...s }))) };
      case 'strangerSharingShare':
        return { membersSharingWithStrangers: stats.strangerMembers, members: stats.size, windowDays: clustering.config.scoring.strangerWindowDays };
      case 'multiTypeSharingShare':
        return { membersSharingSeveralTypes: stats.multiTypeMembers, members: stats.size, types: clustering.config.linking.coreIdentifierTypes };
      case 'fraudarDensity':
        return { weightedEdges: Math.round(stats.fraudarWeight * 1000) / 1000, nodes: stats.fraudarNodes };
      case 'gangScore':
        return { model: clustering.summary.gangModel, probability: stats.gangScore };
    }
  };

  return {
    id: clustering.idOf(cluster),
    size: stats.size,
    score: verdict.score,
    suspicious: verdict.suspicious,
    density: stats.size < 2 ? 0 : Math.round((stats.links / ((stats.size * (stats.size - 1)) / 2)) * 1000) / 1000,
    firstSeen: new Date(stats.firstSeen).toISOString(),
    lastSeen: new Date(stats.lastSeen).toISOString(),
    flags: verdict.flags.map((f) => ({ ...f, evidence: evidence(f) })),
    members: Array.from(members.subarray(0, maxMembers), (a) => applicationView(graph, a)),
    membersTruncated: members.length > maxMembers,
    sharedIdentifiers: shared,
    edges,
    clustering: { generation: clustering.generation, at: new Date(clustering.at).toISOString() },
  };
}

/**
 * Nodes within `depth` hops of an application (application → identifier → application …),
 * breadth first, at most `maxNodes`. Identifiers seen on one application only are leaves that
 * link nothing and are not in the graph.
 */
export function egoNetwork(
  graph: IdentityGraph,
  center: number,
  options: { depth: number; maxNodes: number; linking: LinkingConfig; clusterIdOf: (application: number) => string | null },
): EgoNetwork {
  const start = applicationKey(graph.applicationId(center));
  const hops = new Map<string, number>([[start, 0]]);
  const nodes: NetworkNode[] = [];
  const edges: { source: string; target: string }[] = [];
  const seenEdges = new Set<string>();
  let truncated = false;
  const queue = [start];
  for (let q = 0; q < queue.length; q++) {
    const key = queue[q] as string;
    const distance = hops.get(key) as number;
    const attributes = graph.graph.getNodeAttributes(key);
    if (attributes.kind === 'application') {
      nodes.push({ id: key, kind: 'application', ...applicationView(graph, attributes.index), clusterId: options.clusterIdOf(attributes.index), hops: distance });
    } else {
      const count = graph.countOn(attributes.index);
      const common = !isLinking(options.linking, attributes.type, count);
      nodes.push({ id: key, kind: 'identifier', type: attributes.type, hash: key.slice(attributes.type.length + 1), masked: attributes.masked, applications: count, common, hops: distance });
      if (common && distance > 0) continue;
    }
    if (distance >= options.depth) continue;
    graph.graph.forEachNeighbor(key, (neighbour) => {
      if (!hops.has(neighbour)) {
        if (hops.size >= options.maxNodes) {
          truncated = true;
          return;
        }
        hops.set(neighbour, distance + 1);
        queue.push(neighbour);
      }
      const edgeKey = key < neighbour ? `${key}\u0000${neighbour}` : `${neighbour}\u0000${key}`;
      if (seenEdges.has(edgeKey)) return;
      seenEdges.add(edgeKey);
      edges.push(attributes.kind === 'application' ? { source: key, target: neighbour } : { source: neighbour, target: key });
    });
  }
  return { applicationId: graph.applicationId(center), depth: options.depth, nodes, edges, truncated };
}
