import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BoxXyxy } from '../core/types.ts';
import { cropQuality, laplacianVariance, type CropRejection } from './crop-quality.ts';

const image = { widthPx: 1920, heightPx: 1080 };

describe('cropQuality', () => {
  const cases: { name: string; boxes: BoxXyxy[]; sharpness?: number; reasons: CropRejection[]; occluded?: number }[] = [
    { name: 'a whole, tall, lone person is kept', boxes: [[100, 100, 160, 300]], reasons: [] },
    { name: 'cut by the left edge', boxes: [[0, 100, 60, 300]], reasons: ['edge'] },
    { name: 'cut by the bottom edge', boxes: [[100, 900, 160, 1080]], reasons: ['edge'] },
    { name: 'smaller than 64 px', boxes: [[100, 100, 120, 160]], reasons: ['small'] },
    { name: 'half hidden by a person nearer the camera (lower bottom edge)', boxes: [[100, 100, 160, 300], [130, 120, 200, 340]], reasons: ['occluded'], occluded: 0.45 },
    { name: 'in front of a person further away: not occluded', boxes: [[100, 100, 160, 300], [130, 80, 200, 280]], reasons: [], occluded: 0 },
    { name: 'a sliver of overlap is fine', boxes: [[100, 100, 160, 300], [150, 100, 220, 320]], reasons: [], occluded: 1 / 6 },
    { name: 'blurred when a sharpness under 20 is given', boxes: [[100, 100, 160, 300]], sharpness: 5, reasons: ['blurred'] },
    { name: 'several reasons at once', boxes: [[0, 100, 20, 150]], reasons: ['edge', 'small'] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const q = cropQuality(c.boxes, 0, image, {}, c.sharpness);
      assert.deepEqual(q.reasons, c.reasons);
      assert.equal(q.keep, c.reasons.length === 0);
      if (c.occluded !== undefined) assert.ok(Math.abs(q.occludedFraction - c.occluded) < 1e-9, `occluded ${q.occludedFraction}`);
    });
  }

  test('thresholds can be changed', () => {
    assert.deepEqual(cropQuality([[100, 100, 120, 160]], 0, image, { minHeightPx: 50 }).reasons, []);
  });

  test('the covered share is capped at 1', () => {
    const q = cropQuality([[100, 100, 160, 300], [90, 90, 170, 320], [95, 95, 165, 310]], 0, image);
    assert.equal(q.occludedFraction, 1);
  });
});

describe('laplacianVariance', () => {
  const width = 64, height = 64;
  const rgbOf = (grey: (x: number, y: number) => number) => {
    const rgb = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgb.fill(grey(x, y), (y * width + x) * 3, (y * width + x) * 3 + 3);
    return rgb;
  };

  test('flat is 0, a checkerboard is high, a smooth ramp is low', () => {
    const box: BoxXyxy = [0, 0, width, height];
    assert.equal(laplacianVariance(rgbOf(() => 128), width, height, box), 0);
    const checker = laplacianVariance(rgbOf((x, y) => ((x + y) % 2 === 0 ? 0 : 255)), width, height, box, 1);
    const ramp = laplacianVariance(rgbOf((x) => x * 4), width, height, box, 1);
    assert.ok(checker > 1e5, `checker ${checker}`);
    assert.ok(ramp < 1, `ramp ${ramp}`);
  });

  test('a box outside the image gives 0, not an error', () => {
    assert.equal(laplacianVariance(rgbOf(() => 0), width, height, [100, 100, 120, 120]), 0);
  });
});
