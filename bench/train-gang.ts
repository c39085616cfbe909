// npm run gang:train: learns the gang-case model (logistic regression over GANG_FEATURES) and
// writes models/gang-model.onnx with its card.
//
//   npm run gang:train                         from simulated populations: seeds 1–2 of every
//                                              generator (planted rings are the labels); the card
//                                              records leave-one-generator-out AUCs and the AUC on
//                                              every generator's seed 3 (never trained on)
//   npm run gang:train -- --from-store DIR     from investigators' labels in DIR/audit.db: a
//                                              community is fraud if a member is labelled fraud,
//                                              legit if members are labelled legit and none fraud
//   [--out models] [--l2 <λ>]                  (default: λ by leave-one-group-out CV, see chooseL2)
import path from 'node:path';
import { CLUSTERS_TABLE, type ClusterConfig } from '../src/graph/config';
import { GANG_FEATURES } from '../src/graph/gang-features';
import { DEFAULT_GANG_CARD, saveGangModel } from '../src/graph/gang-model';
import { rocAuc } from '../src/graph/gang-training';
import { IdentityGraph } from '../src/graph/identity-graph';
import { measureCommunities } from '../src/graph/recluster';
import { loadRuleSet } from '../src/rules/load';
import { AuditStore } from '../src/store/audit-store';
import { GraphStore } from '../src/store/graph-store';
import { ALL_SEEDS, chooseL2, communityRows, fitGang, gangAuc, GENERATORS, refsOf, RULES_DIR, samplesOf, TEST_SEEDS, TRAIN_SEEDS, type LabelledSample } from './evaluation';

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const outDir = path.resolve(option('out') ?? path.join(import.meta.dirname, '../models'));
const fromStore = option('from-store');
const MODEL_ID = 'gang-model';
const round = (x: number) => Number(x.toFixed(4));

const loaded = await loadRuleSet(RULES_DIR, { hashIdentifier: (_t, raw) => raw });
if (!loaded.ok) throw new Error(`rules in ${RULES_DIR} are invalid: run npm run rules:check`);
const config = loaded.ruleSet.tables.get(CLUSTERS_TABLE) as ClusterConfig;
const rulesVersion = loaded.ruleSet.version.slice(0, 8);
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Communities of a store's graph with investigators' labels: fraud if a member is labelled fraud, legit if only legit labels. */
function fromLabels(dataDir: string): LabelledSample[] {
  const store = new AuditStore(path.join(dataDir, 'audit.db'));
  try {
    const graphStore = new GraphStore(store.database);
    const graph = new IdentityGraph();
    for (const a of graphStore.applications()) graph.add(a);
    for (const l of graphStore.currentLabels()) {
      const index = graph.indexOf(l.applicationId);
      if (index !== undefined) graph.setLabel(index, l.label);
    }
    // A community is fraud if a member is labelled fraud, legit if its members carry only legit labels.
    const { rows, labels } = communityRows(measureCommunities(graph.snapshot(), config), config.scoring.minSize, (members) => {
      let fraud = 0;
      let legit = 0;
      for (const a of members) {
        const label = graph.labelOf(a);
        if (label === 'fraud') fraud++;
        if (label === 'legit') legit++;
      }
      return fraud > 0 ? 1 : legit > 0 ? 0 : undefined;
    });
    // Groups for λ's cross-validation: communities in five interleaved folds.
    return [0, 1, 2, 3, 4].map((k) => ({
      group: `fold${k}`,
      name: `${path.basename(dataDir)} fold ${k}`,
      rows: rows.filter((_, i) => i % 5 === k),
      labels: labels.filter((_, i) => i % 5 === k),
    }));
  } finally {
    store.close();
  }
}

const generators = Object.keys(GENERATORS);
const training = fromStore ? fromLabels(path.resolve(fromStore)) : await samplesOf(refsOf(generators, TRAIN_SEEDS), config, rulesVersion, log);
const labels = training.flatMap((s) => s.labels);
const positives = labels.filter((l) => l === 1).length;
if (positives < 3 || labels.length - positives < 3) {
  process.stderr.write(`too few labelled communities to learn from (${positives} fraud, ${labels.length - positives} legit; at least 3 of each)\n`);
  process.exit(1);
}

const chosen = option('l2') ? { l2: Number(option('l2')), cv: {} } : chooseL2(training);
const params = fitGang(training, chosen.l2);
const evaluation: Record<string, unknown> = { trainingAuc: round(gangAuc(params, training)), cvAucByL2: chosen.cv };
if (!fromStore) {
  // Leave one generator out: a model that never saw the generator, judged on all its seeds (λ chosen without it too).
  const byGenerator: Record<string, number> = {};
  for (const g of generators) {
    const others = training.filter((s) => s.group !== g);
    const fold = fitGang(others, chooseL2(others).l2);
    byGenerator[g] = round(gangAuc(fold, await samplesOf(refsOf([g], ALL_SEEDS), config, rulesVersion, log)));
  }
  const worst = Object.entries(byGenerator).sort((a, b) => a[1] - b[1])[0];
  const unseenSeeds = await samplesOf(refsOf(generators, TEST_SEEDS), config, rulesVersion, log);
  // Each feature alone as a community score over every population (no learning involved): how
  // Fraudar's degree-weighted density compares with plain density and the other single signals.
  const everything = [...training, ...unseenSeeds];
  const pooledLabels = everything.flatMap((s) => s.labels);
  const singleFeatureAuc = Object.fromEntries(
    GANG_FEATURES.map((name, i) => {
      const auc = rocAuc(everything.flatMap((s) => s.rows.map((r) => r[i] as number)), pooledLabels);
      return [name, round(Math.max(auc, 1 - auc))];
    }),
  );
  Object.assign(evaluation, {
    heldOutAuc: worst?.[1],
    heldOutWorst: worst ? { generator: worst[0], auc: worst[1], protocol: 'leave one generator out: trained without any of its populations' } : null,
    leaveOneGeneratorOutAuc: byGenerator,
    unseenSeedsAuc: Object.fromEntries(unseenSeeds.map((s) => [s.name, round(gangAuc(params, [s]))])),
    singleFeatureAuc,
  });
}

const saved = saveGangModel(outDir, {
  params,
  featureNames: GANG_FEATURES,
  modelId: MODEL_ID,
  version: fromStore ? `store-${positives}` : `sim-${rulesVersion}`,
  training: {
    source: fromStore ? `investigators' labels in ${path.basename(fromStore)}` : 'planted rings in simulated populations',
    populations: [...new Set(training.map((s) => s.name))],
    communities: labels.length,
    positives,
    l2: chosen.l2,
    classWeights: 'balanced',
    label: fromStore ? 'fraud if any member is labelled fraud' : 'ring if most members are planted ring members',
    minSize: config.scoring.minSize,
  },
  evaluation,
  referenceRows: training.flatMap((s) => s.rows).slice(0, 5),
});
process.stdout.write(`${JSON.stringify({ ...saved, l2: chosen.l2, communities: labels.length, positives, ...evaluation }, null, 2)}\n`);
process.stdout.write(`card: ${path.join(outDir, DEFAULT_GANG_CARD)}\n`);
