/**
 * 3x3 matrices for plane-to-plane maps (homographies), row-major as 9 numbers: `[a b c; d e f; g h i]`. A point
 * `[x, y]` is taken as the column `(x, y, 1)`; the map gives `(x', y', w)` and the point `[x' / w, y' / w]`.
 * Pure: new arrays out, inputs never changed.
 */

import type { Point } from '../core/types.ts';

/** A 3x3 matrix as 9 numbers in row-major order. */
export type Matrix3 = readonly number[];

/** The identity matrix. */
export const IDENTITY3: Matrix3 = Object.freeze([1, 0, 0, 0, 1, 0, 0, 0, 1]);

/** Below this ratio of |det| to the product of the row lengths (its largest possible value) a matrix is singular. */
const SINGULAR_RATIO = 1e-12;

/** Below this ratio of |w| to the size of its terms a point maps to infinity (the horizon of a homography). */
const HORIZON_RATIO = 1e-12;

/** Product `a · b` (apply `b` first, then `a`). */
export function multiply3(a: Matrix3, b: Matrix3): Matrix3 {
  const out = new Array<number>(9);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) out[r * 3 + c] = a[r * 3]! * b[c]! + a[r * 3 + 1]! * b[3 + c]! + a[r * 3 + 2]! * b[6 + c]!;
  }
  return out;
}

/** Determinant. */
export function determinant3(m: Matrix3): number {
  const [a, b, c, d, e, f, g, h, i] = m as [number, number, number, number, number, number, number, number, number];
  return a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
}

/**
 * Inverse, or null when the matrix is singular: |det| under 1e-12 of the product of its row lengths (a test relative to
 * the matrix's own size, so a homography in millimetres and one in kilometres are judged alike), or any entry not
 * finite.
 */
export function invert3(m: Matrix3): Matrix3 | null {
  if (m.length !== 9 || !m.every(Number.isFinite)) return null;
  const [a, b, c, d, e, f, g, h, i] = m as [number, number, number, number, number, number, number, number, number];
  const c00 = e * i - f * h, c01 = f * g - d * i, c02 = d * h - e * g;
  const det = a * c00 + b * c01 + c * c02;
  const rowProduct = Math.hypot(a, b, c) * Math.hypot(d, e, f) * Math.hypot(g, h, i);
  if (!(rowProduct > 0) || !(Math.abs(det) > SINGULAR_RATIO * rowProduct)) return null;
  const k = 1 / det;
  return [
    c00 * k, (c * h - b * i) * k, (b * f - c * e) * k,
    c01 * k, (a * i - c * g) * k, (c * d - a * f) * k,
    c02 * k, (b * g - a * h) * k, (a * e - b * d) * k,
  ];
}

/** Homogeneous weight `w` of the image of point `p` under `m` (its sign says on which side of the horizon `p` lies). */
export function weightOf(m: Matrix3, p: Point): number {
  return m[6]! * p[0] + m[7]! * p[1] + m[8]!;
}

/**
 * Image of point `p` under `m`, or null when `w` is ~0 (the point maps to infinity) or the result is not finite.
 * Points behind the camera are mapped too; use `projectPoint` where they must not be.
 */
export function applyMatrix3(m: Matrix3, p: Point): Point | null {
  const w = weightOf(m, p);
  const wSize = Math.abs(m[6]! * p[0]) + Math.abs(m[7]! * p[1]) + Math.abs(m[8]!);
  if (!(Math.abs(w) > HORIZON_RATIO * wSize)) return null;
  const x = (m[0]! * p[0] + m[1]! * p[1] + m[2]!) / w;
  const y = (m[3]! * p[0] + m[4]! * p[1] + m[5]!) / w;
  return Number.isFinite(x) && Number.isFinite(y) ? [x, y] : null;
}

/**
 * Image of point `p` under a homography oriented so that points in front of the camera have `w > 0` (as every
 * homography of this folder is): null when `w <= 0` (the point lies on or beyond the horizon, so it has no place on
 * the floor or in the picture) and where `applyMatrix3` gives null.
 */
export function projectPoint(h: Matrix3, p: Point): Point | null {
  return weightOf(h, p) > 0 ? applyMatrix3(h, p) : null;
}

/**
 * The same map scaled by a positive factor so that |m[8]| = 1, or so that the entries have unit length when m[8] is
 * ~0. The factor is positive so that the sign of `w` (in front of or behind the camera) is kept: m[8] ends up -1 when
 * it was negative, rather than flipping every point to behind the camera.
 */
export function normalizeMatrix3(m: Matrix3): Matrix3 {
  const size = Math.hypot(...m);
  if (!(size > 0) || !Number.isFinite(size)) return [...m];
  const corner = Math.abs(m[8]!);
  const k = corner > 1e-9 * size ? 1 / corner : 1 / size;
  return m.map((v) => v * k);
}
