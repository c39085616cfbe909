// Where the time of one decision goes: each step of POST /decide timed alone, in process,
// sequentially (no contention), with the real rules and a real SQLite file.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApplicationSchema, type Application } from '../src/decision/application';
import { runFlow } from '../src/decision/flow';
import { standardProviders } from '../src/decision/stages';
import { baseFacts } from '../src/decision/document';
import { VelocityIndex } from '../src/velocity/velocity-index';
import { ExposureBook } from '../src/limits/exposure-book';
import { compileValidator } from '../src/http/validation';
import { canonicalJson } from '../src/identity/canonical-json';
import { IdentifierProtector } from '../src/identity/identifiers';
import { loadRuleSet } from '../src/rules/load';
import { MODEL_INPUT_FIELDS } from '../src/rules/facts';
import { featureValuesOf } from '../src/scoring/features';
import { loadCreditModel } from '../src/scoring/onnx-model';
import { AuditStore, type DecisionRow } from '../src/store/audit-store';
import { sampleApplication } from './sample';

const N = Number(process.env.BENCH_PROFILE_N ?? 2000);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function time(name: string, fn: (i: number) => unknown, n = N): Promise<{ name: string; p50: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { name, p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

export async function profileDecision(): Promise<void> {
  const protector = new IdentifierProtector(randomBytes(32), { defaultCountryCode: '86' });
  const loaded = await loadRuleSet(path.resolve(import.meta.dirname, '../rules'), { hashIdentifier: (t, r) => protector.hash(t, r) });
  if (!loaded.ok) throw new Error('rules invalid');
  const flow = loaded.ruleSet.flows.get('personal_loan')!;
  const validate = compileValidator<Application>(buildApplicationSchema());
  const velocity = new VelocityIndex();
  const modelLoad = await loadCreditModel(path.resolve(import.meta.dirname, '../models'), 'credit-pd.card.json', MODEL_INPUT_FIELDS);
  if (modelLoad.status !== 'ready') throw new Error(modelLoad.detail);
  const { model } = modelLoad;
  const providers = standardProviders({ velocity, exposure: new ExposureBook(), scoring: { model: () => model, unavailableReason: () => '' } });
  const apps = Array.from({ length: N }, (_, i) => sampleApplication(`P-${i}`));
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-profile-'));
  const store = new AuditStore(path.join(dir, 'audit.db'));
  const facts = apps.map((a) => baseFacts(a, protector.protect(a.identifiers ?? {})));
  const row = (id: string, document: unknown): DecisionRow => ({
    decisionId: id, applicationId: id, requestFingerprint: 'f', product: 'p', region: 'r', outcome: 'approve', rulesVersion: 'v', decidedAt: Date.now(), identifiers: [], document: { facts: document }, fraudEvidence: false, source: 'decided',
  });

  const rows = [
    await time('validate request (ajv)', (i) => validate(JSON.parse(JSON.stringify(apps[i])))),
    await time('protect identifiers (HMAC ×5)', (i) => protector.protect(apps[i]!.identifiers ?? {})),
    await time('request fingerprint', (i) => protector.fingerprint(canonicalJson(apps[i]))),
    await time('whole flow (providers + rules, all stages)', (i) => runFlow({ flow, reasons: loaded.ruleSet.reasons, tables: loaded.ruleSet.tables, facts: facts[i]!, providers })),
    await time('credit model: score + explain (one ONNX run)', (i) => model.score(featureValuesOf(apps[i]!))),
    ...flow.stages.map((stage) =>
      time(`rules of stage ${stage.name} (${stage.rules.length})`, (i) => stage.evaluator.evaluate({ ...facts[i]!, ageAtMaturity: 40, velocity: { phone: 1 }, score: { grade: 'B', pd: 0.07 } })),
    ),
    await time('audit commit, 1 decision per fsync', (i) => store.commit(() => store.insertDecision(row(`a${i}`, facts[i]), 'final'))),
    await time(
      'audit commit, 10 concurrent (group commit)',
      (i) => Promise.all(Array.from({ length: 10 }, (_, k) => store.commit(() => store.insertDecision(row(`g${i}-${k}`, facts[i % N]), 'final')))),
      Math.floor(N / 10),
    ),
  ];
  const resolved = await Promise.all(rows);
  console.log(`\nWhere one decision's time goes (${N} sequential runs each, in process)`);
  console.log('step                                          p50 ms    p99 ms');
  for (const r of resolved) console.log(`${r.name.padEnd(44)}${r.p50.toFixed(3).padStart(8)}${r.p99.toFixed(3).padStart(10)}`);
  store.close();
  rmSync(dir, { recursive: true, force: true });
}

if (import.meta.url === `file://${process.argv[1]}`) await profileDecision();
