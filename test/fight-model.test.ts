// The real fight 3D-CNN (models/fight_3dcnn_hawkeye.onnx, frames-last [N,64,224,224,3], ends in Softmax) through
// `models inspect` and through ClipClassifier with its documented manifest, on the violence clips of the assets.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import type { Frame } from '../src/core/types.ts';
import { probeVideo } from '../src/ingest/ffprobe.ts';
import { loadOnnxModel } from '../src/vision/adapters/onnx-runtime.ts';
import { ClipClassifier, clipSpecFromManifest } from '../src/vision/clip-classifier.ts';
import { proposeManifest } from '../src/vision/inspect.ts';
import { ModelManifestSchema, type ClipManifest } from '../src/vision/model-manifest.ts';
import type { ModelRunner } from '../src/vision/model-runner.ts';
import { readOnnxInfo } from '../src/vision/onnx/onnx-model.ts';
import { asset } from './support/assets.ts';

const MODEL = asset('models/fight_3dcnn_hawkeye.onnx');

/** The fight model's manifest as docs/clip-classifiers.md gives it (sha256 and size of the assets' file). */
const FIGHT_MANIFEST = {
  id: 'fight-3dcnn-hawkeye',
  file: 'fight_3dcnn_hawkeye.onnx',
  task: 'classify-clip',
  family: 'clip-classifier',
  inputLayout: 'nthwc',
  clipFrames: 64,
  inputWidth: 224,
  inputHeight: 224,
  colorOrder: 'bgr',
  pixelScale: 1 / 255,
  mean: [0, 0, 0],
  std: [1, 1, 1],
  labels: ['no_violence', 'fight'],
  outputs: 'probabilities',
  positiveLabel: 'fight',
  licence: 'unknown',
  url: null,
  sha256: null,
};

/** The first `count` frames of a video, consecutive, at its own size (RGB24). */
async function firstFrames(path: string, count: number): Promise<Frame[]> {
  const { width, height } = await probeVideo(path);
  const { stdout } = await promisify(execFile)(
    'ffmpeg',
    ['-v', 'error', '-i', path, '-frames:v', String(count), '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'],
    { encoding: 'buffer', maxBuffer: 1 << 28 },
  );
  const size = width * height * 3;
  assert.equal(stdout.length, count * size, `${path}: expected ${count} frames of ${width}x${height}`);
  return Array.from({ length: count }, (_, i) => ({ index: i, timeMs: 0, width, height, rgb: new Uint8Array(stdout.subarray(i * size, (i + 1) * size)) }));
}

let runner: ModelRunner;
before(async () => {
  runner = await loadOnnxModel(MODEL, { threads: 2 });
});
after(async () => runner.close());

test('models inspect proposes the fight model as a frames-last clip classifier whose outputs are probabilities', () => {
  const { manifest, notes } = proposeManifest(readOnnxInfo(readFileSync(MODEL), MODEL), MODEL);
  assert.deepEqual(
    [manifest.task, manifest.inputLayout, manifest.clipFrames, manifest.inputWidth, manifest.inputHeight, manifest.outputs, manifest.labels, manifest.positiveLabel],
    ['classify-clip', 'nthwc', 64, 224, 224, 'probabilities', ['class0', 'class1'], 'class1'],
  );
  assert.deepEqual([manifest.pixelScale, manifest.mean, manifest.std], [1 / 255, [0, 0, 0], [1, 1, 1]]);
  // BGR cannot be read from the file: the proposal says RGB is a guess, and the documented manifest sets bgr.
  assert.ok(notes.some((n) => /a guess .*OpenCV frames takes BGR/.test(n)), notes.join('\n'));
  assert.ok(notes.some((n) => /outputs: probabilities, a guess from the Softmax node/.test(n)), notes.join('\n'));
});

test('the documented fight manifest is a valid catalog manifest', () => {
  const m = ModelManifestSchema.parse(FIGHT_MANIFEST) as ClipManifest;
  assert.deepEqual(
    { ...clipSpecFromManifest(m) },
    { inputWidth: 224, inputHeight: 224, clipFrames: 64, layout: 'nthwc', labels: ['no_violence', 'fight'], outputs: 'probabilities', positiveLabel: 'fight', colorOrder: 'bgr', pixelScale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] },
  );
});

/** Fight probability of the window of 64 frames from frame 0. */
async function fightScore(video: string): Promise<number> {
  const spec = clipSpecFromManifest(ModelManifestSchema.parse(FIGHT_MANIFEST) as ClipManifest);
  const clf = new ClipClassifier(runner, spec);
  for (const f of await firstFrames(asset(`videos/violence/${video}`), spec.clipFrames)) clf.push(f);
  const scores = await clf.classify();
  assert.ok(scores, 'a full window was pushed');
  assert.ok(Math.abs(scores.reduce((s, c) => s + c.score, 0) - 1) < 1e-5, 'probabilities were not softmaxed again');
  const fight = scores.find((s) => s.label === spec.positiveLabel)!.score;
  console.log(`${video} window 0: fight ${fight.toFixed(4)}`);
  return fight;
}

test('real fight clip: window 0 of the classroom fight scores as MANIFEST.md measured with cv2', async () => {
  // MANIFEST.md: 0.7475 with OpenCV decoding and cv2.resize (INTER_LINEAR). cropResizeInto samples the same way
  // (half-pixel centres, no antialiasing), so what differs is ffmpeg's YUV->RGB rounding against OpenCV's: this clip
  // measured 0.7480 here, and the same pipeline lands within 0.010 of MANIFEST.md on the other violence clips
  // (closeup 0.9420 vs 0.9477, cafeteria 0.9066 vs 0.9163). 0.015 allows for that and still fails the mistakes that
  // matter: RGB instead of BGR gives 0.7684, a second softmax 0.6215.
  const fight = await fightScore('fight_classroom_arshadarzz.mp4');
  assert.ok(Math.abs(fight - 0.7475) < 0.015, `fight probability ${fight.toFixed(4)}, expected 0.7475 +- 0.015`);
});

test('real non-fight clip: window 0 of the crowded CCTV hall scores near zero', async () => {
  const fight = await fightScore('nonfight_cctv_crowd_visionguard.mp4'); // MANIFEST.md: 0.0008
  assert.ok(fight < 0.05, `fight probability ${fight.toFixed(4)}, expected < 0.05`);
});
