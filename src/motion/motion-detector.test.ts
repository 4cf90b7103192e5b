import assert from 'node:assert/strict';
import { test } from 'node:test';
import { greyThumbnail, thumbnailHeight } from './grey-thumbnail.ts';
import { DEFAULT_MOTION, MotionDetector, rasterMasks } from './motion-detector.ts';

/** A 100x50 grey picture of level `bg` with rectangles [x1, y1, x2, y2, level] drawn on it. */
function picture(bg: number, ...rects: [number, number, number, number, number][]) {
  const w = 100, h = 50;
  const data = new Uint8Array(w * h).fill(bg);
  for (const [x1, y1, x2, y2, v] of rects) for (let y = y1; y < y2; y++) data.fill(v, y * w + x1, y * w + x2);
  return { width: w, height: h, data };
}

test('the first picture only teaches the background; a still scene has no motion', () => {
  const m = new MotionDetector();
  assert.deepEqual(m.update(picture(100)), { motion: false, regions: [], changedFraction: 0, relearned: true });
  for (let i = 0; i < 5; i++) assert.equal(m.update(picture(100)).motion, false);
});

test('a moving object is one region with its box; noise below the threshold and specks below minArea are not motion', () => {
  const m = new MotionDetector();
  m.update(picture(100));
  assert.equal(m.update(picture(110)).motion, false, 'a change of 10 levels is under the threshold of 25');
  const r = m.update(picture(100, [10, 10, 20, 30, 200], [60, 5, 61, 6, 250]));
  assert.equal(r.motion, true);
  assert.equal(r.regions.length, 1, 'the one-pixel speck (0.0002 of the picture) is below minArea 0.002');
  assert.deepEqual(r.regions[0]!.boxNorm, [0.1, 0.2, 0.2, 0.6]);
  assert.equal(r.regions[0]!.area, 200 / 5000);
});

test('masked areas are ignored; a sudden change of most of the picture relearns the background', () => {
  const masks = [[[0, 0], [0.5, 0], [0.5, 1], [0, 1]] as [number, number][]];
  const m = new MotionDetector({ ...DEFAULT_MOTION, masks });
  m.update(picture(100));
  assert.equal(m.update(picture(100, [10, 10, 30, 30, 220])).motion, false, 'inside the mask');
  assert.equal(m.update(picture(100, [70, 10, 90, 30, 220])).motion, true, 'outside the mask');
  const lights = m.update(picture(200));
  assert.deepEqual([lights.motion, lights.relearned], [false, true]);
  assert.equal(m.update(picture(200)).motion, false, 'the new light level is the background now');
});

test('the background follows slow changes (running average)', () => {
  const m = new MotionDetector({ ...DEFAULT_MOTION, alpha: 0.5 });
  m.update(picture(100));
  for (let level = 110; level <= 200; level += 10) assert.equal(m.update(picture(level)).motion, false, `level ${level}`);
});

test('rasterMasks marks pixel centres inside polygons', () => {
  const mask = rasterMasks([[[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]]], 4, 4);
  assert.deepEqual([...mask], [1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
});

test('greyThumbnail averages luma over its cells and keeps the aspect ratio', () => {
  // 8x4 RGB: left half pure green (luma 128), right half white (255).
  const rgb = new Uint8Array(8 * 4 * 3);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) rgb.set(x < 4 ? [0, 255, 0] : [255, 255, 255], (y * 8 + x) * 3);
  const g = greyThumbnail(rgb, 8, 4, 4);
  assert.deepEqual([g.width, g.height], [4, 2]);
  assert.deepEqual([...g.data], [128, 128, 255, 255, 128, 128, 255, 255]);
  assert.equal(thumbnailHeight(1280, 720, 160), 90);
});
