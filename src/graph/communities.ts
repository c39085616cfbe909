// Louvain community detection (graphology-communities-louvain, after Blondel et al. 2008) on a
// projection, always with a seeded rng: the same snapshot and seed give the same communities.
//
// NOTE: modularity has a resolution limit (Fortunato & Barthélemy 2007): at resolution 1, two
// groups merge once the weight between them exceeds k_A·k_B / 2m, a bar that sinks as the graph
// grows. On a national applicant base that glues households to rings through one shared address.
// The resolution is therefore density × 2m, which turns the rule into w_AB > density·k_A·k_B
// (the Constant Potts Model's criterion, Traag et al. 2011): the same at 20 000 applications and
// at a million. The modularity reported is at that resolution.
import louvain from 'graphology-communities-louvain';
import type { UndirectedGraph } from 'graphology';
import { seededRandom } from './rng';

export interface Communities {
  /** Node key → community number. */
  readonly communities: Readonly<Record<string, number>>;
  readonly count: number;
  /** Modularity of the partition at `resolution`, as the library computes it (NaN without edges). */
  readonly modularity: number;
  readonly resolution: number;
}

function resolutionFor(graph: UndirectedGraph, density: number): number {
  let total = 0;
  graph.forEachEdge((_edge, attributes) => {
    total += (attributes.weight as number | undefined) ?? 1;
  });
  return density * 2 * total;
}

export function detectCommunities(graph: UndirectedGraph, options: { seed: number; density: number }): Communities {
  if (graph.size === 0) {
    const communities: Record<string, number> = {};
    let next = 0;
    graph.forEachNode((node) => {
      communities[node] = next++;
    });
    return { communities, count: graph.order, modularity: Number.NaN, resolution: Number.NaN };
  }
  const resolution = resolutionFor(graph, options.density);
  const result = louvain.detailed(graph, {
    getEdgeWeight: 'weight',
    resolution,
    rng: seededRandom(options.seed),
  });
  return { communities: result.communities, count: result.count, modularity: result.modularity, resolution };
}
