import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  initiate,
  predict,
  project,
  update,
  xyahToXyxy,
  xyxyToXyah,
} from './kalman-filter.ts';
import type { KalmanState, MeasurementXyah } from './kalman-filter.ts';

// Reference values printed by ByteTrack's yolox/tracker/kalman_filter.py (numpy + scipy cho_solve), see the scenarios
// below: "sequence" = initiate, predict, update, predict, update, predict (then project); "dense" = one predict or
// update from a dense covariance P = A Aᵀ + I with A[i][j] = sin(8 i + j + 1).
const SEQUENCE_MEAN = [
  107.40793109254322, 202.83194984480127, 0.5006684454033127, 83.48806280588134, 1.6534676797737966,
  0.6563005668624966, 4.741953630843481e-10, 0.6817330920976069,
];
const SEQUENCE_COVARIANCE = [
  53.785763391274415, 0.0, 0.0, 0.0, 18.289219559938324, 0.0, 0.0, 0.0, 0.0, 53.785763391274415, 0.0, 0.0, 0.0,
  18.289219559938324, 0.0, 0.0, 0.0, 0.0, 0.0003875656167037623, 0.0, 0.0, 0.0, 5.894686473025585e-10, 0.0, 0.0,
  0.0, 0.0, 53.785763391274415, 0.0, 0.0, 0.0, 18.289219559938324, 18.289219559938324, 0.0, 0.0, 0.0,
  13.23536454748421, 0.0, 0.0, 0.0, 0.0, 18.289219559938324, 0.0, 0.0, 0.0, 13.23536454748421, 0.0, 0.0, 0.0, 0.0,
  5.894686473025585e-10, 0.0, 0.0, 0.0, 3.999999903923068e-10, 0.0, 0.0, 0.0, 0.0, 18.289219559938324, 0.0, 0.0,
  0.0, 13.23536454748421,
];
const SEQUENCE_PROJECTED_MEAN = [
  107.40793109254322, 202.83194984480127, 0.5006684454033127, 83.48806280588134,
];
const SEQUENCE_PROJECTED_COVARIANCE = [
  71.21140496897138, 0.0, 0.0, 0.0, 0.0, 71.21140496897138, 0.0, 0.0, 0.0, 0.0, 0.010387565616703764, 0.0, 0.0, 0.0,
  0.0, 71.21140496897138,
];
const DENSE_UPDATE_MEAN = [
  51.011240117298385, 57.970870340199, 0.7480771870091274, 42.085980390302716, 0.7036786195081808,
  -3.7712459461188477, 0.8217540705791431, 2.035025456691758,
];
const DENSE_UPDATE_COVARIANCE = [
  1.278319236212993, -0.16784730024683148, -0.005315292827868134, 0.292824746489897, 0.43032954932904666,
  -0.4912568610648145, -0.28737376954175886, 0.5748826474328843, -0.16784730024683137, 1.7151945031412485,
  -0.001218742104581394, -0.8865384571260804, 0.44557139127393475, 0.9785117664185838, -0.7303183814659948,
  -0.7659890680298753, -0.005315292827868134, -0.001218742104581394, 0.009971162708694692, -0.0004312128158530104,
  -0.006930579880172871, 0.0025558152335731776, 0.006186837474386753, -0.004356185356957365, 0.292824746489897,
  -0.8865384571260808, -0.0004312128158530104, 1.6966774801785922, -0.2826140148023494, -1.0386061528061798,
  0.5848484754966158, 0.8684152068908326, 0.4303295493290471, 0.44557139127393475, -0.006930579880172871,
  -0.2826140148023494, 1.8027894396689037, 0.11965573727688983, -0.8376092673072688, 0.12408861614634148,
  -0.4912568610648145, 0.9785117664185838, 0.0025558152335731776, -1.0386061528061798, 0.11965573727689005,
  2.2634378633693606, -0.4873162409475388, -1.121628804302655, -0.28737376954175886, -0.7303183814659946,
  0.006186837474386309, 0.5848484754966158, -0.8376092673072684, -0.4873162409475388, 1.9794183263739753,
  0.20230544174716036, 0.5748826474328843, -0.7659890680298755, -0.004356185356956921, 0.8684152068908322,
  0.12408861614634104, -1.121628804302655, 0.20230544174716059, 2.062757907074898,
];
const DENSE_PREDICT_MEAN = [
  51.0, 58.0, 0.81, 40.5, 1.0, -2.0, 0.01, 0.5,
];
const DENSE_PREDICT_COVARIANCE = [
  22.80306831667975, -2.7832899673087748, -15.993130747994547, 7.437292096386341, 9.350113519783644,
  -3.883056686221547, -7.220143761531649, 5.984119009033357, -2.783289967308775, 18.733147257814952,
  -0.9220567456954842, -12.464828682470644, 0.4814115897354885, 7.50796495966473, -2.3752298330484694,
  -5.81677291764117, -15.993130747994545, -0.9220567456954847, 18.26154932333885, -3.8100261069502324,
  -8.49020432494839, 1.9892384429085663, 8.911335803555207, -4.291437696685721, 7.437292096386342,
  -12.464828682470644, -3.8100261069502324, 19.57354653721656, 1.9892384429085659, -7.08683348105791,
  0.0730305792713144, 8.065581577551832, 9.350113519783644, 0.4814115897354885, -8.49020432494839,
  1.9892384429085659, 5.495288741401796, -1.0385938236818977, -4.13055786848353, 2.2405864427074738,
  -3.883056686221547, 7.50796495966473, 1.9892384429085663, -7.08683348105791, -1.0385938236818977,
  4.7625800528100095, -0.03812972187496814, -3.688984301166168, -7.220143761531649, -2.3752298330484694,
  8.911335803555207, 0.0730305792713144, -4.13055786848353, -0.03812972187496814, 5.1416536202273715,
  -1.16709176162923, 5.984119009033357, -5.81677291764117, -4.291437696685721, 8.065581577551832,
  2.2405864427074738, -3.688984301166168, -1.16709176162923, 5.091108082715782,
];

function assertClose(actual: ArrayLike<number>, expected: readonly number[], name: string, relTol = 1e-9): void {
  assert.equal(actual.length, expected.length, `${name}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const tol = relTol * Math.max(1, Math.abs(e));
    assert.ok(Math.abs(a - e) <= tol, `${name}[${i}]: expected ${e}, got ${a}`);
  }
}

function denseState(): KalmanState {
  const a = Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (_, j) => Math.sin(8 * i + j + 1)));
  const covariance = new Float64Array(64);
  for (let i = 0; i < 8; i++) {
    for (let j = 0; j < 8; j++) {
      let acc = i === j ? 1 : 0;
      for (let k = 0; k < 8; k++) acc += a[i]![k]! * a[j]![k]!;
      covariance[i * 8 + j] = acc;
    }
  }
  return { mean: Float64Array.from([50, 60, 0.8, 40, 1, -2, 0.01, 0.5]), covariance };
}

test('initiate: zero velocity and ByteTrack initial standard deviations', () => {
  const s = initiate([100, 200, 0.5, 80]);
  assertClose(s.mean, [100, 200, 0.5, 80, 0, 0, 0, 0], 'mean');
  // Height 80: positions 2 * 80 / 20 = 8, velocities 10 * 80 / 160 = 5, aspect 1e-2 and its velocity 1e-5 (squared).
  const variances = [64, 64, 1e-4, 64, 25, 25, 1e-10, 25];
  const expected = new Array<number>(64).fill(0);
  for (let i = 0; i < 8; i++) expected[i * 9] = variances[i]!;
  assertClose(s.covariance, expected, 'covariance');
});

test('matches ByteTrack reference values', async (t) => {
  const cases: ReadonlyArray<{
    name: string;
    run: () => { mean: ArrayLike<number>; covariance: ArrayLike<number> };
    mean: number[];
    covariance: number[];
  }> = [
    {
      name: 'sequence of predict and update',
      run: () => sequence(),
      mean: SEQUENCE_MEAN,
      covariance: SEQUENCE_COVARIANCE,
    },
    {
      name: 'project after the sequence',
      run: () => project(sequence()),
      mean: SEQUENCE_PROJECTED_MEAN,
      covariance: SEQUENCE_PROJECTED_COVARIANCE,
    },
    {
      name: 'predict from a dense covariance',
      run: () => predict(denseState()),
      mean: DENSE_PREDICT_MEAN,
      covariance: DENSE_PREDICT_COVARIANCE,
    },
    {
      name: 'update from a dense covariance',
      run: () => update(denseState(), [52, 57, 0.75, 43]),
      mean: DENSE_UPDATE_MEAN,
      covariance: DENSE_UPDATE_COVARIANCE,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const out = c.run();
      assertClose(out.mean, c.mean, 'mean');
      assertClose(out.covariance, c.covariance, 'covariance');
    });
  }
});

function sequence(): KalmanState {
  let s = initiate([100, 200, 0.5, 80]);
  s = predict(s);
  s = update(s, [103, 201, 0.52, 82]);
  s = predict(s);
  s = update(s, [106.5, 202.5, 0.51, 83]);
  return predict(s);
}

test('predict moves the mean by its velocity and does not mutate its input', () => {
  const mean = Float64Array.from([10, 20, 0.5, 40, 3, -1, 0, 0.5]);
  const s: KalmanState = { mean, covariance: initiate([10, 20, 0.5, 40]).covariance };
  const before = Float64Array.from(mean);
  const next = predict(s);
  assertClose(next.mean, [13, 19, 0.5, 40.5, 3, -1, 0, 0.5], 'mean');
  assert.deepEqual(s.mean, before);
});

test('update with the predicted measurement keeps the mean and shrinks the variance', () => {
  const s = predict(initiate([100, 50, 0.4, 60]));
  const z: MeasurementXyah = [s.mean[0]!, s.mean[1]!, s.mean[2]!, s.mean[3]!];
  const u = update(s, z);
  assertClose(u.mean, Array.from(s.mean), 'mean');
  for (let i = 0; i < 8; i++) assert.ok(u.covariance[i * 9]! < s.covariance[i * 9]!, `variance ${i} shrinks`);
});

test('a box moving at constant velocity is learned', async (t) => {
  const rows = [
    { name: 'right 3 px/frame', vx: 3, vy: 0 },
    { name: 'down-left 2 px/frame', vx: -2, vy: 2 },
    { name: 'still', vx: 0, vy: 0 },
  ];
  for (const r of rows) {
    await t.test(r.name, () => {
      let s = initiate([100, 100, 0.5, 80]);
      for (let f = 1; f <= 60; f++) {
        s = predict(s);
        s = update(s, [100 + r.vx * f, 100 + r.vy * f, 0.5, 80]);
      }
      assert.ok(Math.abs(s.mean[4]! - r.vx) < 0.05, `vx ≈ ${r.vx}, got ${s.mean[4]}`);
      assert.ok(Math.abs(s.mean[5]! - r.vy) < 0.05, `vy ≈ ${r.vy}, got ${s.mean[5]}`);
      const p = predict(s);
      assert.ok(Math.abs(p.mean[0]! - (100 + r.vx * 61)) < 0.5, 'predicted cx');
      for (let i = 0; i < 8; i++) {
        for (let j = 0; j < 8; j++) {
          assert.ok(Math.abs(s.covariance[i * 8 + j]! - s.covariance[j * 8 + i]!) < 1e-9, 'covariance symmetric');
        }
      }
    });
  }
});

test('xyxy <-> xyah round trip', async (t) => {
  const rows = [
    { name: 'tall box', box: [10, 20, 50, 100] as const, xyah: [30, 60, 0.5, 80] },
    { name: 'wide box', box: [0, 0, 200, 50] as const, xyah: [100, 25, 4, 50] },
    { name: 'fractional', box: [1.5, 2.25, 3.5, 6.25] as const, xyah: [2.5, 4.25, 0.5, 4] },
  ];
  for (const r of rows) {
    await t.test(r.name, () => {
      assertClose(xyxyToXyah(r.box), r.xyah, 'xyah');
      assertClose(xyahToXyxy(r.xyah), [...r.box], 'xyxy');
    });
  }
});
