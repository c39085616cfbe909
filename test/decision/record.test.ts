// The audit store keeps a lean record of each decision, and a stored decision still reads exactly
// as it was decided: every field, the facts, and each rule's condition results, regained by
// replaying the record against the archived version of the rules, even after they were edited.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roundTo } from '../../src/common/round';
import { applicationSchemaFor, type Application } from '../../src/decision/application';
import type { DecisionDocument } from '../../src/decision/document';
import type { StageProvider } from '../../src/decision/flow';
import { RuleSetVersions } from '../../src/decision/rule-set-versions';
import { DecisionService, type DecisionView } from '../../src/decision/service';
import { standardProviders } from '../../src/decision/stages';
import { IdentifierProtector, type IdentifierType } from '../../src/identity/identifiers';
import { ExposureBook } from '../../src/limits/exposure-book';
import { compileRuleSet, type RuleFileText } from '../../src/rules/compile';
import { MODEL_INPUT_FIELDS } from '../../src/rules/facts';
import { readRuleFiles } from '../../src/rules/load';
import type { RuleSet } from '../../src/rules/ruleset';
import { cardOf, loadCreditModel } from '../../src/scoring/onnx-model';
import { AuditStore } from '../../src/store/audit-store';
import { decodeStoredDocument, encodeStoredDocument } from '../../src/store/decision-writer';
import { VelocityIndex } from '../../src/velocity/velocity-index';
import { readGermanCredit } from '../support/german-credit';
import { REPO_RULES, tempDir } from '../support/server';
import { LocalDecisionCommitter } from '../../src/store/local-decision-commit';

const BLOCKED_PHONE = '+86 170 0000 0001';
const protector = new IdentifierProtector(randomBytes(32), { defaultCountryCode: '86' });
let compile: (files: readonly RuleFileText[]) => RuleSet;
let files: RuleFileText[];
let current: RuleSet;
let store: AuditStore;
let file: string;
let service: DecisionService;
const decided = new Map<string, DecisionDocument>();

/** What GET /decisions/:id adds to the decided document (status, history, …), taken off to compare. */
function asDecided(view: DecisionView): DecisionDocument {
  const { status: _s, currentOutcome: _c, history: _h, reservation: _r, caller: _caller, traces: _t, ...document } = view;
  return document;
}

/** The document as decided, with stage durations as the response gives them (to the microsecond). */
function expected(document: DecisionDocument): DecisionDocument {
  return { ...document, stages: document.stages.map((s) => ({ ...s, durationMs: roundTo(s.durationMs, 3) })) };
}

function serviceWith(versions: RuleSetVersions, velocity: VelocityIndex, exposure: ExposureBook, model: Parameters<typeof standardProviders>[0]['scoring']['model']) {
  const providers = standardProviders({ velocity, exposure, scoring: { model, unavailableReason: () => 'no model' } });
  // Every 13th amount makes the fraud stage fail: its fallback is part of what a record must keep.
  const failing: StageProvider = (context) => {
    if ((context.facts.amount as number) % 13 === 0) throw new Error('graph unavailable');
    return (providers.fraud as StageProvider)(context);
  };
  return new DecisionService({
    store,
    committer: new LocalDecisionCommitter(store, exposure),
    ruleSet: () => current,
    protector,
    providers: { ...providers, fraud: failing },
    modelVersion: () => 'german-credit-pd@test',
    archiveRuleSet: (ruleSet) => versions.archive(ruleSet),
    ruleSetOfVersion: (version) => versions.ofVersion(version),
    observer: { onDecision: (document) => decided.set(document.decisionId, document) },
    onCommitted: (row) => {
      for (const id of row.identifiers) velocity.record({ type: id.type as IdentifierType, hash: id.hash, at: row.decidedAt });
    },
  });
}

beforeAll(async () => {
  const modelLoad = await loadCreditModel(path.resolve(import.meta.dirname, '../../models'), 'credit-pd.card.json', MODEL_INPUT_FIELDS);
  if (modelLoad.status !== 'ready') throw new Error(modelLoad.detail);
  const applicationSchema = applicationSchemaFor(cardOf(modelLoad));
  compile = (texts) => {
    const result = compileRuleSet(texts, { hashIdentifier: (type, raw) => protector.hash(type, raw), applicationSchema });
    if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
    return result.ruleSet;
  };
  files = await readRuleFiles(REPO_RULES);
  current = compile(files);
  file = path.join(tempDir(), 'audit.db');
  store = new AuditStore(file, { decisionWriter: 'worker' });
  await store.ready();
  const versions = new RuleSetVersions({ store, current: () => current, compile: (texts) => ({ ok: true, ruleSet: compile(texts) }), clock: Date.now });
  const { model } = modelLoad;
  service = serviceWith(versions, new VelocityIndex(), new ExposureBook(), () => model);

  // 240 applications from the German credit data, both products, some sharing a phone (velocity),
  // some on the blocked list, some whose fraud stage fails.
  const rows = readGermanCredit().slice(0, 240);
  // One after another: each sees the velocity the ones before it left.
  for (const [i, r] of rows.entries()) {
    await (() => {
      const micro = i % 4 === 3;
      const application: Application = {
        applicationId: `REC-${i}`,
        product: micro ? 'micro_loan' : 'personal_loan',
        region: ['east', 'north', 'south'][i % 3] as string,
        amount: micro ? 300 + (r.amount % 4_000) : r.amount,
        termMonths: micro ? Math.min(r.termMonths, 12) : r.termMonths,
        applicant: r.applicant,
        identifiers: {
          phone: i % 17 === 0 ? BLOCKED_PHONE : `+86 139 ${String(1000 + Math.floor(i / 3)).padStart(4, '0')} 0000`,
          email: `applicant${i}@example.com`,
          deviceId: `device-record-${i % 50}`,
          nationalId: `PASSPORT${100000 + i}`,
        },
      };
      return service.decide(application, 'key:test');
    })();
  }
}, 60_000);

afterAll(async () => {
  await store.close();
  if (process.env.KEEP_RECORD_DB) (await import('node:fs')).copyFileSync(file, process.env.KEEP_RECORD_DB);
});

describe('a stored decision', () => {
  it('covers what a record must keep: every outcome, both products, fallbacks, list hits and velocity', () => {
    const docs = [...decided.values()];
    expect(docs).toHaveLength(240);
    expect(new Set(docs.map((d) => d.outcome))).toEqual(new Set(['approve', 'review', 'decline']));
    expect(new Set(docs.map((d) => d.product))).toEqual(new Set(['personal_loan', 'micro_loan']));
    expect(docs.some((d) => d.stages.some((s) => s.status === 'fallback'))).toBe(true);
    expect(docs.some((d) => d.stages.some((s) => s.status === 'skipped'))).toBe(true);
    expect(docs.some((d) => d.reasons.some((r) => r.code === 'BLOCKLISTED_PHONE'))).toBe(true);
    expect(docs.some((d) => ((d.facts as { velocity?: { phone?: number } }).velocity?.phone ?? 0) >= 3)).toBe(true);
  });

  it('reads as it was decided: every field, the facts, and every rule with each condition result', async () => {
    for (const [decisionId, document] of decided) {
      const view = (await service.getDecision(decisionId)) as DecisionView;
      expect(view.traces, decisionId).toEqual({ status: 'replayed', ruleSetVersion: current.version });
      expect(asDecided(view), decisionId).toEqual(expected(document));
    }
  });

  it('is stored lean: at most 1 KB compressed per record (most far less), and no identifier hash in it', () => {
    const db = new Database(file, { readonly: true });
    const rows = db.prepare<[], { application_id: string; document: string; record: Buffer }>('SELECT application_id, document, record FROM decisions').all();
    const hashes = db.prepare<[], { hash: string }>('SELECT hash FROM application_identifiers').all().map((r) => r.hash);
    db.close();
    expect(rows).toHaveLength(240);
    for (const row of rows) {
      expect(row.document).toBe('');
      expect(row.record.length, row.application_id).toBeLessThanOrEqual(1024);
      const json = decodeStoredDocument(row);
      for (const h of hashes) expect(json.includes(h), `${row.application_id} holds an identifier hash`).toBe(false);
      expect(json).not.toMatch(/[0-9a-f]{64}/);
    }
  });

  it('after the rules are edited, replays against the archived version it was made with (also after a restart)', async () => {
    const before = current;
    // An edit that would change the replay if it ran on the new rules: the blocked phone is no longer listed.
    current = compile(files.map((f) => (f.relPath === 'lists/blocked-phones.json' ? { ...f, text: f.text.replace(`"${BLOCKED_PHONE}", `, '') } : f)));
    expect(current.version).not.toBe(before.version);
    try {
      // A fresh archive reader, as after a restart: the old version is compiled from the store.
      const versions = new RuleSetVersions({ store, current: () => current, compile: (texts) => ({ ok: true, ruleSet: compile(texts) }), clock: Date.now });
      const restarted = serviceWith(versions, new VelocityIndex(), new ExposureBook(), () => undefined);
      const blocked = [...decided.values()].filter((d) => d.reasons.some((r) => r.code === 'BLOCKLISTED_PHONE'));
      expect(blocked.length).toBeGreaterThan(3);
      for (const document of blocked) {
        const view = (await restarted.getDecision(document.decisionId)) as DecisionView;
        expect(view.traces).toEqual({ status: 'replayed', ruleSetVersion: before.version });
        expect(asDecided(view)).toEqual(expected(document));
      }
    } finally {
      current = before;
    }
  });

  it('archives lists by their hashes only: no raw identifier is stored', () => {
    const archived = store.archivedRuleSet(current.version);
    const list = archived?.files.find((f) => f.path === 'lists/blocked-phones.json');
    expect(list?.text).toContain(protector.hash('phone', BLOCKED_PHONE));
    for (const f of archived?.files ?? []) expect(f.text).not.toContain('170 0000');
  });

  it('without its archived rules, says so and still shows everything but the rule results', async () => {
    const db = new Database(file);
    const version = current.version;
    const saved = db.prepare<[string], { version: string; files: string; archived_at: number }>('SELECT * FROM rule_set_versions WHERE version = ?').get(version);
    db.prepare('DELETE FROM rule_set_versions WHERE version = ?').run(version);
    const edited = compile(files.map((f) => (f.relPath === 'reasons.json' ? { ...f, text: `${f.text}\n` } : f)));
    const before = current;
    current = edited;
    try {
      const versions = new RuleSetVersions({ store, current: () => current, compile: (texts) => ({ ok: true, ruleSet: compile(texts) }), clock: Date.now });
      const restarted = serviceWith(versions, new VelocityIndex(), new ExposureBook(), () => undefined);
      const [decisionId, document] = [...decided][0] as [string, DecisionDocument];
      const view = (await restarted.getDecision(decisionId)) as DecisionView;
      expect(view.traces).toEqual({ status: 'unavailable', detail: `rule set ${version} is not in the archive` });
      const shown = asDecided(view);
      expect({ ...shown, stages: shown.stages.map(({ rules: _r, ...s }) => s) }).toEqual({ ...expected(document), stages: expected(document).stages.map(({ rules: _r, ...s }) => s) });
    } finally {
      current = before;
      db.prepare('INSERT INTO rule_set_versions (version, files, archived_at) VALUES (?, ?, ?)').run(saved!.version, saved!.files, saved!.archived_at);
      db.close();
    }
  });
});

describe('a stored decision whose identifiers retention forgot', () => {
  it('shows them as purged; its record needs no rewrite (it names no hash)', async () => {
    const [decisionId, document] = [...decided].find(([, d]) => d.outcome === 'approve') as [string, DecisionDocument];
    const stored = store.getDecision(decisionId)!;
    const before = new Database(file, { readonly: true }).prepare<[string], { record: Buffer }>('SELECT record FROM decisions WHERE decision_id = ?').get(decisionId)!.record;
    await store.commit(() => store.purgeIdentifiers([{ decisionId, applicationId: stored.applicationId, pending: false }]));
    const after = new Database(file, { readonly: true }).prepare<[string], { record: Buffer }>('SELECT record FROM decisions WHERE decision_id = ?').get(decisionId)!.record;
    expect(after.equals(before)).toBe(true);
    const view = (await service.getDecision(decisionId)) as DecisionView;
    for (const [type, id] of Object.entries(view.request.identifiers)) {
      expect(id, type).toEqual({ hash: 'purged', masked: document.request.identifiers[type as IdentifierType]!.masked, valid: document.request.identifiers[type as IdentifierType]!.valid });
    }
    expect(view.outcome).toBe(document.outcome);
    expect(view.reasons).toEqual(document.reasons);
  });
});

describe('replaying a stored decision', () => {
  it('reproduces every one of them exactly: outcome, reasons, offer, approval level, fired rules', async () => {
    for (const decisionId of decided.keys()) {
      const report = await service.replayStored(decisionId);
      expect(report, decisionId).toEqual({ decisionId, ruleSetVersion: current.version, reproduced: true, differences: [] });
    }
  });

  it('says what differs when the stored record does not reproduce (here: an outcome altered in the store)', async () => {
    const [decisionId, document] = [...decided].find(([, d]) => d.outcome === 'decline') as [string, DecisionDocument];
    const db = new Database(file);
    const row = db.prepare<[string], { document: string; record: Buffer }>('SELECT document, record FROM decisions WHERE decision_id = ?').get(decisionId)!;
    const tampered = { ...JSON.parse(decodeStoredDocument(row)), outcome: 'approve' };
    db.prepare('UPDATE decisions SET record = ? WHERE decision_id = ?').run(encodeStoredDocument(JSON.stringify(tampered)), decisionId);
    try {
      const report = await service.replayStored(decisionId);
      expect(report?.reproduced).toBe(false);
      expect(report?.differences).toEqual([{ field: 'outcome', stored: 'approve', replayed: 'decline' }]);
    } finally {
      db.prepare('UPDATE decisions SET record = ? WHERE decision_id = ?').run(row.record, decisionId);
      db.close();
    }
    expect((await service.replayStored(decisionId))?.reproduced).toBe(true);
    expect(document.outcome).toBe('decline');
  });

  it('refuses, naming the version, when the rules it was made with are not archived; never replays on other rules', async () => {
    const versions = new RuleSetVersions({ store, current: () => compile(files.map((f) => (f.relPath === 'reasons.json' ? { ...f, text: `${f.text} ` } : f))), compile: () => ({ ok: false, diagnostics: [] }), clock: Date.now });
    const db = new Database(file);
    const saved = db.prepare<[string], { version: string; files: string; archived_at: number }>('SELECT * FROM rule_set_versions WHERE version = ?').get(current.version)!;
    db.prepare('DELETE FROM rule_set_versions WHERE version = ?').run(current.version);
    try {
      const restarted = serviceWith(versions, new VelocityIndex(), new ExposureBook(), () => undefined);
      await expect(restarted.replayStored([...decided.keys()][0] as string)).rejects.toThrow(new RegExp(`rule set ${current.version} is not in the archive`));
      expect(await restarted.replayStored('no-such-decision')).toBeUndefined();
    } finally {
      db.prepare('INSERT INTO rule_set_versions (version, files, archived_at) VALUES (?, ?, ?)').run(saved.version, saved.files, saved.archived_at);
      db.close();
    }
  });
});
