import { pointInPolygon } from '../core/geometry.ts';
import type { Point } from '../core/types.ts';
import type { GreyImage } from './grey-thumbnail.ts';

/** Settings of a motion detector. */
export interface MotionOptions {
  /** A pixel is changed when it differs from the background by more than this (0-255). */
  readonly threshold: number;
  /** Smallest changed region that counts as motion, as a fraction of the picture (0..1). */
  readonly minArea: number;
  /** Weight of the newest picture in the running-average background (0..1). */
  readonly alpha: number;
  /** When more than this fraction of the picture changes at once (lights switched, camera gain), the background is
   * relearned from the picture and no motion is reported. */
  readonly relearnFraction: number;
  /** Polygons (corners as 0..1 fractions of the picture) where changes are ignored: clocks, trees, busy roads. */
  readonly masks: readonly (readonly Point[])[];
}

/** A region of connected changed pixels, as fractions of the picture (0..1). */
export interface MotionRegion {
  readonly boxNorm: readonly [number, number, number, number];
  /** Changed pixels in the region, as a fraction of the picture. */
  readonly area: number;
}

/** What one picture showed. */
export interface MotionResult {
  readonly motion: boolean;
  /** Regions at least `minArea` large, largest first. */
  readonly regions: readonly MotionRegion[];
  /** Fraction of unmasked pixels that changed. */
  readonly changedFraction: number;
  /** True when the background was (re)learned from this picture. */
  readonly relearned: boolean;
}

/** Default settings: Frigate-like sensitivity on a 160-pixel-wide thumbnail. */
export const DEFAULT_MOTION: MotionOptions = { threshold: 25, minArea: 0.002, alpha: 0.05, relearnFraction: 0.6, masks: [] };

/**
 * Motion on small grey pictures (pure): a running-average background, a per-pixel threshold, masks, and connected
 * regions (8-neighbourhood) of changed pixels with a minimum area. The first picture, and any picture of another
 * size, only teaches the background.
 */
export class MotionDetector {
  private background: Float32Array | null = null;
  private width = 0;
  private height = 0;
  private mask: Uint8Array | null = null;
  /** Pixels outside the masks. */
  private unmasked = 0;
  private changed = new Uint8Array(0);
  private labels = new Int32Array(0);
  private stack = new Int32Array(0);

  constructor(readonly opts: MotionOptions = DEFAULT_MOTION) {
    if (!(opts.threshold >= 0 && opts.threshold <= 255)) throw new RangeError(`motion threshold: expected 0..255, got ${opts.threshold}`);
    if (!(opts.alpha > 0 && opts.alpha <= 1)) throw new RangeError(`motion alpha: expected 0 < alpha <= 1, got ${opts.alpha}`);
  }

  /** Compares a picture with the background, then blends it into the background. */
  update(img: GreyImage): MotionResult {
    const { width: w, height: h, data } = img;
    if (!this.background || w !== this.width || h !== this.height) {
      this.learn(img);
      return { motion: false, regions: [], changedFraction: 0, relearned: true };
    }
    const bg = this.background;
    const mask = this.mask!;
    const changed = this.changed;
    const t = this.opts.threshold;
    let count = 0;
    for (let i = 0; i < data.length; i++) {
      const on = mask[i] === 0 && Math.abs(data[i]! - bg[i]!) > t ? 1 : 0;
      changed[i] = on;
      count += on;
    }
    const changedFraction = this.unmasked > 0 ? count / this.unmasked : 0;
    if (changedFraction > this.opts.relearnFraction) {
      this.learn(img);
      return { motion: false, regions: [], changedFraction, relearned: true };
    }
    const a = this.opts.alpha;
    for (let i = 0; i < data.length; i++) bg[i] = bg[i]! + a * (data[i]! - bg[i]!);
    const regions = count > 0 ? this.regions(w, h) : [];
    return { motion: regions.length > 0, regions, changedFraction, relearned: false };
  }

  private learn(img: GreyImage): void {
    const { width: w, height: h } = img;
    if (w !== this.width || h !== this.height) {
      this.width = w;
      this.height = h;
      this.changed = new Uint8Array(w * h);
      this.labels = new Int32Array(w * h);
      this.stack = new Int32Array(w * h);
      this.mask = rasterMasks(this.opts.masks, w, h);
      this.unmasked = this.mask.reduce((n, m) => n + 1 - m, 0);
    }
    this.background = Float32Array.from(img.data);
  }

  /** Connected regions of changed pixels (8-neighbourhood), those of at least minArea, largest first. */
  private regions(w: number, h: number): MotionRegion[] {
    const { changed, labels, stack } = this;
    labels.fill(0);
    const minPixels = Math.max(1, this.opts.minArea * w * h);
    const out: MotionRegion[] = [];
    let label = 0;
    for (let start = 0; start < changed.length; start++) {
      if (!changed[start] || labels[start]) continue;
      label++;
      let top = 0, pixels = 0;
      let x1 = w, y1 = h, x2 = -1, y2 = -1;
      stack[top++] = start;
      labels[start] = label;
      while (top > 0) {
        const i = stack[--top]!;
        const x = i % w, y = (i - x) / w;
        pixels++;
        if (x < x1) x1 = x;
        if (x > x2) x2 = x;
        if (y < y1) y1 = y;
        if (y > y2) y2 = y;
        for (let dy = -1; dy <= 1; dy++) {
          const ny = y + dy;
          if (ny < 0 || ny >= h) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const nx = x + dx;
            if (nx < 0 || nx >= w) continue;
            const j = ny * w + nx;
            if (changed[j] && !labels[j]) {
              labels[j] = label;
              stack[top++] = j;
            }
          }
        }
      }
      if (pixels >= minPixels) out.push({ boxNorm: [x1 / w, y1 / h, (x2 + 1) / w, (y2 + 1) / h], area: pixels / (w * h) });
    }
    return out.sort((p, q) => q.area - p.area);
  }
}

/** 1 where a pixel centre lies inside any mask polygon (pure). */
export function rasterMasks(masks: readonly (readonly Point[])[], w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h);
  if (masks.length === 0) return out;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p: Point = [(x + 0.5) / w, (y + 0.5) / h];
      if (masks.some((m) => pointInPolygon(p, m))) out[y * w + x] = 1;
    }
  }
  return out;
}
