// Ultralytics pose decoding on hand-made output tensors with known values. No working pose model is available here, so
// these tensors stand in for one (test/pose-clip.test.ts runs the same decoder on a tiny generated ONNX graph).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { letterboxGeometry, unletterboxBox } from '../letterbox.ts';
import { COCO_KEYPOINT_NAMES, decodePoseWithNms, decodeUltralyticsPose, unletterboxKeypoints, unletterboxPoint } from './ultralytics-pose.ts';
import type { RawOutput } from './decoder.ts';

interface Anchor {
  readonly box: readonly [number, number, number, number]; // cx, cy, w, h in input pixels
  readonly scores: readonly number[];
  /** Keypoint j is at (box cx + j, box cy + 2j) with visibility `vis`, so each one is recognisable. */
  readonly vis: number;
}

/** Builds a channels-first `[1, 4 + C + K*3, N]` tensor from one column per anchor. */
function poseOutput(anchors: readonly Anchor[], k: number): RawOutput {
  const n = anchors.length;
  const c = anchors[0]!.scores.length;
  const rows = 4 + c + 3 * k;
  const data = new Float32Array(rows * n);
  anchors.forEach((a, i) => {
    const column = [...a.box, ...a.scores];
    for (let j = 0; j < k; j++) column.push(a.box[0] + j, a.box[1] + 2 * j, a.vis);
    column.forEach((v, r) => (data[r * n + i] = v));
  });
  return { data, dims: [1, rows, n] };
}

const people: Anchor[] = [
  { box: [100, 150, 40, 100], scores: [0.9], vis: 0.8 }, // person A
  { box: [102, 152, 40, 100], scores: [0.7], vis: 0.6 }, // a second, weaker box on A: suppressed by NMS
  { box: [250, 160, 50, 120], scores: [0.85], vis: 0.95 }, // person B
  { box: [200, 200, 30, 30], scores: [0.1], vis: 0.5 }, // below the threshold: dropped
];

test('COCO keypoint names: 17, in the model order', () => {
  assert.equal(COCO_KEYPOINT_NAMES.length, 17);
  assert.deepEqual([COCO_KEYPOINT_NAMES[0], COCO_KEYPOINT_NAMES[5], COCO_KEYPOINT_NAMES[10], COCO_KEYPOINT_NAMES[16]], [
    'nose',
    'left_shoulder',
    'right_wrist',
    'right_ankle',
  ]);
});

test('decode: threshold, boxes as xyxy, 17 keypoints per candidate', () => {
  const got = decodeUltralyticsPose(poseOutput(people, 17), { scoreThreshold: 0.25 });
  assert.deepEqual(
    got.map((p) => [p.boxXyxy, p.score, p.classId]),
    [
      [[80, 100, 120, 200], 0.8999999761581421, 0],
      [[82, 102, 122, 202], 0.699999988079071, 0],
      [[225, 100, 275, 220], 0.8500000238418579, 0],
    ],
  );
  const a = got[0]!;
  assert.equal(a.keypoints.length, 17);
  assert.deepEqual(a.keypoints[0], { x: 100, y: 150, score: 0.800000011920929 });
  assert.deepEqual(a.keypoints[16], { x: 116, y: 182, score: 0.800000011920929 });
});

test('NMS suppresses the weaker box on person A and keeps each survivor its own keypoints', () => {
  const kept = decodePoseWithNms(poseOutput(people, 17), { scoreThreshold: 0.25 }, 0.5);
  assert.deepEqual(kept.map((p) => p.boxXyxy), [[80, 100, 120, 200], [225, 100, 275, 220]]);
  assert.deepEqual(kept[1]!.keypoints[3], { x: 253, y: 166, score: 0.949999988079071 });
  assert.ok(kept[0]!.keypoints.every((p, j) => p.x === 100 + j && p.y === 150 + 2 * j));
});

test('keypoint count is a parameter: 2 classes and 5 keypoints', () => {
  const two: Anchor[] = [
    { box: [50, 50, 20, 20], scores: [0.2, 0.6], vis: 0.5 },
    { box: [52, 52, 20, 20], scores: [0.7, 0.1], vis: 0.4 }, // same place, other class: NMS is class-aware, both stay
  ];
  const kept = decodePoseWithNms(poseOutput(two, 5), { scoreThreshold: 0.3, keypointCount: 5 }, 0.5);
  assert.deepEqual(kept.map((p) => [p.classId, p.keypoints.length, p.keypoints[4]!.y]), [[0, 5, 60], [1, 5, 58]]);
});

test('a tensor that does not fit K keypoints is rejected with both shapes', () => {
  const out = poseOutput(people, 17); // 56 rows
  assert.throws(() => decodeUltralyticsPose(out, { scoreThreshold: 0.25, keypointCount: 20 }), /expected \[1, 4 \+ C \+ 20\*3, N\] .* got \[1,56,4\]/);
});

test('keypoints map back to frame pixels through the letterbox geometry, like boxes do', () => {
  // 640x480 frame into a 320x320 input, centred: scale 0.5, 320x240 image, 40 px of padding above and below.
  const g = letterboxGeometry(640, 480, 320, 320, 'center');
  assert.deepEqual([g.scale, g.padX, g.padY], [0.5, 0, 40]);
  const [a] = decodePoseWithNms(poseOutput(people, 17), { scoreThreshold: 0.25 }, 0.5);
  const frameKpts = unletterboxKeypoints(a!.keypoints, g);
  assert.deepEqual(frameKpts[0], { x: 200, y: 220, score: 0.800000011920929 });
  assert.deepEqual(frameKpts[2], { x: 204, y: 228, score: 0.800000011920929 });
  // The nose is the box centre in input pixels, so it stays the box centre in frame pixels.
  const box = unletterboxBox(a!.boxXyxy, g);
  assert.deepEqual([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2], [frameKpts[0]!.x, frameKpts[0]!.y]);
  // 100x50 into 64x64: scale 0.64, 64x32 image, 16 px above: (10 / 0.64, (45 - 16) / 0.64).
  assert.deepEqual(unletterboxPoint(10, 45, letterboxGeometry(100, 50, 64, 64, 'center')), { x: 15.625, y: 45.3125 });
});
