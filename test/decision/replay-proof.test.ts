// Issue 15, item 2 (replay): "replay reproduces 100 % of a few thousand decisions made across
// several rule edits and a model swap". The real decision service, in process (wired as
// bench/memory.ts wires it): the real audit store with its writer thread, rules compiled from a
// private copy of rules/ and hot-reloaded by the real RuleSetHolder while decisions are in flight,
// the real ONNX credit model, velocity fed by each commit, the exposure book, and every rule set
// archived by version before its first decision commits. 2,616 decisions over both products and
// four regions, across five rule edits (an age floor, a product maximum, a velocity threshold, a
// region limit with a blocklist entry, the region limit again) and two model changes (an outage,
// decided on the scoring stage's fallback, then a recalibrated model: the shipped ONNX graph with
// its intercept moved, under a card of its own, run by onnxruntime). Then every stored decision
// is decided again as `npm run replay` decides it: read back from the store, against the rule set
// of its version compiled again from the store's archive by a fresh reader that never held the
// service's rule sets. Negative controls show that the comparison can fail.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationSchemaFor, type Applicant, type Application } from '../../src/decision/application';
import type { DecisionDocument } from '../../src/decision/document';
import { isDecisionRecord, protectedIdentifiersOf, type DecisionRecord } from '../../src/decision/record';
import { replayDecision, type ReplayReport } from '../../src/decision/replay';
import { RuleSetVersions } from '../../src/decision/rule-set-versions';
import { DecisionService } from '../../src/decision/service';
import { standardProviders } from '../../src/decision/stages';
import { IdentifierProtector, type IdentifierType, type RawIdentifiers } from '../../src/identity/identifiers';
import { ExposureBook } from '../../src/limits/exposure-book';
import { compileRuleSet, type RuleFileText } from '../../src/rules/compile';
import { MODEL_INPUT_FIELDS } from '../../src/rules/facts';
import { RuleSetHolder } from '../../src/rules/hot-reload';
import { readRuleFiles } from '../../src/rules/load';
import type { RuleSet } from '../../src/rules/ruleset';
import { cardOf, loadCreditModel, type CreditModel, type ModelLoad } from '../../src/scoring/onnx-model';
import { AuditStore, PURGED_IDENTIFIER, type RetentionPosition } from '../../src/store/audit-store';
import { decodeStoredDocument, encodeStoredDocument } from '../../src/store/decision-writer';
import { VelocityIndex } from '../../src/velocity/velocity-index';
import { readGermanCredit, type CreditRow } from '../support/german-credit';
import { copyRules, tempDir } from '../support/server';
import { LocalDecisionCommitter } from '../../src/store/local-decision-commit';

const MODELS = path.resolve(import.meta.dirname, '../../models');
const CALLER = 'key:replay-proof';
const LANES = 8;
/** Approvals decided at once in the last phase, all evaluated before any commits. */
const BURST = 16;
/** Added to the credit model's logit by the recalibrated model (PD odds × e^0.6 ≈ 1.8). */
const INTERCEPT_SHIFT = 0.6;
/** Phones shared by a ring of applicants (velocity), the blocklisted ones, and one blocklisted mid-run. */
const RING_PHONES = Array.from({ length: 12 }, (_, k) => `+86 139 8888 ${String(k + 1).padStart(4, '0')}`);
const BLOCKED_PHONES = ['+86 170 0000 0001', '+86 171 0000 0666'];
const LATER_BLOCKED_PHONE = '+86 139 7777 0777';
const RING_DEVICES = Array.from({ length: 8 }, (_, k) => `device-ring-${String(k).padStart(6, '0')}`);
const SHARED_ACCOUNTS = ['DE02 1203 0000 0000 2020 51', 'DE02 1001 0010 0006 8201 01'];
const BLOCKED_ACCOUNT = 'DE89 3704 0044 0532 0130 00';
/** What makes an applicant creditworthy to the model (test/support/factories.ts's applicant). */
const STEADY: Partial<Applicant> = {
  checkingAccountStatus: 'none',
  creditHistory: 'critical',
  savingsAccountBonds: 'unknown',
  employmentDuration: 'gt_7',
  property: 'real_estate',
  otherInstallmentPlans: 'none',
  housing: 'own',
};

// ---- the world the decisions are made in ----

const protector = new IdentifierProtector(randomBytes(32), { defaultCountryCode: '86' });
const velocity = new VelocityIndex();
const exposure = new ExposureBook();
let rulesDir: string;
let storeFile: string;
let store: AuditStore;
let storeClosed = false;
let rules: RuleSetHolder;
let shippedLoad: ModelLoad;
let shipped: CreditModel;
let recalibrated: CreditModel;
/** The credit model serving now; undefined during the outage (the scoring stage then falls back). */
let model: CreditModel | undefined;
let service: DecisionService;

interface Decided {
  readonly phase: number;
  readonly document: DecisionDocument;
}
const decided = new Map<string, Decided>();
/**
 * While set, decisions wait between their evaluation and their commit (in the archive hook, where
 * the first decisions of a new version wait for its archive anyway) until `size` of them do: their
 * limits stages all saw the region's exposure before any of them booked, so the commit-time
 * exposure check decides some of them otherwise (the record keeps that check: record.settled).
 */
let hold: { size: number; arrived: number; release: () => void; released: Promise<void> } | undefined;
function holdCommits(size: number): void {
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  hold = { size, arrived: 0, release, released };
}
function arriveAtCommit(): Promise<void> {
  if (!hold) return Promise.resolve();
  const { released } = hold;
  if (++hold.arrived === hold.size) {
    hold.release();
    hold = undefined;
  }
  return released;
}
/** Rule-set versions in the order they started serving. */
const served: string[] = [];
let decideMs = 0;

/** A deterministic PRNG (mulberry32): the same population on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Applicant n: a German-credit row (the model's own population: grades A to E), as one of the two
 * products, in one of four regions, with identifiers that sometimes repeat (rings of phones and
 * devices, a repeated national id, shared accounts), sit on a blocklist, or are too few.
 */
function applicationOf(n: number, rows: readonly CreditRow[]): Application {
  const random = prng(0x5eed + n);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const row = rows[n % rows.length] as CreditRow;
  const micro = random() < 0.4;
  const cents = random() < 0.25 ? Math.round(random() * 99) / 100 : 0;
  let amount: number;
  let termMonths: number;
  if (micro) {
    amount = 80 + (row.amount % 3_300) + cents;
    termMonths = random() < 0.05 ? 25 + (row.termMonths % 12) : 3 + (row.termMonths % 22);
  } else {
    const shape = random();
    amount = (shape < 0.04 ? 150 + row.amount % 100 : shape < 0.1 ? 20_000 + row.amount : row.amount) + cents;
    termMonths = row.termMonths;
  }
  const r = random();
  const region = r < 0.45 ? 'east' : r < 0.65 ? 'north' : r < 0.9 ? 'south' : 'west';

  const identifiers: RawIdentifiers = {};
  const p = random();
  // A household's phone is shared by the few of eight neighbouring applicants that give it (velocity counts of 2, 3, 4).
  identifiers.phone =
    p < 0.1 ? pick(RING_PHONES)
    : p < 0.12 ? pick(BLOCKED_PHONES)
    : p < 0.135 ? LATER_BLOCKED_PHONE
    : p < 0.4 ? `+86 137 5555 ${String(Math.floor(n / 8)).padStart(4, '0')}`
    : `+86 138 ${String(n % 10_000).padStart(4, '0')} ${String(1_000 + Math.floor(n / 10_000)).padStart(4, '0')}`;
  const d = random();
  if (d < 0.08) identifiers.deviceId = pick(RING_DEVICES);
  else if (d < 0.09) identifiers.deviceId = pick(['emulator-farm-0001', 'emulator-farm-0002']);
  else if (d < 0.95) identifiers.deviceId = `device-proof-${String(n).padStart(6, '0')}`;
  if (random() < 0.88) identifiers.email = `applicant.${n}@example.com`;
  const id = random();
  if (id < 0.03) identifiers.nationalId = `PASSPORT${900_000 + Math.floor(random() * 10)}`;
  else if (id < 0.9) identifiers.nationalId = `PASSPORT${100_000 + n}`;
  const b = random();
  if (b < 0.015) identifiers.bankAccount = BLOCKED_ACCOUNT;
  else if (b < 0.05) identifiers.bankAccount = pick(SHARED_ACCOUNTS);
  identifiers.ip = `81.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  // Half are the row's applicant; half a steady one (the rows hold many the model grades D or E), of any age.
  const steady = random() < 0.5;
  let applicant: Applicant = steady ? { ...row.applicant, ...STEADY, age: 19 + Math.floor(random() * 50) } : row.applicant;
  // Now and then an employment status the micro flow declines, and a thin identity.
  if (random() < 0.04) applicant = { ...applicant, employmentDuration: 'unemployed' };
  if (micro && random() < 0.08) {
    delete identifiers.deviceId;
    delete identifiers.email;
    delete identifiers.nationalId;
  }
  return { applicationId: `PROOF-${n}`, product: micro ? 'micro_loan' : 'personal_loan', region, amount, termMonths, applicant, identifiers };
}

/** Replaces `from` with `to` in a rule file of the copy: exactly one occurrence, or the edit is wrong. */
function editRule(relPath: string, from: string | RegExp, to: string): void {
  const file = path.join(rulesDir, relPath);
  const text = readFileSync(file, 'utf8');
  expect(text.split(from), `${relPath}: "${String(from)}" once`).toHaveLength(2);
  writeFileSync(file, text.replace(from, to));
}

/** The edit reaches the service as the hot reload brings it: a new version serving, whole. */
async function reload(): Promise<void> {
  const before = rules.current.version;
  await rules.reload();
  expect(rules.lastRejection?.messages).toBeUndefined();
  expect(rules.current.version).not.toBe(before);
  served.push(rules.current.version);
}

/**
 * The shipped ONNX graph (MatMul, Add intercept, Sigmoid) with its intercept moved: a model that
 * scores every applicant differently, under a card of its own (version, file hash, and reference
 * PDs moved by the same logit shift, so the loader's parity check holds it to them).
 */
async function writeRecalibratedModel(dir: string): Promise<ModelLoad> {
  const bytes = readFileSync(path.join(MODELS, 'credit-pd.onnx'));
  // TensorProto name (field 8) "intercept", then raw_data (field 9) of one float32.
  const marker = Buffer.from('\x42\x09intercept\x4a\x04', 'latin1');
  const at = bytes.indexOf(marker);
  expect(at).toBeGreaterThan(0);
  expect(bytes.indexOf(marker, at + 1)).toBe(-1);
  const offset = at + marker.length;
  const edited = Buffer.from(bytes);
  edited.writeFloatLE(bytes.readFloatLE(offset) + INTERCEPT_SHIFT, offset);
  const shift = edited.readFloatLE(offset) - bytes.readFloatLE(offset);
  const card = JSON.parse(readFileSync(path.join(MODELS, 'credit-pd.card.json'), 'utf8')) as {
    version: string;
    file: string;
    fileSha256: string;
    referenceRows: { expectedPd: number }[];
  };
  const logit = (p: number) => Math.log(p / (1 - p));
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
  writeFileSync(path.join(dir, 'credit-pd-recalibrated.onnx'), edited);
  writeFileSync(
    path.join(dir, 'credit-pd-recalibrated.card.json'),
    JSON.stringify({
      ...card,
      version: '1.2.0-recalibrated',
      file: 'credit-pd-recalibrated.onnx',
      fileSha256: createHash('sha256').update(edited).digest('hex'),
      referenceRows: card.referenceRows.map((r) => ({ ...r, expectedPd: sigmoid(logit(r.expectedPd) + shift) })),
    }),
  );
  return loadCreditModel(dir, 'credit-pd-recalibrated.card.json', MODEL_INPUT_FIELDS);
}

/** Decides applicants [from, from + count) on LANES lanes; `midway` runs when the `at`-th of them starts, the other lanes deciding on meanwhile. */
async function decideBatch(phase: number, from: number, count: number, rows: readonly CreditRow[], midway?: { at: number; run: () => Promise<void> }): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const k = next++;
      if (midway && k === midway.at) await midway.run();
      const { replayed, document } = await service.decide(applicationOf(from + k, rows), CALLER);
      expect(replayed).toBe(false);
      decided.set(document.decisionId, { phase, document });
    }
  };
  await Promise.all(Array.from({ length: LANES }, lane));
}

// ---- the replay, as npm run replay does it ----

interface Replayed {
  readonly stored: { readonly applicationId: string; readonly rulesVersion: string; readonly outcome: string };
  readonly record: DecisionRecord;
  readonly report: ReplayReport;
}
let reader: AuditStore;
let archive: RuleSetVersions;
let replayed: Replayed[] = [];
let missingRuleSets: string[] = [];
let replayMs = 0;

/** Every stored decision, page by page in decision order, each replayed against the archived rules of its version. */
async function replayAll(): Promise<void> {
  let after: RetentionPosition | undefined;
  do {
    const page = reader.decisionsBetween(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, after, 500);
    for (const stored of page.decisions) {
      expect(isDecisionRecord(stored.document), stored.decisionId).toBe(true);
      const record = stored.document as DecisionRecord;
      const ruleSet = await archive.ofVersion(record.versions.rules);
      if (!ruleSet) {
        missingRuleSets.push(record.versions.rules);
        continue;
      }
      const report = await replayDecision(record, protectedIdentifiersOf(record, reader.identifierHashes(stored.applicationId), PURGED_IDENTIFIER), ruleSet);
      replayed.push({ stored, record, report });
    }
    after = page.next;
  } while (after);
}

const identifiersOf = (stored: Replayed) => protectedIdentifiersOf(stored.record, reader.identifierHashes(stored.stored.applicationId), PURGED_IDENTIFIER);

beforeAll(async () => {
  const started = performance.now();
  rulesDir = copyRules();
  shippedLoad = await loadCreditModel(MODELS, 'credit-pd.card.json', MODEL_INPUT_FIELDS);
  if (shippedLoad.status !== 'ready') throw new Error(shippedLoad.detail);
  shipped = shippedLoad.model;
  const modelsCopy = tempDir('models-');
  const recalibratedLoad = await writeRecalibratedModel(modelsCopy);
  if (recalibratedLoad.status !== 'ready') throw new Error(recalibratedLoad.detail);
  recalibrated = recalibratedLoad.model;
  model = shipped;

  // As the service compiles its rules (src/composition/rules.ts): lists hashed under its key, the request's categories from the model's card.
  const applicationSchema = applicationSchemaFor(cardOf(shippedLoad));
  const compile = (files: readonly RuleFileText[]) => compileRuleSet(files, { hashIdentifier: (type, raw) => protector.hash(type, raw), applicationSchema });
  const initial = compile(await readRuleFiles(rulesDir));
  if (!initial.ok) throw new Error(JSON.stringify(initial.diagnostics));
  rules = new RuleSetHolder(initial.ruleSet, { rulesDir, compile });
  served.push(rules.current.version);

  storeFile = path.join(tempDir(), 'audit.db');
  store = new AuditStore(storeFile, { decisionWriter: 'worker' });
  await store.ready();
  const versions = new RuleSetVersions({ store, current: () => rules.current, compile, clock: Date.now });
  await versions.archive(rules.current);
  service = new DecisionService({
    store,
    committer: new LocalDecisionCommitter(store, exposure),
    ruleSet: () => rules.current,
    protector,
    providers: standardProviders({ velocity, exposure, scoring: { model: () => model, unavailableReason: () => 'credit model unavailable (replay proof: outage)' } }),
    modelVersion: () => model?.version,
    archiveRuleSet: (ruleSet) => arriveAtCommit().then(() => versions.archive(ruleSet)),
    ruleSetOfVersion: (version) => versions.ofVersion(version),
    onCommitted: (row) => {
      for (const id of row.identifiers) velocity.record({ type: id.type as IdentifierType, hash: id.hash, at: row.decidedAt });
    },
  });

  const rows = readGermanCredit();
  let n = 0;
  const batch = async (phase: number, count: number, midway?: { at: number; run: () => Promise<void> }) => {
    await decideBatch(phase, n, count, rows, midway);
    n += count;
  };
  // 1. The shipped rules and model.
  await batch(1, 450);
  // 2. Edit 1, reloaded while decisions are in flight: personal loans from 30, not 21.
  await batch(2, 450, { at: 24, run: async () => (editRule('flows/personal_loan.json', '{ "applicant.age": "< 21" }', '{ "applicant.age": "< 30" }'), await reload()) });
  // 3. Edit 2: micro loans up to 1,500, not 3,000.
  await batch(3, 450, { at: 24, run: async () => (editRule('flows/micro_loan.json', '{ "amount": "> 3000" }', '{ "amount": "> 1500" }'), await reload()) });
  // 4. The credit model is unavailable (between batches: a decision names the model that scored it): the scoring stage's fallback.
  model = undefined;
  await batch(4, 300);
  // 5. A recalibrated model serves; edit 3 in flight: personal-loan phone velocity reviews from the second sighting, not the fourth.
  model = recalibrated;
  await batch(5, 450, { at: 24, run: async () => (editRule('flows/personal_loan.json', '{ "velocity.phone": "> 3" }', '{ "velocity.phone": "> 1" }'), await reload()) });
  // 6. Edit 4: south's limit cut to 30,000 over what it holds now, with the warning from 10,000 over (near, then exceeded), and a phone blocklisted.
  await batch(6, 500, {
    at: 24,
    run: async () => {
      const reserved = exposure.get('south').reserved;
      const limit = Math.round(reserved + 30_000);
      const warnAt = Math.floor(((reserved + 10_000) / limit) * 1_000) / 1_000;
      editRule('limits/regions.json', '"south": { "limit": 10000000, "warnAt": 0.85 }', `"south": { "limit": ${limit}, "warnAt": ${warnAt} }`);
      editRule('lists/blocked-phones.json', '"+86 171 0000 0666"]', `"+86 171 0000 0666", "${LATER_BLOCKED_PHONE}"]`);
      await reload();
    },
  });
  // 7. Edit 5: south's limit reset to 20,000 over what it holds (the warning from 8,000 over); then
  // 16 approvals of 3,000 at once, all evaluated before any commits: each limits stage saw room,
  // the commit-time check finds the region near its limit, then past it, as they book in turn.
  const reserved = exposure.get('south').reserved;
  const limit = Math.round(reserved + 20_000);
  const warnAt = Math.floor(((reserved + 8_000) / limit) * 1_000) / 1_000;
  editRule('limits/regions.json', /"south": \{ "limit": \d+, "warnAt": [\d.]+ \}/, `"south": { "limit": ${limit}, "warnAt": ${warnAt} }`);
  await reload();
  holdCommits(BURST);
  await Promise.all(
    Array.from({ length: BURST }, async (_, k) => {
      const application: Application = {
        applicationId: `PROOF-BURST-${k}`,
        product: 'personal_loan',
        region: 'south',
        amount: 3_000,
        termMonths: 24,
        applicant: { ...(rows[0] as CreditRow).applicant, ...STEADY, age: 45 },
        identifiers: { phone: `+86 136 0000 ${String(k).padStart(4, '0')}`, deviceId: `device-burst-${String(k).padStart(6, '0')}`, email: `burst.${k}@example.com`, nationalId: `PASSPORT${800_000 + k}` },
      };
      const { document } = await service.decide(application, CALLER);
      decided.set(document.decisionId, { phase: 7, document });
    }),
  );
  decideMs = performance.now() - started;
  await store.close();
  storeClosed = true;

  // The replay: a fresh store connection and a fresh archive reader compiling as src/cli/replay.ts
  // does (lists from their archived hashes: a raw entry would throw), with no rule set of its own.
  const replayStarted = performance.now();
  reader = new AuditStore(storeFile);
  archive = new RuleSetVersions({
    store: reader,
    compile: (files) =>
      compileRuleSet(files, {
        applicationSchema,
        hashIdentifier: () => {
          throw new Error('an archived list holds raw entries');
        },
      }),
    clock: Date.now,
  });
  await replayAll();
  replayMs = performance.now() - replayStarted;
}, 120_000);

afterAll(async () => {
  if (!storeClosed) await store?.close();
  await rules?.close();
  await reader?.close();
});

const documents = () => [...decided.values()].map((d) => d.document);
const count = <T>(items: readonly T[], key: (item: T) => string) => {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
};

describe('the decisions to replay', () => {
  it('are a few thousand, over both products, every outcome, five rule edits and a model swap', () => {
    const docs = documents();
    const summary = {
      decisions: docs.length,
      byPhase: count([...decided.values()], (d) => `phase ${d.phase}`),
      byRules: count(docs, (d) => d.versions.rules.slice(0, 8)),
      byModel: count(docs, (d) => String(d.versions.model)),
      byOutcome: count(docs, (d) => d.outcome),
      byProduct: count(docs, (d) => d.product),
      decideSeconds: Math.round(decideMs / 100) / 10,
    };
    console.log(JSON.stringify(summary));
    expect(docs.length).toBe(2_600 + BURST);
    expect(new Set(docs.map((d) => d.product))).toEqual(new Set(['personal_loan', 'micro_loan']));
    expect(new Set(docs.map((d) => d.outcome))).toEqual(new Set(['approve', 'review', 'decline']));

    // Six rule-set versions (the shipped one and five edits), each deciding.
    expect(served).toHaveLength(6);
    expect(new Set(served).size).toBe(6);
    expect(new Set(docs.map((d) => d.versions.rules))).toEqual(new Set(served));
    // Edits reloaded mid-batch: some decisions of that batch still ran on the version before.
    expect(docs.filter((d) => d.versions.rules === served[0]).length).toBeGreaterThan(450);

    // Two models and the outage between them, each batch naming the model that scored it.
    expect(new Set(docs.map((d) => d.versions.model))).toEqual(new Set([shipped.version, recalibrated.version, null]));
    expect(shipped.version).toBe('german-credit-pd@1.1.0');
    expect(recalibrated.version).toBe('german-credit-pd@1.2.0-recalibrated');
    for (const { phase, document } of decided.values()) {
      const expected = phase <= 3 ? shipped.version : phase === 4 ? null : recalibrated.version;
      expect(document.versions.model, document.decisionId).toBe(expected);
    }

    // What the population was made to trip, each in some decision.
    const reasons = new Set(docs.flatMap((d) => d.reasons.map((r) => r.code)));
    for (const code of [
      'AGE_BELOW_MINIMUM',
      'AMOUNT_ABOVE_PRODUCT_MAX',
      'AMOUNT_BELOW_PRODUCT_MIN',
      'TERM_ABOVE_PRODUCT_MAX',
      'UNEMPLOYED_APPLICANT',
      'BLOCKLISTED_PHONE',
      'BLOCKLISTED_DEVICE',
      'BLOCKLISTED_BANK_ACCOUNT',
      'VELOCITY_PHONE',
      'VELOCITY_DEVICE',
      'VELOCITY_NATIONAL_ID',
      'VELOCITY_BANK_ACCOUNT',
      'THIN_IDENTITY',
      'RISK_GRADE_REVIEW',
      'RISK_GRADE_TOO_LOW',
      'APPROVAL_LEVEL_REQUIRED',
      'MODEL_UNAVAILABLE',
      'REGION_LIMIT_NEAR',
      'REGION_LIMIT_EXCEEDED',
    ]) {
      expect(reasons, code).toContain(code);
    }
    expect(docs.some((d) => d.stages.some((s) => s.status === 'skipped'))).toBe(true);
    expect(new Set(docs.map((d) => d.approvalLevel))).toEqual(new Set(['auto', 'L1', 'L2', 'L3']));
  });

  it('changed with each edit and with the model: the same kind of applicant was decided otherwise', () => {
    const docs = documents();
    const of = (version: string | undefined) => docs.filter((d) => d.versions.rules === version);
    const age = (d: DecisionDocument) => d.request.applicant.age;
    const has = (d: DecisionDocument, code: string) => d.reasons.some((r) => r.code === code);
    // Edit 1: personal-loan applicants of 21-29 are declined for age only from the second version on.
    const twenties = (d: DecisionDocument) => d.product === 'personal_loan' && age(d) >= 21 && age(d) < 30;
    expect(of(served[0]).filter(twenties).length).toBeGreaterThan(20);
    expect(of(served[0]).filter(twenties).some((d) => has(d, 'AGE_BELOW_MINIMUM'))).toBe(false);
    expect(of(served[1]).filter(twenties).every((d) => has(d, 'AGE_BELOW_MINIMUM'))).toBe(true);
    // Edit 2: micro loans of 1,500-3,000 are declined for amount from the third version on.
    const middling = (d: DecisionDocument) => d.product === 'micro_loan' && d.request.amount > 1_500 && d.request.amount <= 3_000 && d.stages.some((s) => s.stage === 'eligibility' && s.status === 'completed');
    expect(of(served[1]).filter(middling).some((d) => has(d, 'AMOUNT_ABOVE_PRODUCT_MAX'))).toBe(false);
    expect(of(served[2]).filter(middling).length).toBeGreaterThan(10);
    expect(of(served[2]).filter(middling).every((d) => has(d, 'AMOUNT_ABOVE_PRODUCT_MAX'))).toBe(true);
    // Edit 4: the phone blocklisted mid-run declines only from the fifth version on.
    const later = (d: DecisionDocument) => d.request.identifiers.phone?.hash === protector.hash('phone', LATER_BLOCKED_PHONE);
    expect(docs.filter((d) => (d.versions.rules === served[0] || d.versions.rules === served[3]) && later(d)).length).toBeGreaterThan(2);
    expect(docs.filter((d) => served.indexOf(d.versions.rules) < 4 && later(d)).some((d) => has(d, 'BLOCKLISTED_PHONE'))).toBe(false);
    expect(docs.filter((d) => d.versions.rules === served[4] && later(d)).length).toBeGreaterThan(2);
    expect(docs.filter((d) => d.versions.rules === served[4] && later(d)).every((d) => has(d, 'BLOCKLISTED_PHONE'))).toBe(true);
    // Edit 4's and 5's cuts of south's limit: approvals there turn to review (personal) and decline (micro).
    const south = (version: string | undefined) => of(version).filter((d) => d.region === 'south');
    expect(south(served[3]).some((d) => has(d, 'REGION_LIMIT_EXCEEDED'))).toBe(false);
    expect(south(served[4]).some((d) => d.outcome === 'review' && has(d, 'REGION_LIMIT_EXCEEDED'))).toBe(true);
    expect(south(served[4]).some((d) => d.outcome === 'decline' && has(d, 'REGION_LIMIT_EXCEEDED'))).toBe(true);
    // The outage: nothing approved without a score; the recalibrated model scores the same rows higher.
    const byModel = (version: string | null) => docs.filter((d) => d.versions.model === version);
    const scoringRan = (d: DecisionDocument) => d.stages.some((s) => s.stage === 'scoring' && s.status !== 'skipped');
    expect(byModel(null).filter(scoringRan).length).toBeGreaterThan(100);
    expect(byModel(null).every((d) => d.outcome !== 'approve' && d.score === null && has(d, 'MODEL_UNAVAILABLE') === scoringRan(d))).toBe(true);
    const meanPd = (ds: DecisionDocument[]) => ds.reduce((s, d) => s + (d.score?.pd ?? 0), 0) / ds.length;
    const scored = (version: string) => byModel(version).filter((d) => d.score !== null);
    expect(meanPd(scored(recalibrated.version))).toBeGreaterThan(meanPd(scored(shipped.version)) * 1.3);
  });
});

describe('replayed from the store against the archived rules of each version', () => {
  it('reproduces 100 % of them', () => {
    const failures = replayed.filter((r) => !r.report.reproduced);
    console.log(
      JSON.stringify({
        replayed: replayed.length,
        reproduced: replayed.length - failures.length,
        missingRuleSets: [...new Set(missingRuleSets)],
        settledAtCommit: replayed.filter((r) => r.record.settled !== undefined).length,
        replaySeconds: Math.round(replayMs / 100) / 10,
      }),
    );
    expect(missingRuleSets).toEqual([]);
    expect(replayed).toHaveLength(decided.size);
    expect(failures.slice(0, 5).map((f) => ({ decisionId: f.report.decisionId, rules: f.report.ruleSetVersion, differences: f.report.differences }))).toEqual([]);
    expect(failures).toHaveLength(0);
  });

  it('reproduces decisions the commit-time exposure check settled otherwise than their limits stage', () => {
    type Verdict = { wouldExceed: boolean; nearLimit: boolean };
    const burst = replayed.filter((r) => r.stored.applicationId.startsWith('PROOF-BURST-'));
    expect(burst).toHaveLength(BURST);
    for (const r of burst) {
      // Every limits stage saw room, and no warning.
      expect(r.record.stages.find((st) => st.stage === 'limits')?.provided?.exposure, r.record.decisionId).toMatchObject({ wouldExceed: false, nearLimit: false });
    }
    const settled = burst.map((r) => r.record.settled?.exposure as Verdict | undefined);
    const near = settled.filter((v) => v?.nearLimit).length;
    const exceeded = settled.filter((v) => v?.wouldExceed).length;
    expect(near).toBeGreaterThan(0);
    expect(exceeded).toBeGreaterThan(0);
    expect(near + exceeded).toBeGreaterThanOrEqual(BURST / 2);
    expect(burst.filter((r) => (r.record.settled?.exposure as Verdict | undefined)?.wouldExceed).every((r) => r.record.outcome === 'review' && r.record.approvalLevel === 'L3')).toBe(true);
    expect(burst.every((r) => r.report.reproduced)).toBe(true);
  });

  it('reproduces 100 % as well on the reference rule engine (json-rules-engine), which RULES_EVALUATOR may have served', async () => {
    const reference = new RuleSetVersions({
      store: reader,
      compile: (files) =>
        compileRuleSet(files, {
          applicationSchema: applicationSchemaFor(cardOf(shippedLoad)),
          evaluator: 'json-rules-engine',
          hashIdentifier: () => {
            throw new Error('an archived list holds raw entries');
          },
        }),
      clock: Date.now,
    });
    const differing: ReplayReport[] = [];
    for (const r of replayed) {
      const ruleSet = (await reference.ofVersion(r.record.versions.rules)) as RuleSet;
      expect([...ruleSet.flows.values()].flatMap((f) => f.stages.map((st) => st.evaluatorKind))).not.toContain('compiled');
      const report = await replayDecision(r.record, identifiersOf(r), ruleSet);
      if (!report.reproduced) differing.push(report);
    }
    expect(differing.slice(0, 5)).toEqual([]);
  });

  it('read back what was answered: each record names the versions, outcome and reasons of its answer', () => {
    for (const { stored, record } of replayed) {
      const answer = decided.get(record.decisionId)?.document;
      expect(answer, record.decisionId).toBeDefined();
      expect(record.versions, record.decisionId).toEqual(answer?.versions);
      expect(stored.rulesVersion, record.decisionId).toBe(record.versions.rules);
      expect([stored.outcome, record.outcome], record.decisionId).toEqual([answer?.outcome, answer?.outcome]);
      expect(record.reasons, record.decisionId).toEqual(answer?.reasons);
      expect(record.approvalLevel, record.decisionId).toBe(answer?.approvalLevel);
    }
    // Every version the service held came back from the archive, not from the service's memory.
    expect(new Set(replayed.map((r) => r.report.ruleSetVersion))).toEqual(new Set(served));
  });
});

describe('negative controls: the replay can fail', () => {
  it("replayed against the next version's rules, decisions of each edited version come out otherwise, and say where", async () => {
    const expectations: { changed: string; code: string }[] = [
      { changed: 'edit 1', code: 'eligibility:AGE_BELOW_MINIMUM' },
      { changed: 'edit 2', code: 'eligibility:AMOUNT_ABOVE_PRODUCT_MAX' },
      { changed: 'edit 3', code: 'fraud:VELOCITY_PHONE' },
      { changed: 'edit 4', code: 'fraud:BLOCKLISTED_PHONE' },
    ];
    for (const [k, { changed, code }] of expectations.entries()) {
      const next = await archive.ofVersion(served[k + 1] as string);
      expect(next, changed).toBeDefined();
      const reports: ReplayReport[] = [];
      for (const r of replayed.filter((x) => x.record.versions.rules === served[k])) reports.push(await replayDecision(r.record, identifiersOf(r), next as RuleSet));
      const differing = reports.filter((r) => !r.reproduced);
      expect(differing.length, changed).toBeGreaterThan(0);
      // The differences name the field, and the edited rule's reason appears where it now fires.
      const fields = new Set(differing.flatMap((r) => r.differences.map((d) => d.field)));
      expect([...fields], changed).toEqual(expect.arrayContaining(['outcome', 'reasons', 'firedRules']));
      expect(
        differing.some((r) => r.differences.some((d) => d.field === 'reasons' && (d.replayed as string[]).includes(code) && !(d.stored as string[]).includes(code))),
        changed,
      ).toBe(true);
      // The rest still reproduce: an edit changes only what it touches.
      expect(differing.length, changed).toBeLessThan(reports.length);
    }
    // Edit 5 moved only a region's limit, which a replay takes as the limits stage saw it then (an
    // input, like the model's score): every decision of the version before replays the same on it.
    const edit5 = (await archive.ofVersion(served[5] as string)) as RuleSet;
    for (const r of replayed.filter((x) => x.record.versions.rules === served[4])) expect((await replayDecision(r.record, identifiersOf(r), edit5)).reproduced).toBe(true);
  });

  it('a record whose stored inputs were altered does not reproduce, and the report says what differs', async () => {
    // An automatic personal-loan approval seen once: as if its phone had been seen five times.
    const target = replayed.find(
      (r) => r.record.product === 'personal_loan' && r.record.outcome === 'approve' && r.record.approvalLevel === 'auto' && (r.record.stages.find((s) => s.stage === 'fraud')?.provided?.velocity as { phone?: number } | undefined)?.phone === 1,
    );
    expect(target).toBeDefined();
    const { record } = target as Replayed;
    const stages = record.stages.map((s) => (s.stage === 'fraud' ? { ...s, provided: { ...s.provided, velocity: { ...(s.provided?.velocity as object), phone: 5 } } } : s));
    const ruleSet = (await archive.ofVersion(record.versions.rules)) as RuleSet;
    const report = await replayDecision({ ...record, stages }, identifiersOf(target as Replayed), ruleSet);
    expect(report.reproduced).toBe(false);
    expect(report.differences).toEqual(
      expect.arrayContaining([
        { field: 'outcome', stored: 'approve', replayed: 'review' },
        expect.objectContaining({ field: 'reasons', stored: [] }),
        expect.objectContaining({ field: 'approvalLevel', stored: 'auto', replayed: 'L2' }),
        { field: 'firedRules', stage: 'fraud', stored: [], replayed: ['velocity-phone'] },
      ]),
    );
  });

  it('an answer altered in the store does not reproduce, named by its field', async () => {
    const target = replayed.find((r) => r.record.outcome === 'decline' && r.record.product === 'micro_loan') as Replayed;
    expect(target).toBeDefined();
    const db = new Database(storeFile);
    try {
      const row = db.prepare<[string], { document: string; record: Buffer | null }>('SELECT document, record FROM decisions WHERE decision_id = ?').get(target.record.decisionId);
      expect(row).toBeDefined();
      const json = JSON.parse(decodeStoredDocument(row as { document: string; record: Buffer | null })) as DecisionRecord;
      db.prepare('UPDATE decisions SET record = ? WHERE decision_id = ?').run(encodeStoredDocument(JSON.stringify({ ...json, outcome: 'approve' })), target.record.decisionId);
    } finally {
      db.close();
    }
    const stored = reader.getDecision(target.record.decisionId);
    const record = stored?.document as DecisionRecord;
    expect(record.outcome).toBe('approve');
    const report = await replayDecision(record, identifiersOf(target), (await archive.ofVersion(record.versions.rules)) as RuleSet);
    expect(report.reproduced).toBe(false);
    expect(report.differences).toContainEqual({ field: 'outcome', stored: 'approve', replayed: 'decline' });
    expect(report.differences.map((d) => d.field)).toEqual(['outcome']);
  });
});
