// Motion gating on real frames with the real detector: a quiet camera (the same night frame over and over, nothing
// tracked) calls the detector once (the first frame teaches the background) and then never; a busy scene (vtest at
// 5 fps, people walking) is detected on every frame and its people are tracked; with gating off every frame is.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadDetector } from '../src/assets/load-detector.ts';
import { CameraSchema } from '../src/config/schema.ts';
import type { Frame } from '../src/core/types.ts';
import { CameraProcessor } from '../src/pipeline/camera-processor.ts';
import { trackerForCamera } from '../src/pipeline/tracker-options.ts';
import { loadOnnxModel } from '../src/vision/adapters/onnx-runtime.ts';
import type { ObjectDetector } from '../src/vision/detector.ts';
import { asset, ASSETS } from './support/assets.ts';
import { decodeFrames } from './support/frames.ts';

let detector: ObjectDetector;
let night: Frame;
let walking: Frame[];
before(async () => {
  detector = await loadDetector('yolox-nano', { modelDir: '/nonexistent', searchDirs: [`${ASSETS}/models`], download: false }, loadOnnxModel, { threads: 2 });
  night = (await decodeFrames(asset('videos/swiftlet-birds-cctv-720p.mp4'), { count: 1, everySeconds: 1 }))[0]!;
  walking = await decodeFrames(asset('videos/vtest.avi'), { count: 20, everySeconds: 0.2 });
});
after(() => detector.close());

function processor(motion: boolean) {
  const camera = CameraSchema.parse({ id: 'c', source: { url: 'x.mp4' }, motion: { enabled: motion } });
  let n = 0;
  return new CameraProcessor(camera, detector, trackerForCamera(camera, detector.manifest.defaultScoreThreshold), () => `e${n++}`);
}

test('a quiet camera with nothing tracked calls the detector only for the first frame', async () => {
  const p = processor(true);
  for (let i = 0; i < 20; i++) {
    const r = await p.process({ ...night, index: i, timeMs: i * 200 });
    assert.equal(r?.detected, i === 0, `frame ${i}`);
  }
  assert.deepEqual(p.stats, { frames: 20, framesWithMotion: 0, detectorCalls: 1, framesSkipped: 19 });
});

test('a scene with people walking is detected on every frame and its people are tracked', async () => {
  const gated = processor(true);
  let tracked = 0;
  for (const f of walking) tracked = Math.max(tracked, (await gated.process(f))!.tracks.length);
  assert.ok(gated.stats.framesWithMotion >= 17, `motion in ${gated.stats.framesWithMotion} of 20 frames`);
  assert.equal(gated.stats.detectorCalls, 20);
  assert.ok(tracked >= 3, `${tracked} people tracked at once`);

  const ungated = processor(false);
  for (let i = 0; i < 5; i++) await ungated.process({ ...night, index: i, timeMs: i * 200 });
  assert.deepEqual(ungated.stats, { frames: 5, framesWithMotion: 0, detectorCalls: 5, framesSkipped: 0 });
});
