// Bad model files give one clear error each: not ONNX, truncated, a layout no decoder supports, or a file that no longer
// fits its recorded manifest.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDetector } from '../src/assets/load-detector.ts';
import { addModelFile } from '../src/assets/model-store.ts';
import { isAppError } from '../src/core/errors.ts';
import { loadOnnxModel } from '../src/vision/adapters/onnx-runtime.ts';
import { buildOnnxModel } from '../src/vision/onnx/onnx-writer.ts';
import { asset } from './support/assets.ts';

const loc = { modelDir: '/nonexistent', searchDirs: [], download: false };

test('a file that is not ONNX gives MODEL_LOAD_FAILED naming the file', async () => {
  const p = join(mkdtempSync(join(tmpdir(), 'sightline-model-')), 'fake.onnx');
  writeFileSync(p, 'this is not a model');
  await assert.rejects(loadDetector(p, loc, loadOnnxModel, { threads: 1 }), (err) => {
    assert.ok(isAppError(err, 'MODEL_LOAD_FAILED'));
    assert.match(err.message, /expected an ONNX model in .*fake\.onnx/);
    return true;
  });
});

test('a truncated ONNX file (half of YOLOX-nano) gives MODEL_LOAD_FAILED naming the file', async () => {
  const p = join(mkdtempSync(join(tmpdir(), 'sightline-model-')), 'half.onnx');
  const bytes = readFileSync(asset('models/yolox_nano.onnx'));
  writeFileSync(p, bytes.subarray(0, bytes.length >> 1));
  await assert.rejects(loadDetector(p, loc, loadOnnxModel, { threads: 1 }), (err) => {
    assert.ok(isAppError(err, 'MODEL_LOAD_FAILED'), String(err));
    assert.match(err.message, /half\.onnx/);
    return true;
  });
});

test('an added model whose file was replaced by one of another input size is refused, naming both sizes', async () => {
  const modelDir = join(mkdtempSync(join(tmpdir(), 'sightline-model-')), 'models');
  await addModelFile(asset('models/yolo11n_int8_320.onnx'), { modelDir, assetsModelDir: null }, { id: 'small' });
  copyFileSync(asset('models/yolov8n_int8_dynamic.onnx'), join(modelDir, 'small.onnx'));
  await assert.rejects(loadDetector('small', { modelDir, searchDirs: [], download: false }, loadOnnxModel, { threads: 1 }), (err) => {
    assert.ok(isAppError(err, 'MODEL_LAYOUT_UNSUPPORTED'), String(err));
    assert.match(err.message, /model small \(.*small\.onnx\): manifest says input 320x320, the file has 640x640/);
    return true;
  });
});

test('a missing model file gives MODEL_LOAD_FAILED', async () => {
  await assert.rejects(loadDetector('/nonexistent/x.onnx', loc, loadOnnxModel, { threads: 1 }), (err) => isAppError(err, 'MODEL_LOAD_FAILED'));
});

test('a model of a layout no decoder knows (an image-to-image graph) names the shapes it saw and the supported layouts', async () => {
  // No such real model is here: a one-node graph (Identity) with an image in and an image out.
  const p = join(mkdtempSync(join(tmpdir(), 'sightline-model-')), 'image-to-image.onnx');
  writeFileSync(p, buildOnnxModel({ inputs: [{ name: 'images', dims: [1, 3, 64, 64] }], outputs: [{ name: 'mask', dims: [1, 3, 64, 64] }], nodes: [{ opType: 'Identity', inputs: ['images'], outputs: ['mask'] }] }));
  await assert.rejects(loadDetector(p, loc, loadOnnxModel, { threads: 1 }), (err) => {
    assert.ok(isAppError(err, 'MODEL_LAYOUT_UNSUPPORTED'), String(err));
    assert.match(err.message, /saw input \[1,3,64,64\] and output \[1,3,64,64\]/);
    assert.match(err.message, /supported layouts/);
    return true;
  });
});

test('a model by path is recognised from its shapes', async () => {
  const d = await loadDetector(asset('models/yolo11n_int8_320.onnx'), loc, loadOnnxModel, { threads: 1 });
  assert.equal(d.manifest.family, 'ultralytics');
  assert.equal(d.manifest.inputWidth, 320);
  await d.close();
});
