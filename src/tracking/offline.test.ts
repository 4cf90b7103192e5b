import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interpolateGaps } from './offline.ts';
import type { TrackRow } from './offline.ts';

const row = (frame: number, id: number, x: number, score = 0.9): TrackRow => ({ frame, id, x, y: 10, w: 20, h: 40, score });

test('a gap within one id is filled linearly, with the lower score of its ends', () => {
  const out = interpolateGaps([row(1, 1, 0), row(5, 1, 40, 0.6)], 10, { maxGapSeconds: 0.5 });
  const filled = out.filter((r) => r.frame > 1 && r.frame < 5).sort((a, b) => a.frame - b.frame);
  assert.deepEqual(filled.map((r) => [r.frame, r.x, r.score]), [[2, 10, 0.6], [3, 20, 0.6], [4, 30, 0.6]]);
  assert.equal(out.length, 5);
});

test('gaps longer than maxGapSeconds (at the given frame rate) stay open; ids never mix', () => {
  const rows = [row(1, 1, 0), row(10, 1, 90), row(2, 2, 0), row(4, 2, 20)];
  // At 10 fps, 0.5 s is 5 frames: id 1 misses 8 frames (kept open), id 2 misses 1 (filled).
  const out = interpolateGaps(rows, 10, { maxGapSeconds: 0.5 });
  assert.deepEqual(out.filter((r) => r.id === 1).length, 2);
  assert.deepEqual(out.filter((r) => r.id === 2).map((r) => r.frame).sort(), [2, 3, 4]);
  // At 30 fps the same 0.5 s is 15 frames, so id 1's gap is filled too.
  assert.equal(interpolateGaps(rows, 30, { maxGapSeconds: 0.5 }).filter((r) => r.id === 1).length, 10);
});

test('rows without gaps and the input array are left as they are', () => {
  const rows = [row(1, 1, 0), row(2, 1, 5)];
  assert.deepEqual(interpolateGaps(rows, 25), rows);
  assert.equal(rows.length, 2);
});
