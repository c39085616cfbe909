// Measures the fraud graph's design choices on the synthetic population, straight into the graph:
// projection (application–application vs bipartite), commonness handling (maxShare caps, type
// weights) and resolution (density-scaled vs plain modularity), by ring-member recall,
// suspicious-cluster precision and recluster time. Prints the table in docs/fraud-graph.md.
//   tsx bench/graph-compare.ts [--size 100000] [--seed 7]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ClusterConfig, LinkingConfig } from '../src/graph/config';
import { IdentityGraph } from '../src/graph/identity-graph';
import { buildProjection } from '../src/graph/projection';
import { recluster } from '../src/graph/recluster';
import { seededRandom } from '../src/graph/rng';
import { IDENTIFIER_TYPES } from '../src/identity/identifiers';
import { evaluateDetection, fastSyntheticHash, generatePopulation, graphApplicationOf, RING_SHAPES, syntheticOutcome } from './graph-population';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const size = arg('size', 100000);
const seed = arg('seed', 7);
const base = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../rules/fraud/clusters.json'), 'utf8')) as ClusterConfig;

const population = generatePopulation({ size, seed });
const graph = new IdentityGraph();
const rnd = seededRandom(seed + 1);
for (const app of population.applications) graph.add(graphApplicationOf(app, 0, syntheticOutcome(app, rnd), fastSyntheticHash));
const snapshot = graph.snapshot();

type Ids = LinkingConfig['identifiers'];
const mapIds = (f: (t: string, v: Ids[keyof Ids]) => Ids[keyof Ids]): Ids =>
  Object.fromEntries(Object.entries(base.linking.identifiers).map(([t, v]) => [t, f(t, v)])) as Ids;
const uncapped = mapIds((_t, v) => ({ ...v, maxShare: 100000 }));
const hubsLink = mapIds((t, v) => (t === 'employer' ? { weight: 0.1, maxShare: 25 } : t === 'ip' ? { weight: 0.3, maxShare: 8 } : v));
const uniform = Object.fromEntries(IDENTIFIER_TYPES.map((t) => [t, { weight: 1, maxShare: 25 }])) as Ids;
// Plain modularity (resolution 1) expressed as a density: 1 / 2m of the shipped projection.
let total = 0;
buildProjection(snapshot, base.linking).graph.forEachEdge((_e, a) => {
  total += a.weight;
});

let totalWithHubs = 0;
buildProjection(snapshot, { ...base.linking, identifiers: hubsLink }).graph.forEachEdge((_e, a) => {
  totalWithHubs += a.weight;
});

const variants: [string, Partial<LinkingConfig>][] = [
  ['application–application, shipped settings', {}],
  ['bipartite, shipped settings', { projection: 'bipartite' }],
  ['application–application, no commonness caps', { identifiers: uncapped }],
  ['bipartite, no commonness caps', { projection: 'bipartite', identifiers: uncapped }],
  ['application–application, employer and IP link (w 0.1 / 0.3)', { identifiers: hubsLink }],
  ['application–application, every type weight 1, caps 25', { identifiers: uniform }],
  ['application–application, plain modularity (resolution 1)', { density: 1 / (2 * total) }],
  ['bipartite, plain modularity (resolution 1)', { projection: 'bipartite', density: 1 / (2 * total) }],
  ['application–application, employer and IP link, plain modularity', { identifiers: hubsLink, density: 1 / (2 * totalWithHubs) }],
];

console.log(`population ${size} (seed ${seed}): ${population.rings.length} rings (${population.rings.reduce((n, r) => n + r.members.length, 0)} applications), ${graph.identifiers} identifiers`);
console.log(`| variant | recall | recall ${RING_SHAPES.join(' / ')} | cluster precision | member precision | suspicious clusters | legitimate in them | Louvain nodes / edges | recluster |`);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [name, linking] of variants) {
  const config: ClusterConfig = { ...base, linking: { ...base.linking, ...linking } };
  const result = recluster(snapshot, config);
  const d = evaluateDetection(population, (i) => result.clusterOf[i] as number, (c) => result.suspicious[c] === 1);
  const s = result.summary;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  console.log(
    `| ${name} | ${pct(d.recall)} | ${RING_SHAPES.map((r) => (d.recallByShape[r] * 100).toFixed(0)).join(' / ')} | ${pct(d.clusterPrecision)} | ${pct(d.memberPrecision)} | ${d.suspiciousClusters} | ${d.legitimateFlagged} | ${s.louvainNodes} / ${s.louvainEdges} | ${(s.totalMs / 1000).toFixed(2)} s |`,
  );
}
