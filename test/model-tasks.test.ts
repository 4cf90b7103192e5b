// Models are described by task (detect, pose, embed, classify-clip): a model configured for the wrong task is refused
// with MODEL_TASK_MISMATCH naming the model and what it is, whether it is named by catalog id, by added-model id or by
// a file path no manifest knows (then the file's own shapes say what it is). Real models from the shared assets.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDetector } from '../src/assets/load-detector.ts';
import { loadEmbedder } from '../src/assets/load-embedder.ts';
import { addModelFile, listModels } from '../src/assets/model-store.ts';
import { isAppError } from '../src/core/errors.ts';
import { loadOnnxModel } from '../src/vision/adapters/onnx-runtime.ts';
import { cosineSimilarity } from '../src/vision/embedder.ts';
import { buildOnnxModel } from '../src/vision/onnx/onnx-writer.ts';
import { asset, ASSETS } from './support/assets.ts';
import { jpegFrame } from './support/frames.ts';
import { clipModel } from './support/tiny-models.ts';

const dir = mkdtempSync(join(tmpdir(), 'sightline-tasks-'));
const loc = { modelDir: join(dir, 'models'), searchDirs: [join(ASSETS, 'models')], download: false };
const opts = { threads: 1 };

/** A copy of an asset model under a name no manifest knows. */
function unnamed(file: string, as: string): string {
  const p = join(dir, as);
  copyFileSync(asset(`models/${file}`), p);
  return p;
}

const mismatch = (pattern: RegExp) => (err: unknown) => {
  assert.ok(isAppError(err, 'MODEL_TASK_MISMATCH'), String(err));
  assert.match((err as Error).message, pattern);
  return true;
};

test('the catalog re-id embedder loads by id and embeds; as a detector it is refused by id and by file', async () => {
  const embedder = await loadEmbedder('osnet-x0.25-msmt17', loc, loadOnnxModel, opts);
  const frame = await jpegFrame(asset('mot/MOT17/train/MOT17-09-FRCNN/img1/000001.jpg'));
  const [a, b] = await embedder.embed(frame, [[100, 100, 160, 260], [100, 100, 160, 260]]);
  assert.equal(a!.length, 512);
  assert.ok(Math.abs(cosineSimilarity(a!, b!) - 1) < 1e-5);
  await embedder.close();

  await assert.rejects(
    loadDetector('osnet-x0.25-msmt17', loc, loadOnnxModel, opts),
    mismatch(/model osnet-x0\.25-msmt17 \(osnet_x0_25_msmt17\.onnx\) is a re-identification embedder; expected an object detector or a pose model here/),
  );
  await assert.rejects(
    loadDetector(unnamed('osnet_x0_25_msmt17.onnx', 'mystery-a.onnx'), loc, loadOnnxModel, opts),
    mismatch(/mystery-a\.onnx is a re-identification embedder \(input \[batch,3,256,128\], output \[batch,512\]\); expected an object detector/),
  );
});

test('a detector given as an embedder is refused by id and by file', async () => {
  await assert.rejects(loadEmbedder('yolox-nano', loc, loadOnnxModel, opts), mismatch(/model yolox-nano \(yolox_nano\.onnx\) is an object detector; expected a re-identification embedder/));
  await assert.rejects(
    loadEmbedder(unnamed('yolox_nano.onnx', 'mystery-b.onnx'), loc, loadOnnxModel, opts),
    mismatch(/mystery-b\.onnx is an object detector \(input \[1,3,416,416\], output \[1,3549,85\]\); expected a re-identification embedder/),
  );
});

test('a clip classifier given as a detector is refused, naming what the file is', async () => {
  const p = join(dir, 'clip.onnx');
  writeFileSync(p, buildOnnxModel(clipModel('ncthw')));
  await assert.rejects(loadDetector(p, loc, loadOnnxModel, opts), mismatch(/clip\.onnx is a clip classifier \(input \[1,3,4,8,8\], output \[1,2\]\); expected an object detector/));
});

test('added models run by their id; the task recorded at add time is checked', async () => {
  const dirs = { modelDir: loc.modelDir, assetsModelDir: null };
  await addModelFile(asset('models/yolo11n_int8_320.onnx'), dirs, { id: 'my-detector' });
  await addModelFile(asset('models/osnet_x0_25_msmt17.onnx'), dirs, { id: 'my-reid' });
  const d = await loadDetector('my-detector', loc, loadOnnxModel, opts);
  assert.deepEqual([d.manifest.id, d.manifest.family, d.manifest.inputWidth, d.manifest.labels.length], ['my-detector', 'ultralytics', 320, 80]);
  await d.close();
  const e = await loadEmbedder('my-reid', loc, loadOnnxModel, opts);
  await e.close();
  await assert.rejects(loadDetector('my-reid', loc, loadOnnxModel, opts), mismatch(/model my-reid \(.*my-reid\.onnx\) is a re-identification embedder/));
  await assert.rejects(loadDetector('nope', loc, loadOnnxModel, opts), (err) => {
    assert.ok(isAppError(err, 'MODEL_NOT_FOUND'));
    assert.match((err as Error).message, /expected a model id \(an object detector or a pose model: yolox-nano, yolov8n-int8, yolo11n-int8-320, yolo11n-pose, my-detector\) or a path to an \.onnx file, got "nope"/);
    return true;
  });
  const listed = await listModels({ modelDir: loc.modelDir, assetsModelDir: join(ASSETS, 'models') });
  assert.deepEqual(
    listed.map((m) => `${m.id}:${m.task}:${m.checksum}`),
    ['yolox-nano:detect:ok', 'yolov8n-int8:detect:ok', 'yolo11n-int8-320:detect:ok', 'osnet-x0.25-msmt17:embed:ok', 'yolo11n-pose:pose:ok', 'my-detector:detect:ok', 'my-reid:embed:ok'],
  );
});
