/**
 * Which person crops are worth an appearance embedding: a re-id model compares whole, unobstructed, large enough,
 * sharp people; a crop cut by the image edge, hidden behind someone nearer the camera, tiny or blurred gives an
 * embedding of something else (the edge, the other person, the background). Pure: boxes (and pixels) in, a verdict with
 * its reasons out.
 */

import type { BoxXyxy } from '../core/types.ts';

/** Why a crop was set aside. */
export type CropRejection = 'edge' | 'small' | 'occluded' | 'blurred';

/** Thresholds of `cropQuality`. */
export interface CropQualityOptions {
  /** A box within this many pixels of an image side is cut by it. */
  readonly edgeMarginPx: number;
  /** Smallest box height kept, pixels. */
  readonly minHeightPx: number;
  /** Largest share of the box covered by boxes of people nearer the camera. */
  readonly maxOccludedFraction: number;
  /** Smallest variance of the Laplacian of the crop's grey levels (checked only when a sharpness is given). */
  readonly minSharpness: number;
}

/**
 * Defaults, with their reasons:
 * - `edgeMarginPx` 2: detector boxes of a person cut by the frame end on the frame's first or last pixels.
 * - `minHeightPx` 64: a quarter of OSNet's 256-pixel input; below it the crop is blown up four times or more and the
 *   embedding describes blur.
 * - `maxOccludedFraction` 0.3: a third of the body behind someone else leaves the other person a large part of the crop.
 * - `minSharpness` 20: a conservative floor for smeared crops (motion blur, defocus, heavy compression), not tuned on
 *   blurred data: the crops of MultiviewX's rendered frames measure 440 (10th percentile) to 1500 (median), so it never
 *   fires there. Only used where the caller computed the value with `laplacianVariance`.
 */
export const CROP_QUALITY_DEFAULTS: CropQualityOptions = Object.freeze({ edgeMarginPx: 2, minHeightPx: 64, maxOccludedFraction: 0.3, minSharpness: 20 });

/** The verdict on one crop. */
export interface CropQuality {
  /** True when no reason applies. */
  readonly keep: boolean;
  readonly reasons: readonly CropRejection[];
  readonly heightPx: number;
  /** Share of the box covered by boxes whose bottom edge is lower in the image (people nearer the camera), 0..1. */
  readonly occludedFraction: number;
}

/**
 * Judges box `index` of `boxesXyxy` (all the person boxes of one image of `widthPx` x `heightPx`). A box whose bottom is
 * lower in the image stands nearer the camera on a floor, so it hides the other, not the other way round; the covered
 * share is the sum of the overlaps with those boxes, capped at 1 (an upper bound when they overlap each other).
 */
export function cropQuality(
  boxesXyxy: readonly BoxXyxy[],
  index: number,
  image: { readonly widthPx: number; readonly heightPx: number },
  options: Partial<CropQualityOptions> = {},
  sharpness?: number,
): CropQuality {
  const o = { ...CROP_QUALITY_DEFAULTS, ...options };
  const [x1, y1, x2, y2] = boxesXyxy[index]!;
  const heightPx = y2 - y1;
  const area = Math.max(0, x2 - x1) * Math.max(0, heightPx);
  let covered = 0;
  boxesXyxy.forEach((b, j) => {
    if (j === index || b[3] <= y2) return;
    covered += Math.max(0, Math.min(x2, b[2]) - Math.max(x1, b[0])) * Math.max(0, Math.min(y2, b[3]) - Math.max(y1, b[1]));
  });
  const occludedFraction = area > 0 ? Math.min(1, covered / area) : 1;
  const reasons: CropRejection[] = [];
  if (x1 < o.edgeMarginPx || y1 < o.edgeMarginPx || x2 > image.widthPx - o.edgeMarginPx || y2 > image.heightPx - o.edgeMarginPx) reasons.push('edge');
  if (heightPx < o.minHeightPx) reasons.push('small');
  if (occludedFraction > o.maxOccludedFraction) reasons.push('occluded');
  if (sharpness !== undefined && sharpness < o.minSharpness) reasons.push('blurred');
  return { keep: reasons.length === 0, reasons, heightPx, occludedFraction };
}

/**
 * Variance of the 4-neighbour Laplacian of the grey levels (0..255, Rec. 601 weights) inside `boxXyxy` of a packed RGB
 * image: low for blurred crops. Samples every `stepPx`-th pixel of the box's interior, so a large box costs no more
 * than about 64 x 128 samples by default.
 */
export function laplacianVariance(rgb: Uint8Array, widthPx: number, heightPx: number, boxXyxy: BoxXyxy, stepPx?: number): number {
  const x1 = Math.max(1, Math.ceil(boxXyxy[0])), y1 = Math.max(1, Math.ceil(boxXyxy[1]));
  const x2 = Math.min(widthPx - 2, Math.floor(boxXyxy[2])), y2 = Math.min(heightPx - 2, Math.floor(boxXyxy[3]));
  if (x2 < x1 || y2 < y1) return 0;
  const step = stepPx ?? Math.max(1, Math.floor(Math.max((x2 - x1) / 64, (y2 - y1) / 128)));
  const grey = (x: number, y: number): number => {
    const i = (y * widthPx + x) * 3;
    return 0.299 * rgb[i]! + 0.587 * rgb[i + 1]! + 0.114 * rgb[i + 2]!;
  };
  let n = 0, sum = 0, sum2 = 0;
  for (let y = y1; y <= y2; y += step) {
    for (let x = x1; x <= x2; x += step) {
      const l = grey(x - 1, y) + grey(x + 1, y) + grey(x, y - 1) + grey(x, y + 1) - 4 * grey(x, y);
      n++;
      sum += l;
      sum2 += l * l;
    }
  }
  const mean = sum / n;
  return sum2 / n - mean * mean;
}
