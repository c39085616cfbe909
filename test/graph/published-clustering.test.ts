// A clustering computed on one replica, loaded on another whose graph holds the same applications
// in another order (published-clustering.ts): the same clusters under the same ids, with the same
// members, scores, flags and pages, and the receiving graph's facts read from it.
import { describe, expect, it } from 'vitest';
import { FraudGraph } from '../../src/graph/fraud-graph';
import type { GraphApplication } from '../../src/graph/identity-graph';
import { decodePublished, encodePublished, portableOf, resultFrom } from '../../src/graph/published-clustering';
import { inlineRunner } from '../../src/graph/recluster-runner';
import { seededRandom } from '../../src/graph/rng';
import { background, CONFIG, deviceFarm } from './fixtures';

const graph = (reclustersHere = true) => new FraudGraph({ config: () => CONFIG, runner: inlineRunner(), reclusterEvery: 0, reclusterIntervalMs: 0, reclustersHere: () => reclustersHere });

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rnd = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('a published clustering', () => {
  const population: GraphApplication[] = [...background(400, 7), ...deviceFarm(12, 'farm-a'), ...deviceFarm(8, 'farm-b', { devices: 1, mules: 2 })];

  it('loads on a graph holding the same applications in another order: same ids, members, scores, flags and pages', async () => {
    const holder = graph();
    for (const a of population) holder.add(a);
    await holder.recluster();
    const clustering = holder.clustering;
    expect(clustering && clustering.count).toBeGreaterThan(0);

    const other = graph(false);
    for (const a of shuffled(population, 3)) other.add(a);
    expect(await other.recluster()).toBeUndefined(); // it leaves reclustering to the lease holder
    expect(other.clustering).toBeUndefined();

    const published = decodePublished(encodePublished(portableOf(clustering!, holder.identity)));
    expect(other.adopt(resultFrom(published, other.identity), published.generation, published.at)).toBe(true);
    const adopted = other.clustering!;
    expect(adopted.generation).toBe(clustering!.generation);
    const page = (g: FraudGraph) => g.clustering!.list({ sort: 'score', limit: 100 });
    expect(page(other)).toEqual(page(holder));
    for (const c of page(holder).clusters) {
      const [mine, theirs] = [holder, other].map((g) => {
        const index = g.clustering!.find(c.id);
        return [...g.clustering!.members(index)].map((a) => g.identity.applicationId(a)).sort();
      });
      expect(theirs).toEqual(mine);
    }
    // Each application's cluster is the same on both.
    for (const a of population) {
      const [mine, theirs] = [holder, other].map((g) => {
        const c = g.clusterOf(g.identity.indexOf(a.applicationId)!);
        return c < 0 ? null : g.clustering!.idOf(c);
      });
      expect(theirs).toBe(mine);
    }
    // An older generation never replaces a newer one.
    expect(other.adopt(resultFrom(published, other.identity), published.generation, published.at)).toBe(false);
  });
});
