import { elemTypeNumber, ONNX_FIELDS as F, type ElemType } from './onnx-model.ts';
import { ProtoWriter } from './protobuf.ts';

/** A graph input or output to declare: name, element type (default float32) and dims (names for dynamic dims). */
export interface OnnxValueSpec {
  readonly name: string;
  readonly elemType?: ElemType;
  readonly dims: readonly (number | string)[];
}

/** A float32 constant tensor, stored as `raw_data` (default) or as packed `float_data`. */
export interface OnnxFloatTensorSpec {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: ArrayLike<number>;
  readonly encoding?: 'raw' | 'float_data';
}

/** A node attribute value: a float, an int, an int list, a float list, a string, or a float32 tensor. */
export type OnnxAttributeValue =
  | { readonly float: number }
  | { readonly int: number }
  | { readonly ints: readonly number[] }
  | { readonly floats: readonly number[] }
  | { readonly string: string }
  | { readonly tensor: OnnxFloatTensorSpec };

/** One operator of the graph. */
export interface OnnxNodeSpec {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly domain?: string;
  readonly attributes?: Readonly<Record<string, OnnxAttributeValue>>;
}

/** A whole model: graph signature, nodes, constants and metadata. */
export interface OnnxModelSpec {
  readonly inputs: readonly OnnxValueSpec[];
  readonly outputs: readonly OnnxValueSpec[];
  readonly nodes: readonly OnnxNodeSpec[];
  readonly initializers?: readonly OnnxFloatTensorSpec[];
  readonly metadata?: Readonly<Record<string, string>>;
  /** Default 8 (onnxruntime 1.14 and later load it). */
  readonly irVersion?: number;
  /** Default-domain opset; default 17. */
  readonly opset?: number;
  readonly graphName?: string;
  readonly producer?: { readonly name: string; readonly version: string };
}

// AttributeProto.AttributeType values.
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;
const FLOAT32 = 1;

function tensorProto(t: OnnxFloatTensorSpec): ProtoWriter {
  const expected = t.dims.reduce((n, d) => n * d, 1);
  if (t.data.length !== expected) {
    throw new RangeError(`tensor ${t.name}: dims [${t.dims.join(',')}] hold ${expected} values, got ${t.data.length}`);
  }
  const w = new ProtoWriter().packedInts(F.tensor.dims, t.dims).int(F.tensor.dataType, FLOAT32).string(F.tensor.name, t.name);
  if (t.encoding === 'float_data') return w.packedFloats(F.tensor.floatData, t.data);
  const raw = new Uint8Array(t.data.length * 4);
  const dv = new DataView(raw.buffer);
  for (let i = 0; i < t.data.length; i++) dv.setFloat32(i * 4, t.data[i]!, true);
  return w.bytes(F.tensor.rawData, raw);
}

function valueInfoProto(v: OnnxValueSpec): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) {
    const dim = typeof d === 'number' ? new ProtoWriter().int(F.dim.value, d) : new ProtoWriter().string(F.dim.param, d);
    shape.bytes(F.shape.dim, dim);
  }
  const tensorType = new ProtoWriter().int(F.tensorType.elemType, elemTypeNumber(v.elemType ?? 'float32')).bytes(F.tensorType.shape, shape);
  return new ProtoWriter()
    .string(F.valueInfo.name, v.name)
    .bytes(F.valueInfo.type, new ProtoWriter().bytes(F.type.tensorType, tensorType));
}

function attributeProto(name: string, value: OnnxAttributeValue): ProtoWriter {
  const a = new ProtoWriter().string(F.attribute.name, name);
  if ('float' in value) return a.float(F.attribute.f, value.float).int(F.attribute.type, ATTRIBUTE_TYPE.float);
  if ('int' in value) return a.int(F.attribute.i, value.int).int(F.attribute.type, ATTRIBUTE_TYPE.int);
  if ('ints' in value) return a.packedInts(F.attribute.ints, value.ints).int(F.attribute.type, ATTRIBUTE_TYPE.ints);
  if ('floats' in value) return a.packedFloats(F.attribute.floats, value.floats).int(F.attribute.type, ATTRIBUTE_TYPE.floats);
  if ('string' in value) return a.string(F.attribute.s, value.string).int(F.attribute.type, ATTRIBUTE_TYPE.string);
  return a.bytes(F.attribute.t, tensorProto(value.tensor)).int(F.attribute.type, ATTRIBUTE_TYPE.tensor);
}

function nodeProto(n: OnnxNodeSpec, index: number): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(F.node.input, i);
  for (const o of n.outputs) w.string(F.node.output, o);
  w.string(F.node.name, n.name ?? `${n.opType.toLowerCase()}_${index}`).string(F.node.opType, n.opType);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.bytes(F.node.attribute, attributeProto(k, v));
  if (n.domain) w.string(F.node.domain, n.domain);
  return w;
}

/** Encodes a small ONNX model (ModelProto bytes) that onnxruntime can load; for tests and tooling, not for training. */
export function buildOnnxModel(spec: OnnxModelSpec): Uint8Array {
  const graph = new ProtoWriter();
  spec.nodes.forEach((n, i) => graph.bytes(F.graph.node, nodeProto(n, i)));
  graph.string(F.graph.name, spec.graphName ?? 'main_graph');
  for (const t of spec.initializers ?? []) graph.bytes(F.graph.initializer, tensorProto(t));
  for (const v of spec.inputs) graph.bytes(F.graph.input, valueInfoProto(v));
  for (const v of spec.outputs) graph.bytes(F.graph.output, valueInfoProto(v));

  const producer = spec.producer ?? { name: 'sightline', version: '0' };
  const model = new ProtoWriter()
    .int(F.model.irVersion, spec.irVersion ?? 8)
    .string(F.model.producerName, producer.name)
    .string(F.model.producerVersion, producer.version)
    .bytes(F.model.graph, graph)
    .bytes(F.model.opsetImport, new ProtoWriter().string(F.opset.domain, '').int(F.opset.version, spec.opset ?? 17));
  for (const [key, value] of Object.entries(spec.metadata ?? {})) {
    model.bytes(F.model.metadataProps, new ProtoWriter().string(F.entry.key, key).string(F.entry.value, value));
  }
  return model.finish();
}
