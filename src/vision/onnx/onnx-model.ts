import { AppError } from '../../core/errors.ts';
import { expectWire, fields, intValue, ProtobufError, stringValue, WIRE, type ProtoField } from './protobuf.ts';

/** Field numbers of the ONNX messages this reader and `onnx-writer.ts` use (from onnx.proto3). */
export const ONNX_FIELDS = {
  model: { irVersion: 1, producerName: 2, producerVersion: 3, domain: 4, modelVersion: 5, docString: 6, graph: 7, opsetImport: 8, metadataProps: 14 },
  opset: { domain: 1, version: 2 },
  entry: { key: 1, value: 2 },
  graph: { node: 1, name: 2, initializer: 5, docString: 10, input: 11, output: 12, valueInfo: 13 },
  node: { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 },
  attribute: { name: 1, f: 2, i: 3, s: 4, t: 5, floats: 7, ints: 8, type: 20 },
  tensor: { dims: 1, dataType: 2, floatData: 4, name: 8, rawData: 9 },
  valueInfo: { name: 1, type: 2 },
  type: { tensorType: 1 },
  tensorType: { elemType: 1, shape: 2 },
  shape: { dim: 1 },
  dim: { value: 1, param: 2 },
} as const;

/** TensorProto.DataType numbers by index, named as onnxruntime-node names tensor types. */
const ELEM_TYPES = [
  'undefined', 'float32', 'uint8', 'int8', 'uint16', 'int16', 'int32', 'int64', 'string', 'bool', 'float16', 'float64',
  'uint32', 'uint64', 'complex64', 'complex128', 'bfloat16', 'float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2',
  'float8e5m2fnuz', 'uint4', 'int4', 'float4e2m1',
] as const;

/** Element type of a tensor, or `unknown(N)` for a TensorProto.DataType number this reader does not name. */
export type ElemType = (typeof ELEM_TYPES)[number] | `unknown(${number})`;

/** The ONNX data-type number of an element type (inverse of the names above). */
export function elemTypeNumber(elemType: ElemType): number {
  const i = ELEM_TYPES.indexOf(elemType as (typeof ELEM_TYPES)[number]);
  return i >= 0 ? i : Number(/^unknown\((\d+)\)$/.exec(elemType)?.[1] ?? 0);
}

const elemTypeName = (n: number): ElemType => ELEM_TYPES[n] ?? `unknown(${n})`;

/** A graph input or output: name, element type, and dims (numbers, or names for dynamic dims; '?' when unnamed). */
export interface OnnxTensorInfo {
  readonly name: string;
  readonly elemType: ElemType;
  readonly dims: readonly (number | string)[];
}

/** What an ONNX file says about itself, read from its ModelProto without loading the weights. */
export interface OnnxInfo {
  readonly irVersion: number;
  readonly producer: { readonly name: string; readonly version: string };
  readonly domain: string;
  readonly modelVersion: number;
  readonly docString: string;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly graphName: string;
  /** Graph inputs fed at run time (inputs that are also initializers, as older exports list them, are left out). */
  readonly inputs: readonly OnnxTensorInfo[];
  readonly outputs: readonly OnnxTensorInfo[];
  readonly nodeCount: number;
  /** Sorted unique operator types, prefixed `domain:` when not in the default domain. */
  readonly opTypes: readonly string[];
}

type Bytes = Uint8Array;
const F = ONNX_FIELDS;

function readShape(b: Bytes, f: ProtoField): (number | string)[] {
  const dims: (number | string)[] = [];
  for (const d of fields(b, f.start, f.end)) {
    if (d.fieldNumber !== F.shape.dim) continue;
    let dim: number | string = '?';
    for (const x of fields(b, d.start, d.end)) {
      if (x.fieldNumber === F.dim.value) dim = intValue(b, x, 'dim_value');
      else if (x.fieldNumber === F.dim.param) dim = stringValue(b, x, 'dim_param');
    }
    dims.push(dim);
  }
  return dims;
}

function readValueInfo(b: Bytes, f: ProtoField): OnnxTensorInfo {
  let name = '';
  let elemType: ElemType = 'undefined';
  let dims: (number | string)[] = [];
  for (const x of fields(b, f.start, f.end)) {
    if (x.fieldNumber === F.valueInfo.name) name = stringValue(b, x, 'ValueInfoProto.name');
    if (x.fieldNumber !== F.valueInfo.type) continue;
    for (const t of fields(b, x.start, x.end)) {
      if (t.fieldNumber !== F.type.tensorType) continue;
      for (const tt of fields(b, t.start, t.end)) {
        if (tt.fieldNumber === F.tensorType.elemType) elemType = elemTypeName(intValue(b, tt, 'elem_type'));
        else if (tt.fieldNumber === F.tensorType.shape) dims = readShape(b, tt);
      }
    }
  }
  return { name, elemType, dims };
}

/** Name of a TensorProto; its data fields are passed over without being read or copied. */
function tensorName(b: Bytes, f: ProtoField): string {
  for (const x of fields(b, f.start, f.end)) if (x.fieldNumber === F.tensor.name) return stringValue(b, x, 'TensorProto.name');
  return '';
}

function readNode(b: Bytes, f: ProtoField): string {
  let opType = '';
  let domain = '';
  for (const x of fields(b, f.start, f.end)) {
    if (x.fieldNumber === F.node.opType) opType = stringValue(b, x, 'op_type');
    else if (x.fieldNumber === F.node.domain) domain = stringValue(b, x, 'NodeProto.domain');
  }
  return domain && domain !== 'ai.onnx' ? `${domain}:${opType}` : opType;
}

function readPairs(b: Bytes, f: ProtoField, first: number, second: number): [string, ProtoField | undefined] {
  let key = '';
  let value: ProtoField | undefined;
  for (const x of fields(b, f.start, f.end)) {
    if (x.fieldNumber === first) key = stringValue(b, x);
    else if (x.fieldNumber === second) value = x;
  }
  return [key, value];
}

function readGraph(b: Bytes, g: ProtoField) {
  const inputs: OnnxTensorInfo[] = [];
  const outputs: OnnxTensorInfo[] = [];
  const initializers = new Set<string>();
  const opTypes = new Set<string>();
  let nodeCount = 0;
  let name = '';
  for (const f of fields(b, g.start, g.end)) {
    switch (f.fieldNumber) {
      case F.graph.node:
        nodeCount++;
        opTypes.add(readNode(b, f));
        break;
      case F.graph.name:
        name = stringValue(b, f, 'GraphProto.name');
        break;
      case F.graph.initializer:
        initializers.add(tensorName(b, f));
        break;
      case F.graph.input:
        inputs.push(readValueInfo(b, f));
        break;
      case F.graph.output:
        outputs.push(readValueInfo(b, f));
        break;
    }
  }
  return {
    graphName: name,
    inputs: inputs.filter((i) => !initializers.has(i.name)),
    outputs,
    nodeCount,
    opTypes: [...opTypes].sort(),
  };
}

/** Reads the header, graph signature and metadata of an ONNX model (pure; initializer payloads are skipped, not copied). */
export function readOnnxInfo(bytes: Uint8Array, fileName: string): OnnxInfo {
  const fail = (reason: string, cause?: unknown) =>
    new AppError('MODEL_LOAD_FAILED', `${fileName}: expected an ONNX model (protobuf ModelProto), ${reason}`, { cause });
  if (bytes.length === 0) throw fail('got an empty file');
  try {
    let irVersion = 0;
    const producer = { name: '', version: '' };
    let domain = '';
    let modelVersion = 0;
    let docString = '';
    let graph: ProtoField | undefined;
    const opsets: { domain: string; version: number }[] = [];
    const metadata: Record<string, string> = {};
    for (const f of fields(bytes)) {
      switch (f.fieldNumber) {
        case F.model.irVersion:
          irVersion = intValue(bytes, f, 'ir_version');
          break;
        case F.model.producerName:
          producer.name = stringValue(bytes, f, 'producer_name');
          break;
        case F.model.producerVersion:
          producer.version = stringValue(bytes, f, 'producer_version');
          break;
        case F.model.domain:
          domain = stringValue(bytes, f, 'domain');
          break;
        case F.model.modelVersion:
          modelVersion = intValue(bytes, f, 'model_version');
          break;
        case F.model.docString:
          docString = stringValue(bytes, f, 'doc_string');
          break;
        case F.model.graph:
          expectWire(f, WIRE.bytes, 'graph');
          graph = f;
          break;
        case F.model.opsetImport: {
          const [d, v] = readPairs(bytes, f, F.opset.domain, F.opset.version);
          opsets.push({ domain: d || 'ai.onnx', version: v ? intValue(bytes, v, 'opset version') : 0 });
          break;
        }
        case F.model.metadataProps: {
          const [k, v] = readPairs(bytes, f, F.entry.key, F.entry.value);
          metadata[k] = v ? stringValue(bytes, v, 'metadata value') : '';
          break;
        }
      }
    }
    if (!graph) throw fail(`but it has no graph (field ${F.model.graph}) in its ${bytes.length} bytes`);
    if (irVersion <= 0) throw fail(`but it has no ir_version (field ${F.model.irVersion})`);
    return { irVersion, producer, domain, modelVersion, docString, opsets, metadata, ...readGraph(bytes, graph) };
  } catch (err) {
    if (err instanceof ProtobufError) throw fail(`but it is not valid protobuf: ${err.message}`, err);
    throw err;
  }
}
