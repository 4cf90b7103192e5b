import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type PlanScaleInput, planScale, planSizeM } from './plan-scale.ts';

test('planScale: metres per pixel given directly or from two reference points', async (t) => {
  const rows: { name: string; input: PlanScaleInput; metresPerPixel: number }[] = [
    { name: 'direct', input: { metresPerPixel: 0.02 }, metresPerPixel: 0.02 },
    { name: 'a 10 m wall drawn 500 px long', input: { referencePx: [[100, 200], [600, 200]], referenceDistanceM: 10 }, metresPerPixel: 0.02 },
    { name: 'a diagonal 3-4-5 reference', input: { referencePx: [[0, 0], [300, 400]], referenceDistanceM: 5 }, metresPerPixel: 0.01 },
  ];
  for (const r of rows) await t.test(r.name, () => assert.deepEqual(planScale(r.input), { ok: true, metresPerPixel: r.metresPerPixel }));
});

test('planScale: a missing or unusable scale says what to give', async (t) => {
  const rows: { name: string; input: PlanScaleInput | undefined; code: string; message: RegExp }[] = [
    { name: 'nothing', input: undefined, code: 'PLAN_SCALE_MISSING', message: /^the floor plan has no scale: give metresPerPixel, or two points on the plan \(referencePx/ },
    { name: 'empty', input: {}, code: 'PLAN_SCALE_MISSING', message: /no scale/ },
    { name: 'zero metresPerPixel', input: { metresPerPixel: 0 }, code: 'PLAN_SCALE_INVALID', message: /^metresPerPixel must be a positive number of metres per plan pixel, got 0$/ },
    { name: 'negative metresPerPixel', input: { metresPerPixel: -0.1 }, code: 'PLAN_SCALE_INVALID', message: /got -0\.1$/ },
    { name: 'NaN metresPerPixel', input: { metresPerPixel: Number.NaN }, code: 'PLAN_SCALE_INVALID', message: /got NaN$/ },
    { name: 'both forms', input: { metresPerPixel: 0.02, referencePx: [[0, 0], [10, 0]], referenceDistanceM: 1 }, code: 'PLAN_SCALE_INVALID', message: /given twice/ },
    { name: 'same reference point', input: { referencePx: [[40, 40], [40, 40]], referenceDistanceM: 3 }, code: 'PLAN_SCALE_INVALID', message: /^the two reference points are the same plan pixel; pick two points far apart/ },
    { name: 'reference points 0.5 px apart', input: { referencePx: [[40, 40], [40.5, 40]], referenceDistanceM: 3 }, code: 'PLAN_SCALE_INVALID', message: /only 0\.50 px apart/ },
    { name: 'zero distance', input: { referencePx: [[0, 0], [100, 0]], referenceDistanceM: 0 }, code: 'PLAN_SCALE_INVALID', message: /^referenceDistanceM must be the positive distance in metres .* got 0$/ },
    { name: 'negative distance', input: { referencePx: [[0, 0], [100, 0]], referenceDistanceM: -2 }, code: 'PLAN_SCALE_INVALID', message: /got -2$/ },
    { name: 'distance missing', input: { referencePx: [[0, 0], [100, 0]] }, code: 'PLAN_SCALE_INVALID', message: /got undefined$/ },
    { name: 'points missing', input: { referenceDistanceM: 4 }, code: 'PLAN_SCALE_INVALID', message: /^referencePx must be two plan points \[\[x1, y1\], \[x2, y2\]\] in plan pixels, got nothing$/ },
    { name: 'non-finite point', input: { referencePx: [[0, Infinity], [100, 0]], referenceDistanceM: 4 }, code: 'PLAN_SCALE_INVALID', message: /^referencePx must be two plan points/ },
  ];
  for (const r of rows) {
    await t.test(r.name, () => {
      const result = planScale(r.input);
      assert.ok(!result.ok, 'no scale');
      assert.equal(result.code, r.code);
      assert.match(result.message, r.message);
    });
  }
});

test('planSizeM: pixels times the scale', () => {
  assert.deepEqual(planSizeM(1200, 800, 0.025), { widthM: 30, heightM: 20 });
});
