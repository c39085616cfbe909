// npm run simulate: ring detection on populations written apart from it (bench/evaluation.ts
// states the protocol). Five generators, written independently of each other and of the
// detector, three seeds each; every population is decided through the real POST /decide at its
// own submission times and clustered with the shipped rules/fraud/clusters.json. Scored against
// the planted rings as members of suspicious clusters (recall, precision), per ring shape and per
// legitimate structure:
//   1. leave one generator out — each generator judged by a gang model trained without it (the
//      figures the README quotes: the worst population);
//   2. the shipped models/gang-model.onnx on every generator's seed 3 (never trained on);
//   3. the hand-written flags alone (no model file) on the same populations;
//   4. the shipped model and the flags alone on a generator written after every choice (gig).
//
//   npm run simulate -- [--only logo|shipped|flags|fresh] [--seeds 4,5] [--config candidate-clusters.json] [--json]
//   (--seeds: judge these seeds instead, in every section: 4 and 5 were looked at only once, for
//   the final figures, after every choice was made)
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import clustersSchema from '../rules/schema/clusters.schema.json' with { type: 'json' };
import path from 'node:path';
import { CLUSTERS_TABLE, type ClusterConfig } from '../src/graph/config';
import { GANG_FEATURES } from '../src/graph/gang-features';
import { DEFAULT_GANG_CARD, loadGangModel } from '../src/graph/gang-model';
import { loadRuleSet } from '../src/rules/load';
import {
  ALL_SEEDS,
  chooseL2,
  clusterGraph,
  decidePopulation,
  fitGang,
  FRESH_GENERATORS,
  GENERATORS,
  loadGraph,
  refsOf,
  RULES_DIR,
  samplesOf,
  scorePopulation,
  scorerOf,
  TEST_SEEDS,
  TRAIN_SEEDS,
  type PopulationRef,
  type PopulationScore,
} from './evaluation';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const judgedSeeds = args.includes('--seeds') ? (args[args.indexOf('--seeds') + 1] ?? '').split(',').map(Number) : undefined;
const loaded = await loadRuleSet(RULES_DIR, { hashIdentifier: (_t, raw) => raw });
if (!loaded.ok) throw new Error(`rules in ${RULES_DIR} are invalid: run npm run rules:check`);
// A candidate clusters.json (an analyst's edit) is measured the same way; the population is still decided with the shipped rules.
function candidateConfig(file: string): ClusterConfig {
  const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(clustersSchema);
  if (!validate(value)) throw new Error(`${file} does not match rules/schema/clusters.schema.json: ${JSON.stringify(validate.errors)}`);
  return value as unknown as ClusterConfig;
}
const config = args.includes('--config') ? candidateConfig(args[args.indexOf('--config') + 1] as string) : (loaded.ruleSet.tables.get(CLUSTERS_TABLE) as ClusterConfig);
const rulesVersion = loaded.ruleSet.version.slice(0, 8);
const generators = Object.keys(GENERATORS);
const log = (line: string) => console.log(`  (${line})`);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
type Scorer = Parameters<typeof clusterGraph>[2];

async function judge(refs: readonly PopulationRef[], scorer: Scorer): Promise<PopulationScore[]> {
  const out: PopulationScore[] = [];
  console.log('  population    apps  ring apps  recall  precision  susp.clusters  declines  fraud evidence');
  for (const ref of refs) {
    const decided = await decidePopulation(ref, { rulesVersion, log });
    const graph = loadGraph(decided.dataDir);
    const s = scorePopulation(decided, graph, await clusterGraph(graph, config, scorer));
    out.push(s);
    console.log(
      `  ${s.name.padEnd(12)} ${String(decided.population.members.length).padStart(5)} ${String(s.ringMembers).padStart(10)}  ${pct(s.recall).padStart(6)}  ${pct(s.precision).padStart(9)}  ${String(s.suspiciousClusters).padStart(13)}  ${pct(s.declineRate).padStart(8)}  ${pct(s.evidenceRate).padStart(14)}`,
    );
    for (const [shape, v] of Object.entries(s.perShape)) console.log(`      ring shape ${shape.padEnd(22)} ${v.caught}/${v.members} members, ${v.ringsDetected}/${v.rings} rings detected`);
    for (const [structure, v] of Object.entries(s.perStructure)) console.log(`      legitimate ${structure.padEnd(22)} ${v.flagged}/${v.members} in suspicious clusters (${pct(v.share)})`);
  }
  return out;
}

function summarise(title: string, scores: readonly PopulationScore[]): void {
  const worst = (key: (s: PopulationScore) => number) => scores.reduce((a, b) => (key(b) < key(a) ? b : a));
  const members = scores.reduce((n, s) => n + s.ringMembers, 0);
  const caught = scores.reduce((n, s) => n + s.recall * s.ringMembers, 0);
  const flagged = scores.reduce((n, s) => n + s.flaggedMembers, 0);
  const structures = scores.flatMap((s) => Object.entries(s.perStructure).map(([k, v]) => ({ population: s.name, structure: k, share: v.share })));
  const worstStructure = structures.reduce((a, b) => (b.share > a.share ? b : a));
  const missed = scores.flatMap((s) => Object.entries(s.perShape).flatMap(([shape, v]) => (v.ringsDetected === 0 ? [`${shape} in ${s.name} (0/${v.rings} rings)`] : [])));
  const r = worst((s) => s.recall);
  const p = worst((s) => s.precision);
  console.log(`\n${title}: worst population (targets: recall and precision ≥ 90 %, no legitimate structure > 5 %, every ring shape detected)`);
  console.log(`  recall    ${pct(r.recall)} (${r.name}); pooled ${pct(caught / members)}`);
  console.log(`  precision ${pct(p.precision)} (${p.name}); pooled ${pct(flagged ? caught / flagged : 1)}`);
  console.log(`  legitimate structure most flagged: ${worstStructure.structure} in ${worstStructure.population}, ${pct(worstStructure.share)}`);
  console.log(`  ring shapes with no ring detected: ${missed.length ? missed.join(', ') : 'none'}`);
}

const results: Record<string, PopulationScore[]> = {};
console.log(`simulate: rules ${loaded.ruleSet.version}; generators ${generators.join(', ')}`);

if (!only || only === 'logo') {
  console.log('\n1. leave one generator out: each generator judged by a gang model trained on the others (seeds 1–2)');
  const training = await samplesOf(refsOf(generators, TRAIN_SEEDS), config, rulesVersion, log);
  results.logo = [];
  for (const g of generators) {
    const others = training.filter((s) => s.group !== g);
    const { l2 } = chooseL2(others);
    console.log(`\n  ${g}: model trained on ${[...new Set(others.map((s) => s.group))].join(', ')} (λ ${l2})`);
    results.logo.push(...(await judge(refsOf([g], judgedSeeds ?? ALL_SEEDS), scorerOf(fitGang(others, l2)))));
  }
  summarise('leave one generator out', results.logo);
}

if (!only || only === 'shipped') {
  const load = await loadGangModel(path.resolve(import.meta.dirname, '../models'), DEFAULT_GANG_CARD, GANG_FEATURES);
  if (load.status === 'ready') {
    console.log(`\n2. the shipped ${load.model.modelId}@${load.model.version} on seeds ${(judgedSeeds ?? TEST_SEEDS).join(', ')} of every generator (never trained on)`);
    const model = load.model;
    results.shipped = await judge(refsOf(generators, judgedSeeds ?? TEST_SEEDS), (rows, n) => model.score(rows, n));
    await model.close();
    summarise('shipped model, unseen seeds', results.shipped);
  } else console.log(`\n2. shipped model: ${load.detail}`);
}

if (!only || only === 'flags') {
  console.log(`\n3. hand-written flags alone (no gang model), seeds ${(judgedSeeds ?? TEST_SEEDS).join(', ')} of every generator`);
  results.flags = await judge(refsOf(generators, judgedSeeds ?? TEST_SEEDS), undefined);
  summarise('flags only', results.flags);
}
if (!only || only === 'fresh') {
  const fresh = Object.keys(FRESH_GENERATORS);
  const load = await loadGangModel(path.resolve(import.meta.dirname, '../models'), DEFAULT_GANG_CARD, GANG_FEATURES);
  if (load.status === 'ready') {
    console.log(`\n4. a generator written after every choice (${fresh.join(', ')}), seeds ${ALL_SEEDS.join(', ')}: the shipped ${load.model.modelId}@${load.model.version}`);
    const model = load.model;
    results.fresh = await judge(refsOf(fresh, ALL_SEEDS), (rows, n) => model.score(rows, n));
    await model.close();
    summarise('fresh generator, shipped model', results.fresh);
  }
  console.log(`\n   and the hand-written flags alone`);
  results.freshFlags = await judge(refsOf(fresh, ALL_SEEDS), undefined);
  summarise('fresh generator, flags only', results.freshFlags);
}
if (args.includes('--json')) console.log(JSON.stringify(results));
