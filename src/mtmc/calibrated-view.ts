/**
 * A calibrated view's ground-plane maps: from its calibration (`K · [r1 r2 t]`), and fitted to point pairs a user would
 * click (image point of a floor mark, with click noise, and the mark's plan position), and how far apart the two put
 * the same image point on the plan. Pure: the random source is an argument.
 */

import { gaussian } from '../core/random.ts';
import type { Point } from '../core/types.ts';
import { estimateHomography, homographyFromCalibration, type HomographyResult, type PointPair } from '../mapping/homography.ts';
import { projectPoint, type Matrix3 } from '../mapping/matrix3.ts';
import { rotationFromVector } from '../mapping/rodrigues.ts';
import type { ViewCalibration } from './multiviewx.ts';

/** Ground-plane maps of a view, image pixels <-> plan metres (distortion not modelled: a homography cannot). */
export interface GroundMaps {
  readonly imageToPlan: Matrix3;
  readonly planToImage: Matrix3;
  /** The sign of camera depth of what the view sees (see `depthSignOf`), for `projectWorldPoint`. */
  readonly depthSign: 1 | -1;
}

/** The ground area a view looks at, and its image size. */
export interface ViewArea {
  readonly widthPx: number;
  readonly heightPx: number;
  readonly areaWidthM: number;
  readonly areaHeightM: number;
}

/**
 * +1 when the camera sees the area at positive depth (OpenCV's convention), -1 when at negative depth. A world frame that
 * is left-handed (Unity's, as in MultiviewX: x, y on the ground, z up) has no proper rotation that keeps the depth
 * positive, and its calibration puts every visible point at z < 0 in camera coordinates. OpenCV's projection does not
 * notice (x/z and y/z keep their signs), but "in front of the camera" turns around. Decided by the majority of the
 * area's 1 m grid points whose projection lands in the image.
 */
export function depthSignOf(cal: ViewCalibration, area: ViewArea): 1 | -1 {
  let votes = 0;
  for (let x = 0; x <= area.areaWidthM; x++) {
    for (let y = 0; y <= area.areaHeightM; y++) {
      const c = cameraPoint(cal, [x, y, 0]);
      const p = pixelOf(cal, c);
      if (p && p[0] >= 0 && p[0] < area.widthPx && p[1] >= 0 && p[1] < area.heightPx) votes += Math.sign(c[2]);
    }
  }
  return votes < 0 ? -1 : 1;
}

/**
 * The view's ground maps from its calibration (`K · [r1 r2 t]`), oriented so that the area the camera sees has
 * `w > 0` (see `depthSignOf`); null when the camera sees the ground edge-on.
 */
export function groundMapsOf(cal: ViewCalibration, area: ViewArea): GroundMaps | null {
  const maps = homographyFromCalibration(cal.cameraMatrix, cal.rvec, cal.tvec);
  if (!maps) return null;
  const depthSign = depthSignOf(cal, area);
  if (depthSign > 0) return { ...maps, depthSign };
  return { imageToPlan: maps.imageToPlan.map((v) => -v), planToImage: maps.planToImage.map((v) => -v), depthSign };
}

function cameraPoint(cal: ViewCalibration, [X, Y, Z]: readonly [number, number, number]): [number, number, number] {
  const r = rotationFromVector(cal.rvec);
  return [
    r[0]! * X + r[1]! * Y + r[2]! * Z + cal.tvec[0],
    r[3]! * X + r[4]! * Y + r[5]! * Z + cal.tvec[1],
    r[6]! * X + r[7]! * Y + r[8]! * Z + cal.tvec[2],
  ];
}

/**
 * Pixel of a camera-frame point with OpenCV's distortion model, whatever the sign of its depth; null at depth 0 and for
 * rays more than twice as far off-axis as the picture's corners: the distortion polynomial is fitted inside the picture
 * and, far outside it, folds distant points back into the image (seen here: points near the horizon landing mid-image).
 */
function pixelOf(cal: ViewCalibration, [xc, yc, zc]: readonly [number, number, number]): Point | null {
  if (zc === 0) return null;
  const K = cal.cameraMatrix;
  const x = xc / zc, y = yc / zc;
  const r2 = x * x + y * y;
  const cornerR2 = (K[2]! / K[0]!) ** 2 + (K[5]! / K[4]!) ** 2;
  if (!(r2 <= 4 * cornerR2)) return null;
  const [k1, k2, p1, p2, k3] = cal.distortion;
  const radial = 1 + k1 * r2 + k2 * r2 * r2 + k3 * r2 * r2 * r2;
  const xd = x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x);
  const yd = y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y;
  return [K[0]! * xd + K[1]! * yd + K[2]!, K[4]! * yd + K[5]!];
}

/**
 * Image position in pixels of a world point (metres) with the full OpenCV model, distortion included (as
 * `cv2.projectPoints`); null behind the camera, where "behind" follows `depthSign` (see `depthSignOf`).
 */
export function projectWorldPoint(cal: ViewCalibration, worldM: readonly [number, number, number], depthSign: 1 | -1 = 1): Point | null {
  const c = cameraPoint(cal, worldM);
  return c[2] * depthSign > 0 ? pixelOf(cal, c) : null;
}

/** Where a user clicks and how precisely. */
export interface ClickOptions {
  /** Number of point pairs (default 8: more than the 4 a fit needs, so a bad click shows). */
  readonly count?: number;
  /** Standard deviation of a click on the image, pixels (default 1.5: a careful click on a full-size frame). */
  readonly imageNoisePx?: number;
  /** Standard deviation of the plan position of a mark, metres (default 0: marks measured on a drawn plan). */
  readonly planNoiseM?: number;
  /** Clicks stay this far inside the image, pixels (default 40: nobody clicks on the frame edge). */
  readonly marginPx?: number;
}

/** Defaults of `ClickOptions`. */
export const CLICK_DEFAULTS = Object.freeze({ count: 8, imageNoisePx: 1.5, planNoiseM: 0, marginPx: 40 });

/**
 * Picks `count` floor marks spread out over the image (farthest-point order from a random first mark) among
 * candidates whose exact image point is known, and adds click noise: the point pairs a user would enter.
 */
export function clickPairs(candidates: readonly PointPair[], widthPx: number, heightPx: number, random: () => number, options: ClickOptions = {}): PointPair[] {
  const o = { ...CLICK_DEFAULTS, ...options };
  const inside = candidates.filter(({ imagePx: [x, y] }) => x >= o.marginPx && x <= widthPx - o.marginPx && y >= o.marginPx && y <= heightPx - o.marginPx);
  if (inside.length === 0) return [];
  const picked: PointPair[] = [inside[Math.min(inside.length - 1, Math.floor(random() * inside.length))]!];
  const nearest = inside.map((c) => Math.hypot(c.imagePx[0] - picked[0]!.imagePx[0], c.imagePx[1] - picked[0]!.imagePx[1]));
  while (picked.length < Math.min(o.count, inside.length)) {
    let best = 0;
    for (let i = 1; i < inside.length; i++) if (nearest[i]! > nearest[best]!) best = i;
    const p = inside[best]!;
    picked.push(p);
    for (let i = 0; i < inside.length; i++) nearest[i] = Math.min(nearest[i]!, Math.hypot(inside[i]!.imagePx[0] - p.imagePx[0], inside[i]!.imagePx[1] - p.imagePx[1]));
  }
  return picked.map((p) => ({
    imagePx: [p.imagePx[0] + o.imageNoisePx * gaussian(random), p.imagePx[1] + o.imageNoisePx * gaussian(random)],
    planM: [p.planM[0] + o.planNoiseM * gaussian(random), p.planM[1] + o.planNoiseM * gaussian(random)],
  }));
}

/** Floor marks on a grid over the area (`stepM` apart), each with its exact image point through the full camera model. */
export function gridMarks(cal: ViewCalibration, area: ViewArea, stepM: number): PointPair[] {
  const out: PointPair[] = [];
  const sign = depthSignOf(cal, area);
  for (let x = 0; x <= area.areaWidthM + 1e-9; x += stepM) {
    for (let y = 0; y <= area.areaHeightM + 1e-9; y += stepM) {
      const imagePx = projectWorldPoint(cal, [x, y, 0], sign);
      if (imagePx) out.push({ imagePx, planM: [x, y] });
    }
  }
  return out;
}

/** How far apart two image-to-plan maps put the same image points, metres on the plan. */
export interface MapDifference {
  /** Image points compared (those whose plan point under the reference lies in the area). */
  readonly points: number;
  readonly meanM: number;
  readonly p90M: number;
  readonly maxM: number;
}

/**
 * Compares `candidate` with `reference` over a grid of image points (`stepPx` apart) whose plan point under the
 * reference lies inside the area `[0, areaWidthM] x [0, areaHeightM]`: the part of the image a user cares about.
 */
export function compareImageToPlan(reference: Matrix3, candidate: Matrix3, size: ViewArea, stepPx = 20): MapDifference {
  const d: number[] = [];
  for (let y = stepPx / 2; y < size.heightPx; y += stepPx) {
    for (let x = stepPx / 2; x < size.widthPx; x += stepPx) {
      const a = projectPoint(reference, [x, y]);
      if (!a || a[0] < 0 || a[1] < 0 || a[0] > size.areaWidthM || a[1] > size.areaHeightM) continue;
      const b = projectPoint(candidate, [x, y]);
      d.push(b ? Math.hypot(a[0] - b[0], a[1] - b[1]) : Infinity);
    }
  }
  d.sort((p, q) => p - q);
  const finite = d.filter(Number.isFinite);
  return {
    points: d.length,
    meanM: finite.length > 0 ? finite.reduce((s, v) => s + v, 0) / finite.length : NaN,
    p90M: d.length > 0 ? d[Math.min(d.length - 1, Math.floor(0.9 * d.length))]! : NaN,
    maxM: d.length > 0 ? d[d.length - 1]! : NaN,
  };
}

/** A fit from clicked pairs next to the calibration's map. */
export interface ClickedFit {
  readonly pairs: readonly PointPair[];
  readonly fit: HomographyResult;
  /** Null when the fit failed. */
  readonly difference: MapDifference | null;
}

/** Fits the clicked `pairs` and compares the fit with the calibration's map over the area. */
export function fitAndCompare(maps: GroundMaps, pairs: readonly PointPair[], size: ViewArea): ClickedFit {
  const fit = estimateHomography(pairs);
  return { pairs, fit, difference: fit.ok ? compareImageToPlan(maps.imageToPlan, fit.imageToPlan, size) : null };
}
