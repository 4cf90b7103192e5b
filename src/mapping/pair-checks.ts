/**
 * Checks on calibration point pairs before a homography is fitted: finite numbers, no duplicates, and points spread
 * out (not on one line). Each problem comes back as a value whose message names the pair (1-based, as a person
 * counts the points they clicked) and the fix. Pure.
 */

import { cross } from '../core/geometry.ts';
import type { Point } from '../core/types.ts';

/** Which point set of the pairs a problem is in: the camera image (pixels) or the floor plan (metres). */
export type PairSide = 'image' | 'plan';

/** One image point and the floor-plan point it shows. */
export interface PointPair {
  /** Where the point is in the camera image, in pixels (x right, y down). */
  readonly imagePx: Point;
  /** Where the same point is on the floor plan, in metres. */
  readonly planM: Point;
}

/** A problem with the pairs that stops a fit. `pairIndex` is 0-based; messages count from 1. */
export interface PairProblem {
  readonly code: 'NON_FINITE' | 'DUPLICATE_POINTS' | 'COLLINEAR';
  readonly message: string;
  readonly pairIndex?: number;
  readonly side?: PairSide;
}

/** Two image points closer than this many pixels are the same point (a double click). */
export const DUPLICATE_TOLERANCE_PX = 0.5;

/** Two plan points closer than this many metres are the same point. */
export const DUPLICATE_TOLERANCE_M = 0.01;
/**
 * Image points may also be fractions of the frame (the configuration's `imageNorm`), where 0.5 would be half the
 * picture: the image tolerance is at most this fraction of the extent of the image points (0.1 %, about 1 px of a
 * 1080p frame).
 */
export const DUPLICATE_TOLERANCE_RELATIVE = 1e-3;

/**
 * Three points count as on one line when the height of their triangle over its longest side is under this fraction of
 * that side: a fit through them would be ill-conditioned even where it is not exactly singular.
 */
export const COLLINEAR_RATIO = 1e-3;

const SIDE_UNIT: Record<PairSide, string> = { image: 'px', plan: 'm' };

/** True when `a`, `b` and `c` lie on one line, within `COLLINEAR_RATIO` (coinciding points count as on a line). */
export function nearlyCollinear(a: Point, b: Point, c: Point): boolean {
  const longest = Math.max(Math.hypot(b[0] - a[0], b[1] - a[1]), Math.hypot(c[0] - b[0], c[1] - b[1]), Math.hypot(a[0] - c[0], a[1] - c[1]));
  if (!(longest > 0)) return true;
  return Math.abs(cross(a, b, c)) / longest <= COLLINEAR_RATIO * longest;
}

/** True when no 3 of the 4 points lie on one line (the points of a minimal homography sample). */
export function inGeneralPosition(p: readonly [Point, Point, Point, Point]): boolean {
  const [a, b, c, d] = p;
  return !nearlyCollinear(a, b, c) && !nearlyCollinear(a, b, d) && !nearlyCollinear(a, c, d) && !nearlyCollinear(b, c, d);
}

/** True when all points lie on one line through the two farthest apart (within `COLLINEAR_RATIO` of their distance). */
export function allOnOneLine(points: readonly Point[]): boolean {
  let a = points[0]!, b = points[0]!, farthest = 0;
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const d = Math.hypot(points[j]![0] - points[i]![0], points[j]![1] - points[i]![1]);
      if (d > farthest) [a, b, farthest] = [points[i]!, points[j]!, d];
    }
  }
  if (!(farthest > 0)) return true;
  return points.every((p) => Math.abs(cross(a, b, p)) / farthest <= COLLINEAR_RATIO * farthest);
}

/** Indices of the first 4 pairs with no 3 points on a line in both the image and the plan, or null when none exist. */
export function findGeneralQuad(pairs: readonly PointPair[], sides: readonly PairSide[] = ['image', 'plan']): [number, number, number, number] | null {
  const n = pairs.length;
  const sideOk = (idx: [number, number, number, number]) =>
    sides.every((side) => inGeneralPosition(idx.map((i) => pointOf(pairs[i]!, side)) as [Point, Point, Point, Point]));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      for (let k = j + 1; k < n; k++) {
        for (let l = k + 1; l < n; l++) if (sideOk([i, j, k, l])) return [i, j, k, l];
      }
    }
  }
  return null;
}

/** The first problem that stops a fit (non-finite numbers, then duplicates, then points on a line), or null. */
export function checkPairs(pairs: readonly PointPair[]): PairProblem | null {
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i];
    for (const side of ['image', 'plan'] as const) {
      const p: unknown = pair === undefined || pair === null ? undefined : side === 'image' ? pair.imagePx : pair.planM;
      if (!isFinitePoint(p)) {
        const got = Array.isArray(p) ? `[${p.map(String).join(', ')}]` : String(p);
        return { code: 'NON_FINITE', pairIndex: i, side, message: `pair ${i + 1}: the ${side} point must be two finite numbers [x, y] in ${SIDE_UNIT[side]}, got ${got}` };
      }
    }
  }
  for (const side of ['image', 'plan'] as const) {
    const tolerance = side === 'image' ? Math.min(DUPLICATE_TOLERANCE_PX, DUPLICATE_TOLERANCE_RELATIVE * extentOf(pairs.map((p) => pointOf(p, side)))) : DUPLICATE_TOLERANCE_M;
    for (let j = 1; j < pairs.length; j++) {
      for (let i = 0; i < j; i++) {
        const a = pointOf(pairs[i]!, side), b = pointOf(pairs[j]!, side);
        if (Math.hypot(a[0] - b[0], a[1] - b[1]) < tolerance) {
          return {
            code: 'DUPLICATE_POINTS', pairIndex: j, side,
            message: `pairs ${i + 1} and ${j + 1} have the same ${side} point (${fmt(a)}) ${SIDE_UNIT[side]}, within ${Number(tolerance.toPrecision(3))} ${SIDE_UNIT[side]}; remove one of them or move it to another spot`,
          };
        }
      }
    }
  }
  const spread = 'spread the points out over the floor so that at least 4 of them have no 3 on one line';
  for (const side of ['image', 'plan'] as const) {
    if (allOnOneLine(pairs.map((p) => pointOf(p, side)))) {
      return { code: 'COLLINEAR', side, message: `all ${pairs.length} ${side} points lie on one line; ${spread}` };
    }
  }
  if (pairs.length >= 4 && findGeneralQuad(pairs) === null) {
    for (const side of ['image', 'plan'] as const) {
      if (findGeneralQuad(pairs, [side]) === null) {
        return { code: 'COLLINEAR', side, message: `no 4 ${side} points are spread out: every 4 of them have 3 on one line; ${spread}` };
      }
    }
    return { code: 'COLLINEAR', message: `no 4 pairs are spread out in both the image and the plan (every 4 have 3 on one line in one of them); ${spread}` };
  }
  return null;
}

/** The image or plan point of a pair. */
export function pointOf(pair: PointPair, side: PairSide): Point {
  return side === 'image' ? pair.imagePx : pair.planM;
}

function isFinitePoint(p: unknown): p is Point {
  return Array.isArray(p) && p.length === 2 && Number.isFinite(p[0]) && Number.isFinite(p[1]);
}

function fmt(p: Point): string {
  return `${round(p[0])}, ${round(p[1])}`;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Diagonal of the bounding box of `points`. */
function extentOf(points: readonly Point[]): number {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const [x, y] of points) {
    x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
  }
  return points.length === 0 ? 0 : Math.hypot(x1 - x0, y1 - y0);
}
