import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Point } from '../core/types.ts';
import { type PointPair, allOnOneLine, checkPairs, findGeneralQuad, inGeneralPosition, nearlyCollinear } from './pair-checks.ts';

test('nearlyCollinear: within 1e-3 of the longest side counts as on a line', async (t) => {
  const rows: { name: string; p: [Point, Point, Point]; want: boolean }[] = [
    { name: 'exactly on a line', p: [[0, 0], [100, 0], [50, 0]], want: true },
    { name: '0.05 px off a 100 px line', p: [[0, 0], [100, 0], [50, 0.05]], want: true },
    { name: '1 px off a 100 px line', p: [[0, 0], [100, 0], [50, 1]], want: false },
    { name: 'two points together', p: [[0, 0], [0, 0], [5, 5]], want: true },
    { name: 'a short side and a far point', p: [[0, 0], [1, 0], [100, 50]], want: false },
  ];
  for (const r of rows) await t.test(r.name, () => assert.equal(nearlyCollinear(...r.p), r.want));
});

test('inGeneralPosition, allOnOneLine', () => {
  assert.equal(inGeneralPosition([[0, 0], [1, 0], [1, 1], [0, 1]]), true);
  assert.equal(inGeneralPosition([[0, 0], [1, 0], [2, 0], [0, 1]]), false);
  assert.equal(allOnOneLine([[0, 0], [1, 1], [2, 2.0001], [5, 5]]), true);
  assert.equal(allOnOneLine([[0, 0], [1, 1], [2, 2.5], [5, 5]]), false);
});

test('findGeneralQuad: the first 4 pairs with no 3 on a line on both sides, skipping those that have', () => {
  const same = (points: Point[]): PointPair[] => points.map((p) => ({ imagePx: p, planM: p }));
  // Points 0-2 and 4 are on the x axis: the only general 4-subsets use at most two of them and both of 3 and 5.
  const pairs = same([[0, 0], [1, 0], [2, 0], [0, 1], [3, 0], [1, 2]]);
  assert.deepEqual(findGeneralQuad(pairs), [0, 1, 3, 5]);
  assert.equal(checkPairs(pairs), null);
  assert.equal(findGeneralQuad(same([[0, 0], [1, 0], [2, 0], [3, 0], [0, 1]])), null);
});
