/**
 * The scale of a floor-plan image: metres per plan pixel, given directly or measured from two points of known distance
 * (the ends of a wall, a door width). Plan coordinates in metres are plan pixels times this scale, with the origin at
 * the image's top-left corner, x to the right and y down. Pure.
 */

import type { Point } from '../core/types.ts';

/** How a floor plan's scale is given: `metresPerPixel`, or two plan-image points and the distance between them. */
export interface PlanScaleInput {
  /** Metres per plan-image pixel. */
  readonly metresPerPixel?: number;
  /** Two points on the plan image, in plan pixels, a known distance apart. */
  readonly referencePx?: readonly [Point, Point];
  /** The real distance between the two `referencePx` points, in metres. */
  readonly referenceDistanceM?: number;
}

/** The scale, or why there is none. */
export type PlanScaleResult =
  | { readonly ok: true; readonly metresPerPixel: number }
  | { readonly ok: false; readonly code: 'PLAN_SCALE_MISSING' | 'PLAN_SCALE_INVALID'; readonly message: string };

/** Reference points closer than this many plan pixels cannot give a usable scale. */
export const MIN_REFERENCE_PX = 1;

const HOW =
  'give metresPerPixel, or two points on the plan (referencePx, in plan pixels) and the real distance between them ' +
  '(referenceDistanceM, in metres), e.g. the two ends of a wall of known length';

/** Metres per plan pixel from either form of input; a problem comes back as a value whose message says the fix. */
export function planScale(input: PlanScaleInput | undefined): PlanScaleResult {
  const { metresPerPixel, referencePx, referenceDistanceM } = input ?? {};
  const hasReference = referencePx !== undefined || referenceDistanceM !== undefined;
  if (metresPerPixel === undefined && !hasReference) return invalid('PLAN_SCALE_MISSING', `the floor plan has no scale: ${HOW}`);
  if (metresPerPixel !== undefined && hasReference) {
    return invalid('PLAN_SCALE_INVALID', 'the floor plan scale is given twice: keep either metresPerPixel or referencePx with referenceDistanceM, not both');
  }
  if (metresPerPixel !== undefined) {
    if (typeof metresPerPixel === 'number' && Number.isFinite(metresPerPixel) && metresPerPixel > 0) return { ok: true, metresPerPixel };
    return invalid('PLAN_SCALE_INVALID', `metresPerPixel must be a positive number of metres per plan pixel, got ${String(metresPerPixel)}`);
  }
  if (!Array.isArray(referencePx) || referencePx.length !== 2 || !referencePx.every(isFinitePoint)) {
    return invalid('PLAN_SCALE_INVALID', `referencePx must be two plan points [[x1, y1], [x2, y2]] in plan pixels, got ${JSON.stringify(referencePx) ?? 'nothing'}`);
  }
  if (typeof referenceDistanceM !== 'number' || !Number.isFinite(referenceDistanceM) || referenceDistanceM <= 0) {
    return invalid('PLAN_SCALE_INVALID', `referenceDistanceM must be the positive distance in metres between the two reference points, got ${String(referenceDistanceM)}`);
  }
  const [a, b] = referencePx;
  const distancePx = Math.hypot(b[0] - a[0], b[1] - a[1]);
  if (distancePx < MIN_REFERENCE_PX) {
    return invalid('PLAN_SCALE_INVALID', `the two reference points are ${distancePx === 0 ? 'the same plan pixel' : `only ${distancePx.toFixed(2)} px apart`}; pick two points far apart on the plan`);
  }
  return { ok: true, metresPerPixel: referenceDistanceM / distancePx };
}

/** Size of a plan image in metres from its size in pixels and its scale. */
export function planSizeM(widthPx: number, heightPx: number, metresPerPixel: number): { widthM: number; heightM: number } {
  return { widthM: widthPx * metresPerPixel, heightM: heightPx * metresPerPixel };
}

function invalid(code: 'PLAN_SCALE_MISSING' | 'PLAN_SCALE_INVALID', message: string): PlanScaleResult {
  return { ok: false, code, message };
}

function isFinitePoint(p: unknown): p is Point {
  return Array.isArray(p) && p.length === 2 && Number.isFinite(p[0]) && Number.isFinite(p[1]);
}
