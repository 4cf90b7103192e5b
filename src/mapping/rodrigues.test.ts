import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../core/random.ts';
import { determinant3, multiply3 } from './matrix3.ts';
import { type RotationVector, rotationFromVector, vectorFromRotation } from './rodrigues.ts';

const near = (a: readonly number[], b: readonly number[], tol: number, what: string) =>
  assert.ok(a.every((v, i) => Math.abs(v - b[i]!) <= tol), `${what}: ${a} vs ${b}`);

test('rotationFromVector: known rotations (the values cv::Rodrigues gives)', async (t) => {
  const rows: { name: string; rvec: RotationVector; r: number[] }[] = [
    { name: 'zero', rvec: [0, 0, 0], r: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
    { name: '90° about z', rvec: [0, 0, Math.PI / 2], r: [0, -1, 0, 1, 0, 0, 0, 0, 1] },
    { name: '180° about x', rvec: [Math.PI, 0, 0], r: [1, 0, 0, 0, -1, 0, 0, 0, -1] },
    { name: '120° about (1,1,1)', rvec: [1, 1, 1].map((v) => (v * 2 * Math.PI) / 3 / Math.sqrt(3)) as unknown as RotationVector, r: [0, 0, 1, 1, 0, 0, 0, 1, 0] },
  ];
  for (const row of rows) await t.test(row.name, () => near(rotationFromVector(row.rvec), row.r, 1e-12, row.name));
});

test('vectorFromRotation inverts rotationFromVector, near 0 and π too; the matrices are rotations', () => {
  const random = mulberry32(5);
  const cases: RotationVector[] = [[0, 0, 0], [1e-9, -2e-9, 0], [Math.PI, 0, 0], [0, -Math.PI + 1e-9, 0]];
  for (let i = 0; i < 200; i++) {
    const axis = [random() - 0.5, random() - 0.5, random() - 0.5];
    const len = Math.hypot(...axis);
    const angle = random() * Math.PI * 0.999;
    cases.push(axis.map((v) => (v / len) * angle) as unknown as RotationVector);
  }
  for (const rvec of cases) {
    const r = rotationFromVector(rvec);
    assert.ok(Math.abs(determinant3(r) - 1) < 1e-12, 'det 1');
    const rt = [r[0]!, r[3]!, r[6]!, r[1]!, r[4]!, r[7]!, r[2]!, r[5]!, r[8]!];
    near(multiply3(r, rt), [1, 0, 0, 0, 1, 0, 0, 0, 1], 1e-12, 'orthonormal');
    // Near π, r and -r are the same rotation.
    near(rotationFromVector(vectorFromRotation(r)), r, 1e-8, `round trip of ${rvec}`);
    if (Math.hypot(...rvec) < 3) near(vectorFromRotation(r), rvec, 1e-9, `vector of ${rvec}`);
  }
});
