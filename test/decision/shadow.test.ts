// Shadow (champion–challenger) flows: a product's challenger decides each application after the
// champion has answered, on the same inputs, and what it decided is stored beside the decision.
// Whatever the challenger does (disagree, throw, hang), the champion's answer and the exposure
// ledger are what they would have been without it, and the answer never waits for it.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { applicationSchemaFor, type Application } from '../../src/decision/application';
import type { DecisionDocument } from '../../src/decision/document';
import { DecisionService, responseOf } from '../../src/decision/service';
import { ShadowRunner, shadowReportOf, type ShadowDeps, type ShadowResult } from '../../src/decision/shadow';
import { standardProviders } from '../../src/decision/stages';
import { IdentifierProtector } from '../../src/identity/identifiers';
import { ExposureBook } from '../../src/limits/exposure-book';
import { compileRuleSet, type RuleFileText } from '../../src/rules/compile';
import { formatDiagnostic } from '../../src/rules/diagnostics';
import { MODEL_INPUT_FIELDS } from '../../src/rules/facts';
import { readRuleFiles } from '../../src/rules/load';
import type { RuleSet } from '../../src/rules/ruleset';
import { cardOf, loadCreditModel, type CreditModel } from '../../src/scoring/onnx-model';
import { AuditStore, type ShadowRow } from '../../src/store/audit-store';
import { VelocityIndex } from '../../src/velocity/velocity-index';
import { application } from '../support/factories';
import { REPO_RULES, tempDir } from '../support/server';
import { LocalDecisionCommitter } from '../../src/store/local-decision-commit';

const protector = new IdentifierProtector(randomBytes(32), { defaultCountryCode: '86' });
let compile: (files: readonly RuleFileText[]) => ReturnType<typeof compileRuleSet>;
let shipped: RuleFileText[];
let model: CreditModel | undefined;

/** The personal-loan flow with applicants under 30 declined (the shipped floor is 21), as the challenger. */
const challengerFile = (): RuleFileText => {
  const flow = shipped.find((f) => f.relPath === 'flows/personal_loan.json') as RuleFileText;
  return { relPath: 'shadow/personal_loan.json', displayPath: 'rules/shadow/personal_loan.json', text: flow.text.replace('"< 21"', '"< 30"') };
};

const ruleSetOf = (files: readonly RuleFileText[]): RuleSet => {
  const result = compile(files);
  if (!result.ok) throw new Error(result.diagnostics.map(formatDiagnostic).join('\n'));
  return result.ruleSet;
};

const applications = (): Application[] =>
  Array.from({ length: 16 }, (_, i) => application({ applicationId: `SH-${i}`, region: i % 2 ? 'east' : 'north', amount: 1_000 + 400 * i, applicant: { age: 19 + i }, identifiers: { phone: `+86 139 7777 ${String(1000 + i)}` } }));

/** A decision service over its own store and ledger; `shadow` runs challengers if given. */
function serviceOf(ruleSet: RuleSet, shadow?: (store: AuditStore) => ShadowRunner) {
  const store = new AuditStore(path.join(tempDir(), 'audit.db'));
  const exposure = new ExposureBook();
  const velocity = new VelocityIndex();
  const runner = shadow?.(store);
  const service = new DecisionService({
    store,
    committer: new LocalDecisionCommitter(store, exposure),
    ruleSet: () => ruleSet,
    protector,
    clock: () => Date.parse('2026-11-02T10:00:00Z'),
    providers: standardProviders({ velocity, exposure, scoring: { model: () => model, unavailableReason: () => 'no model' } }),
    ...(runner ? { shadow: runner } : {}),
  });
  return { store, exposure, service, runner };
}

/** What a caller gets, without what differs between any two services (ids, times, the rule-set version). */
const answerOf = (d: DecisionDocument) => {
  const { decisionId: _id, timings: _t, versions: _v, decidedAt: _at, ...rest } = responseOf(d);
  return rest;
};

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

beforeAll(async () => {
  const modelLoad = await loadCreditModel(path.resolve(import.meta.dirname, '../../models'), 'credit-pd.card.json', MODEL_INPUT_FIELDS);
  if (modelLoad.status !== 'ready') throw new Error(modelLoad.detail);
  model = modelLoad.model;
  const applicationSchema = applicationSchemaFor(cardOf(modelLoad));
  compile = (files) => compileRuleSet(files, { hashIdentifier: (type, raw) => protector.hash(type, raw), applicationSchema });
  shipped = await readRuleFiles(REPO_RULES);
});

describe('a challenger flow file', () => {
  it('compiles beside its champion into the rule set, versioned by its content', () => {
    const ruleSet = ruleSetOf([...shipped, challengerFile()]);
    const challenger = ruleSet.challengers.get('personal_loan');
    expect(challenger).toMatchObject({ file: 'shadow/personal_loan.json', version: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(ruleSet.flows.get('personal_loan')).not.toBe(challenger?.flow);
    expect(ruleSetOf(shipped).challengers.size).toBe(0);
  });

  it('is checked as a flow is, and needs a champion of its product', () => {
    const orphan = { ...challengerFile(), relPath: 'shadow/car_loan.json', displayPath: 'rules/shadow/car_loan.json', text: challengerFile().text.replace('"product": "personal_loan"', '"product": "car_loan"') };
    const broken = { ...challengerFile(), text: challengerFile().text.replace('"applicant.age": "< 30"', '"applicant.agee": "< 30"') };
    const result = compile([...shipped, orphan, broken]);
    expect(result.ok).toBe(false);
    const messages = result.ok ? [] : result.diagnostics.map(formatDiagnostic);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^rules\/shadow\/car_loan\.json:\d+:\d+ product: a challenger needs its champion: there is no flows\/car_loan\.json$/),
        expect.stringMatching(/^rules\/shadow\/personal_loan\.json:20:\d+ stages\[0\]\.tables\[0\]\.rows\[0\].*applicant\.agee/),
      ]),
    );
  });
});

describe('the shadow runner', () => {
  it("decides after the champion, stores agreement or disagreement beside the decision, and leaves the answer and the ledger as they were", async () => {
    const withChallenger = ruleSetOf([...shipped, challengerFile()]);
    const results: ShadowResult[] = [];
    const shadowed = serviceOf(withChallenger, (store) => new ShadowRunner({ write: (row) => store.writeShadow(row), saturated: () => false, onResult: (_p, r) => results.push(r) }));
    const plain = serviceOf(ruleSetOf(shipped));
    const ages = new Map<string, number>();
    for (const a of applications()) {
      const withShadow = await shadowed.service.decide(a, 'los');
      const without = await plain.service.decide(a, 'los');
      expect(answerOf(withShadow.document)).toEqual(answerOf(without.document));
      ages.set(withShadow.document.decisionId, a.applicant.age);
    }
    await shadowed.runner?.idle();
    const ledger = (book: ExposureBook) => book.regionNames().map((r) => [r, book.get(r)]);
    expect(ledger(shadowed.exposure)).toEqual(ledger(plain.exposure));
    expect(ledger(shadowed.exposure).length).toBeGreaterThan(0);

    let disagreements = 0;
    for (const [decisionId, age] of ages) {
      const row = shadowed.store.shadowOf(decisionId) as ShadowRow;
      const champion = shadowed.store.getDecision(decisionId)?.outcome;
      expect(row).toMatchObject({ status: 'decided', championOutcome: champion, challengerVersion: withChallenger.challengers.get('personal_loan')?.version });
      if (age >= 21 && age < 30 && champion !== 'decline') {
        disagreements += 1;
        expect(row.challengerOutcome).toBe('decline');
        expect(JSON.parse(row.challengerReasons as string)).toContain('AGE_BELOW_MINIMUM');
      } else expect(row.challengerOutcome).toBe(champion);
    }
    expect(disagreements).toBeGreaterThan(3);
    expect(results.filter((r) => r === 'disagree')).toHaveLength(disagreements);
    expect(results.filter((r) => r === 'agree')).toHaveLength(ages.size - disagreements);
    await shadowed.store.close();
    await plain.store.close();
  });

  it('a challenger that throws is stored as failed; the champion answers as without it', async () => {
    const ruleSet = ruleSetOf([...shipped, challengerFile()]);
    const { service, store, runner } = serviceOf(ruleSet, (s) => new ShadowRunner({ write: (row) => s.writeShadow(row), saturated: () => false, decide: () => Promise.reject(new Error('challenger broke')) }));
    const plain = serviceOf(ruleSetOf(shipped));
    const [a] = applications();
    const { document } = await service.decide(a as Application, 'los');
    expect(answerOf(document)).toEqual(answerOf((await plain.service.decide(a as Application, 'los')).document));
    await runner?.idle();
    expect(store.shadowOf(document.decisionId)).toMatchObject({ status: 'failed', challengerOutcome: null, championOutcome: document.outcome });
    await store.close();
    await plain.store.close();
  });

  it('a challenger that hangs does not hold the answer; at the end of its budget it is stored as timed out', async () => {
    const ruleSet = ruleSetOf([...shipped, challengerFile()]);
    const budget = deferred();
    const budgets: number[] = [];
    const deps = (s: AuditStore): ShadowDeps => ({
      write: (row) => s.writeShadow(row),
      saturated: () => false,
      decide: () => new Promise(() => undefined),
      after: (ms) => {
        budgets.push(ms);
        return budget.promise;
      },
    });
    const { service, store, runner } = serviceOf(ruleSet, (s) => new ShadowRunner(deps(s)));
    const [a] = applications();
    const { document } = await service.decide(a as Application, 'los');
    // The answer is here while the challenger has not finished: nothing is stored for it yet.
    await new Promise((r) => setImmediate(r));
    expect(store.getDecision(document.decisionId)).toBeDefined();
    expect(store.shadowOf(document.decisionId)).toBeUndefined();
    expect(budgets).toEqual([ruleSet.challengers.get('personal_loan')?.flow.budgetMs]);
    budget.resolve();
    await runner?.idle();
    expect(store.shadowOf(document.decisionId)).toMatchObject({ status: 'timed_out', challengerOutcome: null });
    await store.close();
  });

  it('is skipped while the service sheds load (optional work), and counted', async () => {
    const ruleSet = ruleSetOf([...shipped, challengerFile()]);
    const results: ShadowResult[] = [];
    const { service, store, runner } = serviceOf(ruleSet, (s) => new ShadowRunner({ write: (row) => s.writeShadow(row), saturated: () => true, onResult: (_p, r) => results.push(r) }));
    const [a] = applications();
    const { document } = await service.decide(a as Application, 'los');
    await runner?.idle();
    expect(store.shadowOf(document.decisionId)).toBeUndefined();
    expect(results).toEqual(['skipped_under_load']);
    await store.close();
  });
});

describe('the shadow report', () => {
  it('counts agreement and the transition matrix over decided runs, by region, and failures apart', () => {
    const report = shadowReportOf('personal_loan', { from: null, to: null }, [
      { region: 'east', champion: 'approve', challenger: 'approve', status: 'decided', decisions: 6, elapsedMsSum: 6, elapsedMsMax: 2 },
      { region: 'east', champion: 'approve', challenger: 'decline', status: 'decided', decisions: 2, elapsedMsSum: 2, elapsedMsMax: 1 },
      { region: 'north', champion: 'review', challenger: 'review', status: 'decided', decisions: 2, elapsedMsSum: 2, elapsedMsMax: 1 },
      { region: 'north', champion: 'review', challenger: null, status: 'timed_out', decisions: 1, elapsedMsSum: 50, elapsedMsMax: 50 },
      { region: 'north', champion: 'decline', challenger: null, status: 'failed', decisions: 1, elapsedMsSum: 0, elapsedMsMax: 0 },
    ]);
    expect(report).toEqual({
      product: 'personal_loan',
      from: null,
      to: null,
      decisions: 12,
      decided: 10,
      failed: 1,
      timedOut: 1,
      agreement: 0.8,
      disagreements: 2,
      transitions: { 'approve->approve': 6, 'approve->decline': 2, 'review->review': 2 },
      regions: [
        { region: 'east', decisions: 8, agreement: 0.75, transitions: { 'approve->approve': 6, 'approve->decline': 2 } },
        { region: 'north', decisions: 4, agreement: 1, transitions: { 'review->review': 2 } },
      ],
      challengerMs: { mean: 5, max: 50 },
    });
  });
});
