import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cross, polygonArea2, polygonSelfIntersection, segmentIntersection, segmentsIntersect } from './geometry.ts';
import type { Point } from './types.ts';

test('cross: positive to the right of a -> b as drawn on an image (y down)', () => {
  assert.ok(cross([0, 0], [1, 0], [0.5, 1]) > 0, 'below an eastward line is its right');
  assert.ok(cross([0, 0], [1, 0], [0.5, -1]) < 0);
  assert.equal(cross([0, 0], [1, 0], [2, 0]), 0);
});

test('segmentIntersection: parameters along both segments; null when parallel', () => {
  assert.deepEqual(segmentIntersection([0, 0], [2, 2], [0, 2], [2, 0]), { t: 0.5, u: 0.5 });
  assert.deepEqual(segmentIntersection([0, 1], [4, 1], [1, 0], [1, 2]), { t: 0.5, u: 0.25 });
  const beyond = segmentIntersection([0, 5], [4, 5], [1, 0], [1, 2])!;
  assert.ok(beyond.t > 1, 'the crossing lies past the end of a -> b');
  assert.equal(segmentIntersection([0, 0], [1, 0], [0, 1], [1, 1]), null);
});

test('segmentsIntersect: crossing, touching, collinear overlap, apart', async (t) => {
  const rows: { name: string; s: [Point, Point, Point, Point]; want: boolean }[] = [
    { name: 'crossing', s: [[0, 0], [2, 2], [0, 2], [2, 0]], want: true },
    { name: 'touching at an end', s: [[0, 0], [1, 1], [1, 1], [2, 0]], want: true },
    { name: 'collinear overlap', s: [[0, 0], [2, 0], [1, 0], [3, 0]], want: true },
    { name: 'collinear apart', s: [[0, 0], [1, 0], [2, 0], [3, 0]], want: false },
    { name: 'apart', s: [[0, 0], [1, 0], [0, 1], [1, 1]], want: false },
  ];
  for (const r of rows) await t.test(r.name, () => assert.equal(segmentsIntersect(...r.s), r.want));
});

test('polygonSelfIntersection: simple polygons pass, bow ties and fold-backs are found', async (t) => {
  const rows: { name: string; poly: Point[]; want: [number, number] | null }[] = [
    { name: 'square', poly: [[0, 0], [1, 0], [1, 1], [0, 1]], want: null },
    { name: 'concave L', poly: [[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2]], want: null },
    { name: 'triangle', poly: [[0, 0], [1, 0], [0, 1]], want: null },
    { name: 'bow tie', poly: [[0, 0], [1, 1], [1, 0], [0, 1]], want: [0, 2] },
    { name: 'an edge folding back on the previous one', poly: [[0, 0], [2, 0], [1, 0], [1, 1]], want: [0, 1] },
  ];
  for (const r of rows) await t.test(r.name, () => assert.deepEqual(polygonSelfIntersection(r.poly), r.want));
});

test('polygonArea2: twice the area, sign by orientation, 0 when degenerate', () => {
  assert.equal(Math.abs(polygonArea2([[0, 0], [2, 0], [2, 1], [0, 1]])), 4);
  assert.equal(polygonArea2([[0, 0], [1, 1], [2, 2]]), 0);
});
