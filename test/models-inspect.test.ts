// `models inspect` on the real ONNX files and on small models built with onnx-writer and run by onnxruntime:
// what the files say about themselves, the proposed manifests, and one clear error per bad file.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { loadCatalog } from '../src/assets/catalog.ts';
import { isAppError } from '../src/core/errors.ts';
import { loadOnnxModel } from '../src/vision/adapters/onnx-runtime.ts';
import { proposeManifest } from '../src/vision/inspect.ts';
import { readOnnxInfo } from '../src/vision/onnx/onnx-model.ts';
import { buildOnnxModel } from '../src/vision/onnx/onnx-writer.ts';
import { asset, ASSETS } from './support/assets.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'sightline-models-'));
const cli = (args: string[]) => run('node', ['bin/sightline.mjs', 'models', ...args], { env: { ...process.env, SIGHTLINE_ASSETS: ASSETS }, maxBuffer: 1 << 24 });

/** Reads a model file's info, timing the parse alone (median of 5 after one cold read). */
function readTimed(path: string) {
  const bytes = readFileSync(path);
  let t0 = performance.now();
  const info = readOnnxInfo(bytes, path);
  const coldMs = performance.now() - t0;
  const ms: number[] = [];
  for (let i = 0; i < 5; i++) {
    t0 = performance.now();
    readOnnxInfo(bytes, path);
    ms.push(performance.now() - t0);
  }
  return { info, coldMs, medianMs: ms.sort((a, b) => a - b)[2]! };
}

const real = [
  { file: 'yolox_nano.onnx', input: [1, 3, 416, 416], output: [1, 3549, 85], task: 'detect', family: 'yolox', size: [416, 416] },
  { file: 'yolov8n_int8_dynamic.onnx', input: [1, 3, 640, 640], output: [1, 84, 8400], task: 'detect', family: 'ultralytics', size: [640, 640] },
  { file: 'yolo11n_int8_320.onnx', input: [1, 3, 320, 320], output: [1, 84, 2100], task: 'detect', family: 'ultralytics', size: [320, 320] },
  { file: 'osnet_x0_25_msmt17.onnx', input: ['batch', 3, 256, 128], output: ['batch', 512], task: 'embed', family: 'embedder', size: [128, 256] },
];

test('the real models: shapes, metadata and a proposal that agrees with the catalog', async (t) => {
  const catalog = loadCatalog();
  for (const m of real) {
    await t.test(m.file, () => {
      const { info, coldMs, medianMs } = readTimed(asset(`models/${m.file}`));
      t.diagnostic(`${m.file}: read in ${coldMs.toFixed(2)} ms cold, ${medianMs.toFixed(2)} ms median`);
      assert.ok(medianMs < 50, `${medianMs.toFixed(1)} ms`);
      assert.equal(info.inputs.length, 1);
      assert.deepEqual(info.inputs[0]!.dims, m.input);
      assert.deepEqual(info.outputs.map((o) => o.dims), [m.output]);
      assert.equal(info.inputs[0]!.elemType, 'float32');
      assert.ok(info.nodeCount > 300 && info.opTypes.includes('Concat'), `${info.nodeCount} nodes`);

      const { manifest } = proposeManifest(info, asset(`models/${m.file}`));
      assert.equal(manifest.file, m.file);
      assert.deepEqual([manifest.task, manifest.family, manifest.inputWidth, manifest.inputHeight], [m.task, m.family, ...m.size]);
      const known = catalog.models.find((c) => c.file === m.file);
      if (!known) return;
      for (const k of ['task', 'family', 'inputWidth', 'inputHeight', 'colorOrder', 'pixelScale', 'mean', 'std', 'letterbox', 'padValue', 'embeddingDim'] as const) {
        if (k in known) assert.deepEqual(manifest[k], (known as Record<string, unknown>)[k], k);
      }
      const labels = typeof manifest.labels === 'string' ? catalog.labelSets[manifest.labels] : manifest.labels;
      assert.deepEqual(labels, 'labels' in known ? known.labels : undefined);
    });
  }

  await t.test('Ultralytics metadata: task, names, imgsz, licence', () => {
    const { info } = readTimed(asset('models/yolov8n_int8_dynamic.onnx'));
    assert.deepEqual([info.producer.name, info.irVersion, info.opsets[0]], ['onnx.quantize', 9, { domain: 'ai.onnx', version: 20 }]);
    assert.equal(info.metadata['task'], 'detect');
    assert.equal(info.metadata['imgsz'], '[640, 640]');
    assert.ok(info.opTypes.includes('ConvInteger') && info.opTypes.includes('DynamicQuantizeLinear'));
    const { manifest, notes } = proposeManifest(info, 'yolov8n_int8_dynamic.onnx');
    assert.ok(Array.isArray(manifest.labels));
    assert.equal(manifest.labels.length, 80);
    assert.deepEqual([manifest.labels[0], manifest.labels[79]], ['person', 'toothbrush']);
    assert.equal(manifest.licence, 'AGPL-3.0');
    assert.ok(notes.includes('labels: 80 names from the metadata (0: person)'), notes.join('\n'));
  });

  await t.test('OSNet: a 512-value embedder with ImageNet normalisation', () => {
    const { manifest } = proposeManifest(readTimed(asset('models/osnet_x0_25_msmt17.onnx')).info, 'osnet_x0_25_msmt17.onnx');
    assert.equal(manifest.embeddingDim, 512);
    assert.deepEqual([manifest.colorOrder, manifest.mean, manifest.std], ['rgb', [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]]);
  });
});

const poseBase = Float32Array.from({ length: 56 * 21 }, (_, i) => i / 100);
const poseModel = buildOnnxModel({
  // 32x32 has 16 + 4 + 1 = 21 anchors on strides 8/16/32; 56 rows = 4 box + 1 class + 17 keypoints * 3.
  inputs: [{ name: 'images', dims: [1, 3, 32, 32] }],
  outputs: [{ name: 'output0', dims: [1, 56, 21] }],
  initializers: [
    { name: 'base', dims: [1, 56, 21], data: poseBase },
    { name: 'half', dims: [1], data: [0.5], encoding: 'float_data' },
  ],
  nodes: [
    { opType: 'ReduceMean', inputs: ['images'], outputs: ['mean'], attributes: { axes: { ints: [1, 2, 3] }, keepdims: { int: 0 } } },
    { opType: 'Mul', inputs: ['mean', 'half'], outputs: ['shift'] },
    { opType: 'Add', inputs: ['base', 'shift'], outputs: ['output0'] },
  ],
  metadata: { task: 'pose', kpt_shape: '[17, 3]', names: "{0: 'person'}", imgsz: '[32, 32]' },
});

const clipWeights = [1, 0, 0, 2, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1]; // [3, 5], row-major
const clipModel = buildOnnxModel({
  inputs: [{ name: 'clip', dims: [1, 3, 8, 16, 16] }],
  outputs: [{ name: 'scores', dims: [1, 5] }],
  initializers: [{ name: 'w', dims: [3, 5], data: clipWeights }],
  nodes: [
    { opType: 'ReduceMean', inputs: ['clip'], outputs: ['mean'], attributes: { axes: { ints: [2, 3, 4] }, keepdims: { int: 0 } } },
    { opType: 'MatMul', inputs: ['mean', 'w'], outputs: ['logits'] },
    { opType: 'Constant', inputs: [], outputs: ['bias'], attributes: { value: { tensor: { name: 'bias', dims: [5], data: [0, 0, 0, 0, 10], encoding: 'float_data' } } } },
    { opType: 'Add', inputs: ['logits', 'bias'], outputs: ['scores'] },
  ],
  metadata: { names: "['walk', 'run', 'fall', 'sit', 'other']" },
});

const oddModel = buildOnnxModel({
  inputs: [{ name: 'images', dims: [1, 3, 8, 8] }],
  outputs: [{ name: 'output0', dims: [1, 7, 7] }],
  nodes: [{ opType: 'Constant', inputs: [], outputs: ['output0'], attributes: { value: { tensor: { name: 'c', dims: [1, 7, 7], data: new Float32Array(49) } } } }],
});

const save = (name: string, bytes: Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

test('generated models run in onnxruntime with the expected values', async (t) => {
  await t.test('pose: base + mean(images) / 2, [1,56,21]', async () => {
    const runner = await loadOnnxModel(save('pose.onnx', poseModel), { threads: 1 });
    try {
      assert.deepEqual([runner.inputDims, runner.outputDims], [[1, 3, 32, 32], [1, 56, 21]]);
      const out = await runner.run(new Float32Array(3 * 32 * 32).fill(4), [1, 3, 32, 32]);
      assert.deepEqual(out.dims, [1, 56, 21]);
      for (const i of [0, 1, 500, poseBase.length - 1]) assert.ok(Math.abs(out.data[i]! - (poseBase[i]! + 2)) < 1e-5, `output[${i}] = ${out.data[i]}`);
    } finally {
      await runner.close();
    }
  });
  await t.test('clip: per-channel means times W plus a Constant bias, [1,5]', async () => {
    const runner = await loadOnnxModel(save('clip.onnx', clipModel), { threads: 1 });
    try {
      const frame = 8 * 16 * 16;
      const input = new Float32Array(3 * frame).map((_, i) => Math.floor(i / frame) + 1); // channel means 1, 2, 3
      const out = await runner.run(input, [1, 3, 8, 16, 16]);
      assert.deepEqual(out.dims, [1, 5]);
      const want = [0, 1, 2, 3, 4].map((k) => [1, 2, 3].reduce((s, m, c) => s + m * clipWeights[c * 5 + k]!, 0) + (k === 4 ? 10 : 0));
      assert.deepEqual([...out.data].map((v) => Math.round(v * 1e4) / 1e4), want);
    } finally {
      await runner.close();
    }
  });
});

test('generated models: pose, clip classifier, and an unsupported layout', async (t) => {
  await t.test('pose with 17 keypoints', () => {
    const { manifest } = proposeManifest(readOnnxInfo(poseModel, 'pose.onnx'), 'pose.onnx');
    assert.deepEqual(
      [manifest.task, manifest.family, manifest.keypoints, manifest.labels, manifest.inputWidth],
      ['pose', 'ultralytics-pose', { count: 17, dims: 3 }, ['person'], 32],
    );
  });
  await t.test('clip classifier', () => {
    const { manifest } = proposeManifest(readOnnxInfo(clipModel, 'clip.onnx'), 'clip.onnx');
    assert.deepEqual(
      [manifest.task, manifest.family, manifest.inputLayout, manifest.clipFrames, manifest.inputWidth, manifest.labels],
      ['classify-clip', 'clip-classifier', 'ncthw', 8, 16, ['walk', 'run', 'fall', 'sit', 'other']],
    );
  });
  await t.test('output [1,7,7] names both shapes', () => {
    assert.throws(
      () => proposeManifest(readOnnxInfo(oddModel, 'odd.onnx'), 'odd.onnx'),
      (err) => isAppError(err, 'MODEL_LAYOUT_UNSUPPORTED') && err.message.includes('saw input [1,3,8,8] and output [1,7,7]') && /supported layouts/.test(err.message),
    );
  });
});

test('a truncated copy of a real model gives MODEL_LOAD_FAILED naming the file', () => {
  const whole = readFileSync(asset('models/yolox_nano.onnx'));
  const cut = save('yolox_nano_cut.onnx', whole.subarray(0, whole.length >> 1));
  assert.throws(
    () => readOnnxInfo(readFileSync(cut), cut),
    (err) =>
      isAppError(err, 'MODEL_LOAD_FAILED') &&
      err.message.startsWith(`${cut}: expected an ONNX model (protobuf ModelProto), but it is not valid protobuf: truncated length-delimited field 7`),
  );
});

test('the CLI: inspect --json, the readable report, and one error line per bad file', async (t) => {
  await t.test('--json', async () => {
    const { stdout } = await cli(['inspect', asset('models/yolox_nano.onnx'), '--json']);
    const out = JSON.parse(stdout);
    assert.deepEqual(out.info.outputs, [{ name: 'output', elemType: 'float32', dims: [1, 3549, 85] }]);
    assert.deepEqual(out.info.producer, { name: 'pytorch', version: '1.11.0' });
    const m = out.proposal.manifest;
    assert.deepEqual([m.id, m.family, m.inputWidth, m.labels, m.sizeBytes], ['yolox-nano', 'yolox', 416, 'coco80', 3678356]);
    // The assets copy is not the file at the catalog URL but a re-export the catalog lists as equivalent.
    assert.deepEqual(loadCatalog().models.find((c) => c.id === 'yolox-nano')!.equivalents?.map((e) => e.sha256), [m.sha256]);
    assert.ok(out.proposal.notes.length > 0);
  });
  await t.test('readable report', async () => {
    const { stdout } = await cli(['inspect', asset('models/yolo11n_int8_320.onnx')]);
    assert.match(stdout, /ONNX IR 7, produced by onnx\.quantize 0\.1\.0/);
    assert.match(stdout, /inputs:\n {2}images {2}float32 \[1,3,320,320\]\noutputs:\n {2}output0 {2}float32 \[1,84,2100\]/);
    assert.match(stdout, /metadata: .*task.*names/);
    assert.match(stdout, /proposed manifest:\n\{\n {2}"id": "yolo11n-int8-320",/);
    assert.match(stdout, /"family": "ultralytics"/);
  });
  await t.test('unsupported layout: the facts, then the error', async () => {
    await assert.rejects(cli(['inspect', save('odd.onnx', oddModel)]), (err: { code: number; stdout: string; stderr: string }) => {
      assert.equal(err.code, 1);
      assert.match(err.stdout, /outputs:\n {2}output0 {2}float32 \[1,7,7\]/);
      assert.match(err.stderr, /^sightline: odd\.onnx: saw input \[1,3,8,8\] and output \[1,7,7\];.*\[MODEL_LAYOUT_UNSUPPORTED\]\n$/);
      return true;
    });
  });
  await t.test('truncated file and missing file', async () => {
    const cut = save('cut.onnx', readFileSync(asset('models/osnet_x0_25_msmt17.onnx')).subarray(0, 5000));
    await assert.rejects(cli(['inspect', cut]), (err: { code: number; stderr: string }) => {
      assert.equal(err.code, 1);
      assert.ok(err.stderr.includes(`sightline: ${cut}: expected an ONNX model`), err.stderr);
      assert.match(err.stderr, /\[MODEL_LOAD_FAILED\]/);
      return true;
    });
    await assert.rejects(cli(['inspect', join(dir, 'missing.onnx')]), (err: { stderr: string }) => /cannot read model file .*missing\.onnx.*\[MODEL_LOAD_FAILED\]/.test(err.stderr));
  });
  await t.test('usage', async () => {
    const { stdout } = await cli(['--help']);
    assert.match(stdout, /usage: sightline models inspect FILE\.onnx \[--json\]/);
    await assert.rejects(cli(['inspect']), (err: { code: number; stderr: string }) => err.code === 2 && /usage: sightline models inspect/.test(err.stderr));
  });
});
