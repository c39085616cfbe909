// npm run bench:memory [-- decisions]: resident memory over a long run of decisions (default
// 1,000,000), in process: the real decision service, rules, credit model, writer thread and
// store, without HTTP. Two runs in one: "service alone" leaves velocity and the fraud graph out
// (they hold what they are given by design: the last 24 h of identifiers, the graph's window), so
// any growth there is a per-decision leak; "with velocity" adds the index, whose growth is its own
// and is reported beside it. RSS and heap after a forced GC at each tenth of the run.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applicationSchemaFor } from '../src/decision/application';
import { RuleSetVersions } from '../src/decision/rule-set-versions';
import { DecisionService } from '../src/decision/service';
import { standardProviders } from '../src/decision/stages';
import { IdentifierProtector, type IdentifierType } from '../src/identity/identifiers';
import { ExposureBook } from '../src/limits/exposure-book';
import { compileRuleSet } from '../src/rules/compile';
import { MODEL_INPUT_FIELDS } from '../src/rules/facts';
import { readRuleFiles } from '../src/rules/load';
import { cardOf, loadCreditModel } from '../src/scoring/onnx-model';
import { AuditStore } from '../src/store/audit-store';
import { LocalDecisionCommitter } from '../src/store/local-decision-commit';
import { VelocityIndex } from '../src/velocity/velocity-index';
import { sampleApplication } from './sample';

const TOTAL = Number(process.argv[2] ?? process.env.MEMORY_DECISIONS ?? 1_000_000);
const CONCURRENCY = 32;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:memory does)');

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0).padStart(6);

async function run(name: string, withVelocity: boolean): Promise<void> {
  const protector = new IdentifierProtector(randomBytes(32), { defaultCountryCode: '86' });
  const modelLoad = await loadCreditModel(path.resolve(import.meta.dirname, '../models'), 'credit-pd.card.json', MODEL_INPUT_FIELDS);
  if (modelLoad.status !== 'ready') throw new Error(modelLoad.detail);
  const { model } = modelLoad;
  const compile = (files: Parameters<typeof compileRuleSet>[0]) =>
    compileRuleSet(files, { hashIdentifier: (type, raw) => protector.hash(type, raw), applicationSchema: applicationSchemaFor(cardOf(modelLoad)) });
  const compiled = compile(await readRuleFiles(path.resolve(import.meta.dirname, '../rules')));
  if (!compiled.ok) throw new Error('rules invalid');
  const ruleSet = compiled.ruleSet;
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-memory-'));
  const store = new AuditStore(path.join(dir, 'audit.db'), { decisionWriter: 'worker' });
  await store.ready();
  const velocity = new VelocityIndex();
  const exposure = new ExposureBook();
  const versions = new RuleSetVersions({ store, current: () => ruleSet, compile, clock: Date.now });
  const service = new DecisionService({
    store,
    committer: new LocalDecisionCommitter(store, exposure),
    ruleSet: () => ruleSet,
    protector,
    providers: standardProviders({ velocity, exposure, scoring: { model: () => model, unavailableReason: () => '' } }),
    archiveRuleSet: (r) => versions.archive(r),
    ruleSetOfVersion: (v) => versions.ofVersion(v),
    onCommitted: withVelocity ? (row) => row.identifiers.forEach((id) => velocity.record({ type: id.type as IdentifierType, hash: id.hash, at: row.decidedAt })) : undefined,
  });

  console.log(`\n${name}: ${TOTAL.toLocaleString('en')} decisions, ${CONCURRENCY} at a time`);
  console.log('decisions        RSS MB   heap MB   store MB   decisions/s');
  const checkpoints = 10;
  const samples: { at: number; rss: number; heap: number }[] = [];
  let done = 0;
  const started = performance.now();
  for (let c = 1; c <= checkpoints; c++) {
    const until = Math.round((TOTAL * c) / checkpoints);
    const lane = async () => {
      while (done < until) {
        const n = done++;
        await service.decide(sampleApplication(`M-${withVelocity ? 'v' : 's'}-${n}`), 'key:bench');
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    samples.push({ at: done, rss, heap: heapUsed });
    const storeBytes = statSync(path.join(dir, 'audit.db')).size;
    console.log(`${done.toLocaleString('en').padStart(9)}  ${mb(rss)}    ${mb(heapUsed)}     ${mb(storeBytes)}   ${Math.round(done / ((performance.now() - started) / 1000)).toLocaleString('en').padStart(11)}`);
  }
  // Growth over the second half (the first holds warm-up: JIT, caches, allocator arenas).
  const from = samples[checkpoints / 2 - 1] as { at: number; rss: number; heap: number };
  const to = samples[samples.length - 1] as { at: number; rss: number; heap: number };
  const perDecision = (to.rss - from.rss) / (to.at - from.at);
  const heapPerDecision = (to.heap - from.heap) / (to.at - from.at);
  console.log(`growth from ${from.at.toLocaleString('en')} to ${to.at.toLocaleString('en')}: RSS ${perDecision.toFixed(1)} bytes/decision, heap ${heapPerDecision.toFixed(1)} bytes/decision`);
  if (!withVelocity) console.log(`  target: RSS flat without the graph's and velocity's own memory (< 50 bytes/decision): ${Math.abs(perDecision) < 50 ? 'met' : 'NOT met'}`);
  else console.log(`  velocity index: ${velocity.size.toLocaleString('en')} sightings held (its own, by design: the last 24 h)`);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

await run('service alone (no velocity, no graph)', false);
await run('with the velocity index', true);
