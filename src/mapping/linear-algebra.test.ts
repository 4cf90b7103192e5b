import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../core/random.ts';
import { rightSingularVectors, solveLinearSystem } from './linear-algebra.ts';

const norm = (v: readonly number[]) => Math.hypot(...v);
const times = (a: readonly (readonly number[])[], v: readonly number[]) => a.map((row) => row.reduce((s, x, j) => s + x * v[j]!, 0));

test('rightSingularVectors: singular values of a known matrix, largest first', () => {
  const { values, vectors } = rightSingularVectors([[3, 0, 0], [0, -5, 0], [0, 0, 1], [0, 0, 0]]);
  assert.deepEqual(values, [5, 3, 1]);
  assert.deepEqual(vectors.map((v) => v.map(Math.abs)), [[0, 1, 0], [1, 0, 0], [0, 0, 1]]);
});

test('rightSingularVectors: |A v_k| = σ_k, the vectors are orthonormal, and a wide matrix has a null vector', () => {
  const random = mulberry32(11);
  for (const [m, n] of [[12, 9], [8, 9], [5, 5]] as const) {
    const a = Array.from({ length: m }, () => Array.from({ length: n }, () => random() * 2 - 1));
    const { values, vectors } = rightSingularVectors(a);
    for (let k = 0; k < n; k++) {
      assert.ok(Math.abs(norm(vectors[k]!) - 1) < 1e-12, 'unit');
      assert.ok(Math.abs(norm(times(a, vectors[k]!)) - values[k]!) < 1e-12, `σ_${k} of ${m}x${n}`);
      for (let l = k + 1; l < n; l++) assert.ok(Math.abs(vectors[k]!.reduce((s, x, i) => s + x * vectors[l]![i]!, 0)) < 1e-12, 'orthogonal');
    }
    if (m < n) assert.ok(values[n - 1]! < 1e-13, `null vector of ${m}x${n}: σ ${values[n - 1]}`);
  }
});

test('solveLinearSystem: solves a pivot-needing system; a singular one gives null', () => {
  assert.deepEqual(solveLinearSystem([[0, 2], [3, 1]], [4, 5]), [1, 2]);
  assert.equal(solveLinearSystem([[1, 2], [2, 4]], [1, 2]), null);
});
