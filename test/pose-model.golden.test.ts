// The pose decoder on the real pose model (the catalog's yolo11n-pose, run as a detector whose detections carry
// keypoints) against what the assets' MANIFEST gives for videos/pose_1.mp4: frames 0/30/60/90/119 hold exactly one
// person (scores 0.93/0.92/0.91/0.91/0.89) with 17/17/17/17/16 keypoints above 0.5, and on frame 30 the box is about
// [215,196,367,456] px; every confident keypoint lies on the body (inside the person's box, with a margin).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { loadDetector } from '../src/assets/load-detector.ts';
import type { Frame } from '../src/core/types.ts';
import { COCO_KEYPOINT_NAMES } from '../src/vision/decoders/ultralytics-pose.ts';
import { loadOnnxModel } from '../src/vision/adapters/onnx-runtime.ts';
import type { ObjectDetector } from '../src/vision/detector.ts';
import { asset, ASSETS } from './support/assets.ts';

const run = promisify(execFile);
const FRAMES = [0, 30, 60, 90, 119];
const SCORES = [0.93, 0.92, 0.91, 0.91, 0.89];
const KEYPOINTS = [17, 17, 17, 17, 16];
let detector: ObjectDetector;
let frames: Frame[];

before(async () => {
  detector = await loadDetector('yolo11n-pose', { modelDir: '/nonexistent', searchDirs: [`${ASSETS}/models`], download: false }, loadOnnxModel, { threads: 2 });
  const select = FRAMES.map((n) => `eq(n\\,${n})`).join('+');
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', asset('videos/pose_1.mp4'), '-vf', `select=${select}`, '-fps_mode', 'passthrough', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'], { encoding: 'buffer', maxBuffer: 1 << 26 });
  const size = 576 * 576 * 3;
  frames = FRAMES.map((n, i) => ({ index: n, timeMs: (n * 1000) / 30, width: 576, height: 576, rgb: new Uint8Array(stdout.subarray(i * size, (i + 1) * size)) }));
  assert.equal(stdout.length, FRAMES.length * size, 'five frames decoded');
});
after(() => detector?.close());

test('the pose model is a detector whose detections carry 17 COCO keypoints', () => {
  assert.equal(detector.manifest.task, 'pose');
  assert.equal(COCO_KEYPOINT_NAMES.length, 17);
});

test('pose_1.mp4: one person per frame with the MANIFEST scores and keypoint counts, keypoints on the body', async () => {
  for (const [i, frame] of frames.entries()) {
    const dets = await detector.detect(frame, { scoreThreshold: 0.5 });
    assert.equal(dets.length, 1, `frame ${frame.index}: ${dets.length} people`);
    const d = dets[0]!;
    assert.ok(Math.abs(d.score - SCORES[i]!) <= 0.03, `frame ${frame.index}: score ${d.score.toFixed(3)}, MANIFEST ${SCORES[i]}`);
    const confident = d.keypoints!.filter((k) => k.score > 0.5);
    assert.ok(Math.abs(confident.length - KEYPOINTS[i]!) <= 1, `frame ${frame.index}: ${confident.length} keypoints above 0.5, MANIFEST ${KEYPOINTS[i]}`);
    const [x1, y1, x2, y2] = d.boxXyxy;
    const mx = 0.1 * (x2 - x1), my = 0.1 * (y2 - y1);
    for (const k of confident) assert.ok(k.x >= x1 - mx && k.x <= x2 + mx && k.y >= y1 - my && k.y <= y2 + my, `frame ${frame.index}: keypoint ${k.x},${k.y} off the body ${d.boxXyxy}`);
    if (frame.index === 30) {
      const want = [215, 196, 367, 456];
      d.boxXyxy.forEach((v, j) => assert.ok(Math.abs(v - want[j]!) <= 8, `frame 30 box ${d.boxXyxy.map(Math.round)}, MANIFEST ~${want}`));
      // The head is above the hips, the hips above the ankles (a standing person).
      const y = (name: string) => d.keypoints![COCO_KEYPOINT_NAMES.indexOf(name as (typeof COCO_KEYPOINT_NAMES)[number])]!.y;
      assert.ok(y('nose') < y('left_hip') && y('left_hip') < y('left_ankle'));
    }
  }
});
