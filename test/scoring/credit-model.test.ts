// The committed model, loaded through onnxruntime-node exactly as the service loads it, reproduces
// its card: holdout AUC to 1e-6, and the training library's PDs for the reference rows to 1e-5.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODEL_INPUT_FIELDS } from '../../src/rules/facts';
import { featureValuesOf } from '../../src/scoring/features';
import { loadCreditModel, type CreditModel } from '../../src/scoring/onnx-model';
import { auc, GERMAN_CREDIT_CSV, readGermanCredit } from '../support/german-credit';

const MODELS = path.resolve(import.meta.dirname, '../../models');
let model: CreditModel;
beforeAll(async () => {
  const load = await loadCreditModel(MODELS, 'credit-pd.card.json', MODEL_INPUT_FIELDS);
  if (load.status !== 'ready') throw new Error(load.detail);
  model = load.model;
});

describe('the committed credit model', () => {
  it('was trained on the data set kept in the repository (hash matches the card)', () => {
    const card = JSON.parse(readFileSync(path.join(MODELS, 'credit-pd.card.json'), 'utf8'));
    expect(createHash('sha256').update(readFileSync(GERMAN_CREDIT_CSV)).digest('hex')).toBe(card.training.dataSha256);
  });

  it("scores the 200 holdout rows with the card's AUC (to 1e-6), at least 0.75", async () => {
    const holdout = readGermanCredit().filter((r) => r.row % 5 === 0);
    expect(holdout).toHaveLength(200);
    const pds = await Promise.all(holdout.map(async (r) => (await model.score(featureValuesOf(r))).pd));
    const holdoutAuc = auc(pds, holdout.map((r) => r.defaulted));
    expect(Math.abs(holdoutAuc - model.card.metrics.holdoutAuc)).toBeLessThan(1e-6);
    expect(holdoutAuc).toBeGreaterThanOrEqual(0.75);
  });

  it("matches the training library's PD on the card's 20 reference rows (to 1e-5)", async () => {
    expect(model.card.referenceRows).toHaveLength(20);
    for (const ref of model.card.referenceRows) {
      const input = ref.input as { amount: number; termMonths: number; applicant: object };
      const { pd } = await model.score(featureValuesOf(input));
      expect(Math.abs(pd - ref.expectedPd), `row ${ref.row}`).toBeLessThan(1e-5);
    }
  });

  it('explains a score: an adverse feature raises the PD against the portfolio reference', async () => {
    const [row] = readGermanCredit().filter((r) => r.applicant.checkingAccountStatus === 'lt_0');
    const { pd, impacts } = await model.score(featureValuesOf(row!));
    const checking = impacts.find((i) => i.feature === 'checkingAccountStatus');
    expect(checking?.impact).toBeGreaterThan(0);
    expect(pd).toBeGreaterThan(0);
    expect(impacts.map((i) => i.feature)).toEqual(model.card.features.map((f) => f.name));
  });
});
