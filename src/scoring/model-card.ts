// The model card: what the credit model expects (feature spec) and how it was measured.
// The service trusts the ONNX file only as far as the card describes it, so the card is
// schema-validated at load and then checked against the model's own input shape.
import { Ajv } from 'ajv';

export type FeatureSpec =
  | { readonly name: string; readonly type: 'numeric'; readonly reference: number; readonly min?: number; readonly max?: number }
  | { readonly name: string; readonly type: 'boolean'; readonly reference: boolean }
  | { readonly name: string; readonly type: 'categorical'; readonly categories: readonly string[]; readonly reference: string };

export interface ModelCard {
  readonly modelId: string;
  readonly version: string;
  readonly file: string;
  readonly algorithm: string;
  readonly input: { readonly name: string; readonly type: 'float32'; readonly width: number };
  readonly output: { readonly name: string };
  readonly features: readonly FeatureSpec[];
  readonly metrics: {
    readonly cvAuc: number;
    readonly holdoutAuc: number;
    readonly holdoutKs: number;
    readonly holdoutBrier: number;
    readonly cutoff: { readonly pd: number; readonly holdoutExpectedCost: number };
  };
  readonly scoreDistribution: { readonly binEdges: readonly number[]; readonly proportions: readonly number[] };
  readonly referenceRows: readonly { readonly row: number; readonly input: unknown; readonly expectedPd: number }[];
  /** SHA-256 of the .onnx file the card describes: a corrupted or swapped file is refused. */
  readonly fileSha256: string;
}

const cardSchema = {
  type: 'object',
  required: ['modelId', 'version', 'file', 'fileSha256', 'algorithm', 'input', 'output', 'features', 'metrics', 'scoreDistribution', 'referenceRows'],
  properties: {
    fileSha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    modelId: { type: 'string', minLength: 1 },
    version: { type: 'string', minLength: 1 },
    file: { type: 'string', pattern: '^[^/\\\\]+\\.onnx$' },
    algorithm: { type: 'string' },
    input: {
      type: 'object',
      required: ['name', 'type', 'width'],
      properties: { name: { type: 'string' }, type: { const: 'float32' }, width: { type: 'integer', minimum: 1 } },
    },
    output: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
    features: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'type', 'reference'],
        properties: {
          name: { type: 'string' },
          type: { enum: ['numeric', 'boolean', 'categorical'] },
          categories: { type: 'array', items: { type: 'string' }, minItems: 1 },
        },
        if: { properties: { type: { const: 'categorical' } } },
        then: { required: ['categories'], properties: { reference: { type: 'string' } } },
        else: { not: { required: ['categories'] } },
      },
    },
    metrics: {
      type: 'object',
      required: ['cvAuc', 'holdoutAuc', 'holdoutKs', 'holdoutBrier', 'cutoff'],
      properties: { cutoff: { type: 'object', required: ['pd', 'holdoutExpectedCost'] } },
    },
    scoreDistribution: {
      type: 'object',
      required: ['binEdges', 'proportions'],
      properties: { binEdges: { type: 'array', items: { type: 'number' } }, proportions: { type: 'array', items: { type: 'number' } } },
    },
    referenceRows: {
      type: 'array',
      minItems: 1,
      items: { type: 'object', required: ['row', 'input', 'expectedPd'], properties: { row: { type: 'integer' }, expectedPd: { type: 'number' } } },
    },
  },
};

const validate = new Ajv({ allErrors: true, strict: false }).compile(cardSchema);

/** Validates a parsed card; returns the problems, each naming the JSON path. */
export function parseModelCard(value: unknown, knownFields: readonly string[]): { card: ModelCard } | { problems: string[] } {
  if (!validate(value)) {
    return { problems: (validate.errors ?? []).filter((e) => e.keyword !== 'if').map((e) => `${e.instancePath || '(card)'} ${e.message ?? ''}`.trim()) };
  }
  const card = value as unknown as ModelCard;
  const unknown = card.features.filter((f) => !knownFields.includes(f.name)).map((f) => f.name);
  if (unknown.length > 0) return { problems: [`features ${unknown.join(', ')} are not fields of an application (expected among ${knownFields.join(', ')})`] };
  const width = card.features.reduce((n, f) => n + (f.type === 'categorical' ? f.categories.length : 1), 0);
  if (width !== card.input.width) {
    return { problems: [`features encode to ${width} columns but input.width says ${card.input.width}`] };
  }
  if (card.scoreDistribution.proportions.length !== card.scoreDistribution.binEdges.length + 1) {
    return { problems: ['scoreDistribution needs one more proportion than binEdges'] };
  }
  return { card };
}

/** The model's identity as recorded in each decision: modelId@version. */
export const modelVersion = (card: ModelCard) => `${card.modelId}@${card.version}`;
