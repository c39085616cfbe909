// The gang-case model end to end: the TypeScript fit recovers known coefficients, the ONNX it
// exports scores like the fit through onnxruntime-node (on and off the main thread), and a model
// that disagrees with its card is refused with the reason.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { loadGangModel, saveGangModel, type GangModel } from '../../src/graph/gang-model';
import { fitLogisticRegression, predictGang, rocAuc, type GangParameters } from '../../src/graph/gang-training';
import { seededRandom } from '../../src/graph/rng';
import { tempDir } from '../support/server';
import type { GangWorkerInput, GangWorkerReply } from './fixtures/gang-worker';

const FEATURES = ['members', 'sharedDeviceRatio', 'medianAgeDays'] as const;
// Raw-scale truth: logit = b0 + Σ b·x. The features have very different scales on purpose.
const TRUE_BIAS = -11.5;
const TRUE_COEF = [0.8, -1.5, 0.03];
const MEANS = [5, -3, 100];
const STDS = [2, 0.5, 20];

function normal(rnd: () => number): number {
  // Box–Muller; 1 − u keeps the log's argument in (0, 1].
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

function synthetic(n: number, seed: number): { rows: number[][]; labels: (0 | 1)[] } {
  const rnd = seededRandom(seed);
  const rows: number[][] = [];
  const labels: (0 | 1)[] = [];
  for (let i = 0; i < n; i++) {
    const row = MEANS.map((m, j) => m + STDS[j]! * normal(rnd));
    const logit = TRUE_BIAS + row.reduce((z, x, j) => z + TRUE_COEF[j]! * x, 0);
    rows.push(row);
    labels.push(rnd() < 1 / (1 + Math.exp(-logit)) ? 1 : 0);
  }
  return { rows, labels };
}

const data = synthetic(4000, 20260101);
const fitted = fitLogisticRegression(data.rows, data.labels, { l2: 1e-3 });
const rawCoefficients = (p: GangParameters) => p.weights.map((w, j) => w / p.scale[j]!);
const rawBias = (p: GangParameters) => p.bias - p.weights.reduce((b, w, j) => b + (w * p.mean[j]!) / p.scale[j]!, 0);

function save(dir: string, params = fitted, overrides: Partial<Parameters<typeof saveGangModel>[1]> = {}) {
  return saveGangModel(dir, {
    params,
    featureNames: FEATURES,
    modelId: 'gang-case',
    version: '2026.1.0',
    training: { populations: 1, rows: data.rows.length, positives: data.labels.filter((y) => y === 1).length, l2: 1e-3 },
    evaluation: { heldOutAuc: 0.9 },
    referenceRows: data.rows.slice(0, 5),
    ...overrides,
  });
}

async function ready(dir: string, cardFile = 'gang-model.card.json'): Promise<GangModel> {
  const load = await loadGangModel(dir, cardFile, FEATURES);
  if (load.status !== 'ready') throw new Error(`${load.status}: ${load.detail}`);
  return load.model;
}

describe('fitLogisticRegression', () => {
  it('recovers the generating coefficients of a seeded synthetic data set', () => {
    rawCoefficients(fitted).forEach((b, j) => expect(Math.abs(b - TRUE_COEF[j]!), `coefficient ${j}`).toBeLessThan(0.12 * Math.abs(TRUE_COEF[j]!) + 0.01));
    expect(Math.abs(rawBias(fitted) - TRUE_BIAS)).toBeLessThan(1);
    expect(fitted.mean.map((m, j) => Math.abs(m - MEANS[j]!) < 0.1 * STDS[j]!)).toEqual([true, true, true]);
  });

  it('converges: the penalised gradient vanishes at the solution', () => {
    const l2 = 1e-3;
    const gradient = new Array<number>(4).fill(0);
    data.rows.forEach((row, i) => {
      const residual = predictGang(fitted, row) - data.labels[i]!;
      gradient[0]! += residual;
      row.forEach((x, j) => (gradient[j + 1]! += residual * ((x - fitted.mean[j]!) / fitted.scale[j]!)));
    });
    fitted.weights.forEach((w, j) => (gradient[j + 1]! += l2 * w));
    for (const g of gradient) expect(Math.abs(g)).toBeLessThan(1e-6);
  });

  it('shrinks the weights as l2 grows, never the intercept towards 0', () => {
    const strong = fitLogisticRegression(data.rows, data.labels, { l2: 2000 });
    const norm = (p: GangParameters) => Math.hypot(...p.weights);
    expect(norm(strong)).toBeLessThan(norm(fitted) / 2);
    const baseRate = data.labels.filter((y) => y === 1).length / data.labels.length;
    const huge = fitLogisticRegression(data.rows, data.labels, { l2: 1e12 });
    expect(Math.abs(1 / (1 + Math.exp(-huge.bias)) - baseRate)).toBeLessThan(1e-6);
  });

  it('treats a sample weight of 2 as a duplicated row, and a constant feature as scale 1', () => {
    const small = synthetic(300, 7);
    const weights = small.rows.map((_, i) => (i % 3 === 0 ? 2 : 1));
    const weighted = fitLogisticRegression(small.rows, small.labels, { l2: 0.5, sampleWeights: weights });
    const rows = small.rows.flatMap((r, i) => (i % 3 === 0 ? [r, r] : [r]));
    const labels = small.labels.flatMap((y, i) => (i % 3 === 0 ? [y, y] : [y]));
    const duplicated = fitLogisticRegression(rows, labels, { l2: 0.5 });
    weighted.mean.forEach((m, j) => expect(m).toBeCloseTo(duplicated.mean[j]!, 10));
    weighted.weights.forEach((w, j) => expect(w).toBeCloseTo(duplicated.weights[j]!, 8));
    expect(weighted.bias).toBeCloseTo(duplicated.bias, 8);

    const constant = fitLogisticRegression(small.rows.map((r) => [...r, 4]), small.labels, { l2: 0.5 });
    expect(constant.scale[3]).toBe(1);
    expect(constant.weights[3]).toBeCloseTo(0, 12);
  });
});

describe('rocAuc', () => {
  it('agrees with a brute-force count of pairs, ties counted half', () => {
    // Rounded scores: many ties.
    const scores = data.rows.slice(0, 1500).map((r) => Math.round(predictGang(fitted, r) * 20) / 20);
    const labels = data.labels.slice(0, 1500);
    let wins = 0;
    let pairs = 0;
    scores.forEach((sp, i) => {
      if (labels[i] !== 1) return;
      scores.forEach((sn, k) => {
        if (labels[k] !== 0) return;
        pairs++;
        wins += sp > sn ? 1 : sp === sn ? 0.5 : 0;
      });
    });
    expect(rocAuc(scores, labels)).toBeCloseTo(wins / pairs, 12);
    expect(rocAuc([0.1, 0.1], [1, 0])).toBe(0.5);
    expect(rocAuc([0.2, 0.9], [1, 1])).toBeNaN();
  });
});

describe('the exported model through onnxruntime-node', () => {
  it('scores 50 rows as predictGang does (to 1e-5), and reports its 1000-row latency', async () => {
    const dir = tempDir('gang-');
    save(dir);
    const model = await ready(dir);
    expect(model.features).toEqual(FEATURES);
    const rows = data.rows.slice(100, 150);
    const scores = await model.score(Float32Array.from(rows.flat()), rows.length);
    expect(scores).toHaveLength(50);
    rows.forEach((row, i) => expect(Math.abs(scores[i]! - predictGang(fitted, row)), `row ${i}`).toBeLessThan(1e-5));
    expect(await model.score(new Float32Array(0), 0)).toHaveLength(0);
    await expect(model.score(new Float32Array(5), 2)).rejects.toThrow(/5 values for 2 rows of 3 features/);

    const batch = Float32Array.from(data.rows.slice(0, 1000).flat());
    for (let i = 0; i < 20; i++) await model.score(batch, 1000);
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      await model.score(batch, 1000);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(`gang model score(1000 rows): median ${times[100]!.toFixed(3)} ms, p99 ${times[198]!.toFixed(3)} ms`);
    await model.close();
  });

  it('with a session per scoring, scores exactly as with a held session, and still after many scorings', async () => {
    const dir = tempDir('gang-');
    save(dir);
    const held = await ready(dir);
    const load = await loadGangModel(dir, 'gang-model.card.json', FEATURES, { sessionPerScoring: true });
    if (load.status !== 'ready') throw new Error(load.detail);
    const rows = Float32Array.from(data.rows.slice(0, 40).flat());
    const expected = await held.score(rows, 40);
    for (let i = 0; i < 5; i++) expect(Array.from(await load.model.score(rows, 40))).toEqual(Array.from(expected));
    await load.model.close();
    await expect(load.model.score(rows, 40)).rejects.toThrow(/closed/);
    await held.close();
  });

  it('writes byte-identical files for the same input', () => {
    const [a, b] = [tempDir('gang-'), tempDir('gang-')];
    const first = save(a);
    const second = save(b);
    expect(readFileSync(first.onnxPath).equals(readFileSync(second.onnxPath))).toBe(true);
    expect(readFileSync(first.cardPath, 'utf8')).toBe(readFileSync(second.cardPath, 'utf8'));
    expect(JSON.parse(readFileSync(first.cardPath, 'utf8'))).not.toHaveProperty('createdAt');
  });
});

describe('loadGangModel refuses a model that disagrees with its card', () => {
  it('is unavailable without a card', async () => {
    const load = await loadGangModel(tempDir('gang-'), 'gang-model.card.json', FEATURES);
    expect(load.status).toBe('unavailable');
  });

  it('names the SHA-256 when a byte of the .onnx is flipped', async () => {
    const dir = tempDir('gang-');
    const { onnxPath } = save(dir);
    const bytes = readFileSync(onnxPath);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff;
    writeFileSync(onnxPath, bytes);
    const load = await loadGangModel(dir, 'gang-model.card.json', FEATURES);
    expect(load.status).toBe('mismatch');
    expect(load.detail).toMatch(/SHA-256/);
  });

  it('names the reference row whose card score is off', async () => {
    const dir = tempDir('gang-');
    const { cardPath } = save(dir);
    const card = JSON.parse(readFileSync(cardPath, 'utf8'));
    card.referenceRows[2].score += 0.001;
    writeFileSync(cardPath, JSON.stringify(card));
    const load = await loadGangModel(dir, 'gang-model.card.json', FEATURES);
    expect(load).toMatchObject({ status: 'mismatch', detail: expect.stringMatching(/reference row 2 scores/) });
  });

  it('names the first feature that differs from the expected ones', async () => {
    const dir = tempDir('gang-');
    save(dir);
    const renamed = await loadGangModel(dir, 'gang-model.card.json', ['members', 'sharedPhoneRatio', 'medianAgeDays']);
    expect(renamed).toMatchObject({ status: 'mismatch', detail: expect.stringMatching(/feature 2 is "sharedDeviceRatio" in the card but "sharedPhoneRatio"/) });
    const extra = await loadGangModel(dir, 'gang-model.card.json', [...FEATURES, 'labelledFraud']);
    expect(extra).toMatchObject({ status: 'mismatch', detail: expect.stringMatching(/lacks feature 4 "labelledFraud"/) });
  });

  it('refuses an invalid card, a missing .onnx, and a model narrower than the card', async () => {
    const dir = tempDir('gang-');
    const { cardPath, onnxPath } = save(dir, fitted, { cardFile: 'custom.card.json' });
    const card = JSON.parse(readFileSync(cardPath, 'utf8'));

    writeFileSync(cardPath, JSON.stringify({ ...card, onnxSha256: 'not-a-hash', referenceRows: [] }));
    const invalid = await loadGangModel(dir, 'custom.card.json', FEATURES);
    expect(invalid).toMatchObject({ status: 'mismatch', detail: expect.stringMatching(/invalid: .*onnxSha256.*referenceRows/) });

    // A two-feature model behind a card that claims three (with the right hash): the session's width decides.
    const narrow = tempDir('gang-');
    const two = fitLogisticRegression(data.rows.map((r) => r.slice(0, 2)), data.labels, { l2: 1e-3 });
    const saved = saveGangModel(narrow, { params: two, featureNames: FEATURES.slice(0, 2), modelId: 'gang-case', version: '1', training: {}, evaluation: {}, referenceRows: [[5, -3]] });
    const narrowCard = JSON.parse(readFileSync(saved.cardPath, 'utf8'));
    writeFileSync(saved.cardPath, JSON.stringify({ ...narrowCard, features: FEATURES, referenceRows: [{ features: [5, -3, 100], score: 0.5 }] }));
    const width = await loadGangModel(narrow, 'gang-model.card.json', FEATURES);
    expect(width).toMatchObject({ status: 'mismatch', detail: expect.stringMatching(/float32 \[N, 2\].*\[N, 3\]/) });

    writeFileSync(cardPath, JSON.stringify(card));
    rmSync(onnxPath);
    const missing = await loadGangModel(dir, 'custom.card.json', FEATURES);
    expect(missing).toMatchObject({ status: 'mismatch', detail: expect.stringMatching(/gang-case\.onnx named by the card is missing/) });
  });
});

describe('in a worker thread', () => {
  it('loads and scores rows from shared memory, as community scoring does', async () => {
    const dir = tempDir('gang-');
    save(dir);
    const rows = data.rows.slice(200, 264);
    const shared = new Float32Array(new SharedArrayBuffer(rows.length * FEATURES.length * 4));
    shared.set(rows.flat());
    const input: GangWorkerInput = { dir, cardFile: 'gang-model.card.json', features: FEATURES, rows: shared, count: rows.length };
    // Under vitest the entry is .ts: start in the repo's tsx boot file, as the recluster worker does.
    const entry = new URL('./fixtures/gang-worker.ts', import.meta.url).href;
    const worker = new Worker(new URL('../../src/graph/ts-worker-boot.mjs', import.meta.url), { workerData: { ...input, entry } });
    const reply = await new Promise<GangWorkerReply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`worker exited with code ${code} before replying`)));
    });
    await worker.terminate();
    if (reply.status !== 'ready') throw new Error(`${reply.status}: ${reply.detail}`);
    expect(reply.isMainThread).toBe(false);
    expect(reply.scores).toHaveLength(rows.length);
    rows.forEach((row, i) => expect(Math.abs(reply.scores[i]! - predictGang(fitted, row))).toBeLessThan(1e-5));
  });
});
