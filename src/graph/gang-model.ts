// Saves and loads the gang-case model (community features → probability the community is a fraud
// ring). The card pins the .onnx by hash and by reference scores, so a model that drifts from its
// card is refused with the reason instead of scoring communities wrongly.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import * as ort from 'onnxruntime-node';
import { predictGang, type GangParameters } from './gang-training';
import { GANG_INPUT, GANG_OUTPUT, gangModelOnnx } from './onnx-writer';

export interface GangModelCard {
  readonly modelId: string;
  readonly version: string;
  readonly onnxFile: string;
  /** Hex SHA-256 of the .onnx file's bytes. */
  readonly onnxSha256: string;
  /** Feature names in the model's input column order. */
  readonly features: readonly string[];
  /** Absent unless the trainer supplied one, so that retraining on the same data gives identical files. */
  readonly createdAt?: string;
  readonly training: Readonly<Record<string, unknown>>;
  readonly evaluation: Readonly<Record<string, unknown>>;
  readonly referenceRows: readonly { readonly features: readonly number[]; readonly score: number }[];
}

export interface GangModel {
  readonly modelId: string;
  readonly version: string;
  readonly card: GangModelCard;
  readonly features: readonly string[];
  /** Scores `count` communities laid out row-major in `rows` (count × features.length). */
  score(rows: Float32Array, count: number): Promise<Float32Array>;
  close(): Promise<void>;
}

export type GangModelLoad =
  | { readonly status: 'ready'; readonly model: GangModel; readonly detail: string }
  /** No card: the service runs without the gang-case model. */
  | { readonly status: 'unavailable'; readonly detail: string }
  /** A card and model that disagree with each other or with the caller's features. */
  | { readonly status: 'mismatch'; readonly detail: string };

/** Largest |ONNX − card| tolerated on a reference row: float32 inference against float64 training. */
const REFERENCE_TOLERANCE = 1e-4;
export const DEFAULT_GANG_CARD = 'gang-model.card.json';

const cardSchema = {
  type: 'object',
  required: ['modelId', 'version', 'onnxFile', 'onnxSha256', 'features', 'training', 'evaluation', 'referenceRows'],
  properties: {
    modelId: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
    version: { type: 'string', minLength: 1 },
    onnxFile: { type: 'string', pattern: '^[^/\\\\]+\\.onnx$' },
    onnxSha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    features: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 } },
    createdAt: { type: 'string', minLength: 1 },
    training: { type: 'object' },
    evaluation: { type: 'object' },
    referenceRows: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['features', 'score'],
        properties: { features: { type: 'array', items: { type: 'number' } }, score: { type: 'number', minimum: 0, maximum: 1 } },
      },
    },
  },
};

const validate = new Ajv({ allErrors: true, strict: false }).compile(cardSchema);

/** Validates a parsed card; problems name the JSON path. */
function parseGangModelCard(value: unknown): { card: GangModelCard } | { problems: string[] } {
  if (!validate(value)) return { problems: (validate.errors ?? []).map((e) => `${e.instancePath || '(card)'} ${e.message ?? ''}`.trim()) };
  const card = value as unknown as GangModelCard;
  const width = card.features.length;
  const bad = card.referenceRows.findIndex((r) => r.features.length !== width);
  if (bad >= 0) return { problems: [`/referenceRows/${bad}/features has ${card.referenceRows[bad]!.features.length} values, the card lists ${width} features`] };
  return { card };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Writes <modelId>.onnx and its card into dir; the same input always gives byte-identical files. */
export function saveGangModel(
  dir: string,
  input: {
    params: GangParameters;
    featureNames: readonly string[];
    modelId: string;
    version: string;
    training: object;
    evaluation: object;
    referenceRows: readonly (readonly number[])[];
    cardFile?: string;
  },
): { onnxPath: string; cardPath: string } {
  const { params, featureNames } = input;
  if (featureNames.length !== params.weights.length) {
    throw new Error(`${featureNames.length} feature names for a model with ${params.weights.length} weights`);
  }
  const bytes = gangModelOnnx(params, { modelId: input.modelId, version: input.version });
  const onnxFile = `${input.modelId}.onnx`;
  const training = input.training as Record<string, unknown>;
  const card: GangModelCard = {
    modelId: input.modelId,
    version: input.version,
    onnxFile,
    onnxSha256: sha256(bytes),
    features: [...featureNames],
    ...(typeof training.createdAt === 'string' ? { createdAt: training.createdAt } : {}),
    training,
    evaluation: input.evaluation as Record<string, unknown>,
    referenceRows: input.referenceRows.map((row) => ({ features: [...row], score: predictGang(params, row) })),
  };
  // Refuse to write a card the loader would reject: the failure belongs to training, not to start-up.
  const parsed = parseGangModelCard(JSON.parse(JSON.stringify(card)));
  if ('problems' in parsed) throw new Error(`the gang model card would be invalid: ${parsed.problems.join('; ')}`);

  mkdirSync(dir, { recursive: true });
  const onnxPath = path.join(dir, onnxFile);
  const cardPath = path.join(dir, input.cardFile ?? DEFAULT_GANG_CARD);
  // The model first: a card on disk then never names a file that is not there yet.
  writeFileSync(onnxPath, bytes);
  writeFileSync(cardPath, `${JSON.stringify(card, null, 2)}\n`);
  return { onnxPath, cardPath };
}

/** Single-threaded: community scoring runs in a worker beside Louvain; more threads would only contend. */
const openSession = (bytes: Uint8Array) => ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });

class OnnxGangModel implements GangModel {
  readonly modelId: string;
  readonly version: string;
  readonly features: readonly string[];
  private closed = false;

  /**
   * @param session the session scores run in; undefined = each score opens its own session from
   *   `bytes` and releases it before returning (see GangModelOptions.sessionPerScoring).
   */
  constructor(
    readonly card: GangModelCard,
    private session: ort.InferenceSession | undefined,
    private readonly bytes: Uint8Array,
  ) {
    this.modelId = card.modelId;
    this.version = card.version;
    this.features = card.features;
  }

  /** From now on each score opens and releases its own session. */
  async holdNoSession(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.release();
  }

  async score(rows: Float32Array, count: number): Promise<Float32Array> {
    const width = this.features.length;
    if (!Number.isInteger(count) || count < 0) throw new Error(`count must be a non-negative integer, got ${count}`);
    if (rows.length !== count * width) throw new Error(`${rows.length} values for ${count} rows of ${width} features`);
    if (this.closed) throw new Error(`gang model ${this.modelId}@${this.version} is closed`);
    if (count === 0) return new Float32Array(0);
    // onnxruntime-node 1.30 rejects a tensor over a SharedArrayBuffer ("Invalid argument"), and the
    // recluster's columns live in shared memory: such rows are copied into an ordinary buffer first.
    const data = rows.buffer instanceof SharedArrayBuffer ? new Float32Array(rows) : rows;
    const input = { [GANG_INPUT]: new ort.Tensor('float32', data, [count, width]) };
    let output: ort.InferenceSession.OnnxValueMapType;
    if (this.session) output = await this.session.run(input);
    else {
      const session = await openSession(this.bytes);
      try {
        output = await session.run(input);
      } finally {
        await session.release();
      }
    }
    const scores = output[GANG_OUTPUT]?.data;
    if (!(scores instanceof Float32Array) || scores.length !== count) throw new Error(`the gang model returned no ${GANG_OUTPUT} for ${count} rows`);
    return scores;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.holdNoSession();
  }
}

/** The first way the card's features differ from the caller's, as a sentence fragment; undefined when equal. */
function featureDifference(card: readonly string[], expected: readonly string[]): string | undefined {
  for (let i = 0; i < Math.max(card.length, expected.length); i++) {
    const have = card[i];
    const want = expected[i];
    if (have === want) continue;
    if (have === undefined) return `the card lacks feature ${i + 1} "${want}" (it lists ${card.length} features, ${expected.length} expected)`;
    if (want === undefined) return `the card has an extra feature ${i + 1} "${have}" (it lists ${card.length} features, ${expected.length} expected)`;
    return `feature ${i + 1} is "${have}" in the card but "${want}" is expected`;
  }
  return undefined;
}

/** What differs between the session's declared input/output and the card, if anything. */
function ioDifference(session: ort.InferenceSession, width: number): string | undefined {
  if (session.inputNames.length !== 1 || session.inputNames[0] !== GANG_INPUT) {
    return `the model's inputs are [${session.inputNames.join(', ')}], expected [${GANG_INPUT}]`;
  }
  if (!session.outputNames.includes(GANG_OUTPUT)) return `the model's outputs are [${session.outputNames.join(', ')}], expected ${GANG_OUTPUT}`;
  const input = session.inputMetadata[0];
  if (input?.isTensor) {
    const last = input.shape[input.shape.length - 1];
    if (input.type !== 'float32' || input.shape.length !== 2 || last !== width) {
      return `input ${GANG_INPUT} is ${input.type} [${input.shape.join(', ')}], the card's ${width} features need float32 [N, ${width}]`;
    }
  }
  const output = session.outputMetadata.find((m) => m.name === GANG_OUTPUT);
  if (output?.isTensor && (output.shape.length !== 2 || output.shape[1] !== 1)) {
    return `output ${GANG_OUTPUT} has shape [${output.shape.join(', ')}], expected [N, 1]`;
  }
  return undefined;
}

/** An error's first line without its final full stop: details end with their own. */
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!.replace(/\.+$/, '');
const isMissing = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

/**
 * Loads dir/cardFile and the model it names, and proves them consistent: hash, features,
 * input/output, and every reference row's score. Never throws; a problem is a status.
 */
export interface GangModelOptions {
  /**
   * Hold no ONNX session between scorings: each score opens one from the validated bytes and
   * releases it. For the recluster worker: terminating a thread that holds a live session aborts
   * the whole process, and a worker starved of CPU (it runs at nice 19) may still be busy when a
   * shutdown's grace runs out. Costs a session creation per recluster (milliseconds).
   */
  readonly sessionPerScoring?: boolean;
}

export async function loadGangModel(dir: string, cardFile: string, expectedFeatures: readonly string[], options: GangModelOptions = {}): Promise<GangModelLoad> {
  const cardPath = path.join(dir, cardFile);
  let session: ort.InferenceSession | undefined;
  const mismatch = async (detail: string): Promise<GangModelLoad> => {
    await session?.release().catch(() => undefined);
    return { status: 'mismatch', detail };
  };
  try {
    let text: string;
    try {
      text = await readFile(cardPath, 'utf8');
    } catch (err) {
      return { status: 'unavailable', detail: `gang model card ${cardPath} ${isMissing(err) ? 'does not exist' : `could not be read: ${errorText(err)}`}.` };
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return mismatch(`gang model card ${cardPath} is not valid JSON: ${errorText(err)}.`);
    }
    const parsed = parseGangModelCard(value);
    if ('problems' in parsed) return mismatch(`gang model card ${cardPath} is invalid: ${parsed.problems.join('; ')}.`);
    const card = parsed.card;
    const id = `${card.modelId}@${card.version}`;

    const features = featureDifference(card.features, expectedFeatures);
    if (features) return mismatch(`${id}: ${features}.`);

    const onnxPath = path.join(dir, card.onnxFile);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(onnxPath);
    } catch (err) {
      return mismatch(`${id}: the model file ${onnxPath} named by the card ${isMissing(err) ? 'is missing' : `could not be read: ${errorText(err)}`}.`);
    }
    const digest = sha256(bytes);
    if (digest !== card.onnxSha256) return mismatch(`${id}: ${onnxPath} has SHA-256 ${digest}, the card says ${card.onnxSha256}.`);

    try {
      session = await openSession(bytes);
    } catch (err) {
      return mismatch(`${id}: onnxruntime could not load ${onnxPath}: ${errorText(err)}.`);
    }
    const io = ioDifference(session, card.features.length);
    if (io) return mismatch(`${id}: ${io}.`);

    const model = new OnnxGangModel(card, session, bytes);
    // Scoring the reference rows doubles as warm-up.
    const rows = Float32Array.from(card.referenceRows.flatMap((r) => r.features));
    let scores: Float32Array;
    try {
      scores = await model.score(rows, card.referenceRows.length);
    } catch (err) {
      return mismatch(`${id}: the reference rows could not be scored: ${errorText(err)}.`);
    }
    for (const [i, ref] of card.referenceRows.entries()) {
      const got = scores[i]!;
      if (!(Math.abs(got - ref.score) <= REFERENCE_TOLERANCE)) {
        return mismatch(`${id}: reference row ${i} scores ${got}, the card says ${ref.score} (tolerance ${REFERENCE_TOLERANCE}).`);
      }
    }
    if (options.sessionPerScoring) await model.holdNoSession();
    const auc = card.evaluation.heldOutAuc;
    return {
      status: 'ready',
      model,
      detail: `${id} (${card.features.length} features${typeof auc === 'number' ? `, held-out AUC ${auc.toFixed(3)}` : ''})`,
    };
  } catch (err) {
    return mismatch(`gang model ${cardPath} could not be loaded: ${errorText(err)}.`);
  }
}
