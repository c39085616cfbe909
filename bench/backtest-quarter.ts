// npm run backtest:quarter [-- --json] [--data-dir DIR] [--decisions N] [--seed S]
// A backtest report for a real edit of the shipped rules on a simulated quarter, reproducibly:
//   1. ten population generators (bench/populations) give a quarter of applications, both
//      products, four regions, legitimate applicants and fraud rings, each population's first
//      13 weeks moved to 2026-07-01 … 2026-10-01 at their own times of day;
//   2. each is decided by the real DecisionService in process (shipped rules, ONNX credit model,
//      velocity, exposure book with the hourly expiry sweep, rule-set archive, audit store) with
//      the clock at its submission time, one at a time in that order; the fraud graph is not
//      wired (as in bench/memory.ts), so its rows do not fire;
//   3. three in four automatic approvals get a loan outcome through LoanOutcomes.record (what
//      POST /decisions/:id/outcome calls), reported as of 2027-07-01: bad with the probability the
//      decision's score gave (its PD), fraud for most approved ring members; a seeded draw per
//      application, so every run gives the same figures;
//   4. the shipped rules/ are copied to a candidate folder with one analyst's edit (printed as a
//      unified diff), the store is closed and `npm run backtest` (src/cli/backtest.ts) runs on
//      it as a child process with the same settings, so it opens the store with the same key.
// --json passes through to the backtest (its JSON alone on stdout; this script's lines go to
// stderr). Without --data-dir the data directory is a temporary one, removed at the end; with it
// the store stays there for GET /decisions/:id or more backtests (the directory must hold no store).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createTwoFilesPatch } from 'diff';
import { identifierKey } from '../src/config/identifier-key';
import { loadSettings } from '../src/config/settings';
import { applicationSchemaFor, type Application } from '../src/decision/application';
import { DecisionLifecycle } from '../src/decision/lifecycle';
import { LoanOutcomes, type LoanOutcome } from '../src/decision/outcomes';
import { RuleSetVersions } from '../src/decision/rule-set-versions';
import { DecisionService } from '../src/decision/service';
import { standardProviders } from '../src/decision/stages';
import { seededRandom } from '../src/graph/rng';
import { compileChecker } from '../src/http/validation';
import { IdentifierProtector, type IdentifierType } from '../src/identity/identifiers';
import { ExposureBook } from '../src/limits/exposure-book';
import { compileRuleSet } from '../src/rules/compile';
import { MODEL_INPUT_FIELDS } from '../src/rules/facts';
import { readRuleFiles } from '../src/rules/load';
import { cardOf, loadCreditModel } from '../src/scoring/onnx-model';
import { AuditStore } from '../src/store/audit-store';
import { LocalDecisionChanger } from '../src/store/local-decision-change';
import { LocalDecisionCommitter } from '../src/store/local-decision-commit';
import { checkStoreIdentifierKey } from '../src/store/identifier-key-chain';
import { VelocityIndex } from '../src/velocity/velocity-index';
import { generator as campus } from './populations/campus';
import { generator as ecommerce } from './populations/ecommerce';
import { generator as expat } from './populations/expat';
import { generator as family } from './populations/family';
import { generator as gig } from './populations/gig';
import { generator as harbor } from './populations/harbor';
import { generator as industrial } from './populations/industrial';
import { generator as metro } from './populations/migrant-metro';
import { generator as rural } from './populations/rural';
import { generator as suburb } from './populations/suburb';
import type { PopulationGenerator, PopulationMember } from './populations/types';

const ROOT = path.resolve(import.meta.dirname, '..');
const SHIPPED_RULES = path.join(ROOT, 'rules');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const QUARTER_START = Date.UTC(2026, 6, 1);
const QUARTER_END = Date.UTC(2026, 9, 1);
const QUARTER_DAYS = (QUARTER_END - QUARTER_START) / DAY;
/** When the outcomes are reported: nine months after the quarter. */
const AS_OF = Date.UTC(2027, 6, 1);
/** Share of automatic approvals whose outcome the lender has reported by then. */
const REPORTED_SHARE = 0.75;
/** Share of approved ring members' loans that turn out fraud (the rest follow their PD). */
const RING_FRAUD_SHARE = 0.7;
const GENERATORS: readonly PopulationGenerator[] = [campus, ecommerce, expat, family, gig, harbor, industrial, metro, rural, suburb];

/**
 * The analyst's edit: a 4 % instalment rate (the highest burden band) sends requests of 5,000
 * or more to review, instead of 10,000 or more.
 */
const EDIT = {
  file: 'flows/personal_loan.json',
  from: '{ "rule": "instalment-burden-high", "when": { "applicant.installmentRatePct": 4, "amount": ">= 10000" }',
  to: '{ "rule": "instalment-burden-high", "when": { "applicant.installmentRatePct": 4, "amount": ">= 5000" }',
};

const USAGE = 'usage: npm run backtest:quarter [-- --json] [--data-dir DIR] [--decisions N] [--seed S]';
let values: { json?: boolean; 'data-dir'?: string; decisions?: string; seed?: string };
try {
  values = parseArgs({ options: { json: { type: 'boolean' }, 'data-dir': { type: 'string' }, decisions: { type: 'string' }, seed: { type: 'string' } } }).values;
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
const target = Number(values.decisions ?? process.env.BACKTEST_QUARTER_DECISIONS ?? 30_000);
const seed = Number(values.seed ?? 1);
if (!Number.isInteger(target) || target < 100 || !Number.isInteger(seed)) {
  process.stderr.write(`--decisions: an integer of at least 100; --seed: an integer\n${USAGE}\n`);
  process.exit(2);
}
/** This script's own lines: beside the report, or on stderr when the report is JSON. */
const say = (...lines: string[]) => (values.json ? process.stderr : process.stdout).write(`${lines.join('\n')}\n`);
const count = (n: number) => n.toLocaleString('en');
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;

// ---- the data directory and its identifier key, as the service and the backtest CLI resolve them

const ownDir = !values['data-dir'];
const dataDir = path.resolve(values['data-dir'] ?? mkdtempSync(path.join(tmpdir(), 'backtest-quarter-')));
mkdirSync(dataDir, { recursive: true });
/** Temporary folders, removed however the run ends. */
const temporary: string[] = ownDir ? [dataDir] : [];
process.on('exit', () => temporary.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const storeFile = path.join(dataDir, 'audit.db');
if (existsSync(storeFile)) {
  process.stderr.write(`${dataDir} holds a store already: give a new directory (the quarter is decided into an empty one)\n`);
  process.exit(2);
}
const env = { ...process.env, DATA_DIR: dataDir };
const settings = loadSettings(env);
// Without IDENTIFIER_HASH_KEY, a development key is generated into the data directory, where the CLI finds it.
const { keys } = checkStoreIdentifierKey(storeFile, identifierKey(settings), settings.identifierHashKey ? 'IDENTIFIER_HASH_KEY' : path.join(dataDir, 'identifier-hash.key'));
const protector = new IdentifierProtector(keys, { defaultCountryCode: settings.defaultPhoneCountryCode });

// ---- the quarter's applications

/** Each population's first 13 weeks, moved by whole days to start on the quarter's first day. */
function quarterOf(g: PopulationGenerator, size: number): PopulationMember[] {
  const members = g.generate({ seed, size }).members;
  const first = members[0]?.submittedAt ?? 0;
  const shift = QUARTER_START - (first - (first % DAY));
  return members
    .map((m) => ({ ...m, submittedAt: m.submittedAt + shift, application: { ...m.application, applicationId: `${g.name}-${m.application.applicationId}` } }))
    .filter((m) => m.submittedAt < QUARTER_END);
}

function applications(): PopulationMember[] {
  const all: PopulationMember[] = [];
  for (const g of GENERATORS) {
    // Populations span 90-240 days: generated at the density that puts their share in 13 weeks.
    const probe = g.generate({ seed, size: 1000 }).members;
    const spanDays = Math.max(QUARTER_DAYS, ((probe[probe.length - 1]?.submittedAt ?? 0) - (probe[0]?.submittedAt ?? 0)) / DAY);
    all.push(...quarterOf(g, Math.round(((target / GENERATORS.length) * spanDays) / QUARTER_DAYS)));
  }
  return all.sort((a, b) => a.submittedAt - b.submittedAt || (a.application.applicationId < b.application.applicationId ? -1 : 1));
}

/** A draw of its own for each application (FNV-1a of its id and the seed): the same whatever the order. */
function drawFor(applicationId: string): () => number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < applicationId.length; i++) h = Math.imul(h ^ applicationId.charCodeAt(i), 0x01000193);
  return seededRandom(h >>> 0);
}

// ---- deciding the quarter

const modelLoad = await loadCreditModel(path.resolve(ROOT, settings.modelsDir), settings.modelCard, MODEL_INPUT_FIELDS);
if (modelLoad.status !== 'ready') throw new Error(`the credit model did not load: ${modelLoad.detail}`);
const { model } = modelLoad;
const applicationSchema = applicationSchemaFor(cardOf(modelLoad));
const compile = (files: Parameters<typeof compileRuleSet>[0]) => compileRuleSet(files, { hashIdentifier: (type, raw) => protector.hash(type, raw), applicationSchema });
const compiled = compile(await readRuleFiles(SHIPPED_RULES));
if (!compiled.ok) throw new Error('the shipped rules have errors: npm run rules:check');
const ruleSet = compiled.ruleSet;
const validate = compileChecker(applicationSchema);

let now = QUARTER_START;
const clock = () => now;
const store = new AuditStore(storeFile, { decisionWriter: 'worker' });
await store.ready();
const velocity = new VelocityIndex();
const exposure = new ExposureBook();
const versions = new RuleSetVersions({ store, current: () => ruleSet, compile, clock });
const service = new DecisionService({
  store,
  committer: new LocalDecisionCommitter(store, exposure),
  ruleSet: () => ruleSet,
  protector,
  clock,
  modelVersion: () => model.version,
  providers: standardProviders({ velocity, exposure, clock, scoring: { model: () => model, unavailableReason: () => '' } }),
  archiveRuleSet: (r) => versions.archive(r),
  ruleSetOfVersion: (v) => versions.ofVersion(v),
  onCommitted: (row) => row.identifiers.forEach((id) => velocity.record({ type: id.type as IdentifierType, hash: id.hash, at: row.decidedAt })),
});
const changer = new LocalDecisionChanger(store, exposure);
const lifecycle = new DecisionLifecycle({ changer, ruleSet: () => ruleSet, clock });

const members = applications();
say(`backtest:quarter: ${count(members.length)} applications from ${GENERATORS.length} populations (seed ${seed}), ${new Date(QUARTER_START).toISOString().slice(0, 10)} to ${new Date(QUARTER_END).toISOString().slice(0, 10)}; data dir ${dataDir}`);

interface Approved {
  readonly decisionId: string;
  readonly applicationId: string;
  readonly decidedAt: number;
  readonly pd: number;
  readonly ring: boolean;
}
const approved: Approved[] = [];
const outcomes: Record<string, number> = {};
const products: Record<string, number> = {};
let invalid = 0;
let nextSweep = QUARTER_START + HOUR;
for (const m of members) {
  // The service's expiry sweep (approvals never drawn release their exposure) and velocity pruning, hourly.
  while (nextSweep <= m.submittedAt) {
    now = nextSweep;
    await lifecycle.expireDue();
    velocity.prune(now);
    nextSweep += HOUR;
  }
  now = m.submittedAt;
  if (validate(m.application).length) {
    invalid++; // a 400 at POST /decide: nothing decided
    continue;
  }
  const { document } = await service.decide(m.application satisfies Application, 'key:backtest-quarter');
  outcomes[document.outcome] = (outcomes[document.outcome] ?? 0) + 1;
  products[document.product] = (products[document.product] ?? 0) + 1;
  if (document.outcome === 'approve') approved.push({ decisionId: document.decisionId, applicationId: document.applicationId, decidedAt: Date.parse(document.decidedAt), pd: document.score?.pd ?? 0, ring: m.ring !== null });
}
const decided = Object.values(outcomes).reduce((a, b) => a + b, 0);
const share = (n: number) => `${((100 * n) / decided).toFixed(1)} %`;
say(`decided ${count(decided)} applications in ${elapsed()} (${Object.entries(products).map(([p, n]) => `${p} ${count(n)}`).join(', ')}${invalid ? `; ${invalid} refused as invalid` : ''}): ${['approve', 'review', 'decline'].map((o) => `${o} ${count(outcomes[o] ?? 0)} (${share(outcomes[o] ?? 0)})`).join(', ')}`);

// ---- loan outcomes, as the lender reports them (POST /decisions/:id/outcome → LoanOutcomes.record)

now = AS_OF;
const loanOutcomes = new LoanOutcomes(store, changer, clock);
const statuses: Record<string, number> = {};
const reports: { decisionId: string; status: LoanOutcome; at: number }[] = [];
for (const a of approved) {
  const draw = drawFor(a.applicationId);
  if (draw() >= REPORTED_SHARE) continue; // not reported yet
  const status: LoanOutcome = a.ring && draw() < RING_FRAUD_SHARE ? 'fraud' : draw() < a.pd ? 'defaulted' : 'repaid';
  reports.push({ decisionId: a.decisionId, status, at: Math.min(AS_OF, a.decidedAt + Math.round((30 + draw() * 240) * DAY)) });
  statuses[status] = (statuses[status] ?? 0) + 1;
}
// Independent reports: recorded 200 at a time (they share commits), each through the service's path.
for (let i = 0; i < reports.length; i += 200) {
  await Promise.all(reports.slice(i, i + 200).map((r) => loanOutcomes.record(r.decisionId, { status: r.status, at: r.at }, 'key:backtest-quarter')));
}
const bad = reports.length - (statuses.repaid ?? 0);
say(`recorded ${count(reports.length)} loan outcomes of ${count(approved.length)} automatic approvals as of ${new Date(AS_OF).toISOString().slice(0, 10)}: ${Object.entries(statuses).sort().map(([s, n]) => `${s} ${count(n)}`).join(', ')} (bad ${((100 * bad) / Math.max(1, reports.length)).toFixed(1)} %)`);
await store.close();

// ---- the candidate: the shipped rules with one edit

const candidate = mkdtempSync(path.join(tmpdir(), 'backtest-quarter-rules-'));
temporary.push(candidate);
cpSync(SHIPPED_RULES, candidate, { recursive: true });
const before = readFileSync(path.join(SHIPPED_RULES, EDIT.file), 'utf8');
if (!before.includes(EDIT.from)) throw new Error(`rules/${EDIT.file} no longer holds the line this script edits: update EDIT in bench/backtest-quarter.ts`);
const after = before.replace(EDIT.from, EDIT.to);
writeFileSync(path.join(candidate, EDIT.file), after);
say('', 'the edit (candidate rules = the shipped rules/ with this change):', '');
say(createTwoFilesPatch(`rules/${EDIT.file}`, `candidate/${EDIT.file}`, before, after, undefined, undefined, { context: 1 }).replace(/^=+\n/m, '').trimEnd());
say('', `npm run backtest -- --rules <candidate> --data-dir <data dir> --from 2026-07-01 --to 2026-10-01${values.json ? ' --json' : ''}`, '');

// ---- the backtest CLI, as an analyst runs it

const cli = spawnSync(
  process.execPath,
  ['--import', 'tsx', path.join(ROOT, 'src/cli/backtest.ts'), '--rules', candidate, '--data-dir', dataDir, '--from', new Date(QUARTER_START).toISOString(), '--to', new Date(QUARTER_END).toISOString(), ...(values.json ? ['--json'] : [])],
  { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] },
);
say('', `backtest:quarter done in ${elapsed()}${ownDir ? '' : `; the store stays in ${dataDir}`}`);
process.exit(cli.status ?? 1);
