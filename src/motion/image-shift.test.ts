import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../core/random.ts';
import type { GreyImage } from './grey-thumbnail.ts';
import { estimateImageShift } from './image-shift.ts';

const W = 160, H = 90;

/**
 * A world bigger than the view, sampled bilinearly: a street's edges (80 rectangles of random grey: walls, windows,
 * paving) over smoothed noise (texture).
 */
function world(seed: number) {
  const size = 320;
  const r = mulberry32(seed);
  let g = Float64Array.from({ length: size * size }, () => 100 + r() * 60);
  for (let k = 0; k < 80; k++) {
    const x0 = Math.floor(r() * size), y0 = Math.floor(r() * size), w = 5 + Math.floor(r() * 40), h = 5 + Math.floor(r() * 40), v = r() * 255;
    for (let y = y0; y < Math.min(size, y0 + h); y++) for (let x = x0; x < Math.min(size, x0 + w); x++) g[y * size + x] = v;
  }
  for (let pass = 0; pass < 0; pass++) {
    const s = new Float64Array(size * size);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
      let sum = 0, n = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx, yy = y + dy;
        if (xx >= 0 && yy >= 0 && xx < size && yy < size) { sum += g[yy * size + xx]!; n++; }
      }
      s[y * size + x] = sum / n;
    }
    g = s;
  }
  return (x: number, y: number) => {
    const x0 = Math.floor(x), y0 = Math.floor(y), fx = x - x0, fy = y - y0;
    const at = (xx: number, yy: number) => g[Math.min(size - 1, Math.max(0, yy)) * size + Math.min(size - 1, Math.max(0, xx))]!;
    return (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) + fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
  };
}

/** The camera's view: picture point (x, y) shows the world at `map(x, y)`. */
function view(sample: (x: number, y: number) => number, map: (x: number, y: number) => [number, number], blobs: [number, number][] = []): GreyImage {
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const [wx, wy] = map(x, y);
    data[y * W + x] = Math.round(sample(wx, wy));
  }
  // People: dark 8 x 20 px figures drawn over the picture.
  for (const [bx, by] of blobs) for (let y = by; y < by + 20; y++) for (let x = bx; x < bx + 8; x++) if (x >= 0 && y >= 0 && x < W && y < H) data[y * W + x] = 20;
  return { width: W, height: H, data };
}

describe('image shift by phase correlation', () => {
  const sample = world(3);
  const at = (ox: number, oy: number) => (x: number, y: number): [number, number] => [x + 60 - ox, y + 100 - oy];

  it('a pan: whole-pixel and sub-pixel shifts are found to half a thumbnail pixel (a quarter of a pixel of the halved picture correlated)', () => {
    for (const [dx, dy] of [[5, -3], [-12, 7], [2.5, 1.25]] as const) {
      const s = estimateImageShift(view(sample, at(0, 0)), view(sample, at(dx, dy)));
      assert.ok(Math.abs(s.dx - dx) <= 0.5 && Math.abs(s.dy - dy) <= 0.5, `(${dx}, ${dy}) -> ${JSON.stringify(s)}`);
    }
  });

  it('a fixed camera with people walking across it comes out unchanged', () => {
    const before = view(sample, at(0, 0), [[20, 40], [70, 30], [120, 50]]);
    const after = view(sample, at(0, 0), [[26, 40], [64, 31], [127, 50]]);
    assert.deepEqual([estimateImageShift(before, after).dx, estimateImageShift(before, after).dy], [0, 0]);
    assert.deepEqual([estimateImageShift(before, before).dx, estimateImageShift(before, before).dy], [0, 0]);
  });

  it('a pan with people walking the other way: the background wins', () => {
    const s = estimateImageShift(view(sample, at(0, 0), [[40, 30], [90, 35]]), view(sample, at(6, 0), [[30, 30], [80, 35]]));
    assert.ok(Math.abs(s.dx - 6) <= 0.5 && Math.abs(s.dy) <= 0.5, JSON.stringify(s));
  });

  it('a small rotation about the picture centre is not taken for a pan', () => {
    const a = (1 * Math.PI) / 180;
    const rot = (x: number, y: number): [number, number] => {
      const cx = x - W / 2, cy = y - H / 2;
      return [W / 2 + 60 + Math.cos(a) * cx - Math.sin(a) * cy, H / 2 + 100 + Math.sin(a) * cx + Math.cos(a) * cy];
    };
    const s = estimateImageShift(view(sample, at(0, 0)), view(sample, rot));
    assert.ok(Math.hypot(s.dx, s.dy) <= 0.6, JSON.stringify(s));
  });

  it('a different picture (a scene cut) is no shift', () => {
    const s = estimateImageShift(view(sample, at(0, 0)), view(world(99), at(0, 0)));
    assert.deepEqual([s.dx, s.dy], [0, 0], JSON.stringify(s));
  });
});
