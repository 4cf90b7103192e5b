import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drawBox, trackColour } from './draw-boxes.ts';

test('a box outline is drawn in its colour, clipped to the frame, the inside untouched', () => {
  const w = 10, h = 8;
  const rgb = new Uint8Array(w * h * 3);
  drawBox(rgb, w, h, [2, 1, 6, 5], [255, 0, 0], 1);
  const at = (x: number, y: number) => [...rgb.subarray((y * w + x) * 3, (y * w + x) * 3 + 3)];
  assert.deepEqual(at(2, 1), [255, 0, 0]);
  assert.deepEqual(at(6, 5), [255, 0, 0]);
  assert.deepEqual(at(4, 1), [255, 0, 0]);
  assert.deepEqual(at(4, 3), [0, 0, 0], 'inside');
  assert.deepEqual(at(8, 3), [0, 0, 0], 'outside');
  const clipped = new Uint8Array(w * h * 3);
  drawBox(clipped, w, h, [-5, -5, 50, 50], [0, 255, 0], 1);
  assert.deepEqual([...clipped.subarray(0, 3)], [0, 255, 0], 'clipped to the frame corner');
  assert.notDeepEqual(trackColour(1), trackColour(2));
  assert.ok(trackColour(7).every((c) => c >= 0 && c <= 255));
});
