import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gaussian, mulberry32 } from '../core/random.ts';
import type { Point } from '../core/types.ts';
import { type PlanTrackEstimate, PlanTrackSmoother } from './position-smoother.ts';

/** A walk at `speedMps` along a heading, observed at the given times with Gaussian noise on each coordinate. */
function walk(timesMs: readonly number[], speedMps: number, headingRad: number, noiseM: number, seed: number): { timeMs: number; positionM: Point }[] {
  const random = mulberry32(seed);
  return timesMs.map((timeMs) => {
    const d = (speedMps * timeMs) / 1000;
    return { timeMs, positionM: [2 + d * Math.cos(headingRad) + noiseM * gaussian(random), 3 + d * Math.sin(headingRad) + noiseM * gaussian(random)] };
  });
}

function run(smoother: PlanTrackSmoother, observations: readonly { timeMs: number; positionM: Point }[]): PlanTrackEstimate[] {
  return observations.map((o) => smoother.update(o.timeMs, o.positionM)!);
}

test('a walk at 1.4 m/s: after a second the speed is within 0.2 m/s (rms), with regular or irregular timestamps', async (t) => {
  const regular = Array.from({ length: 100 }, (_, i) => i * 100);
  const random = mulberry32(3);
  let clock = 0;
  const irregular = Array.from({ length: 120 }, () => (clock += 20 + random() * 200));
  const rows = [
    { name: '10 fps, 10 cm noise', timesMs: regular, noiseM: 0.1, heading: 0.3 },
    { name: 'irregular 20-220 ms, 10 cm noise', timesMs: irregular, noiseM: 0.1, heading: 2.2 },
    { name: '10 fps, 5 cm noise, heading south-west', timesMs: regular, noiseM: 0.05, heading: -2.4 },
  ];
  for (const [k, r] of rows.entries()) {
    await t.test(r.name, () => {
      const smoother = new PlanTrackSmoother({ measurementNoiseM: r.noiseM });
      const estimates = run(smoother, walk(r.timesMs, 1.4, r.heading, r.noiseM, 10 + k));
      const settled = estimates.filter((e) => e.timeMs - r.timesMs[0]! >= 1000);
      const speedRms = Math.sqrt(settled.reduce((sum, e) => sum + (e.speedMps - 1.4) ** 2, 0) / settled.length);
      const speedMean = settled.reduce((sum, e) => sum + e.speedMps, 0) / settled.length;
      assert.ok(speedRms < 0.2, `speed rms error ${speedRms.toFixed(3)} m/s`);
      assert.ok(Math.abs(speedMean - 1.4) < 0.05, `mean speed ${speedMean.toFixed(3)} m/s`);
      const last = settled.at(-1)!;
      const headingError = Math.abs(Math.atan2(Math.sin(Math.atan2(last.velocityMps[1], last.velocityMps[0]) - r.heading), Math.cos(Math.atan2(last.velocityMps[1], last.velocityMps[0]) - r.heading)));
      assert.ok(headingError < 0.15, `heading off by ${headingError} rad`);
      // Smoothing: the position is closer to the truth than the raw observations are on average.
      const truthM = (e: PlanTrackEstimate): Point => [2 + 1.4 * (e.timeMs / 1000) * Math.cos(r.heading), 3 + 1.4 * (e.timeMs / 1000) * Math.sin(r.heading)];
      const rms = Math.sqrt(settled.reduce((s, e) => s + (e.positionM[0] - truthM(e)[0]) ** 2 + (e.positionM[1] - truthM(e)[1]) ** 2, 0) / settled.length);
      assert.ok(rms < r.noiseM * Math.SQRT2 * 0.8, `position rms ${rms.toFixed(3)} m`);
    });
  }
});

test('the first observation starts the track at rest; one standing still stays near 0 m/s', () => {
  const smoother = new PlanTrackSmoother({ measurementNoiseM: 0.1 });
  const first = smoother.update(500, [2, 3])!;
  assert.deepEqual([first.status, first.positionM, first.velocityMps, first.observations], ['started', [2, 3], [0, 0], 1]);
  const estimates = run(smoother, walk(Array.from({ length: 50 }, (_, i) => 600 + i * 100), 0, 0, 0.1, 4));
  const meanSpeed = estimates.slice(-20).reduce((sum, e) => sum + e.speedMps, 0) / 20;
  assert.ok(meanSpeed < 0.2, `mean speed of the last 2 s ${meanSpeed} m/s`);
  assert.equal(estimates.at(-1)!.observations, 51);
});

test('zero dt fuses the observation without moving in time; an earlier time or a NaN is ignored', () => {
  const smoother = new PlanTrackSmoother();
  smoother.update(0, [0, 0]);
  const a = smoother.update(100, [0.14, 0])!;
  const b = smoother.update(100, [0.14, 0])!;
  assert.equal(b.status, 'updated');
  assert.equal(b.timeMs, 100);
  assert.ok(b.positionStdM < a.positionStdM, 'a second look at the same time narrows the position');
  const old = smoother.update(50, [9, 9])!;
  assert.equal(old.status, 'ignored');
  assert.deepEqual(old.positionM, b.positionM);
  assert.equal(smoother.update(200, [Number.NaN, 1])!.status, 'ignored');
  assert.equal(new PlanTrackSmoother().update(0, [Number.NaN, 0]), null, 'nothing to return before the first valid observation');
});

test('a gap longer than gapResetMs restarts the estimate; predict carries it forward within the gap only', () => {
  const smoother = new PlanTrackSmoother({ measurementNoiseM: 0.05 });
  run(smoother, walk(Array.from({ length: 30 }, (_, i) => i * 100), 1.4, 0, 0.05, 8));
  const ahead = smoother.predict(3400)!;
  assert.ok(Math.abs(ahead.positionM[0] - (2 + 1.4 * 3.4)) < 0.2, `predicted x ${ahead.positionM[0]}`);
  assert.ok(ahead.positionStdM > smoother.current()!.positionStdM, 'uncertainty grows while unobserved');
  assert.equal(smoother.predict(2900 + 2001), null);
  const restarted = smoother.update(2900 + 2500, [20, 3])!;
  assert.deepEqual([restarted.status, restarted.positionM, restarted.speedMps, restarted.observations], ['restarted', [20, 3], 0, 1]);
  smoother.reset();
  assert.equal(smoother.current(), null);
  assert.equal(smoother.update(9000, [1, 1])!.status, 'started');
});

test('invalid options throw CONFIG_INVALID', () => {
  assert.throws(() => new PlanTrackSmoother({ measurementNoiseM: 0 }), { name: 'AppError', code: 'CONFIG_INVALID', message: 'smoother.measurementNoiseM must be a positive number, got 0' });
  assert.throws(() => new PlanTrackSmoother({ gapResetMs: Number.NaN }), /gapResetMs/);
});
