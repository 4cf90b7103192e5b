// Bad input for the perception rules: one clear message each, at config check and at start.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { analyzeVideo } from '../src/analyze-video.ts';
import { loadClipClassifier } from '../src/assets/load-clip.ts';
import { loadDetector } from '../src/assets/load-detector.ts';
import { loadOnnxModel } from '../src/vision/adapters/onnx-runtime.ts';
import { asset, ASSETS } from './support/assets.ts';
import { addFightModel } from './support/fight-model.ts';

const run = promisify(execFile);
const cli = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, ['bin/sightline.mjs', ...args], { env: { ...process.env, SIGHTLINE_MODELS__DOWNLOAD: 'false', ...env } }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );

/** `sightline config check` on a configuration file holding `yaml`. */
async function configCheck(yaml: string): Promise<{ code: number; out: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'sightline-bad-'));
  try {
    const file = join(dir, 'c.yaml');
    await writeFile(file, yaml);
    return await cli(['config', 'check', file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a fall rule that refuses the box fallback on a camera without a pose model: refused at config check and at start', async () => {
  const check = await configCheck('cameras:\n  - id: hall\n    source: { url: rtsp://cam/1 }\n    rules:\n      - { type: fall, id: down, fallback: false }\n');
  assert.equal(check.code, 1);
  assert.match(check.out, /cameras\[0\]\.rules: camera "hall": fall rule "down" needs a pose model as the camera's detector \(fallback: false\), got yolox-nano, a detection model; set detect\.model to a pose model \(yolo11n-pose\) or allow fallback: true/);
  const detector = await loadDetector('yolox-nano', { modelDir: '/nonexistent', searchDirs: [`${ASSETS}/models`], download: false }, loadOnnxModel, { threads: 1 });
  try {
    await assert.rejects(
      analyzeVideo(asset('videos/pose_1.mp4'), detector, randomUUID, { labels: ['person'], fps: null, geometry: { rules: [{ type: 'fall', id: 'down', fallback: false }] } }),
      /fall rule "down" needs a pose model as the camera's detector/,
    );
  } finally {
    await detector.close();
  }
});

test('a threat table naming an unknown class: one message naming what was expected', async () => {
  const check = await configCheck('cameras:\n  - id: farm\n    source: { url: rtsp://cam/1 }\n    objects: { track: [dog, cat] }\n    rules:\n      - { type: animal, id: animals, threats: [{ label: wolf, threat: high }] }\n');
  assert.equal(check.code, 1);
  assert.match(check.out, /names "wolf"; expected a COCO animal .* or a label of objects\.track/);
});

test('a clip classifier whose manifest does not match its file: refused with both shapes', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'sightline-bad-'));
  try {
    await addFightModel(dataDir, { clipFrames: 32 }); // the file takes 64 frames
    await assert.rejects(
      loadClipClassifier('violence-classifier', undefined, { modelDir: join(dataDir, 'models'), searchDirs: [], download: false }, loadOnnxModel, { threads: 1 }),
      (err: Error) => /expected input \[1,32,224,224,3\].*saw input \[.*64,224,224,3\]/.test(err.message),
    );
    await assert.rejects(
      loadClipClassifier(asset('models/fight_3dcnn_hawkeye.onnx'), undefined, { modelDir: join(dataDir, 'models'), searchDirs: [], download: false }, loadOnnxModel, { threads: 1 }),
      /no manifest describes it .* add it with `sightline models add/,
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
