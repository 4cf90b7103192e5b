import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../core/errors.ts';
import { parseNamesLiteral, proposeManifest, type ProposedManifest } from './inspect.ts';
import { ModelManifestSchema } from './model-manifest.ts';
import { readOnnxInfo, type OnnxInfo } from './onnx/onnx-model.ts';
import { buildOnnxModel } from './onnx/onnx-writer.ts';

type Dims = (number | string)[];

/** The OnnxInfo of a model with the given shapes (float32 tensors) and op types, written and read back as real ONNX bytes. */
const info = (inputs: Dims[], outputs: Dims[], metadata: Record<string, string> = {}, ops: string[] = []): OnnxInfo =>
  readOnnxInfo(
    buildOnnxModel({
      inputs: inputs.map((dims, i) => ({ name: `in${i}`, dims })),
      outputs: outputs.map((dims, i) => ({ name: ['pred_boxes', 'logits'][i] ?? `out${i}`, dims })),
      nodes: ops.map((opType, i) => ({ opType, inputs: [], outputs: [`n${i}`] })),
      metadata,
    }),
    'm.onnx',
  );

const names3 = "{0: 'person', 1: 'car', 2: 'dog'}";

test('proposeManifest recognises each supported layout', async (t) => {
  const cases: { name: string; info: OnnxInfo; want: Partial<ProposedManifest>; note?: RegExp }[] = [
    {
      name: 'YOLOX raw grid',
      info: info([[1, 3, 416, 416]], [[1, 3549, 85]]),
      want: { task: 'detect', family: 'yolox', inputWidth: 416, inputHeight: 416, colorOrder: 'bgr', pixelScale: 1, letterbox: 'top-left', padValue: 114, labels: 'coco80' },
      note: /coco80, a guess from the 80 classes/,
    },
    {
      name: 'Ultralytics detection, no metadata, 80 classes',
      info: info([[1, 3, 640, 640]], [[1, 84, 8400]]),
      want: { family: 'ultralytics', inputWidth: 640, colorOrder: 'rgb', pixelScale: 1 / 255, letterbox: 'center', labels: 'coco80' },
    },
    {
      name: 'Ultralytics detection with names, licence and a non-square input',
      info: info([[1, 3, 384, 640]], [[1, 7, 5040]], { task: 'detect', names: names3, license: 'AGPL-3.0 License (https://ultralytics.com/license)' }),
      want: { family: 'ultralytics', inputWidth: 640, inputHeight: 384, labels: ['person', 'car', 'dog'], licence: 'AGPL-3.0' },
    },
    {
      name: 'metadata that disagrees with the tensors is noted',
      info: info([[1, 3, 640, 640]], [[1, 84, 8400]], { imgsz: '[320, 320]', stride: '64' }),
      want: { inputWidth: 640 },
      note: /metadata imgsz 320x320 differs from the input 640x640; the input wins/,
    },
    {
      name: 'stride metadata other than 32 is noted',
      info: info([[1, 3, 640, 640]], [[1, 84, 8400]], { stride: '64' }),
      want: { family: 'ultralytics' },
      note: /metadata stride is 64, but anchors are counted on strides 8\/16\/32/,
    },
    {
      name: 'Ultralytics detection with other class counts gets placeholders',
      info: info([[1, 3, 320, 320]], [[1, 6, 2100]]),
      want: { labels: ['class0', 'class1'] },
      note: /placeholders/,
    },
    {
      name: 'dynamic input sized from imgsz metadata, dynamic anchors',
      info: info([['batch', 3, 'height', 'width']], [['batch', 84, 'anchors']], { task: 'detect', imgsz: '[480, 640]' }),
      want: { family: 'ultralytics', inputWidth: 640, inputHeight: 480 },
      note: /640x480 comes from the imgsz metadata/,
    },
    {
      name: 'dynamic input sized from the anchor count',
      info: info([[1, 3, 'h', 'w']], [[1, 84, 8400]]),
      want: { family: 'ultralytics', inputWidth: 640, inputHeight: 640 },
      note: /640x640 is a guess from the 8400 anchors/,
    },
    {
      name: 'Ultralytics pose with kpt_shape',
      info: info([[1, 3, 640, 640]], [[1, 56, 8400]], { task: 'pose', kpt_shape: '[17, 3]', names: "{0: 'person'}" }),
      want: { task: 'pose', family: 'ultralytics-pose', keypoints: { count: 17, dims: 3 }, labels: ['person'] },
    },
    {
      name: 'pose task without kpt_shape guesses 17 COCO keypoints',
      info: info([[1, 3, 640, 640]], [[1, 56, 8400]], { task: 'pose' }),
      want: { task: 'pose', keypoints: { count: 17, dims: 3 }, labels: ['person'] },
      note: /17 keypoints of x,y,visibility is a guess/,
    },
    {
      name: 'two-value keypoints, two classes',
      info: info([[1, 3, 320, 320]], [[1, 16, 2100]], { kpt_shape: '[5, 2]' }),
      want: { task: 'pose', keypoints: { count: 5, dims: 2 }, labels: ['class0', 'class1'] },
    },
    {
      name: 'end-to-end detection',
      info: info([[1, 3, 640, 640]], [[1, 300, 6]]),
      want: { task: 'detect', family: 'end2end', labels: 'coco80', letterbox: 'center' },
      note: /coco80 is a guess; the output does not show the class count/,
    },
    {
      name: 'DETR-style boxes + logits',
      info: info([[1, 3, 640, 640]], [[1, 300, 4], [1, 300, 3]], { names: names3 }),
      want: { task: 'detect', family: 'detr', labels: ['person', 'car', 'dog'], letterbox: 'none' },
      note: /boxes from pred_boxes \[1,300,4\] \(cx,cy,w,h\), 3 class logits from logits \[1,300,3\]/,
    },
    {
      name: 'RT-DETR single output with task=detect',
      info: info([[1, 3, 640, 640]], [[1, 300, 84]], { task: 'detect' }),
      want: { family: 'detr', labels: 'coco80' },
    },
    {
      name: 'person re-id embedder',
      info: info([['batch', 3, 256, 128]], [['batch', 512]]),
      want: { task: 'embed', family: 'embedder', inputWidth: 128, inputHeight: 256, embeddingDim: 512, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], colorOrder: 'rgb' },
      note: /256x128 is the usual person re-identification crop size/,
    },
    {
      name: 'clip classifier NCTHW',
      info: info([[1, 3, 16, 224, 224]], [[1, 400]]),
      want: { task: 'classify-clip', family: 'clip-classifier', inputLayout: 'ncthw', clipFrames: 16, inputWidth: 224 },
    },
    {
      name: 'clip classifier NTCHW',
      info: info([['b', 8, 3, 112, 160]], [['b', 2]], { names: "['normal', 'fall']" }),
      want: { task: 'classify-clip', inputLayout: 'ntchw', clipFrames: 8, inputWidth: 160, inputHeight: 112, labels: ['normal', 'fall'], outputs: 'logits', positiveLabel: 'fall' },
      note: /positiveLabel: fall, a guess/,
    },
    {
      name: 'clip classifier NTHWC (Keras, frames-last) ending in Softmax',
      info: info([['N', 64, 224, 160, 3]], [['N', 2]], {}, ['Transpose', 'Conv', 'Relu', 'Gemm', 'Softmax']),
      want: { inputLayout: 'nthwc', clipFrames: 64, inputWidth: 160, inputHeight: 224, mean: [0, 0, 0], std: [1, 1, 1], pixelScale: 1 / 255, outputs: 'probabilities', positiveLabel: 'class1' },
      note: /outputs: probabilities, a guess from the Softmax node/,
    },
    {
      name: 'clip transformer: Softmax inside attention says nothing about the output',
      info: info([[1, 16, 3, 224, 224]], [[1, 400]], {}, ['MatMul', 'Softmax', 'Add']),
      want: { inputLayout: 'ntchw', outputs: 'logits', positiveLabel: undefined },
      note: /Softmax and MatMul \(attention\?\)/,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const p = proposeManifest(c.info, `/models/${c.name}.onnx`);
      for (const [k, v] of Object.entries(c.want)) assert.deepEqual(p.manifest[k as keyof ProposedManifest], v, k);
      if (c.note) assert.ok(p.notes.some((n) => c.note!.test(n)), p.notes.join('\n'));
    });
  }
});

test('layouts no decoder supports name the shapes seen and the supported layouts', async (t) => {
  const cases: { name: string; info: OnnxInfo; seen: string; reason: RegExp }[] = [
    { name: 'unknown output', info: info([[1, 3, 8, 8]], [[1, 7, 7]]), seen: 'saw input [1,3,8,8] and output [1,7,7]', reason: /no known output layout matches/ },
    { name: 'segmentation (two outputs)', info: info([[1, 3, 640, 640]], [[1, 116, 8400], [1, 32, 160, 160]]), seen: 'saw input [1,3,640,640] and outputs [1,116,8400], [1,32,160,160]', reason: /not boxes \[1,N,4\] \+ logits/ },
    { name: 'oriented boxes by task', info: info([[1, 3, 640, 640]], [[1, 20, 8400]], { task: 'obb' }), seen: 'output [1,20,8400]', reason: /task obb, which Sightline has no decoder for/ },
    { name: 'image classifier by task', info: info([[1, 3, 224, 224]], [[1, 1000]], { task: 'classify' }), seen: 'output [1,1000]', reason: /task classify/ },
    { name: 'NHWC input', info: info([[1, 640, 640, 3]], [[1, 84, 8400]]), seen: 'saw input [1,640,640,3]', reason: /neither an image \[B,3,H,W\] nor a clip/ },
    { name: 'two inputs', info: info([[1, 3, 640, 640], [1, 2]], [[1, 300, 6]]), seen: 'saw inputs [1,3,640,640], [1,2]', reason: /expected exactly one input/ },
    { name: 'dynamic size, no hints', info: info([[1, 3, 'h', 'w']], [[1, 300, 6]]), seen: 'output [1,300,6]', reason: /input size is dynamic \(hxw\) and there is no imgsz metadata/ },
    { name: 'clip with a detection output', info: info([[1, 3, 16, 112, 112]], [[1, 84, 8400]]), seen: 'saw input [1,3,16,112,112]', reason: /a clip input needs one class-score output/ },
    { name: 'pose rows too few for kpt_shape', info: info([[1, 3, 640, 640]], [[1, 40, 8400]], { kpt_shape: '[17, 3]' }), seen: 'output [1,40,8400]', reason: /kpt_shape \[17,3\]/ },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      assert.throws(
        () => proposeManifest(c.info, 'dir/odd.onnx'),
        (err) =>
          isAppError(err, 'MODEL_LAYOUT_UNSUPPORTED') &&
          err.message.startsWith('odd.onnx: ') &&
          err.message.includes(c.seen) &&
          c.reason.test(err.message) &&
          /supported layouts: .*YOLOX.*Ultralytics.*pose.*end-to-end.*DETR.*embedding.*clip/.test(err.message),
      );
    });
  }
});

test('detection proposals are valid catalog manifests once the file checksum is known', () => {
  for (const shapes of [info([[1, 3, 416, 416]], [[1, 3549, 85]]), info([[1, 3, 640, 640]], [[1, 7, 8400]], { names: names3 })]) {
    const { inputLayout, ...m } = proposeManifest(shapes, 'My_Model v2.onnx').manifest;
    assert.equal(inputLayout, 'nchw');
    assert.equal(m.id, 'my-model-v2');
    assert.equal(m.file, 'My_Model v2.onnx');
    ModelManifestSchema.parse({ ...m, sha256: 'a'.repeat(64) });
  }
});

test('parseNamesLiteral', async (t) => {
  const cases: { name: string; text: string; want: string[] }[] = [
    { name: 'Python dict', text: "{0: 'person', 1: 'bicycle'}", want: ['person', 'bicycle'] },
    { name: 'double quotes and escapes', text: `{0: "it's", 1: 'a \\'b\\'', 2: 'caf\\xe9', 3: '\\u00e9t\\u00e9', 4: 'back\\\\slash'}`, want: ["it's", "a 'b'", 'café', 'été', 'back\\slash'] },
    { name: 'JSON object', text: '{"0": "person", "1": "car"}', want: ['person', 'car'] },
    { name: 'list, trailing comma, whitespace', text: " [ 'a' ,\n 'b', ] ", want: ['a', 'b'] },
    { name: 'out of order with a gap', text: "{2: 'c', 0: 'a'}", want: ['a', 'class1', 'c'] },
    { name: 'commas and colons inside names', text: "{0: 'a, b', 1: 'c: d'}", want: ['a, b', 'c: d'] },
    { name: 'empty', text: '{}', want: [] },
  ];
  for (const c of cases) await t.test(c.name, () => assert.deepEqual(parseNamesLiteral(c.text), c.want));
  const bad: { text: string; error: RegExp }[] = [
    { text: "{0 'a'}", error: /expected ":" at character 3 of the names literal, got "'a'}"/ },
    { text: "{0: 'a'", error: /expected "," or "}" at character 7 of the names literal, got the end/ },
    { text: "{0: 'a}", error: /expected a closing ' at character 7/ },
    { text: "{x: 'a'}", error: /expected a class index at character 1/ },
    { text: 'person', error: /expected "\{" or "\[" at character 0/ },
    { text: "{0: 'a'} extra", error: /expected the end at character 9/ },
  ];
  for (const b of bad) await t.test(`refuses ${b.text}`, () => assert.throws(() => parseNamesLiteral(b.text), b.error));
  await t.test('unparseable names metadata becomes a note, not a failure', () => {
    const p = proposeManifest(info([[1, 3, 640, 640]], [[1, 84, 8400]], { names: '{0: person}' }), 'm.onnx');
    assert.equal(p.manifest.labels, 'coco80');
    assert.ok(p.notes.some((n) => /metadata names could not be parsed \(expected a quoted string at character 4/.test(n)), p.notes.join('\n'));
  });
});
