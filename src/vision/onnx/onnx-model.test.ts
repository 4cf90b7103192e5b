import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../../core/errors.ts';
import { ONNX_FIELDS as F, readOnnxInfo } from './onnx-model.ts';
import { buildOnnxModel, type OnnxModelSpec } from './onnx-writer.ts';
import { ProtoWriter } from './protobuf.ts';

const spec: OnnxModelSpec = {
  inputs: [
    { name: 'images', dims: ['batch', 3, 32, 32] },
    // Older exporters list weights as graph inputs too; they are not fed at run time.
    { name: 'weight', dims: [3] },
    { name: 'mask', elemType: 'uint8', dims: [1, 'height', 'width'] },
  ],
  outputs: [
    { name: 'scores', dims: ['batch', 3] },
    { name: 'odd', elemType: 'unknown(99)', dims: [] },
  ],
  initializers: [
    { name: 'weight', dims: [3], data: [1, 2, 3] },
    { name: 'bias', dims: [3], data: [0, 0, 1], encoding: 'float_data' },
  ],
  nodes: [
    { opType: 'ReduceMean', inputs: ['images'], outputs: ['m'], attributes: { axes: { ints: [2, 3] }, keepdims: { int: 0 } } },
    { opType: 'Mul', inputs: ['m', 'weight'], outputs: ['w'] },
    { opType: 'Add', inputs: ['w', 'bias'], outputs: ['scores'] },
    { opType: 'Mul', inputs: ['w', 'w'], outputs: ['odd'] },
    { opType: 'QuickGelu', domain: 'com.microsoft', inputs: ['w'], outputs: ['g'] },
  ],
  metadata: { task: 'detect', names: "{0: 'person'}", empty: '' },
  irVersion: 7,
  opset: 12,
  graphName: 'g',
  producer: { name: 'pytorch', version: '2.1.0' },
};

const expectLoadFailed = (bytes: Uint8Array, reason: RegExp) =>
  assert.throws(
    () => readOnnxInfo(bytes, 'models/bad.onnx'),
    (err) => isAppError(err, 'MODEL_LOAD_FAILED') && /^models\/bad\.onnx: expected an ONNX model \(protobuf ModelProto\), /.test(err.message) && reason.test(err.message),
  );

test('readOnnxInfo reads what buildOnnxModel wrote', () => {
  const info = readOnnxInfo(buildOnnxModel(spec), 'm.onnx');
  assert.deepEqual(info, {
    irVersion: 7,
    producer: { name: 'pytorch', version: '2.1.0' },
    domain: '',
    modelVersion: 0,
    docString: '',
    opsets: [{ domain: 'ai.onnx', version: 12 }],
    metadata: { task: 'detect', names: "{0: 'person'}", empty: '' },
    graphName: 'g',
    inputs: [
      { name: 'images', elemType: 'float32', dims: ['batch', 3, 32, 32] },
      { name: 'mask', elemType: 'uint8', dims: [1, 'height', 'width'] },
    ],
    outputs: [
      { name: 'scores', elemType: 'float32', dims: ['batch', 3] },
      { name: 'odd', elemType: 'unknown(99)', dims: [] },
    ],
    nodeCount: 5,
    opTypes: ['Add', 'Mul', 'ReduceMean', 'com.microsoft:QuickGelu'],
  });
});

test('model header fields, opsets of other domains, negative and unnamed dims', () => {
  const shape = new ProtoWriter()
    .bytes(F.shape.dim, new ProtoWriter().int(F.dim.value, -1))
    .bytes(F.shape.dim, new ProtoWriter()) // neither dim_value nor dim_param: an unknown dim
    .bytes(F.shape.dim, new ProtoWriter().string(F.dim.param, 'n'));
  const type = new ProtoWriter().bytes(F.type.tensorType, new ProtoWriter().int(F.tensorType.elemType, 7).bytes(F.tensorType.shape, shape));
  const graph = new ProtoWriter().bytes(F.graph.input, new ProtoWriter().string(F.valueInfo.name, 'x').bytes(F.valueInfo.type, type));
  const bytes = new ProtoWriter()
    .int(F.model.irVersion, 3)
    .string(F.model.domain, 'ai.example')
    .int(F.model.modelVersion, 42)
    .string(F.model.docString, 'doc')
    .bytes(F.model.opsetImport, new ProtoWriter().int(F.opset.version, 9))
    .bytes(F.model.opsetImport, new ProtoWriter().string(F.opset.domain, 'com.microsoft').int(F.opset.version, 1))
    .bytes(F.model.graph, graph)
    .int(99, 1) // an unknown field is passed over
    .finish();
  const info = readOnnxInfo(bytes, 'm.onnx');
  assert.deepEqual([info.domain, info.modelVersion, info.docString], ['ai.example', 42, 'doc']);
  assert.deepEqual(info.opsets, [{ domain: 'ai.onnx', version: 9 }, { domain: 'com.microsoft', version: 1 }]);
  assert.deepEqual(info.inputs, [{ name: 'x', elemType: 'int64', dims: [-1, '?', 'n'] }]);
});

test('initializer payloads are skipped: a model with 16 MB of weights reads in milliseconds', () => {
  const weights = new Float32Array(4 << 20);
  const bytes = buildOnnxModel({ ...spec, initializers: [{ name: 'weight', dims: [weights.length], data: weights }, spec.initializers![1]!] });
  assert.ok(bytes.length > 16e6);
  const t0 = performance.now();
  const info = readOnnxInfo(bytes, 'big.onnx');
  const ms = performance.now() - t0;
  assert.equal(info.inputs.length, 2);
  assert.ok(ms < 50, `${ms.toFixed(1)} ms`);
});

test('files that are not ONNX models give MODEL_LOAD_FAILED naming the file and the reason', async (t) => {
  const model = buildOnnxModel(spec);
  const graphTag = [...model].findIndex((b) => b === ((F.model.graph << 3) | 2));
  const cases: { name: string; bytes: Uint8Array; reason: RegExp }[] = [
    { name: 'empty file', bytes: new Uint8Array(0), reason: /got an empty file/ },
    { name: 'text', bytes: new TextEncoder().encode('this is not a model'), reason: /not valid protobuf: unsupported wire type 4 \(end-group\) for field 14 at byte 0/ },
    { name: 'cut inside the graph', bytes: model.subarray(0, model.length - 200), reason: new RegExp(`not valid protobuf: truncated length-delimited field 7 at byte ${graphTag}: expected \\d+ bytes`) },
    { name: 'cut inside a varint', bytes: Uint8Array.from([0x08, 0x88]), reason: /truncated varint \(field 1\) at byte 1/ },
    { name: 'valid protobuf without a graph', bytes: new ProtoWriter().int(1, 8).string(2, 'x').finish(), reason: /but it has no graph \(field 7\) in its 5 bytes/ },
    { name: 'a graph without ir_version', bytes: new ProtoWriter().bytes(7, new Uint8Array(0)).finish(), reason: /but it has no ir_version \(field 1\)/ },
    { name: 'graph field of the wrong type', bytes: new ProtoWriter().int(1, 8).int(7, 1).finish(), reason: /field 7 \(graph\) at byte 2: expected wire type 2/ },
    { name: 'malformed message inside the graph', bytes: new ProtoWriter().int(1, 8).bytes(7, Uint8Array.from([0x0a, 0x09, 0x01])).finish(), reason: /truncated length-delimited field 1 at byte 4/ },
  ];
  for (const c of cases) await t.test(c.name, () => expectLoadFailed(c.bytes, c.reason));
});
