// Writes the gang-case model as an ONNX file with a hand-rolled protobuf encoder, so the model
// trained in TypeScript is served by the same runtime (onnxruntime-node) as the credit model.
import type { GangParameters } from './gang-training';

/** The graph's input ([N, F] float32) and output ([N, 1] float32) names. */
export const GANG_INPUT = 'features';
export const GANG_OUTPUT = 'gang_score';

const OPSET = 17;
const IR_VERSION = 8; // the IR version that goes with opset 17 (onnx 1.12)
const FLOAT = 1; // TensorProto.DataType.FLOAT
const PRODUCER_VERSION = '1'; // bump when the graph layout below changes

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const utf8 = new TextEncoder();

/** One protobuf message being encoded; fields are appended in the order they are written. */
class ProtoMessage {
  private readonly chunks: Uint8Array[] = [];

  private push(bytes: readonly number[] | Uint8Array): this {
    this.chunks.push(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
    return this;
  }

  private key(field: number, wire: number): this {
    return this.push(encodeVarint(field * 8 + wire));
  }

  varint(field: number, value: number): this {
    return this.key(field, WIRE_VARINT).push(encodeVarint(value));
  }

  bytes(field: number, value: Uint8Array): this {
    return this.key(field, WIRE_LENGTH_DELIMITED).push(encodeVarint(value.length)).push(value);
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  message(field: number, value: ProtoMessage): this {
    return this.bytes(field, value.finish());
  }

  /** A packed repeated float: one length-delimited run of little-endian IEEE-754 singles. */
  packedFloats(field: number, values: readonly number[]): this {
    const data = new Uint8Array(values.length * 4);
    const view = new DataView(data.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    return this.bytes(field, data);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

/** Base-128 varint of a non-negative integer; plain arithmetic so values past 2^31 stay exact. */
function encodeVarint(value: number): number[] {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`varint out of range: ${value}`);
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
}

const msg = () => new ProtoMessage();

/** TensorProto: dims=1 (unpacked, as proto2 declares it), data_type=2, float_data=4 (packed), name=8. */
function floatTensor(name: string, dims: readonly number[], values: readonly number[]): ProtoMessage {
  const tensor = msg();
  for (const d of dims) tensor.varint(1, d);
  return tensor.varint(2, FLOAT).packedFloats(4, values).string(8, name);
}

/** ValueInfoProto of a float tensor; a string dimension is symbolic (dim_param), a number fixed (dim_value). */
function floatValueInfo(name: string, shape: readonly (number | string)[]): ProtoMessage {
  const dims = msg();
  for (const d of shape) dims.message(1, typeof d === 'number' ? msg().varint(1, d) : msg().string(2, d));
  const tensorType = msg().varint(1, FLOAT).message(2, dims);
  return msg().string(1, name).message(2, msg().message(1, tensorType));
}

/** NodeProto: input=1, output=2, name=3, op_type=4. */
function node(opType: string, inputs: readonly string[], output: string): ProtoMessage {
  const n = msg();
  for (const input of inputs) n.string(1, input);
  return n.string(2, output).string(3, `${opType.toLowerCase()}_${output}`).string(4, opType);
}

/**
 * The model as ONNX bytes: features [N, F] → Sub(mean) → Div(scale) → MatMul(weights [F, 1])
 * → Add(bias [1]) → Sigmoid → gang_score [N, 1]. The same parameters always give the same bytes.
 */
export function gangModelOnnx(params: GangParameters, meta: { modelId: string; version: string }): Uint8Array {
  const f = params.weights.length;
  if (f === 0) throw new Error('the model has no features');
  if (params.mean.length !== f || params.scale.length !== f) {
    throw new Error(`parameters disagree on the feature count: ${f} weights, ${params.mean.length} means, ${params.scale.length} scales`);
  }
  const all = [...params.mean, ...params.scale, ...params.weights, params.bias];
  if (!all.every(Number.isFinite)) throw new Error('parameters must all be finite');
  if (params.scale.some((s) => s === 0)) throw new Error('a scale of 0 would divide by zero');

  const graph = msg()
    .message(1, node('Sub', [GANG_INPUT, 'mean'], 'centred'))
    .message(1, node('Div', ['centred', 'scale'], 'standardised'))
    .message(1, node('MatMul', ['standardised', 'weights'], 'linear'))
    .message(1, node('Add', ['linear', 'bias'], 'logit'))
    .message(1, node('Sigmoid', ['logit'], GANG_OUTPUT))
    .string(2, meta.modelId)
    .message(5, floatTensor('mean', [f], params.mean))
    .message(5, floatTensor('scale', [f], params.scale))
    .message(5, floatTensor('weights', [f, 1], params.weights))
    .message(5, floatTensor('bias', [1], [params.bias]))
    .message(11, floatValueInfo(GANG_INPUT, ['N', f]))
    .message(12, floatValueInfo(GANG_OUTPUT, ['N', 1]));

  // ModelProto fields in field-number order, as protobuf serialisers emit them.
  return msg()
    .varint(1, IR_VERSION)
    .string(2, 'credit-decision-engine/gang-training')
    .string(3, PRODUCER_VERSION)
    .message(7, graph)
    .message(8, msg().string(1, '').varint(2, OPSET))
    .message(14, msg().string(1, 'modelId').string(2, meta.modelId))
    .message(14, msg().string(1, 'version').string(2, meta.version))
    .finish();
}
