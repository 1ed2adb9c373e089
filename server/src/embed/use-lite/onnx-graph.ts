import onnxProto from 'onnx-proto';
import { BUNDLED_MODEL_DIMENSIONS } from '../embedder.js';
import type { Tensor } from './weights.js';

/**
 * The bundled Universal Sentence Encoder lite rebuilt as an ONNX graph from its own weights, so a
 * native runtime (onnxruntime-node) can run it: the same arithmetic as the TensorFlow.js graph it
 * ships as (vectors agree to 1e-6; the test suite compares both), several times faster.
 *
 * The model ("KonaTransformer"): token embeddings (8002×256) added twice plus a sinusoidal timing
 * signal, then two pre-norm transformer layers with 4 heads each (256→512 wide, a learned
 * projection carrying the residual across the widening), a mean over the tokens, and a 512×512
 * tanh layer. Only the first MAX_TOKENS tokens of a text count, as in the original graph.
 *
 * Inputs: `ids` int64 [batch, tokens] and `mask` float [batch, tokens] (1 for a token, 0 for the
 * padding of shorter texts in a batch). Output: `embedding` float [batch, 512], not yet unit length.
 */
export const MAX_TOKENS = 128;

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

const ENCODE = 'module_apply_default/Encoder_en/KonaTransformer/Encode/';
const KERNELS = 'module/Encoder_en/KonaTransformer/Encode/';
const LAYERS = [
  { heads: 4, depth: 64, width: 256 },
  { heads: 4, depth: 128, width: BUNDLED_MODEL_DIMENSIONS },
] as const;

type Attribute = number | number[];

class GraphWriter {
  readonly nodes: onnxProto.onnx.INodeProto[] = [];
  readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private counter = 0;

  constructor(private readonly weights: ReadonlyMap<string, Tensor>) {}

  /** A weight of the original model, reshaped (1×1 convolution kernels become plain matrices). */
  weight(name: string, dims?: number[]): string {
    return this.floats(name, this.values(name), dims ?? this.weights.get(name)?.shape ?? []);
  }

  values(name: string): Float32Array {
    const tensor = this.weights.get(name);
    if (!tensor || !(tensor.values instanceof Float32Array)) throw new Error(`the bundled model has no float tensor ${name}`);
    return tensor.values;
  }

  floats(name: string, values: Float32Array, dims: number[]): string {
    this.initializers.push({ name, dataType: FLOAT, dims, rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) });
    return name;
  }

  integers(values: number[]): string {
    const name = `const_${this.counter++}`;
    this.initializers.push({ name, dataType: INT64, dims: [values.length], rawData: new Uint8Array(BigInt64Array.from(values, BigInt).buffer) });
    return name;
  }

  scalar(value: number): string {
    return this.floats(`const_${this.counter++}`, new Float32Array([value]), []);
  }

  op(opType: string, input: string[], attributes: Record<string, Attribute> = {}, outputs = 1): string[] {
    const output = Array.from({ length: outputs }, (_, index) => `${opType}_${this.counter}_${index}`);
    this.counter += 1;
    const attribute = Object.entries(attributes).map(([name, value]) =>
      Array.isArray(value) ? { name, type: onnx.AttributeProto.AttributeType.INTS, ints: value } : Number.isInteger(value) ? { name, type: onnx.AttributeProto.AttributeType.INT, i: value } : { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: value },
    );
    this.nodes.push({ opType, input, output, attribute });
    return output;
  }

  /** `op` for the usual single output. */
  one(opType: string, input: string[], attributes: Record<string, Attribute> = {}): string {
    return this.op(opType, input, attributes)[0] as string;
  }

  linear(x: string, kernel: string, bias: string, dims?: number[]): string {
    return this.one('Add', [this.one('MatMul', [x, this.weight(kernel, dims)]), this.weight(bias)]);
  }

  layerNorm(x: string, prefix: string): string {
    const scale = this.weight(`${prefix}layer_norm/layer_norm_scale/ConcatPartitions/concat`);
    const bias = this.weight(`${prefix}layer_norm/layer_norm_bias/ConcatPartitions/concat`);
    return this.one('LayerNormalization', [x, scale, bias], { axis: -1, epsilon: 1e-6 });
  }
}

function attention(graph: GraphWriter, x: string, layer: number, paddingBias: string): string {
  const { heads, depth, width } = LAYERS[layer] as (typeof LAYERS)[number];
  const at = `Layer_${layer}/TransformerLayer/MultiheadAttention/`;
  const size = heads * depth;
  const qkv = graph.linear(x, `${KERNELS}${at}qkv_transform_single/kernel/part_0`, `${ENCODE}${at}qkv_transform_single/bias/ConcatPartitions/concat`, [width, 3 * size]);
  const [q, k, v] = graph.op('Split', [qkv, graph.integers([size, size, size])], { axis: -1 }, 3) as [string, string, string];
  const splitHeads = graph.integers([0, 0, heads, depth]);
  const perHead = (input: string, perm: number[]) => graph.one('Transpose', [graph.one('Reshape', [input, splitHeads])], { perm });
  const queries = graph.one('Mul', [perHead(q, [0, 2, 1, 3]), graph.scalar(1 / Math.sqrt(depth))]);
  const logits = graph.one('Add', [graph.one('MatMul', [queries, perHead(k, [0, 2, 3, 1])]), paddingBias]);
  const context = graph.one('MatMul', [graph.one('Softmax', [logits], { axis: -1 }), perHead(v, [0, 2, 1, 3])]);
  const combined = graph.one('Reshape', [graph.one('Transpose', [context], { perm: [0, 2, 1, 3] }), graph.integers([0, 0, size])]);
  return graph.linear(combined, `${KERNELS}${at}output_transform_single/kernel/part_0`, `${ENCODE}${at}output_transform_single/bias/ConcatPartitions/concat`, [size, BUNDLED_MODEL_DIMENSIONS]);
}

function feedForward(graph: GraphWriter, x: string, layer: number): string {
  const at = `Layer_${layer}/TransformerLayer/FFN/`;
  const normed = graph.layerNorm(x, `${ENCODE}${at}layer_prepostprocess/`);
  const hidden = graph.one('Relu', [graph.linear(normed, `${ENCODE}TransformerStack/${at}conv1/Tensordot/Reshape_1`, `${ENCODE}${at}conv1/bias/ConcatPartitions/concat`)]);
  return graph.one('Add', [x, graph.linear(hidden, `${ENCODE}TransformerStack/${at}conv2/Tensordot/Reshape_1`, `${ENCODE}${at}conv2/bias/ConcatPartitions/concat`)]);
}

/** sin/cos of position × the model's 128 inverse timescales, for every position a text can use. */
function timingSignal(graph: GraphWriter): string {
  const name = `${ENCODE}TransformerStack/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`;
  const inverse = graph.values(name);
  const half = inverse.length;
  const table = new Float32Array(MAX_TOKENS * half * 2);
  for (let position = 0; position < MAX_TOKENS; position += 1) {
    for (let index = 0; index < half; index += 1) {
      const angle = Math.fround(position * (inverse[index] ?? 0));
      table[position * half * 2 + index] = Math.sin(angle);
      table[position * half * 2 + half + index] = Math.cos(angle);
    }
  }
  return graph.floats('timing_signal', table, [MAX_TOKENS, half * 2]);
}

/** The model as a serialized ONNX ModelProto, ready for `InferenceSession.create`. */
export function buildOnnxModel(weights: ReadonlyMap<string, Tensor>): Uint8Array {
  const graph = new GraphWriter(weights);
  const tokens = graph.one('Shape', ['ids'], { start: 1, end: 2 });
  const timing = graph.one('Slice', [timingSignal(graph), graph.integers([0]), tokens, graph.integers([0])]);
  const embedded = graph.one('Gather', [graph.weight('module/Embeddings_en'), 'ids']);
  // The original graph adds the looked-up embeddings to (embeddings + timing signal): twice, on purpose here.
  const input = graph.one('Add', [graph.one('Add', [embedded, embedded]), timing]);
  const paddingBias = graph.one('Unsqueeze', [graph.one('Mul', [graph.one('Sub', [graph.scalar(1), 'mask']), graph.scalar(-1e9)]), graph.integers([1, 2])]);

  const residual = graph.linear(input, `${ENCODE}Layer_0/TransformerLayer/dense/kernel/ConcatPartitions/concat`, `${ENCODE}Layer_0/TransformerLayer/dense/bias/ConcatPartitions/concat`);
  const first = attention(graph, graph.layerNorm(input, `${ENCODE}Layer_0/TransformerLayer/layer_prepostprocess/`), 0, paddingBias);
  const layer0 = feedForward(graph, graph.one('Add', [first, residual]), 0);
  const second = attention(graph, graph.layerNorm(layer0, `${ENCODE}Layer_1/TransformerLayer/layer_prepostprocess/`), 1, paddingBias);
  const layer1 = feedForward(graph, graph.one('Add', [second, layer0]), 1);

  const mask = graph.one('Unsqueeze', ['mask', graph.integers([2])]);
  const summed = graph.one('ReduceSum', [graph.one('Mul', [layer1, mask]), graph.integers([1])], { keepdims: 0 });
  const count = graph.one('Max', [graph.one('ReduceSum', [mask, graph.integers([1])], { keepdims: 0 }), graph.scalar(1)]);
  const pooled = graph.one('Div', [summed, count]);
  const output = graph.one('Tanh', [graph.linear(pooled, 'module/Encoder_en/hidden_layers/tanh_layer_0/weights', 'module/Encoder_en/hidden_layers/tanh_layer_0/bias')]);
  graph.nodes.push({ opType: 'Identity', input: [output], output: ['embedding'] });

  const tensorType = (elemType: number, dims: (string | number)[]) => ({ tensorType: { elemType, shape: { dim: dims.map((dim) => (typeof dim === 'string' ? { dimParam: dim } : { dimValue: dim })) } } });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'docent',
    graph: {
      name: 'universal-sentence-encoder-lite',
      node: graph.nodes,
      initializer: graph.initializers,
      input: [
        { name: 'ids', type: tensorType(INT64, ['batch', 'tokens']) },
        { name: 'mask', type: tensorType(FLOAT, ['batch', 'tokens']) },
      ],
      output: [{ name: 'embedding', type: tensorType(FLOAT, ['batch', BUNDLED_MODEL_DIMENSIONS]) }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
