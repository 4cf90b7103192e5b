import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BoxXyxy } from '../core/types.ts';
import { mulberry32 } from '../core/random.ts';
import { estimateMotion, isNoMotion, moveBox, moveState, NO_MOTION, type BoxPair } from './camera-motion.ts';
import { initiate, xyahToXyxy, xyxyToXyah } from './kalman-filter.ts';

/** People standing around a 1920 x 1080 picture: 12 boxes 80-200 px tall, seeded. */
function people(seed: number, n = 12): BoxXyxy[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const h = 80 + 120 * r();
    const x = 100 + 1700 * r(), y = 100 + 800 * r();
    return [x, y, x + 0.4 * h, y + h];
  });
}
/** Gaussian-ish noise of `sd` (sum of uniforms). */
const noise = (r: () => number, sd: number) => (r() + r() + r() + r() - 2) * sd * Math.sqrt(3);
const jitter = (b: BoxXyxy, r: () => number, frac: number): BoxXyxy => {
  const h = b[3] - b[1];
  return [b[0] + noise(r, frac * h), b[1] + noise(r, frac * h), b[2] + noise(r, frac * h), b[3] + noise(r, frac * h)];
};

describe('camera motion from boxes', () => {
  it('a pan: every box shifted by the same amount (with 1 % box jitter) gives that shift', () => {
    const r = mulberry32(7);
    const pairs: BoxPair[] = people(1).map((b) => ({ predicted: b, observed: jitter(moveBox(b, { scale: 1, dx: 24, dy: -9 }), r, 0.01) }));
    const m = estimateMotion(pairs);
    assert.ok(Math.abs(m.dx - 24) < 2 && Math.abs(m.dy + 9) < 2, JSON.stringify(m));
  });

  it('a zoom about a point: the scale and the shift that go with it', () => {
    const zoom = { scale: 1.06, dx: -0.06 * 960, dy: -0.06 * 540 }; // 6 % about the picture centre
    const pairs = people(2).map((b) => ({ predicted: b, observed: moveBox(b, zoom) }));
    const m = estimateMotion(pairs);
    assert.ok(Math.abs(m.scale - 1.06) < 1e-6 && Math.abs(m.dx - zoom.dx) < 1e-6 && Math.abs(m.dy - zoom.dy) < 1e-6, JSON.stringify(m));
  });

  it('a fixed camera with people moving about (their prediction errors independent, up to 5 % of their height) comes out unchanged', () => {
    let fired = 0;
    for (let frame = 0; frame < 300; frame++) {
      const r = mulberry32(1000 + frame);
      const pairs = people(3 + frame).map((b) => ({ predicted: b, observed: jitter(b, r, 0.05) }));
      if (!isNoMotion(estimateMotion(pairs))) fired++;
    }
    assert.equal(fired, 0, `motion reported in ${fired} of 300 frames`);
  });

  it('a few people walking together are not a camera moving', () => {
    const pairs = people(4, 5).map((b) => ({ predicted: b, observed: moveBox(b, { scale: 1, dx: 15, dy: 0 }) }));
    assert.deepEqual(estimateMotion(pairs), NO_MOTION);
  });

  it('half the people shifted, half still: no agreement, no motion', () => {
    const boxes = people(5);
    const pairs = boxes.map((b, i) => ({ predicted: b, observed: i % 2 === 0 ? moveBox(b, { scale: 1, dx: 30, dy: 0 }) : b }));
    assert.deepEqual(estimateMotion(pairs), NO_MOTION);
  });

  it('a moved filter state draws the moved box', () => {
    const box: BoxXyxy = [100, 200, 140, 300];
    const m = { scale: 1.1, dx: 5, dy: -3 };
    const moved = xyahToXyxy(moveState(initiate(xyxyToXyah(box)), m).mean);
    moveBox(box, m).forEach((v, i) => assert.ok(Math.abs(v - moved[i]!) < 1e-9, `${moved} vs ${moveBox(box, m)}`));
  });
});
