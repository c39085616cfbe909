// Loads the credit model with onnxruntime-node (the I/O edge of the scoring domain), checks it
// against its card, warms it up, and scores applications. A missing or corrupt model leaves the
// service running on the scoring stage's fallback; a model that disagrees with its card refuses
// readiness, with a message that says what differs.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { FeatureEncoder, type FeatureValues } from './features';
import { modelVersion, parseModelCard, type ModelCard } from './model-card';

export interface FeatureImpact {
  readonly feature: string;
  /** How much this feature raised the PD against the portfolio reference value (negative: lowered it). */
  readonly impact: number;
}

export interface CreditScore {
  readonly pd: number;
  readonly impacts: readonly FeatureImpact[];
}

export interface CreditModel {
  readonly card: ModelCard;
  readonly version: string;
  score(values: FeatureValues): Promise<CreditScore>;
}

export type ModelLoad =
  | { readonly status: 'ready'; readonly model: CreditModel; readonly detail: string }
  /** No usable model: decisions take the scoring stage's fallback. */
  | { readonly status: 'unavailable'; readonly detail: string }
  /**
   * A model and card that disagree (hash, input, output, a reference row) or a model that fails its
   * warm-up: never served; decisions take the scoring stage's fallback and /ready names the cause.
   */
  | { readonly status: 'mismatch'; readonly detail: string; readonly card?: ModelCard };

/** The card a load read: the served model's, or a refused model's (its categories still describe the data). */
export function cardOf(load: ModelLoad): ModelCard | undefined {
  return load.status === 'ready' ? load.model.card : load.status === 'mismatch' ? load.card : undefined;
}

class OnnxCreditModel implements CreditModel {
  readonly version: string;
  readonly encoder: FeatureEncoder;

  constructor(
    readonly card: ModelCard,
    private readonly session: ort.InferenceSession,
  ) {
    this.version = modelVersion(card);
    this.encoder = new FeatureEncoder(card);
  }

  /** Raw PDs for rows encoded by the card's spec. */
  async predict(rows: Float32Array): Promise<Float32Array> {
    const n = rows.length / this.encoder.width;
    const output = await this.session.run({ [this.card.input.name]: new ort.Tensor('float32', rows, [n, this.encoder.width]) });
    return output[this.card.output.name]?.data as Float32Array;
  }

  async score(values: FeatureValues): Promise<CreditScore> {
    const pds = await this.predict(this.encoder.encodeWithReferences(values));
    const pd = pds[0] ?? NaN;
    if (!Number.isFinite(pd)) throw new Error('the model returned no probability');
    const impacts = this.encoder.featureNames.map((feature, k) => ({ feature, impact: pd - (pds[k + 1] ?? pd) }));
    return { pd, impacts };
  }
}

function describeShape(shape: ReadonlyArray<number | string>): string {
  return `[${shape.join(', ')}]`;
}

/** What differs between the card and the model's declared input/output, if anything. */
function cardMismatch(card: ModelCard, session: ort.InferenceSession): string | undefined {
  const input = session.inputMetadata.find((m) => m.name === card.input.name);
  if (!input) return `the card's input "${card.input.name}" is not an input of the model (model inputs: ${session.inputNames.join(', ')})`;
  if (input.isTensor) {
    if (input.type !== 'float32') return `input "${input.name}": the card says float32, the model expects ${input.type}`;
    const width = input.shape[input.shape.length - 1];
    if (input.shape.length !== 2 || (typeof width === 'number' && width !== card.input.width)) {
      return `input "${input.name}": the card's features encode to width ${card.input.width}, the model expects shape ${describeShape(input.shape)}`;
    }
  }
  if (!session.outputNames.includes(card.output.name)) return `the card's output "${card.output.name}" is not an output of the model (model outputs: ${session.outputNames.join(', ')})`;
  return undefined;
}

/** Loads models/<cardFile> and the model it names; knownFields are the application fields a feature may use. */
export async function loadCreditModel(modelsDir: string, cardFile: string, knownFields: readonly string[]): Promise<ModelLoad> {
  const cardPath = path.join(modelsDir, cardFile);
  let card: ModelCard;
  try {
    const parsed = parseModelCard(JSON.parse(await readFile(cardPath, 'utf8')), knownFields);
    if ('problems' in parsed) return { status: 'mismatch', detail: `model card ${cardPath} is invalid: ${parsed.problems.join('; ')}` };
    card = parsed.card;
  } catch (err) {
    return { status: 'unavailable', detail: `model card ${cardPath} could not be read: ${(err as Error).message}` };
  }

  const modelPath = path.join(modelsDir, card.file);
  let bytes: Buffer;
  try {
    bytes = await readFile(modelPath);
  } catch (err) {
    return { status: 'unavailable', detail: `model ${modelPath} could not be read: ${(err as Error).message.split('\n')[0]}` };
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== card.fileSha256) {
    return { status: 'mismatch', detail: `${modelVersion(card)}: the SHA-256 of ${modelPath} is ${sha256}, the card says ${card.fileSha256} (a corrupted or swapped file)`, card };
  }
  let session: ort.InferenceSession;
  try {
    // A small model: one thread per run avoids contention with the event loop on small machines.
    session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  } catch (err) {
    return { status: 'unavailable', detail: `model ${modelPath} could not be loaded: ${(err as Error).message.split('\n')[0]}` };
  }

  const mismatch = cardMismatch(card, session);
  if (mismatch) return { status: 'mismatch', detail: `${modelVersion(card)}: ${mismatch}`, card };

  const model = new OnnxCreditModel(card, session);
  // Warm-up doubles as a parity check: every reference row must score as the card says.
  for (const reference of card.referenceRows) {
    const input = reference.input as { amount: number; termMonths: number; applicant: Record<string, unknown> };
    let pd: number;
    try {
      ({ pd } = await model.score({ ...input.applicant, amount: input.amount, termMonths: input.termMonths }));
    } catch (err) {
      return { status: 'mismatch', detail: `${model.version}: warm-up failed on reference row ${reference.row}: ${(err as Error).message.split('\n')[0]}`, card };
    }
    if (!(Math.abs(pd - reference.expectedPd) <= 1e-4)) {
      return { status: 'mismatch', detail: `${model.version}: reference row ${reference.row} scores ${pd}, the card says ${reference.expectedPd}`, card };
    }
  }
  return { status: 'ready', model, detail: `${model.version} (${card.algorithm}, holdout AUC ${card.metrics.holdoutAuc.toFixed(3)}, ${card.referenceRows.length} reference rows checked)` };
}
