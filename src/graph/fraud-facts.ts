// The fraud stage's graph facts for one application, before it joins the graph: which community
// its identifiers tie it to, how suspicious that community is, whether it sits within two strong
// ties of an application labelled fraud, and how often each identifier was seen before.
// O(degree): only linking identifiers (at most maxShare carriers each) are walked; a common one
// (a carrier IP, a big employer) counts towards reuse but is not traversed.
import { IDENTIFIER_TYPES, type IdentifierType } from '../identity/identifiers';
import type { Clustering } from './clustering';
import type { LinkingConfig } from './config';
import type { IdentityGraph } from './identity-graph';

export interface FraudFacts {
  /** The community the application would join (last clustering, or a member's provisional one); null if none. */
  readonly clusterId: string | null;
  readonly clusterSuspicious: boolean;
  readonly clusterScore: number;
  readonly clusterSize: number;
  /** Codes of the flags that community raises. */
  readonly clusterFlags: readonly string[];
  /** The gang-case model's probability for that community; null without a community or a model. */
  readonly clusterGangScore: number | null;
  /** Within two strong ties of an application labelled fraud. */
  readonly sharedWithLabelledFraud: boolean;
  /** 1: shares an identifier with a labelled-fraud application; 2: through one application in between; 0: neither. */
  readonly labelledFraudHops: number;
  /** Earlier applications sharing a linking identifier with this one. */
  readonly linkedApplications: number;
  /** Per identifier type: earlier applications carrying the same value (0 when absent or new). */
  readonly identifierReuse: Readonly<Record<IdentifierType, number>>;
}

export interface FraudFactsInput {
  readonly graph: IdentityGraph;
  readonly clustering: Clustering | undefined;
  /** The cluster an application belongs to now (its clustering's, or provisional), or -1. */
  readonly clusterOf: (application: number) => number;
  readonly linking: LinkingConfig;
  readonly identifiers: Readonly<Partial<Record<IdentifierType, string>>>;
}

const gangScoreOf = (score: number) => (Number.isNaN(score) ? null : Math.round(score * 10000) / 10000);

export function fraudFacts(input: FraudFactsInput): FraudFacts {
  const { graph, linking, clustering } = input;
  const identifierReuse = Object.fromEntries(IDENTIFIER_TYPES.map((t) => [t, 0])) as Record<IdentifierType, number>;
  const neighbours = new Set<number>();
  const pull = new Map<number, number>();
  let strength = 0;
  let hop1 = false;
  let hop2 = false;
  /** An existing identifier with `carriers` applications, shared once more: its weight per pair. */
  const tie = (type: IdentifierType, carriers: number) => {
    const spec = linking.identifiers[type];
    return spec.weight > 0 && carriers >= 1 && carriers + 1 <= spec.maxShare ? spec.weight / carriers : 0;
  };

  for (const type of IDENTIFIER_TYPES) {
    const hash = input.identifiers[type];
    if (hash === undefined) continue;
    const identifier = graph.identifierIndex(type, hash);
    if (identifier < 0) continue;
    const carriers = graph.countOn(identifier);
    identifierReuse[type] = carriers;
    const weight = tie(type, carriers);
    if (weight === 0) continue;
    const strong = linking.identifiers[type].weight >= linking.strongTie;
    if (strong && graph.fraudOnIdentifier(identifier) > 0) hop1 = true;
    graph.forEachApplicationOn(identifier, (b) => {
      neighbours.add(b);
      strength += weight;
      const c = input.clusterOf(b);
      if (c >= 0) pull.set(c, (pull.get(c) ?? 0) + weight);
      if (!strong || hop1 || hop2) return;
      graph.forEachIdentifierOf(b, (j) => {
        if (j === identifier || graph.fraudOnIdentifier(j) === 0) return;
        const type = graph.typeOf(j);
        if (linking.identifiers[type].weight >= linking.strongTie && tie(type, graph.countOn(j) - 1) > 0) hop2 = true;
      });
    });
  }

  // Join the community Louvain would put it in: the strongest pull, if it beats the density bar
  // (w_iC > density · k_i · K_C, the criterion the recluster's resolution encodes).
  let cluster = -1;
  let best = 0;
  if (clustering) {
    for (const [c, w] of pull) {
      if (w <= linking.density * strength * clustering.strength(c)) continue;
      if (w > best || (w === best && clustering.score(c) > clustering.score(cluster))) {
        cluster = c;
        best = w;
      }
    }
  }
  const verdict = cluster >= 0 && clustering ? clustering.verdict(cluster) : undefined;
  const stats = verdict && clustering ? clustering.stats(cluster) : undefined;
  return {
    clusterId: verdict && clustering ? clustering.idOf(cluster) : null,
    clusterSuspicious: verdict?.suspicious ?? false,
    clusterScore: verdict?.score ?? 0,
    clusterSize: stats?.size ?? 0,
    clusterFlags: verdict?.flags.map((f) => f.flag) ?? [],
    clusterGangScore: stats ? gangScoreOf(stats.gangScore) : null,
    sharedWithLabelledFraud: hop1 || hop2,
    labelledFraudHops: hop1 ? 1 : hop2 ? 2 : 0,
    linkedApplications: neighbours.size,
    identifierReuse,
  };
}
