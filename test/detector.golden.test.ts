// Golden tests of the detectors on real frames with the real models from the shared assets.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { loadDetector } from '../src/assets/load-detector.ts';
import { clampBox, iou } from '../src/core/geometry.ts';
import type { Frame } from '../src/core/types.ts';
import { loadOnnxModel } from '../src/vision/adapters/onnx-runtime.ts';
import type { ObjectDetector } from '../src/vision/detector.ts';
import { asset, ASSETS } from './support/assets.ts';
import { decodeFrames, jpegFrame } from './support/frames.ts';

const location = { modelDir: '/nonexistent', searchDirs: [`${ASSETS}/models`], download: false };
const detectors = new Map<string, ObjectDetector>();
const detector = async (id: string) => {
  if (!detectors.has(id)) detectors.set(id, await loadDetector(id, location, loadOnnxModel, { threads: 2 }));
  return detectors.get(id)!;
};
after(async () => {
  for (const d of detectors.values()) await d.close();
});

/** MOT17-09 frame 1: gt pedestrians (consider = 1, class 1), boxes clipped to the frame, with their visibility. */
function gtFrame1(width: number, height: number) {
  return readFileSync(asset('mot/MOT17/train/MOT17-09-FRCNN/gt/gt.txt'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(',').map(Number))
    .filter((r) => r[0] === 1 && r[6] === 1 && r[7] === 1)
    .map((r) => ({ id: r[1]!, visibility: r[8]!, box: clampBox([r[2]!, r[3]!, r[2]! + r[4]!, r[3]! + r[5]!], width, height) }));
}

let mot09: Frame;
before(async () => {
  mot09 = await jpegFrame(asset('mot/MOT17/train/MOT17-09-FRCNN/img1/000001.jpg'));
});

test('default detector (YOLOX-nano, tiling auto) finds every visible gt person on MOT17-09 frame 1 (IoU >= 0.5)', async () => {
  const d = await detector('yolox-nano');
  const dets = await d.detect(mot09, { labels: ['person'], tiling: 'auto' });
  const gt = gtFrame1(mot09.width, mot09.height);
  assert.equal(gt.length, 6, 'the gt has six pedestrians in frame 1');
  const visible = gt.filter((g) => g.visibility >= 0.5);
  const missed = visible.filter((g) => !dets.some((x) => iou(x.boxXyxy, g.box) >= 0.5));
  assert.deepEqual(missed.map((g) => g.id), [], `every gt person with visibility >= 0.5 is found (${visible.length})`);
  assert.ok(dets.length >= 6, `at least six persons above the model threshold, got ${dets.length}`);
  assert.ok(dets.every((x) => x.label === 'person' && x.score >= 0.3));
});

test('without tiling YOLOX-nano still finds the tallest person on MOT17-09 frame 1', async () => {
  const d = await detector('yolox-nano');
  const dets = await d.detect(mot09, { labels: ['person'] });
  const big = gtFrame1(mot09.width, mot09.height).filter((g) => g.visibility >= 0.5 && g.box[3] - g.box[1] > 300);
  assert.ok(big.length >= 1);
  for (const g of big) assert.ok(dets.some((x) => iou(x.boxXyxy, g.box) >= 0.5), `gt ${g.id} found`);
});

test('YOLOv8n int8 finds the six people of MOT17-09 frame 1 at score > 0.4 (MANIFEST)', async () => {
  const d = await detector('yolov8n-int8');
  const dets = await d.detect(mot09, { labels: ['person'], scoreThreshold: 0.4 });
  assert.ok(dets.length >= 6, `got ${dets.length}`);
  const visible = gtFrame1(mot09.width, mot09.height).filter((g) => g.visibility >= 0.5);
  for (const g of visible) assert.ok(dets.some((x) => iou(x.boxXyxy, g.box) >= 0.5), `gt ${g.id} found`);
});

test('cars clip: the default detector finds cars', async () => {
  const d = await detector('yolox-nano');
  const frames = await decodeFrames(asset('videos/cars-street-720p.mp4'), { count: 3, everySeconds: 2 });
  for (const f of frames) {
    const cars = await d.detect(f, { labels: ['car', 'truck', 'bus'] });
    assert.ok(cars.filter((c) => c.label === 'car').length >= 1, `frame ${f.index}: ${cars.length} vehicles`);
  }
});

test('vtest.avi: YOLO11n int8 at 320 finds people', async () => {
  const d = await detector('yolo11n-int8-320');
  const [f] = await decodeFrames(asset('videos/vtest.avi'), { count: 1, everySeconds: 1 });
  const people = await d.detect(f!, { labels: ['person'] });
  assert.ok(people.length >= 3, `got ${people.length}`);
});

test('the class filter keeps only the asked labels', async () => {
  const d = await detector('yolox-nano');
  const [f] = await decodeFrames(asset('videos/cars-street-720p.mp4'), { count: 1, everySeconds: 1 });
  const all = await d.detect(f!, {});
  const onlyPeople = await d.detect(f!, { labels: ['person'] });
  assert.ok(all.some((x) => x.label !== 'person'));
  assert.ok(onlyPeople.every((x) => x.label === 'person'));
});
