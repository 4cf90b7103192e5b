import assert from 'node:assert/strict';
import { test } from 'node:test';
import { letterboxGeometry, Letterboxer, unletterboxBox } from './letterbox.ts';

const identity = { colorOrder: 'rgb', pixelScale: 1, mean: [0, 0, 0], std: [1, 1, 1], padValue: 114 } as const;

test('letterboxGeometry keeps aspect and pads per alignment', () => {
  const cases = [
    { name: '16:9 top-left', src: [1920, 1080], dst: [416, 416], align: 'top-left', want: { scale: 416 / 1920, padX: 0, padY: 0, resizedWidth: 416, resizedHeight: 234 } },
    { name: '16:9 centred', src: [1920, 1080], dst: [640, 640], align: 'center', want: { scale: 1 / 3, padX: 0, padY: 140, resizedWidth: 640, resizedHeight: 360 } },
    { name: 'portrait centred', src: [720, 1280], dst: [320, 320], align: 'center', want: { scale: 0.25, padX: 70, padY: 0, resizedWidth: 180, resizedHeight: 320 } },
  ] as const;
  for (const c of cases) {
    const g = letterboxGeometry(c.src[0], c.src[1], c.dst[0], c.dst[1], c.align);
    assert.deepEqual(g, c.want, c.name);
  }
});

test('unletterboxBox inverts the placement', () => {
  const g = letterboxGeometry(1920, 1080, 640, 640, 'center');
  const inInput = [100 / 3 + 0, 200 / 3 + 140, 400 / 3, 600 / 3 + 140] as const;
  const back = unletterboxBox(inInput, g);
  [100, 200, 400, 600].forEach((v, i) => assert.ok(Math.abs(back[i]! - v) < 1e-9));
});

test('Letterboxer writes planar channels, swaps to BGR, normalises and pads', () => {
  // 2x1 frame: red, blue.
  const rgb = new Uint8Array([255, 0, 0, 0, 0, 255]);
  const lb = new Letterboxer(2, 2, { ...identity, colorOrder: 'bgr', align: 'top-left' });
  const { tensor, geometry } = lb.apply(rgb, 2, 1);
  assert.equal(geometry.resizedHeight, 1);
  const plane = 4;
  // Channel 0 is blue: pixel 0 (red) -> 0, pixel 1 (blue) -> 255; row 2 is padding 114.
  assert.deepEqual([...tensor.subarray(0, plane)], [0, 255, 114, 114]);
  assert.deepEqual([...tensor.subarray(2 * plane, 3 * plane)], [255, 0, 114, 114]);
});

test('Letterboxer applies pixelScale, mean and std', () => {
  const lb = new Letterboxer(1, 1, { colorOrder: 'rgb', pixelScale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.5, 0.25, 1], padValue: 0, align: 'center' });
  const { tensor } = lb.apply(new Uint8Array([255, 255, 0]), 1, 1);
  assert.deepEqual([...tensor].map((v) => Math.round(v * 1000) / 1000), [1, 2, -0.5]);
});

test('Letterboxer reads a region in place and rejects a wrong buffer size', () => {
  const w = 4, h = 2;
  const rgb = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) rgb.fill(i * 10, i * 3, i * 3 + 3);
  const lb = new Letterboxer(2, 2, { ...identity, align: 'top-left' });
  const { tensor } = lb.apply(rgb, w, h, { x: 2, y: 0, width: 2, height: 2 });
  assert.deepEqual([...tensor.subarray(0, 4)], [20, 30, 60, 70]);
  assert.throws(() => lb.apply(new Uint8Array(5), w, h), /expected 24 RGB bytes for 4x2, got 5/);
});

/** Packed RGB to ffmpeg's planar gbrp order. */
function toGbrp(rgb: Uint8Array, w: number, h: number): Uint8Array {
  const n = w * h;
  const out = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) {
    out[i] = rgb[i * 3 + 1]!;
    out[n + i] = rgb[i * 3 + 2]!;
    out[2 * n + i] = rgb[i * 3]!;
  }
  return out;
}

test('applyPlanar fills the same tensor as apply from a frame already at the model scale', () => {
  const cases = [
    { w: 8, h: 4, norm: { ...identity, colorOrder: 'bgr', align: 'top-left' } },
    { w: 4, h: 8, norm: { colorOrder: 'rgb', pixelScale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], padValue: 114, align: 'center' } },
    { w: 8, h: 6, norm: { colorOrder: 'rgb', pixelScale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1], padValue: 114, align: 'center' } },
    { w: 8, h: 8, norm: { ...identity, colorOrder: 'rgb', align: 'center' } },
  ] as const;
  for (const c of cases) {
    const rgb = Uint8Array.from({ length: c.w * c.h * 3 }, (_, i) => (i * 37 + 11) % 256);
    const packed = [...new Letterboxer(8, 8, c.norm).apply(rgb, c.w, c.h).tensor];
    const bytes = toGbrp(rgb, c.w, c.h);
    // Bytes 0-255 (gbrp) and floats 0-1 (gbrpf32le) of the same picture.
    for (const gbr of [bytes, Float32Array.from(bytes, (v) => v / 255)]) {
      const planar = new Letterboxer(8, 8, c.norm).applyPlanar({ width: c.w, height: c.h, gbr }, c.w, c.h);
      assert.ok(planar, `${c.w}x${c.h}`);
      [...planar.tensor].forEach((v, i) => assert.ok(Math.abs(v - packed[i]!) < 1e-4, `${c.w}x${c.h} ${gbr.constructor.name} element ${i}: ${v} vs ${packed[i]}`));
    }
  }
});

test('applyPlanar maps boxes with the full frame geometry and refuses an image of another size', () => {
  const lb = new Letterboxer(416, 416, { ...identity, align: 'top-left' });
  const ok = lb.applyPlanar({ width: 416, height: 312, gbr: new Uint8Array(416 * 312 * 3) }, 768, 576);
  assert.equal(ok?.geometry.scale, 416 / 768);
  assert.equal(lb.applyPlanar({ width: 416, height: 310, gbr: new Uint8Array(416 * 310 * 3) }, 768, 576), null);
  assert.equal(lb.applyPlanar({ width: 416, height: 312, gbr: new Uint8Array(10) }, 768, 576), null);
});
