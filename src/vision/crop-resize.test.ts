import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cropResizeInto } from './crop-resize.ts';

const IDENTITY = { colorOrder: 'rgb' as const, pixelScale: 1, mean: [0, 0, 0] as const, std: [1, 1, 1] as const };

/** A 4 x 2 frame whose pixel (x, y) is RGB (10x + y, 100 + x, 200 + y). */
function frame(): Uint8Array {
  const rgb = new Uint8Array(4 * 2 * 3);
  for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) rgb.set([10 * x + y, 100 + x, 200 + y], (y * 4 + x) * 3);
  return rgb;
}

test('a crop at its own size copies the pixels into planes at the offset', () => {
  const out = new Float32Array(1 + 3 * 2 * 2).fill(-1);
  cropResizeInto(frame(), 4, 2, [2, 0, 4, 2], 2, 2, IDENTITY, out, 1);
  assert.equal(out[0], -1); // before the offset: untouched
  assert.deepEqual([...out.subarray(1, 5)], [20, 30, 21, 31]); // R plane, x = 2..3, y = 0..1
  assert.deepEqual([...out.subarray(5, 9)], [102, 103, 102, 103]); // G
  assert.deepEqual([...out.subarray(9, 13)], [200, 200, 201, 201]); // B
});

test('downscaling averages neighbours bilinearly; normalisation and BGR order apply', () => {
  const out = new Float32Array(3);
  cropResizeInto(frame(), 4, 2, [0, 0, 2, 2], 1, 1, { colorOrder: 'bgr', pixelScale: 0.5, mean: [1, 0, 0], std: [2, 1, 1] }, out, 0);
  // The single sample sits at (0.5, 0.5): the mean of the 2 x 2 block. B = 200.5, G = 100.5, R = 5.5.
  assert.deepEqual([...out], [(200.5 * 0.5 - 1) / 2, 100.5 * 0.5, 5.5 * 0.5]);
});

test('a box reaching outside the frame is clipped to it; a bad buffer size is rejected', () => {
  const inside = new Float32Array(12);
  const outside = new Float32Array(12);
  cropResizeInto(frame(), 4, 2, [2, 0, 4, 2], 2, 2, IDENTITY, inside, 0);
  cropResizeInto(frame(), 4, 2, [2, -5, 9, 2], 2, 2, IDENTITY, outside, 0);
  assert.deepEqual(outside, inside);
  assert.throws(() => cropResizeInto(new Uint8Array(5), 4, 2, [0, 0, 1, 1], 1, 1, IDENTITY, inside, 0), /expected 24 RGB bytes for 4x2, got 5/);
});
