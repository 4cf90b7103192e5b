/**
 * The normalised direct linear transform (Hartley & Zisserman, algorithm 4.2): the homography that maps `from[i]` to
 * `to[i]`, exact for 4 points in general position and a least-squares fit of the algebraic error for more. Pure.
 */

import type { Point } from '../core/types.ts';
import { rightSingularVectors, solveLinearSystem } from './linear-algebra.ts';
import { type Matrix3, multiply3, normalizeMatrix3, weightOf } from './matrix3.ts';

/** Below this ratio of the second-smallest to the largest singular value the fit is not unique (a degenerate set). */
const UNIQUE_RATIO = 1e-10;

/**
 * Hartley's normalising similarity of a point set: moves the centroid to the origin and scales so that the mean
 * distance from it is √2. Null when all points coincide.
 */
export function hartleyNormalization(points: readonly Point[]): Matrix3 | null {
  let cx = 0, cy = 0;
  for (const p of points) {
    cx += p[0];
    cy += p[1];
  }
  cx /= points.length;
  cy /= points.length;
  let meanDistance = 0;
  for (const p of points) meanDistance += Math.hypot(p[0] - cx, p[1] - cy);
  meanDistance /= points.length;
  if (!(meanDistance > 0) || !Number.isFinite(meanDistance)) return null;
  const s = Math.SQRT2 / meanDistance;
  return [s, 0, -s * cx, 0, s, -s * cy, 0, 0, 1];
}

/**
 * Homography `H` with `to[i] ~ H · from[i]` (at least 4 pairs), scaled by `normalizeMatrix3`; its sign is arbitrary
 * (see `orientInFront`). Null when the points do not determine one map (all on a line, coinciding, ...).
 */
export function fitHomographyDlt(from: readonly Point[], to: readonly Point[]): Matrix3 | null {
  if (from.length < 4 || from.length !== to.length) return null;
  const tFrom = hartleyNormalization(from);
  const tTo = hartleyNormalization(to);
  if (!tFrom || !tTo) return null;
  const rows: number[][] = [];
  for (let i = 0; i < from.length; i++) {
    const x = tFrom[0]! * from[i]![0] + tFrom[2]!, y = tFrom[4]! * from[i]![1] + tFrom[5]!;
    const u = tTo[0]! * to[i]![0] + tTo[2]!, v = tTo[4]! * to[i]![1] + tTo[5]!;
    rows.push([x, y, 1, 0, 0, 0, -u * x, -u * y, -u]);
    rows.push([0, 0, 0, x, y, 1, -v * x, -v * y, -v]);
  }
  const { values, vectors } = rightSingularVectors(rows);
  if (!(values[7]! > UNIQUE_RATIO * values[0]!)) return null;
  const hNorm = vectors[8]!;
  // Undo the normalisation: H = T_to⁻¹ · Ĥ · T_from (T_to is a similarity, so its inverse is written out).
  const s = tTo[0]!;
  const toInverse: Matrix3 = [1 / s, 0, -tTo[2]! / s, 0, 1 / s, -tTo[5]! / s, 0, 0, 1];
  const h = multiply3(multiply3(toInverse, hNorm), tFrom);
  return h.every(Number.isFinite) ? normalizeMatrix3(h) : null;
}

const REFINE_ITERATIONS = 30;

/**
 * `h` refined by Levenberg–Marquardt to minimise the sum of squared distances, in `to` units, between `h(from[i])` and
 * `to[i]` (the error a calibration reports, which the DLT's algebraic error only approximates); the result is never
 * worse than `h`. Works on `from` in Hartley-normalised coordinates, with the largest entry held fixed, so the eight
 * free parameters are of similar size.
 */
export function refineHomography(h: Matrix3, from: readonly Point[], to: readonly Point[]): Matrix3 {
  const tFrom = hartleyNormalization(from);
  if (!tFrom || from.length < 5) return h;
  const s = tFrom[0]!;
  const fromInverse: Matrix3 = [1 / s, 0, -tFrom[2]! / s, 0, 1 / s, -tFrom[5]! / s, 0, 0, 1];
  const xs = from.map((p): Point => [s * p[0] + tFrom[2]!, s * p[1] + tFrom[5]!]);
  let g = [...multiply3(h, fromInverse)];
  let fixed = 0;
  for (let k = 1; k < 9; k++) if (Math.abs(g[k]!) > Math.abs(g[fixed]!)) fixed = k;
  const free = [0, 1, 2, 3, 4, 5, 6, 7, 8].filter((k) => k !== fixed);

  const costOf = (m: readonly number[]) => {
    let cost = 0;
    for (let i = 0; i < xs.length; i++) {
      const [x, y] = xs[i]!;
      const w = m[6]! * x + m[7]! * y + m[8]!;
      cost += ((m[0]! * x + m[1]! * y + m[2]!) / w - to[i]![0]) ** 2 + ((m[3]! * x + m[4]! * y + m[5]!) / w - to[i]![1]) ** 2;
    }
    return Number.isFinite(cost) ? cost : Infinity;
  };
  let cost = costOf(g);
  let lambda = 1e-3;
  for (let it = 0; it < REFINE_ITERATIONS && cost > 0; it++) {
    const jtj = free.map(() => new Array<number>(8).fill(0));
    const jtr = new Array<number>(8).fill(0);
    for (let i = 0; i < xs.length; i++) {
      const [x, y] = xs[i]!;
      const u = g[0]! * x + g[1]! * y + g[2]!, v = g[3]! * x + g[4]! * y + g[5]!, w = g[6]! * x + g[7]! * y + g[8]!;
      const residuals = [u / w - to[i]![0], v / w - to[i]![1]];
      const full = [
        [x / w, y / w, 1 / w, 0, 0, 0, (-u * x) / (w * w), (-u * y) / (w * w), -u / (w * w)],
        [0, 0, 0, x / w, y / w, 1 / w, (-v * x) / (w * w), (-v * y) / (w * w), -v / (w * w)],
      ];
      for (let r = 0; r < 2; r++) {
        const jRow = free.map((k) => full[r]![k]!);
        for (let a = 0; a < 8; a++) {
          jtr[a]! += jRow[a]! * residuals[r]!;
          for (let b = 0; b < 8; b++) jtj[a]![b]! += jRow[a]! * jRow[b]!;
        }
      }
    }
    let improved = false;
    for (let attempt = 0; attempt < 10 && !improved; attempt++) {
      const damped = jtj.map((row, a) => row.map((value, b) => (a === b ? value * (1 + lambda) : value)));
      const step = solveLinearSystem(damped, jtr.map((value) => -value));
      if (!step) {
        lambda *= 10;
        continue;
      }
      const next = [...g];
      free.forEach((k, a) => (next[k] = next[k]! + step[a]!));
      const nextCost = costOf(next);
      if (nextCost < cost) {
        const relativeGain = (cost - nextCost) / cost;
        g = next;
        cost = nextCost;
        lambda = Math.max(1e-12, lambda / 10);
        improved = true;
        if (relativeGain < 1e-12) it = REFINE_ITERATIONS;
      } else lambda *= 10;
    }
    if (!improved) break;
  }
  const refined = multiply3(g, tFrom);
  return refined.every(Number.isFinite) ? normalizeMatrix3(refined) : h;
}

/**
 * `h` or `-h`, whichever gives `w > 0` at every one of `points` (all in front of the camera, as points seen in one
 * picture of a floor are); null when the signs are mixed, that is the map folds the plane over its horizon between
 * the points and no camera looking at a flat floor could have produced them.
 */
export function orientInFront(h: Matrix3, points: readonly Point[]): Matrix3 | null {
  let positive = 0, negative = 0;
  for (const p of points) {
    const w = weightOf(h, p);
    if (w > 0) positive++;
    else if (w < 0) negative++;
    else return null;
  }
  if (positive > 0 && negative > 0) return null;
  return negative > 0 ? h.map((v) => -v) : h;
}
