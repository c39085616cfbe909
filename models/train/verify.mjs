// Independent check of the exported model through onnxruntime-node, using only
// the model card for the feature encoding (as the service does).
//
//   ONNXRUNTIME_NODE_INSTALL=skip node models/train/verify.mjs [card.json] [data.csv]
//
// Scores the 200 holdout rows of the CSV and the card's 20 reference rows,
// then compares AUC with metrics.holdoutAuc (tolerance 1e-6) and PDs with
// referenceRows[].expectedPd (tolerance 1e-5). Also checks that the card's
// excludedFields (protected characteristics) are not model features, while the
// API-shaped reference rows still carry them. Exits non-zero on any failure.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import ort from 'onnxruntime-node';

const cardPath = process.argv[2] ?? 'models/credit-pd.card.json';
const csvPath = process.argv[3] ?? 'models/train/data/german-credit.csv';
const card = JSON.parse(readFileSync(cardPath, 'utf8'));

// CSV column -> API name. Not part of the card (the service never sees the
// CSV); only needed here to turn the raw data rows into API-shaped inputs.
const CSV_TO_API = {
  duration_months: 'termMonths', credit_amount: 'amount',
  installment_rate_pct: 'installmentRatePct', residence_years: 'residenceYears',
  age: 'age', existing_credits: 'existingCredits', dependents: 'dependents',
  has_telephone: 'hasTelephone', foreign_worker: 'foreignWorker',
  checking_account_status: 'checkingAccountStatus', credit_history: 'creditHistory',
  purpose: 'purpose', savings_account_bonds: 'savingsAccountBonds',
  employment_duration: 'employmentDuration', personal_status_sex: 'personalStatusSex',
  other_debtors_guarantors: 'otherDebtorsGuarantors', property: 'property',
  other_installment_plans: 'otherInstallmentPlans', housing: 'housing', job: 'job',
};

// Encoding exactly as the card describes it.
function encode(values) {
  const out = [];
  for (const f of card.features) {
    const v = values[f.name];
    if (v === undefined) throw new Error(`missing feature ${f.name}`);
    if (f.type === 'numeric') out.push(Number(v));
    else if (f.type === 'boolean') out.push(v ? 1 : 0);
    else {
      if (!f.categories.includes(v)) throw new Error(`unknown category ${f.name}=${v}`);
      for (const c of f.categories) out.push(v === c ? 1 : 0);
    }
  }
  if (out.length !== card.input.width) throw new Error(`width ${out.length} != ${card.input.width}`);
  return out;
}

async function score(session, rows) {
  const data = Float32Array.from(rows.flat());
  const feeds = { [card.input.name]: new ort.Tensor('float32', data, [rows.length, card.input.width]) };
  const res = await session.run(feeds);
  const pd = res[card.output.name];
  if (pd.dims.length !== 2 || pd.dims[0] !== rows.length || pd.dims[1] !== 1) {
    throw new Error(`unexpected output shape ${pd.dims}`);
  }
  return Array.from(pd.data);
}

// Mann-Whitney AUC with ties counted 0.5 (same as sklearn roc_auc_score).
function auc(labels, scores) {
  const idx = scores.map((s, i) => i).sort((a, b) => scores[a] - scores[b]);
  const ranks = new Array(scores.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    for (let k = i; k <= j; k++) ranks[idx[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let nPos = 0, rankSum = 0;
  labels.forEach((y, i) => { if (y === 1) { nPos++; rankSum += ranks[i]; } });
  const nNeg = labels.length - nPos;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

const csvBytes = readFileSync(csvPath);
const sha = createHash('sha256').update(csvBytes).digest('hex');
const lines = csvBytes.toString('utf8').trim().split(/\r?\n/);
const header = lines[0].split(',');
const holdout = [];
lines.slice(1).forEach((line, i) => {
  const rowNo = i + 1; // 1-based data row number
  if (rowNo % 5 !== 0) return;
  const cells = line.split(',');
  const values = {};
  let label;
  header.forEach((col, j) => {
    if (col === 'default') { label = Number(cells[j]); return; }
    const name = CSV_TO_API[col];
    const f = card.features.find((x) => x.name === name);
    if (!f) return; // column dropped by the model
    values[name] = f.type === 'categorical' ? cells[j] : f.type === 'boolean' ? cells[j] === '1' : Number(cells[j]);
  });
  holdout.push({ rowNo, values, label });
});

const session = await ort.InferenceSession.create(path.join(path.dirname(cardPath), card.file));
console.log(`model ${card.modelId}@${card.version} (${card.algorithm}), input ${session.inputNames} width ${card.input.width}, output ${session.outputNames}`);
console.log(`data sha256 ${sha === card.training.dataSha256 ? 'matches card' : `MISMATCH (${sha})`}`);

// Compliance: protected characteristics must not be model inputs, must be
// declared in the card's excludedFields, and the API-shaped reference rows
// must still carry them (the model ignores them). The list is fixed here
// rather than read from the card, so a card that silently drops the
// declaration fails.
const PROTECTED = ['personalStatusSex', 'foreignWorker'];
const declared = (card.excludedFields ?? []).map((e) => e.field);
const undeclared = PROTECTED.filter((name) => !declared.includes(name));
const leaked = [...new Set([...PROTECTED, ...declared])].filter((name) => card.features.some((f) => f.name === name));
const missingInRefs = card.referenceRows.filter((r) => PROTECTED.some((name) => !(name in r.input.applicant))).length;
const complianceOk = undeclared.length === 0 && leaked.length === 0 && missingInRefs === 0;
console.log(`excluded fields [${declared.join(', ')}]: undeclared protected ${undeclared.length ? undeclared.join(', ') : 'none'}, `
  + `in model features ${leaked.length ? leaked.join(', ') : 'none'}, reference rows missing them ${missingInRefs}`);

const pdHold = await score(session, holdout.map((r) => encode(r.values)));
const holdAuc = auc(holdout.map((r) => r.label), pdHold);
const dAuc = Math.abs(holdAuc - card.metrics.holdoutAuc);
console.log(`holdout rows ${holdout.length}: AUC onnx=${holdAuc.toFixed(10)} card=${card.metrics.holdoutAuc} |diff|=${dAuc.toExponential(2)}`);

const refs = card.referenceRows;
const pdRef = await score(session, refs.map((r) => encode({ amount: r.input.amount, termMonths: r.input.termMonths, ...r.input.applicant })));
let maxDelta = 0;
refs.forEach((r, i) => { maxDelta = Math.max(maxDelta, Math.abs(pdRef[i] - r.expectedPd)); });
console.log(`reference rows ${refs.length}: max |pd onnx - expectedPd| = ${maxDelta.toExponential(3)}`);

// Reference rows are holdout rows: their PD must also agree with the batch score.
const byRow = new Map(holdout.map((r, i) => [r.rowNo, pdHold[i]]));
const maxBatch = Math.max(...refs.map((r, i) => Math.abs(byRow.get(r.row) - pdRef[i])));
console.log(`reference rows vs holdout batch: max |diff| = ${maxBatch.toExponential(3)}`);

const ok = complianceOk && sha === card.training.dataSha256 && dAuc <= 1e-6 && maxDelta < 1e-5 && maxBatch < 1e-5 && holdAuc >= 0.75;
console.log(ok ? 'OK' : 'FAILED');
process.exit(ok ? 0 : 1);
