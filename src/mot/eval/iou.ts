/**
 * Box IoU exactly as the two reference evaluators compute it, rounding included, so that pairs lying on the 0.5
 * threshold fall on the same side. Pure.
 */

import type { BoxXywh } from './parse.ts';

/** numpy's `np.finfo('float').eps`, the margin TrackEval puts on its thresholds. */
export const EPS = 2.220446049250313e-16;

/**
 * TrackEval's `_calculate_box_ious` for one pair (xywh converted to x0y0x1y1, no +1; an area or union at or below
 * `EPS` gives 0).
 */
export function iouTrackEval(a: BoxXywh, b: BoxXywh): number {
  const ax1 = a.x + a.w;
  const ay1 = a.y + a.h;
  const bx1 = b.x + b.w;
  const by1 = b.y + b.h;
  const areaA = (ax1 - a.x) * (ay1 - a.y);
  const areaB = (bx1 - b.x) * (by1 - b.y);
  let inter = Math.max(Math.min(ax1, bx1) - Math.max(a.x, b.x), 0) * Math.max(Math.min(ay1, by1) - Math.max(a.y, b.y), 0);
  let union = areaA + areaB - inter;
  if (areaA <= EPS || areaB <= EPS || union <= EPS) inter = 0;
  if (union <= EPS) union = 1;
  return inter / union;
}

/**
 * py-motmetrics' `boxiou` after its loader moved x and y by -1 (the "matlab convention"): sizes are re-derived from
 * the corners and clipped at 0, and an empty intersection gives 0.
 */
export function iouMotmetrics(a: BoxXywh, b: BoxXywh): number {
  const ax0 = a.x - 1;
  const ay0 = a.y - 1;
  const bx0 = b.x - 1;
  const by0 = b.y - 1;
  const ax1 = ax0 + a.w;
  const ay1 = ay0 + a.h;
  const bx1 = bx0 + b.w;
  const by1 = by0 + b.h;
  const inter = Math.max(Math.min(ax1, bx1) - Math.max(ax0, bx0), 0) * Math.max(Math.min(ay1, by1) - Math.max(ay0, by0), 0);
  if (inter === 0) return 0;
  const areaA = Math.max(ax1 - ax0, 0) * Math.max(ay1 - ay0, 0);
  const areaB = Math.max(bx1 - bx0, 0) * Math.max(by1 - by0, 0);
  return inter / (areaA + areaB - inter);
}

/** Row-major `gts.length x trackers.length` matrix of `iou(gt, tracker)`. */
export function iouMatrix(gts: readonly BoxXywh[], trackers: readonly BoxXywh[], iou: (a: BoxXywh, b: BoxXywh) => number): Float64Array {
  const m = trackers.length;
  const out = new Float64Array(gts.length * m);
  for (let i = 0; i < gts.length; i++) {
    for (let j = 0; j < m; j++) out[i * m + j] = iou(gts[i]!, trackers[j]!);
  }
  return out;
}
