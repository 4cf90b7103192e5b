import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDENTITY3, type Matrix3, applyMatrix3, determinant3, invert3, multiply3, normalizeMatrix3, projectPoint } from './matrix3.ts';

const M: Matrix3 = [2, 1, 3, 0, 4, -1, 0.01, 0.02, 1];

const close = (a: readonly number[], b: readonly number[], tol = 1e-12) =>
  assert.ok(a.every((v, i) => Math.abs(v - b[i]!) <= tol * (1 + Math.abs(b[i]!))), `${a} vs ${b}`);

test('multiply3: identity is neutral, and the product applies the right factor first', () => {
  close(multiply3(IDENTITY3, M), M);
  close(multiply3(M, IDENTITY3), M);
  const shift: Matrix3 = [1, 0, 5, 0, 1, 0, 0, 0, 1];
  const scale: Matrix3 = [2, 0, 0, 0, 2, 0, 0, 0, 1];
  assert.deepEqual(applyMatrix3(multiply3(shift, scale), [1, 1]), [7, 2], 'scale, then shift');
});

test('invert3: the inverse undoes the map; singular matrices give null, judged relative to their size', async (t) => {
  await t.test('round trip', () => close(multiply3(M, invert3(M)!), IDENTITY3));
  await t.test('a tiny but regular matrix inverts', () => assert.notEqual(invert3(M.map((v) => v * 1e-9)), null));
  const rows: { name: string; m: Matrix3 }[] = [
    { name: 'rank 2 (third row the sum of the others)', m: [1, 2, 3, 4, 5, 6, 5, 7, 9] },
    { name: 'zero', m: [0, 0, 0, 0, 0, 0, 0, 0, 0] },
    { name: 'NaN', m: [1, 0, 0, 0, 1, 0, 0, 0, Number.NaN] },
    { name: 'two rows equal to 1e-14', m: [1, 1, 0, 1, 1 + 1e-14, 0, 0, 0, 1] },
  ];
  for (const r of rows) await t.test(r.name, () => assert.equal(invert3(r.m), null));
  assert.equal(determinant3([2, 0, 0, 0, 3, 0, 0, 0, 4]), 24);
});

test('applyMatrix3 and projectPoint: the horizon gives null; projectPoint also refuses points behind (w <= 0)', () => {
  const h: Matrix3 = [1, 0, 0, 0, 1, 0, 0, 1, -10]; // w = y - 10: the horizon is y = 10
  assert.equal(applyMatrix3(h, [3, 10]), null, 'on the horizon');
  assert.deepEqual(applyMatrix3(h, [4, 12]), [2, 6]);
  assert.deepEqual(projectPoint(h, [4, 12]), [2, 6]);
  assert.deepEqual(applyMatrix3(h, [4, 8]), [-2, -4], 'applyMatrix3 maps points behind too');
  assert.equal(projectPoint(h, [4, 8]), null);
});

test('normalizeMatrix3: |m[8]| becomes 1 by a positive factor, so which side of the horizon a point lies on is kept', () => {
  close(normalizeMatrix3([2, 0, 0, 0, 2, 0, 0, 0, 2]), IDENTITY3);
  const flipped = normalizeMatrix3([2, 0, 0, 0, 2, 0, 0, 1, -4]);
  close(flipped, [0.5, 0, 0, 0, 0.5, 0, 0, 0.25, -1]);
  assert.deepEqual(projectPoint(flipped, [0, 8]), [0, 4], 'still in front');
  const noCorner = normalizeMatrix3([3, 0, 0, 0, 4, 0, 0, 0, 0]);
  close(noCorner, [0.6, 0, 0, 0, 0.8, 0, 0, 0, 0]);
});
