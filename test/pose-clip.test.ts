// Pose decoding and clip classification end to end through onnxruntime. Each test builds a tiny ONNX graph with the
// right input and output layout and known values (onnx-writer), loads it with the real adapter, and checks what the
// decoder / ClipClassifier make of its output. The real fight model runs in fight-model.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isAppError } from '../src/core/errors.ts';
import type { BoxXyxy, Frame } from '../src/core/types.ts';
import { loadOnnxModel } from '../src/vision/adapters/onnx-runtime.ts';
import { ClipClassifier, clipSpecFromManifest } from '../src/vision/clip-classifier.ts';
import type { ClipClassifierSpec } from '../src/vision/clip-classifier.ts';
import { decodePoseWithNms, unletterboxKeypoints } from '../src/vision/decoders/ultralytics-pose.ts';
import { proposeManifest } from '../src/vision/inspect.ts';
import { letterboxGeometry, unletterboxBox } from '../src/vision/letterbox.ts';
import { ModelManifestSchema, type ClipLayout, type ClipManifest } from '../src/vision/model-manifest.ts';
import type { ModelRunner } from '../src/vision/model-runner.ts';
import { readOnnxInfo } from '../src/vision/onnx/onnx-model.ts';
import { buildOnnxModel } from '../src/vision/onnx/onnx-writer.ts';
import type { OnnxModelSpec } from '../src/vision/onnx/onnx-writer.ts';
import { CLIP_FRAMES as T, CLIP_SIDE as SIDE, clipModel } from './support/tiny-models.ts';

const dir = mkdtempSync(join(tmpdir(), 'sightline-pose-clip-'));

async function withModel(name: string, spec: OnnxModelSpec, use: (runner: ModelRunner, bytes: Uint8Array) => Promise<void>): Promise<void> {
  const bytes = buildOnnxModel(spec);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const runner = await loadOnnxModel(path, { threads: 1 });
  try {
    await use(runner, bytes);
  } finally {
    await runner.close();
  }
}

/** A model whose output is the constant `base` ([1, rows, n]): `base + 0 * mean(images)`. */
function constantOutputModel(input: number[], rows: number, n: number, base: Float32Array, metadata: Record<string, string> = {}): OnnxModelSpec {
  return {
    inputs: [{ name: 'images', dims: input }],
    outputs: [{ name: 'output0', dims: [1, rows, n] }],
    initializers: [
      { name: 'base', dims: [1, rows, n], data: base },
      { name: 'zero', dims: [1], data: [0], encoding: 'float_data' },
    ],
    nodes: [
      { opType: 'ReduceMean', inputs: ['images'], outputs: ['mean'], attributes: { axes: { ints: [1, 2, 3] }, keepdims: { int: 0 } } },
      { opType: 'Mul', inputs: ['mean', 'zero'], outputs: ['nothing'] },
      { opType: 'Add', inputs: ['base', 'nothing'], outputs: ['output0'] },
    ],
    metadata,
  };
}

// Four anchors of a 32x32 pose model (1 class, 17 keypoints): columns are cx, cy, w, h, score, then keypoint j of
// anchor i at (cx + j/4, cy + j/2) with visibility vis.
const anchors = [
  { cx: 10, cy: 14, w: 8, h: 16, score: 0.9, vis: 0.75 }, // person A
  { cx: 10.5, cy: 14.5, w: 8, h: 16, score: 0.6, vis: 0.5 }, // duplicate of A: NMS drops it
  { cx: 24, cy: 16, w: 6, h: 12, score: 0.8, vis: 0.25 }, // person B
  { cx: 4, cy: 4, w: 4, h: 4, score: 0.05, vis: 1 }, // too weak
];
const poseBase = new Float32Array(56 * anchors.length);
anchors.forEach((a, i) => {
  const column = [a.cx, a.cy, a.w, a.h, a.score];
  for (let j = 0; j < 17; j++) column.push(a.cx + j / 4, a.cy + j / 2, a.vis);
  column.forEach((v, r) => (poseBase[r * anchors.length + i] = v));
});

test('pose: a constant [1,56,4] model through onnxruntime, the decoder, NMS and the letterbox', async () => {
  const spec = constantOutputModel([1, 3, 32, 32], 56, anchors.length, poseBase, { task: 'pose', kpt_shape: '[17, 3]', names: "{0: 'person'}" });
  await withModel('pose.onnx', spec, async (runner, bytes) => {
    const { manifest } = proposeManifest(readOnnxInfo(bytes, 'pose.onnx'), 'pose.onnx');
    assert.deepEqual([manifest.family, manifest.keypoints], ['ultralytics-pose', { count: 17, dims: 3 }]);

    const out = await runner.run(new Float32Array(3 * 32 * 32).fill(0.5), [1, 3, 32, 32]);
    assert.deepEqual(out.dims, [1, 56, 4]);
    const people = decodePoseWithNms(out, { scoreThreshold: 0.25, keypointCount: manifest.keypoints!.count }, 0.45);
    assert.deepEqual(people.map((p) => [p.boxXyxy, Math.round(p.score * 100)]), [
      [[6, 6, 14, 22], 90],
      [[21, 10, 27, 22], 80],
    ]);

    // A 64x48 frame was letterboxed into 32x32: scale 0.5, a 32x24 image with 4 px of padding above.
    const g = letterboxGeometry(64, 48, 32, 32, 'center');
    assert.deepEqual(unletterboxBox(people[0]!.boxXyxy, g), [12, 4, 28, 36]);
    const a = unletterboxKeypoints(people[0]!.keypoints, g);
    const b = unletterboxKeypoints(people[1]!.keypoints, g);
    assert.equal(a.length, 17);
    assert.deepEqual(a[0], { x: 20, y: 20, score: 0.75 });
    assert.deepEqual(a[16], { x: 28, y: 36, score: 0.75 }); // right_ankle: (10 + 4, 14 + 8) in input pixels
    assert.deepEqual(b[8], { x: 52, y: 32, score: 0.25 }); // right_elbow: (24 + 2, 16 + 4)
  });
});

// The clip classifier of tiny-models.ts: T = 4 frames of 8x8, logits = mean(red channel) * 3 for 'bright', 1.5 for
// 'dark'. Only the red channel counts, so a layout that mixed channels up would show; a white clip gives
// P(bright) = sigmoid(1.5).
const clipSpec = (layout: 'ncthw' | 'ntchw'): ClipClassifierSpec => ({
  inputWidth: SIDE,
  inputHeight: SIDE,
  clipFrames: T,
  layout,
  labels: ['dark', 'bright'],
  colorOrder: 'rgb',
  pixelScale: 1 / 255,
  mean: [0, 0, 0],
  std: [1, 1, 1],
});
/** A frame of one colour, or two colours split at the middle column. */
function frame(left: readonly number[], right: readonly number[] = left, width = 16, height = 8): Frame {
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) rgb.set(p % width < width / 2 ? left : right, p * 3);
  return { index: 0, timeMs: 0, width, height, rgb };
}
const WHITE = [255, 255, 255];
const BLACK = [0, 0, 0];
const RED = [255, 0, 0];
const GREEN = [0, 255, 0];
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const rounded = (scores: { label: string; score: number }[] | null) => scores?.map((s) => [s.label, Math.round(s.score * 1e4) / 1e4]);

for (const layout of ['ncthw', 'ntchw'] as const) {
  test(`clip classifier (${layout}): bright clips -> bright, dark -> dark, only the last ${T} frames count`, async () => {
    await withModel(`clip-${layout}.onnx`, clipModel(layout), async (runner) => {
      const clf = new ClipClassifier(runner, clipSpec(layout));
      const p = Math.round(sigmoid(1.5) * 1e4) / 1e4;
      for (let i = 0; i < T - 1; i++) clf.push(frame(WHITE));
      assert.equal(await clf.classify(), null, 'fewer than T frames: no answer yet');
      clf.push(frame(WHITE));
      assert.deepEqual(rounded(await clf.classify()), [['bright', p], ['dark', 1 - p]]);

      for (let i = 0; i < T; i++) clf.push(frame(BLACK));
      assert.equal(clf.frameCount, T);
      assert.deepEqual(rounded(await clf.classify()), [['dark', p], ['bright', 1 - p]]);

      clf.push(frame(WHITE));
      clf.push(frame(WHITE)); // two dark + two bright: red mean 0.5, logits tie
      assert.deepEqual((await clf.classify())!.map((s) => s.score), [0.5, 0.5]);

      for (let i = 0; i < T; i++) clf.push(frame(RED)); // channels stacked in the wrong order would give a tie here
      assert.deepEqual(rounded(await clf.classify()), [['bright', p], ['dark', 1 - p]]);
      for (let i = 0; i < T; i++) clf.push(frame(GREEN)); // bright, but not in the red channel the model reads
      assert.deepEqual(rounded(await clf.classify()), [['dark', p], ['bright', 1 - p]]);
    });
  });
}

test('clip classifier: boxes are cropped from each frame before stacking', async () => {
  await withModel('clip-crop.onnx', clipModel('ncthw'), async (runner) => {
    const clf = new ClipClassifier(runner, clipSpec('ncthw'));
    const halves = frame(WHITE, BLACK); // 16x8: white left, black right
    const classifyBox = async (box: BoxXyxy) => {
      clf.reset();
      for (let i = 0; i < T; i++) clf.push(halves, box);
      return (await clf.classify())![0]!.label;
    };
    assert.deepEqual([await classifyBox([0, 0, 8, 8]), await classifyBox([8, 0, 16, 8])], ['bright', 'dark']);
  });
});

test('clip classifier: a detector-shaped model is rejected with MODEL_LAYOUT_UNSUPPORTED naming both shapes', async () => {
  const detector = constantOutputModel([1, 3, 320, 320], 84, 2100, new Float32Array(84 * 2100));
  await withModel('detector.onnx', detector, async (runner) => {
    assert.throws(
      () => new ClipClassifier(runner, clipSpec('ncthw')),
      (err) =>
        isAppError(err, 'MODEL_LAYOUT_UNSUPPORTED') &&
        err.message ===
          'clip classifier: expected input [1,3,4,8,8] (ncthw, T=4) and output [1,2] (2 class logits), saw input [1,3,320,320] and output [1,84,2100]',
    );
  });
});

// An "echo" clip model: its output is its input flattened ([1, T*3*H*W]), declared as probabilities, so the scores
// ClipClassifier returns are exactly the tensor it assembled. Frame f's pixel (x, y) is (40f + 4y + x) + c in channel c
// (0 red, 1 green, 2 blue), so every value says which frame, row, column and channel it came from.
const E = { t: 4, h: 2, w: 3 };
const ECHO_SIZE = E.t * 3 * E.h * E.w;
const echoDims = (layout: ClipLayout) => (layout === 'ncthw' ? [1, 3, E.t, E.h, E.w] : layout === 'ntchw' ? [1, E.t, 3, E.h, E.w] : [1, E.t, E.h, E.w, 3]);
const echoModel = (layout: ClipLayout): OnnxModelSpec => ({
  inputs: [{ name: 'clip', dims: echoDims(layout) }],
  outputs: [{ name: 'flat', dims: [1, ECHO_SIZE] }],
  nodes: [{ opType: 'Flatten', inputs: ['clip'], outputs: ['flat'], attributes: { axis: { int: 1 } } }],
});
const echoFrame = (f: number): Frame => {
  const rgb = new Uint8Array(E.w * E.h * 3);
  for (let y = 0; y < E.h; y++) for (let x = 0; x < E.w; x++) for (let c = 0; c < 3; c++) rgb[(y * E.w + x) * 3 + c] = 40 * f + 4 * y + x + c;
  return { index: f, timeMs: 0, width: E.w, height: E.h, rgb };
};
/** The tensor a layout's definition says frames `first`..`first + T - 1` make (channels in `order`). */
function expectedClip(layout: ClipLayout, first: number, order: 'rgb' | 'bgr'): number[] {
  const out = new Array<number>(ECHO_SIZE);
  for (let t = 0; t < E.t; t++) {
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < E.h; y++) {
        for (let x = 0; x < E.w; x++) {
          const i =
            layout === 'ncthw' ? ((c * E.t + t) * E.h + y) * E.w + x
            : layout === 'ntchw' ? ((t * 3 + c) * E.h + y) * E.w + x
            : ((t * E.h + y) * E.w + x) * 3 + c;
          out[i] = 40 * (first + t) + 4 * y + x + (order === 'rgb' ? c : 2 - c);
        }
      }
    }
  }
  return out;
}

test('clip classifier: each layout is assembled oldest frame first, across the ring\'s wrap, and probabilities are not softmaxed', async (t) => {
  const cases: { layout: ClipLayout; order: 'rgb' | 'bgr' }[] = [
    { layout: 'ncthw', order: 'rgb' },
    { layout: 'ntchw', order: 'rgb' },
    { layout: 'nthwc', order: 'rgb' },
    { layout: 'nthwc', order: 'bgr' },
  ];
  for (const c of cases) {
    await t.test(`${c.layout} ${c.order}`, async () => {
      await withModel(`echo-${c.layout}.onnx`, echoModel(c.layout), async (runner) => {
        const labels = Array.from({ length: ECHO_SIZE }, (_, i) => `v${i}`);
        const spec: ClipClassifierSpec = { inputWidth: E.w, inputHeight: E.h, clipFrames: E.t, layout: c.layout, labels, outputs: 'probabilities', colorOrder: c.order, pixelScale: 1, mean: [0, 0, 0], std: [1, 1, 1] };
        const clf = new ClipClassifier(runner, spec);
        const assembled = async () => {
          const byLabel = new Map((await clf.classify())!.map((s) => [s.label, s.score]));
          return labels.map((l) => byLabel.get(l));
        };
        for (let f = 0; f < E.t; f++) clf.push(echoFrame(f));
        assert.deepEqual(await assembled(), expectedClip(c.layout, 0, c.order));
        for (let f = E.t; f < E.t + 3; f++) clf.push(echoFrame(f)); // the ring wraps: frames 3..6 held
        assert.deepEqual(await assembled(), expectedClip(c.layout, 3, c.order));
      });
    });
  }
});

test('clip classifier: two classifications at once each see the frames held when they were asked for', async () => {
  await withModel('echo-concurrent.onnx', echoModel('nthwc'), async (runner) => {
    const labels = Array.from({ length: ECHO_SIZE }, (_, i) => `v${i}`);
    const clf = new ClipClassifier(runner, { inputWidth: E.w, inputHeight: E.h, clipFrames: E.t, layout: 'nthwc', labels, outputs: 'probabilities', colorOrder: 'rgb', pixelScale: 1, mean: [0, 0, 0], std: [1, 1, 1] });
    for (let f = 0; f < E.t; f++) clf.push(echoFrame(f));
    const first = clf.classify();
    clf.push(echoFrame(E.t));
    const second = clf.classify(); // waits for the first: the input buffer is reused
    const values = async (p: ReturnType<ClipClassifier['classify']>) => {
      const byLabel = new Map((await p)!.map((s) => [s.label, s.score]));
      return labels.map((l) => byLabel.get(l));
    };
    assert.deepEqual(await values(first), expectedClip('nthwc', 0, 'rgb'));
    assert.deepEqual(await values(second), expectedClip('nthwc', 1, 'rgb'));
  });
});

test('clip classifier: a model ending in Softmax, declared probabilities, is softmaxed once', async () => {
  // tiny-models' clip model with a Softmax after its logits: a white clip gives P(bright) = sigmoid(1.5) once;
  // declared logits it would be softmaxed twice, to sigmoid(2 * sigmoid(1.5) - 1).
  const logits = clipModel('ntchw');
  const withSoftmax: OnnxModelSpec = {
    ...logits,
    outputs: [{ name: 'probs', dims: [1, 2] }],
    nodes: [...logits.nodes, { opType: 'Softmax', inputs: ['logits'], outputs: ['probs'], attributes: { axis: { int: 1 } } }],
  };
  await withModel('clip-softmax.onnx', withSoftmax, async (runner) => {
    const bright = async (outputs: 'logits' | 'probabilities') => {
      const clf = new ClipClassifier(runner, { ...clipSpec('ntchw'), outputs });
      for (let i = 0; i < T; i++) clf.push(frame(WHITE));
      return (await clf.classify())!.find((s) => s.label === 'bright')!.score;
    };
    const once = sigmoid(1.5);
    assert.ok(Math.abs((await bright('probabilities')) - once) < 1e-6);
    assert.ok(Math.abs((await bright('logits')) - sigmoid(2 * once - 1)) < 1e-6, 'the declared output type is what decides');
  });
});

test('clip manifests: outputs defaults to logits, positiveLabel must be a label, clipSpecFromManifest carries both', async (t) => {
  const base = {
    id: 'walk-fall', file: 'walk-fall.onnx', task: 'classify-clip', family: 'clip-classifier', inputLayout: 'ncthw', clipFrames: 16, inputWidth: 112, inputHeight: 112,
    colorOrder: 'rgb', pixelScale: 1 / 255, mean: [0.45, 0.45, 0.45], std: [0.225, 0.225, 0.225], labels: ['walk', 'fall'], licence: 'MIT', url: null, sha256: null,
  };
  await t.test('outputs absent: logits, no positive label', () => {
    const spec = clipSpecFromManifest(ModelManifestSchema.parse(base) as ClipManifest);
    assert.deepEqual([spec.outputs, spec.positiveLabel, spec.layout, spec.clipFrames], ['logits', undefined, 'ncthw', 16]);
  });
  await t.test('outputs and positiveLabel given', () => {
    const spec = clipSpecFromManifest(ModelManifestSchema.parse({ ...base, outputs: 'probabilities', positiveLabel: 'fall' }) as ClipManifest);
    assert.deepEqual([spec.outputs, spec.positiveLabel], ['probabilities', 'fall']);
  });
  await t.test('a positiveLabel that is not a label is refused, naming the labels', () => {
    const r = ModelManifestSchema.safeParse({ ...base, positiveLabel: 'fight' });
    assert.ok(!r.success);
    assert.deepEqual(r.error.issues.map((i) => [i.path.join('.'), i.message]), [['positiveLabel', 'model walk-fall: positiveLabel "fight" is not one of its labels ["walk","fall"]; name one of them']]);
  });
  await t.test('a label set resolved later is checked when the spec is built', () => {
    const m = { ...ModelManifestSchema.parse({ ...base, labels: 'actions', positiveLabel: 'fight' }), labels: ['walk', 'run'] } as ClipManifest;
    assert.throws(() => clipSpecFromManifest(m), (err) => isAppError(err, 'CONFIG_INVALID') && /positiveLabel "fight" is not one of its labels \["walk","run"\]/.test(err.message));
  });
  await t.test('an unknown layout is refused', () => {
    assert.ok(!ModelManifestSchema.safeParse({ ...base, inputLayout: 'nhwc' }).success);
  });
});
