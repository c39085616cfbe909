// The scoring stage over HTTP: grades and outcomes from the real model, request validation from
// its card, and what happens when the model is missing, corrupt or disagrees with its card.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application } from '../support/factories';
import { startTestServer, tempDir, type TestServer } from '../support/server';

const MODELS = path.resolve(import.meta.dirname, '../../models');
const card = JSON.parse(readFileSync(path.join(MODELS, 'credit-pd.card.json'), 'utf8'));

/** A models folder with the committed card and a model file of the test's choosing. */
function modelsDir(modelBytes?: Buffer, cardEdit?: (c: any) => void): string {
  const dir = tempDir('models-');
  const edited = structuredClone(card);
  cardEdit?.(edited);
  writeFileSync(path.join(dir, 'credit-pd.card.json'), JSON.stringify(edited));
  if (modelBytes) writeFileSync(path.join(dir, card.file), modelBytes);
  else copyFileSync(path.join(MODELS, card.file), path.join(dir, card.file));
  return dir;
}

const goodApplicant = application({
  amount: 2_000,
  termMonths: 12,
  applicant: { checkingAccountStatus: 'none', creditHistory: 'critical', savingsAccountBonds: 'gt_1000', employmentDuration: 'gt_7', property: 'real_estate', housing: 'own', otherInstallmentPlans: 'none', installmentRatePct: 1 },
});
const badApplicant = () =>
  application({
    amount: 15_000,
    termMonths: 60,
    applicant: {
      age: 23, checkingAccountStatus: 'lt_0', creditHistory: 'no_credit_all_paid', purpose: 'education', savingsAccountBonds: 'lt_100',
      employmentDuration: 'lt_1', property: 'unknown', housing: 'for_free', otherInstallmentPlans: 'bank', installmentRatePct: 3, hasTelephone: false,
    },
  });

describe('scoring with the committed model', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('a clearly good applicant: grade A, approved, priced, offered what was asked', async () => {
    const res = await server.post('/decide', goodApplicant);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ outcome: 'approve', score: { grade: 'A' }, offer: { limit: 2_000, annualRate: 0.059 }, versions: { model: `${card.modelId}@${card.version}` } });
    expect(res.body.score.pd).toBeLessThan(0.05);
    expect(res.body.score.points).toBeGreaterThan(600);
  });

  it('a clearly bad applicant: grade E, declined, with at least three adverse factors as plain-language reasons', async () => {
    const res = await server.post('/decide', badApplicant());
    expect(res.body.score.grade).toBe('E');
    expect(res.body.outcome).toBe('decline');
    const codes = res.body.reasons.map((r: { code: string }) => r.code);
    expect(codes).toContain('RISK_GRADE_TOO_LOW');
    const factors = res.body.reasons.filter((r: { code: string }) => r.code.startsWith('FACTOR_'));
    expect(factors.length).toBeGreaterThanOrEqual(3);
    expect(codes).toContain('FACTOR_CHECKING_ACCOUNT');
    for (const f of factors) expect(f.message.length).toBeGreaterThan(10);
    expect(res.body.score.adverseFactors.map((f: { code: string }) => f.code)).toEqual(factors.map((f: { code: string }) => f.code));
    expect(res.body.offer.limit).toBe(0);
  });

  it('the micro-loan template declines grade D and E instead of reviewing', async () => {
    const res = await server.post('/decide', { ...badApplicant(), product: 'micro_loan', amount: 2_500, termMonths: 24, identifiers: { phone: '1', email: 'a@b.c', deviceId: 'x' } });
    expect(res.body.outcome).toBe('decline');
    expect(res.body.reasons.map((r: { code: string }) => r.code)).toContain('RISK_GRADE_TOO_LOW');
  });

  it('a category the model has never seen is a 400 naming the field and the allowed values', async () => {
    const res = await server.post('/decide', application({ applicant: { savingsAccountBonds: 'offshore' } }));
    expect(res.status).toBe(400);
    const savings = card.features.find((f: { name: string }) => f.name === 'savingsAccountBonds');
    expect(res.body.error.details).toEqual([{ path: 'applicant.savingsAccountBonds', message: `expected one of: ${savings.categories.join(', ')}` }]);
  });

  it('fields the model does not use are still accepted (the request is the application, not the feature vector)', async () => {
    expect(card.features.map((f: { name: string }) => f.name)).not.toContain('personalStatusSex');
    const res = await server.post('/decide', application({ applicant: { personalStatusSex: 'female_not_single' } }));
    expect(res.status).toBe(200);
  });

  it('exposes model latency and population stability in /metrics', async () => {
    const metrics: string = (await server.get('/metrics')).body;
    expect(metrics).toMatch(/model_inference_duration_ms_count [1-9]/);
    // A handful of decisions is far below the PSI's minimum sample: the index is absent, its sample counted.
    expect(metrics).toMatch(/^model_score_psi_sample [1-9]\d*$/m);
    expect(metrics).not.toMatch(/^model_score_psi /m);
    expect(metrics).toContain(`model_info{version="${card.modelId}@${card.version}",status="ready"} 1`);
  });
});

describe('when the model is broken', () => {
  it('a corrupt model file: the service starts degraded and decisions go to review with MODEL_UNAVAILABLE', async () => {
    const server = await startTestServer({ env: { MODELS_DIR: modelsDir(Buffer.from('not an onnx model')) } });
    try {
      const ready = await server.get('/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('degraded');
      expect(ready.body.checks.model.detail).toMatch(/SHA-256/);
      const res = await server.post('/decide', goodApplicant);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ outcome: 'review', score: null, offer: null, versions: { model: null } });
      expect(res.body.reasons).toEqual([{ code: 'MODEL_UNAVAILABLE', stage: 'scoring', message: expect.any(String) }]);
      const stored = await server.get(`/decisions/${res.body.decisionId}`);
      expect(stored.body.stages.find((s: { stage: string }) => s.stage === 'scoring').fallback).toMatchObject({ cause: 'error', reason: 'MODEL_UNAVAILABLE' });
      expect((await server.get('/metrics')).body).toMatch(/model_fallbacks_total\{cause="error"\} 1/);
    } finally {
      await server.close();
    }
  });

  it('a missing model file: degraded, not down', async () => {
    const dir = tempDir('models-');
    const server = await startTestServer({ env: { MODELS_DIR: dir } });
    try {
      expect((await server.get('/ready')).body.checks.model).toMatchObject({ ok: true, degraded: true, detail: expect.stringMatching(/could not be read/) });
      expect((await server.post('/decide', goodApplicant)).body.outcome).toBe('review');
    } finally {
      await server.close();
    }
  });

  it('a card that disagrees with the model: not served, degraded saying what differs, decisions take the fallback', async () => {
    const dir = modelsDir(undefined, (c) => {
      const housing = c.features.find((f: { name: string }) => f.name === 'housing');
      housing.categories = housing.categories.slice(0, -1);
      c.input.width -= 1;
    });
    const server = await startTestServer({ env: { MODELS_DIR: dir } });
    try {
      const ready = await server.get('/ready');
      expect(ready.body).toMatchObject({ status: 'degraded', checks: { model: { ok: true, degraded: true } } });
      expect(ready.body.checks.model.detail).toContain(`the card's features encode to width ${card.input.width - 1}, the model expects shape [N, ${card.input.width}]`);
      const res = await server.post('/decide', goodApplicant);
      expect(res.status).toBe(200);
      expect(res.body.reasons.map((r: { code: string }) => r.code)).toContain('MODEL_UNAVAILABLE');
    } finally {
      await server.close();
    }
  });

  it('a model file with one byte changed is refused by its hash, even if it would still load and score', async () => {
    const bytes = readFileSync(path.join(MODELS, card.file));
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] as number) ^ 0x01;
    const server = await startTestServer({ env: { MODELS_DIR: modelsDir(bytes) } });
    try {
      const ready = await server.get('/ready');
      expect(ready.body.status).toBe('degraded');
      expect(ready.body.checks.model.detail).toMatch(/SHA-256 .* the card says .*corrupted or swapped/);
      expect((await server.post('/decide', goodApplicant)).body.reasons.map((r: { code: string }) => r.code)).toContain('MODEL_UNAVAILABLE');
    } finally {
      await server.close();
    }
  });

  it('every reference row is checked at start: the last one off by 0.01 is named', async () => {
    const last = card.referenceRows[card.referenceRows.length - 1];
    const dir = modelsDir(undefined, (c) => {
      c.referenceRows[c.referenceRows.length - 1].expectedPd += 0.01;
    });
    const server = await startTestServer({ env: { MODELS_DIR: dir } });
    try {
      expect((await server.get('/ready')).body.checks.model.detail).toMatch(new RegExp(`reference row ${last.row} scores .* the card says`));
    } finally {
      await server.close();
    }
  });

});
