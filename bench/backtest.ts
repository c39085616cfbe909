// npm run bench:backtest [-- decisions]: how fast a candidate rule set is backtested against
// stored history (default 1,000,000 decisions; target: 1M in ≤ 60 s on this machine, both cores).
// The history is made once by the real decision service in process (rules, ONNX model, writer
// thread, store; both products, four regions) and kept in BENCH_BACKTEST_DIR (default: a folder
// in the system's temp dir named by the count) for later runs. The candidate is the shipped rules
// with the personal-loan age floor raised from 21 to 30. One thread, then every core, in the
// same run: the speed-up is their ratio.
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import type { Application } from '../src/decision/application';
import { applicationSchemaFor } from '../src/decision/application';
import { runBacktest } from '../src/decision/backtest-run';
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
import { ALL_TIME, HistoryReader } from '../src/store/history-reader';
import { VelocityIndex } from '../src/velocity/velocity-index';
import { sampleApplication } from './sample';

const TOTAL = Number(process.argv[2] ?? process.env.BACKTEST_DECISIONS ?? 1_000_000);
const TARGET_S_PER_MILLION = 60;
const ROOT = path.resolve(import.meta.dirname, '..');
const dir = process.env.BENCH_BACKTEST_DIR ?? path.join(tmpdir(), `bench-backtest-${TOTAL}`);
const storeFile = path.join(dir, 'audit.db');
const keyFile = path.join(dir, 'identifier-hash.key');
const REGIONS = ['east', 'north', 'south', 'west'];

const modelLoad = await loadCreditModel(path.join(ROOT, 'models'), 'credit-pd.card.json', MODEL_INPUT_FIELDS);
if (modelLoad.status !== 'ready') throw new Error(modelLoad.detail);
const card = cardOf(modelLoad);

/** A varied application: both products, four regions, ages 19–70, amounts across both products' ranges. */
function historic(n: number): Application {
  const a = sampleApplication(`BT-${n}`);
  const micro = n % 3 === 0;
  return {
    ...a,
    product: micro ? 'micro_loan' : 'personal_loan',
    region: REGIONS[n % REGIONS.length] as string,
    amount: micro ? 100 + (n % 3_200) : a.amount,
    termMonths: micro ? 1 + (n % 14) : a.termMonths,
    applicant: { ...a.applicant, age: 19 + ((n * 7) % 52) },
  };
}

async function makeHistory(): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(keyFile, randomBytes(32).toString('hex'));
  const protector = new IdentifierProtector([Buffer.from(readFileSync(keyFile, 'utf8'))], { defaultCountryCode: '86' });
  const compile = (files: Parameters<typeof compileRuleSet>[0]) => compileRuleSet(files, { hashIdentifier: (type, raw) => protector.hash(type, raw), applicationSchema: applicationSchemaFor(card) });
  const compiled = compile(await readRuleFiles(path.join(ROOT, 'rules')));
  if (!compiled.ok || modelLoad.status !== 'ready') throw new Error('rules or model invalid');
  const { model } = modelLoad;
  const ruleSet = compiled.ruleSet;
  const store = new AuditStore(storeFile, { decisionWriter: 'worker' });
  await store.ready();
  const exposure = new ExposureBook();
  const velocity = new VelocityIndex();
  const versions = new RuleSetVersions({ store, current: () => ruleSet, compile, clock: Date.now });
  const service = new DecisionService({
    store,
    committer: new LocalDecisionCommitter(store, exposure),
    ruleSet: () => ruleSet,
    protector,
    providers: standardProviders({ velocity, exposure, scoring: { model: () => model, unavailableReason: () => '' } }),
    archiveRuleSet: (r) => versions.archive(r),
    ruleSetOfVersion: (v) => versions.ofVersion(v),
    onCommitted: (row) => row.identifiers.forEach((id) => velocity.record({ type: id.type as IdentifierType, hash: id.hash, at: row.decidedAt })),
  });
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < TOTAL) {
      const n = next++;
      await service.decide(historic(n), 'key:bench');
      if (n > 0 && n % 100_000 === 0) console.log(`  history: ${n.toLocaleString('en')} decisions, ${Math.round(n / ((performance.now() - started) / 1000)).toLocaleString('en')}/s`);
    }
  };
  await Promise.all(Array.from({ length: 32 }, lane));
  await store.close();
  writeFileSync(path.join(dir, 'complete'), String(TOTAL));
}

if (!existsSync(path.join(dir, 'complete'))) {
  console.log(`making a history of ${TOTAL.toLocaleString('en')} decisions in ${dir} (once; later runs reuse it)`);
  await makeHistory();
}
// A history made by an older build is migrated first, as starting the service on it would.
const migrating = new AuditStore(storeFile);
await migrating.close();
const reader = new HistoryReader(storeFile);
const stored = reader.count(ALL_TIME);
reader.close();

const candidateDir = mkdtempSync(path.join(tmpdir(), 'bench-backtest-candidate-'));
cpSync(path.join(ROOT, 'rules'), candidateDir, { recursive: true });
const flowFile = path.join(candidateDir, 'flows/personal_loan.json');
writeFileSync(flowFile, readFileSync(flowFile, 'utf8').replace('"< 21"', '"< 30"'));
const job = {
  storeFile,
  files: await readRuleFiles(candidateDir),
  keys: [Buffer.from(readFileSync(keyFile, 'utf8'))],
  defaultCountryCode: '86',
  card,
  filter: ALL_TIME,
};
rmSync(candidateDir, { recursive: true, force: true });

console.log(`\nbacktest of ${stored.toLocaleString('en')} stored decisions (candidate: personal-loan age floor 21 → 30)`);
console.log('threads   seconds   decisions/s   changed   projected s per 1M   target');
const cores = availableParallelism();
const rates: number[] = [];
for (const threads of [...new Set([1, cores])]) {
  const r = await runBacktest(job, { threads, lowPriority: false });
  const rate = r.report.decisions / r.seconds;
  rates.push(rate);
  const perMillion = 1_000_000 / rate;
  console.log(
    `${String(threads).padStart(7)}   ${r.seconds.toFixed(1).padStart(7)}   ${Math.round(rate).toLocaleString('en').padStart(11)}   ${r.report.changed.toLocaleString('en').padStart(7)}   ${perMillion.toFixed(1).padStart(18)}   ${threads === cores ? `≤ ${TARGET_S_PER_MILLION} s: ${perMillion <= TARGET_S_PER_MILLION ? 'met' : 'NOT met'}` : ''}`,
  );
}
if (rates.length === 2) console.log(`speed-up with ${cores} threads: ${((rates[1] as number) / (rates[0] as number)).toFixed(2)}× (the load generator is idle here; the machine's other tenants are not)`);
