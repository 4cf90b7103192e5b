// Bad model files give one clear error each: not ONNX, or an ONNX model with a layout no decoder supports.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDetector } from '../src/assets/load-detector.ts';
import { isAppError } from '../src/core/errors.ts';
import { loadOnnxModel } from '../src/vision/adapters/onnx-runtime.ts';
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

test('an embedder (OSNet) used as a detector names the shapes it saw and the supported layouts', async () => {
  await assert.rejects(loadDetector(asset('models/osnet_x0_25_msmt17.onnx'), loc, loadOnnxModel, { threads: 1 }), (err) => {
    assert.ok(isAppError(err, 'MODEL_LAYOUT_UNSUPPORTED'));
    assert.match(err.message, /saw input \[batch,3,256,128\] and output \[batch,512\]/);
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
