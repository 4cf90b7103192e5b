import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gaussian, mulberry32 } from '../core/random.ts';
import type { Point } from '../core/types.ts';
import {
  type HomographyFit, type HomographyResult, type PointPair,
  describeCalibration, estimateHomography, homographyFromCalibration, projectToImage, projectToPlan,
} from './homography.ts';
import { type Matrix3, applyMatrix3, invert3 } from './matrix3.ts';
import { type RotationVector, vectorFromRotation } from './rodrigues.ts';

const K: Matrix3 = [800, 0, 640, 0, 800, 360, 0, 0, 1];

/** A camera `heightM` above the floor at `positionM`, looking at `targetM` on the floor (world Z up, metres). */
function lookAt(positionM: Point, heightM: number, targetM: Point): { rvec: RotationVector; tvec: [number, number, number]; r: number[] } {
  const c = [positionM[0], positionM[1], heightM];
  const f = unit([targetM[0] - c[0]!, targetM[1] - c[1]!, -heightM]);
  const x = unit(crossV(f, [0, 0, 1]));
  const y = crossV(f, x);
  const r = [...x, ...y, ...f];
  const t: [number, number, number] = [0, 1, 2].map((i) => -(r[i * 3]! * c[0]! + r[i * 3 + 1]! * c[1]! + r[i * 3 + 2]! * c[2]!)) as [number, number, number];
  return { rvec: vectorFromRotation(r), tvec: t, r };
}
const crossV = (a: number[], b: number[]) => [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];
const unit = (v: number[]) => v.map((x) => x / Math.hypot(...v));

/** Image pixel of world floor point (X, Y, 0) through K, R, t, computed directly; null when behind the camera. */
function projectDirect(r: number[], t: readonly number[], planM: Point): Point | null {
  const cam = [0, 1, 2].map((i) => r[i * 3]! * planM[0] + r[i * 3 + 1]! * planM[1] + t[i]!);
  if (cam[2]! <= 0) return null;
  const u = K[0]! * cam[0]! + K[1]! * cam[1]! + K[2]! * cam[2]!, v = K[4]! * cam[1]! + K[5]! * cam[2]!;
  return [u / cam[2]!, v / cam[2]!];
}

/** Pairs from plan points mapped into the image by `planToImage`. */
function pairsThrough(planToImage: Matrix3, planPoints: readonly Point[]): PointPair[] {
  return planPoints.map((planM) => ({ imagePx: applyMatrix3(planToImage, planM)!, planM }));
}

function grid(x0: number, y0: number, x1: number, y1: number, nx: number, ny: number): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < nx; i++) for (let j = 0; j < ny; j++) out.push([x0 + ((x1 - x0) * i) / (nx - 1), y0 + ((y1 - y0) * j) / (ny - 1)]);
  return out;
}

function fit(r: HomographyResult): HomographyFit {
  assert.ok(r.ok, r.ok ? '' : `${r.code}: ${r.message}`);
  return r;
}

/** Largest plan distance, in metres, between `imageToPlan` and the truth over image points of a plan grid. */
function worstGridErrorM(imageToPlan: Matrix3, truthPlanToImage: Matrix3, area: [number, number, number, number]): number {
  let worst = 0;
  for (const planM of grid(...area, 7, 7)) {
    const got = projectToPlan(imageToPlan, applyMatrix3(truthPlanToImage, planM)!)!;
    worst = Math.max(worst, Math.hypot(got[0] - planM[0], got[1] - planM[1]));
  }
  return worst;
}

const camera = lookAt([4, -6], 4.5, [6, 5]);
const cameraH = homographyFromCalibration(K, camera.rvec, camera.tvec)!;
const FLOOR: [number, number, number, number] = [0, 0, 12, 10];

describe('known maps are recovered from exact points', () => {
  const rows: { name: string; planToImage: Matrix3 }[] = [
    { name: 'identity', planToImage: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
    { name: 'scale and translation (40 px per metre)', planToImage: [40, 0, 100, 0, 40, 50, 0, 0, 1] },
    { name: 'strong perspective', planToImage: [60, 10, 200, -5, 30, 80, 0.02, 0.15, 1] },
    { name: 'ground-plane camera', planToImage: cameraH.planToImage },
  ];
  for (const row of rows) {
    for (const [label, points] of [['4 pairs', grid(0, 0, 12, 10, 2, 2)], ['12 pairs', grid(0, 0, 12, 10, 4, 3)]] as const) {
      test(`${row.name}, ${label}`, () => {
        const result = fit(estimateHomography(pairsThrough(row.planToImage, points)));
        assert.equal(result.method, label === '4 pairs' ? 'exact' : 'least-squares');
        assert.ok(result.maxErrorM < 1e-9, `max error ${result.maxErrorM}`);
        assert.equal(result.inliers, points.length);
        assert.ok(worstGridErrorM(result.imageToPlan, row.planToImage, FLOOR) < 1e-6, 'maps the floor like the truth');
        // The matrix itself, up to a positive scale: the fit keeps points in front of the camera (w > 0).
        const truth = invert3(row.planToImage)!;
        const k = dot(result.imageToPlan, truth) / dot(truth, truth);
        assert.ok(k > 0, 'same orientation as the truth');
        for (let i = 0; i < 9; i++) assert.ok(Math.abs(result.imageToPlan[i]! - k * truth[i]!) < 1e-6 * Math.hypot(...result.imageToPlan), `entry ${i}`);
      });
    }
  }
});
const dot = (a: Matrix3, b: Matrix3) => a.reduce((s, v, i) => s + v * b[i]!, 0);

describe('noisy pairs: the rms error is close to the noise', () => {
  const rows: { count: number; nx: number; ny: number }[] = [{ count: 8, nx: 4, ny: 2 }, { count: 12, nx: 4, ny: 3 }, { count: 20, nx: 5, ny: 4 }];
  for (const { count, nx, ny } of rows) {
    test(`${count} pairs, plan noise 5 cm per axis`, () => {
      const random = mulberry32(count);
      const noiseM = 0.05;
      // Spread over the floor as a person would click them: a grid, each point moved at random within its cell.
      const planPoints = grid(1, 1, 11, 9, nx, ny).map((p): Point => [p[0] + random() - 0.5, p[1] + random() - 0.5]);
      const pairs = planPoints.map((p) => ({ imagePx: applyMatrix3(cameraH.planToImage, p)!, planM: [p[0] + noiseM * gaussian(random), p[1] + noiseM * gaussian(random)] as Point }));
      const result = fit(estimateHomography(pairs));
      assert.equal(result.inliers, count);
      // The plan distance has noise √2 σ; a fit with 8 free parameters leaves (2n - 8) / 2n of its variance in the residuals.
      const expectedM = noiseM * Math.SQRT2 * Math.sqrt((2 * count - 8) / (2 * count));
      assert.ok(result.rmsErrorM > 0.6 * expectedM && result.rmsErrorM < 1.4 * expectedM, `rms ${result.rmsErrorM} vs ${expectedM}`);
      const gridErrorM = worstGridErrorM(result.imageToPlan, cameraH.planToImage, FLOOR);
      assert.ok(gridErrorM < 3 * noiseM, `worst error over the floor ${gridErrorM} m`);
    });
  }
});

describe('a bad pair is pointed out', () => {
  const planPoints = grid(0, 0, 12, 10, 4, 2);
  test('one gross outlier among 8 exact pairs', () => {
    const pairs = pairsThrough(cameraH.planToImage, planPoints);
    pairs[5] = { ...pairs[5]!, planM: [pairs[5]!.planM[0] + 2, pairs[5]!.planM[1] - 1.5] };
    const result = fit(estimateHomography(pairs));
    assert.equal(result.method, 'ransac');
    assert.equal(result.worstPairIndex, 5);
    assert.deepEqual(result.pairs.filter((p) => !p.inlier).map((p) => p.index), [5]);
    assert.ok(Math.abs(result.pairs[5]!.errorM - 2.5) < 1e-6, `outlier error ${result.pairs[5]!.errorM}`);
    assert.ok(result.maxErrorM < 1e-6, 'the other pairs still fit exactly');
    assert.equal(result.inliers, 7);
    assert.match(describeCalibration(result), /^8 pairs, rms 0\.00 m, worst pair 6: 2\.50 m \(outlier: check it\)$/);
  });

  test('two pairs swapped among 8: both are flagged', () => {
    const pairs = pairsThrough(cameraH.planToImage, planPoints);
    [pairs[1], pairs[6]] = [{ ...pairs[1]!, planM: pairs[6]!.planM }, { ...pairs[6]!, planM: pairs[1]!.planM }];
    const result = fit(estimateHomography(pairs));
    assert.deepEqual(result.pairs.filter((p) => !p.inlier).map((p) => p.index), [1, 6]);
    assert.match(describeCalibration(result), /; 2 outliers: pairs 2, 7$/);
  });

  test('20 noisy pairs with 3 outliers (random samples, reproducible)', () => {
    const random = mulberry32(7);
    const pairs = Array.from({ length: 20 }, (): PointPair => {
      const p: Point = [random() * 12, random() * 10];
      return { imagePx: applyMatrix3(cameraH.planToImage, p)!, planM: [p[0] + 0.03 * gaussian(random), p[1] + 0.03 * gaussian(random)] };
    });
    for (const i of [2, 9, 17]) pairs[i] = { ...pairs[i]!, planM: [pairs[i]!.planM[0] + 1.5, pairs[i]!.planM[1] + 1] };
    const first = fit(estimateHomography(pairs));
    assert.deepEqual(first.pairs.filter((p) => !p.inlier).map((p) => p.index), [2, 9, 17]);
    assert.ok(first.rmsErrorM < 0.05, `rms ${first.rmsErrorM}`);
    assert.deepEqual(fit(estimateHomography(pairs)), first, 'the same pairs give the same fit');
    const other = fit(estimateHomography(pairs, { random: mulberry32(99) }));
    assert.deepEqual(other.pairs.map((p) => p.inlier), first.pairs.map((p) => p.inlier));
  });

  test('the inlier threshold is an option; the default is 5% of the plan extent, at most 0.5 m', () => {
    const pairs = pairsThrough(cameraH.planToImage, planPoints);
    pairs[2] = { ...pairs[2]!, planM: [pairs[2]!.planM[0] + 0.3, pairs[2]!.planM[1]] };
    assert.equal(fit(estimateHomography(pairs)).inlierThresholdM, 0.5);
    assert.equal(fit(estimateHomography(pairs)).pairs[2]!.inlier, true, '0.3 m is within the default 0.5 m');
    assert.equal(fit(estimateHomography(pairs, { inlierThresholdM: 0.1 })).pairs[2]!.inlier, false);
    const small = pairsThrough(cameraH.planToImage, grid(0, 0, 3, 4, 3, 2));
    assert.equal(fit(estimateHomography(small)).inlierThresholdM, 0.25);
    assert.throws(() => estimateHomography(pairs, { inlierThresholdM: 0 }), { code: 'CONFIG_INVALID', message: 'inlierThresholdM must be a positive number of metres, got 0' });
    assert.throws(() => estimateHomography(pairs, { maxIterations: 0 }), { code: 'CONFIG_INVALID' });
  });
});

describe('pairs that cannot give a calibration', () => {
  const good = pairsThrough(cameraH.planToImage, grid(0, 0, 12, 10, 3, 2));
  const rows: { name: string; pairs: PointPair[]; code: string; message: RegExp; pairIndex?: number; side?: string }[] = [
    { name: 'no pairs', pairs: [], code: 'TOO_FEW_PAIRS', message: /4 or more point pairs spread out .* got 0$/ },
    { name: '3 pairs', pairs: good.slice(0, 3), code: 'TOO_FEW_PAIRS', message: /got 3$/ },
    {
      name: '4 pairs, 3 image points on a line', code: 'COLLINEAR', side: 'image', message: /no 4 image points are spread out/,
      pairs: [{ imagePx: [0, 0], planM: [0, 0] }, { imagePx: [100, 0], planM: [5, 0] }, { imagePx: [200, 0], planM: [9, 1] }, { imagePx: [50, 80], planM: [3, 6] }],
    },
    {
      name: '6 pairs, all image points on a line', code: 'COLLINEAR', side: 'image', message: /^all 6 image points lie on one line; spread the points out/,
      pairs: good.map((p, i) => ({ ...p, imagePx: [100 + 50 * i, 300 + 20 * i] })),
    },
    {
      name: '5 pairs, all plan points on a line', code: 'COLLINEAR', side: 'plan', message: /^all 5 plan points lie on one line/,
      pairs: good.slice(0, 5).map((p, i) => ({ ...p, planM: [i, 2 * i] })),
    },
    {
      name: 'duplicate image point', code: 'DUPLICATE_POINTS', side: 'image', pairIndex: 3, message: /^pairs 2 and 4 have the same image point \(.*\) px/,
      pairs: good.map((p, i) => (i === 3 ? { ...p, imagePx: [good[1]!.imagePx[0] + 0.2, good[1]!.imagePx[1]] } : p)),
    },
    {
      name: 'duplicate plan point', code: 'DUPLICATE_POINTS', side: 'plan', pairIndex: 4, message: /^pairs 1 and 5 have the same plan point \(0, 0\) m/,
      pairs: good.map((p, i) => (i === 4 ? { ...p, planM: [0, 0] } : p)),
    },
    {
      name: 'NaN', code: 'NON_FINITE', side: 'plan', pairIndex: 2, message: /^pair 3: the plan point must be two finite numbers \[x, y\] in m, got \[NaN, 4\]/,
      pairs: good.map((p, i) => (i === 2 ? { ...p, planM: [Number.NaN, 4] } : p)),
    },
    {
      name: 'Infinity among 3 pairs (named before the count)', code: 'NON_FINITE', side: 'image', pairIndex: 0, message: /^pair 1: the image point/,
      pairs: [{ imagePx: [Infinity, 0], planM: [0, 0] }, ...good.slice(1, 3)],
    },
    {
      name: 'a missing point', code: 'NON_FINITE', side: 'image', pairIndex: 1, message: /got undefined$/,
      pairs: good.map((p, i) => (i === 1 ? ({ planM: p.planM } as unknown as PointPair) : p)),
    },
    {
      name: '4 pairs with two plan points swapped fold the floor over', code: 'DEGENERATE', message: /same spot/,
      pairs: (() => {
        // Corners 0 and 1 are neighbours on the floor; swapping them turns the plan quadrilateral into a bow tie.
        const four = pairsThrough(cameraH.planToImage, grid(0, 0, 12, 10, 2, 2));
        return [{ ...four[0]!, planM: four[1]!.planM }, { ...four[1]!, planM: four[0]!.planM }, four[2]!, four[3]!];
      })(),
    },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const result = estimateHomography(row.pairs);
      assert.ok(!result.ok, 'no fit');
      assert.equal(result.code, row.code);
      assert.match(result.message, row.message);
      assert.equal(result.pairIndex, row.pairIndex);
      assert.equal(result.side, row.side);
      assert.match(describeCalibration(result), new RegExp(`^calibration failed \\(${row.code}\\): `));
    });
  }
});

describe('homographyFromCalibration', () => {
  test('matches a direct projection of floor points through K, R, t', () => {
    for (const planM of grid(-2, 0, 14, 20, 5, 5)) {
      const direct = projectDirect(camera.r, camera.tvec, planM)!;
      const viaH = projectToImage(cameraH.planToImage, planM)!;
      assert.ok(Math.hypot(direct[0] - viaH[0], direct[1] - viaH[1]) < 1e-9, `${planM}`);
      const back = projectToPlan(cameraH.imageToPlan, viaH)!;
      assert.ok(Math.hypot(back[0] - planM[0], back[1] - planM[1]) < 1e-9, `back to ${planM}`);
    }
  });

  test('random poses of a camera looking down at the floor', () => {
    const random = mulberry32(3);
    for (let n = 0; n < 20; n++) {
      const pose = lookAt([random() * 20 - 10, random() * 20 - 10], 2 + random() * 8, [random() * 10, random() * 10]);
      const h = homographyFromCalibration(K, pose.rvec, pose.tvec)!;
      for (const planM of grid(0, 0, 10, 10, 3, 3)) {
        const direct = projectDirect(pose.r, pose.tvec, planM);
        const viaH = projectToImage(h.planToImage, planM);
        if (direct === null || viaH === null) assert.equal(viaH, direct, `pose ${n}, point ${planM}: both behind the camera`);
        else assert.ok(Math.hypot(direct[0] - viaH[0], direct[1] - viaH[1]) < 1e-6, `pose ${n}, point ${planM}`);
      }
    }
  });

  test('points behind the camera and pixels above the horizon have no projection', () => {
    assert.equal(projectDirect(camera.r, camera.tvec, [4, -20]), null);
    assert.equal(projectToImage(cameraH.planToImage, [4, -20]), null);
    const sky = projectDirect(camera.r, camera.tvec, [6, 5])!;
    assert.equal(projectToPlan(cameraH.imageToPlan, [sky[0], -5000]), null);
  });

  test('a camera on the floor (seeing it edge-on) and non-finite inputs give null', () => {
    const onFloor = lookAt([0, 0], 1e-3, [5, 0]);
    const t: [number, number, number] = [0, 1, 2].map((i) => -(onFloor.r[i * 3]! * 0 + onFloor.r[i * 3 + 1]! * 0)) as [number, number, number];
    assert.equal(homographyFromCalibration(K, onFloor.rvec, t), null);
    assert.equal(homographyFromCalibration(K, [Number.NaN, 0, 0], [0, 0, 5]), null);
  });
});
