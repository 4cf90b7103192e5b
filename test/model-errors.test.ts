// Bad model files give one clear error each: not ONNX, or an ONNX model with a layout no decoder supports.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDetector } from '../src/assets/load-detector.ts';
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
