/**
 * The map from a camera image (pixels) to a floor plan (metres), fitted to point pairs a person clicked, or built from
 * a calibrated camera's pose. Bad input and bad pairs come back as values that say which pair and what to do. Pure: the
 * random source of RANSAC is an argument with a seeded default, so the same pairs always give the same fit.
 */

import { AppError } from '../core/errors.ts';
import { mulberry32 } from '../core/random.ts';
import type { Point } from '../core/types.ts';
import { fitHomographyDlt, orientInFront, refineHomography } from './dlt.ts';
import { type Matrix3, applyMatrix3, invert3, multiply3, normalizeMatrix3, projectPoint, weightOf } from './matrix3.ts';
import { type PairSide, type PointPair, checkPairs, inGeneralPosition } from './pair-checks.ts';
import { type RotationVector, rotationFromVector } from './rodrigues.ts';

export type { PointPair } from './pair-checks.ts';

/** How well one pair fits: `errorM` is the distance on the plan, in metres, between the mapped image point and its plan point. */
export interface PairError {
  /** 0-based index into the pairs given. */
  readonly index: number;
  /** Metres on the plan; Infinity when the image point maps to or beyond the horizon. */
  readonly errorM: number;
  /** False for a pair that disagrees with the others by more than the inlier threshold: check it. */
  readonly inlier: boolean;
}

/** A fitted calibration. */
export interface HomographyFit {
  readonly ok: true;
  /** Image pixels to plan metres; `w > 0` for points in front of the camera (see `projectPoint`). */
  readonly imageToPlan: Matrix3;
  /** Plan metres to image pixels, the inverse of `imageToPlan`, oriented the same way. */
  readonly planToImage: Matrix3;
  /** One entry per pair, in the order given. */
  readonly pairs: readonly PairError[];
  /** Root mean square of `errorM` over the inliers, in metres. */
  readonly rmsErrorM: number;
  /** Largest `errorM` among the inliers, in metres (outliers are in `pairs` and `worstPairIndex`). */
  readonly maxErrorM: number;
  /** Number of inlier pairs (the fit uses only these). */
  readonly inliers: number;
  /** 0-based index of the pair with the largest error: the one to check first. */
  readonly worstPairIndex: number;
  /** The inlier threshold used, in metres. */
  readonly inlierThresholdM: number;
  /** `exact` for 4 pairs, `least-squares` when all pairs agreed, `ransac` when some had to be set aside. */
  readonly method: 'exact' | 'least-squares' | 'ransac';
}

/** Why no calibration could be fitted; `pairIndex` (0-based) and `side` say where, when one pair or side is at fault. */
export interface HomographyFailure {
  readonly ok: false;
  readonly code: 'TOO_FEW_PAIRS' | 'DUPLICATE_POINTS' | 'COLLINEAR' | 'DEGENERATE' | 'NON_FINITE';
  readonly message: string;
  readonly pairIndex?: number;
  readonly side?: PairSide;
}

/** What `estimateHomography` returns. */
export type HomographyResult = HomographyFit | HomographyFailure;

/** Options of `estimateHomography`. */
export interface EstimateOptions {
  /** A pair whose error exceeds this is an outlier, in metres. Default: `defaultInlierThresholdM(pairs)`. */
  readonly inlierThresholdM?: number;
  /** Most 4-pair samples RANSAC tries (default 500); when there are no more 4-subsets than this, it tries them all. */
  readonly maxIterations?: number;
  /** Probability that RANSAC has drawn at least one all-inlier sample when it stops early (default 0.99). */
  readonly confidence?: number;
  /** Uniform numbers in [0, 1) for RANSAC's samples. Default: `mulberry32(1)`, so results are reproducible. */
  readonly random?: () => number;
}

/** Defaults of `EstimateOptions`, and the bounds of the default inlier threshold. */
export const ESTIMATE_DEFAULTS = Object.freeze({
  maxIterations: 500,
  confidence: 0.99,
  /** The default threshold is this fraction of the diagonal of the plan points' bounding box ... */
  inlierThresholdFraction: 0.05,
  /** ... but at most this many metres: about a person's width, so a pair that misses by more is worth checking. */
  maxInlierThresholdM: 0.5,
});

/**
 * Default inlier threshold in metres: 5% of the diagonal of the plan points' bounding box, at most 0.5 m. A large site
 * gets 0.5 m (clicks on a distant floor are a few pixels off, and a pixel there can be 10 cm); a small room gets less,
 * so the threshold stays small next to the distances between its points.
 */
export function defaultInlierThresholdM(pairs: readonly PointPair[]): number {
  const xs = pairs.map((p) => p.planM[0]), ys = pairs.map((p) => p.planM[1]);
  const diagonalM = Math.hypot(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
  return Math.min(ESTIMATE_DEFAULTS.maxInlierThresholdM, ESTIMATE_DEFAULTS.inlierThresholdFraction * diagonalM);
}

/**
 * Fits the image-to-plan homography to point pairs. 4 pairs fit exactly; with more, a least-squares fit (normalised
 * DLT, refined to the least squared plan distance) is kept when every pair agrees within the inlier threshold, else RANSAC over 4-pair samples finds the largest
 * agreeing set, which is then refitted by least squares and the others are marked `inlier: false`. Problems with the
 * pairs come back as a `HomographyFailure`; invalid options throw `AppError('CONFIG_INVALID')`.
 */
export function estimateHomography(pairs: readonly PointPair[], options: EstimateOptions = {}): HomographyResult {
  checkOptions(options);
  const list = Array.isArray(pairs) ? pairs : [];
  const problem = checkPairs(list);
  if (problem?.code === 'NON_FINITE') return { ok: false, ...problem };
  if (list.length < 4) {
    return { ok: false, code: 'TOO_FEW_PAIRS', message: `a calibration needs 4 or more point pairs spread out over the floor, got ${list.length}` };
  }
  if (problem) return { ok: false, ...problem };
  const thresholdM = options.inlierThresholdM ?? defaultInlierThresholdM(list);
  const image = list.map((p) => p.imagePx), plan = list.map((p) => p.planM);

  const all = fitOriented(list.map((_, i) => i), image, plan);
  if (list.length === 4) {
    if (!all) return { ok: false, code: 'DEGENERATE', message: FOLDED };
    return finish(all, image, plan, thresholdM, 'exact');
  }
  if (all && evaluate(all, image, plan, thresholdM).inliers.length === list.length) return finish(all, image, plan, thresholdM, 'least-squares');

  const model = ransac(image, plan, thresholdM, options);
  if (!model) return { ok: false, code: 'DEGENERATE', message: FOLDED };
  return finish(model, image, plan, thresholdM, 'ransac');
}

/** Options are the caller's settings, not the user's pairs: a bad one throws `AppError('CONFIG_INVALID')`. */
function checkOptions(options: EstimateOptions): void {
  const { inlierThresholdM, maxIterations, confidence, random } = options;
  const bad = (what: string, value: unknown) => new AppError('CONFIG_INVALID', `${what}, got ${String(value)}`);
  if (inlierThresholdM !== undefined && !(inlierThresholdM > 0 && Number.isFinite(inlierThresholdM))) throw bad('inlierThresholdM must be a positive number of metres', inlierThresholdM);
  if (maxIterations !== undefined && !(Number.isInteger(maxIterations) && maxIterations >= 1)) throw bad('maxIterations must be a whole number >= 1', maxIterations);
  if (confidence !== undefined && !(confidence > 0 && confidence < 1)) throw bad('confidence must be between 0 and 1 (exclusive)', confidence);
  if (random !== undefined && typeof random !== 'function') throw bad('random must be a function returning numbers in [0, 1)', random);
}

const FOLDED =
  'no map from the image to the plan fits these pairs without folding the floor over: check that each image point ' +
  'and its plan point show the same spot, and that the pairs are in the same order on both sides';

/**
 * Fit of the pairs at `indices` (DLT, then refined to the least squared plan distance when `refine`), oriented so that
 * their image points are in front of the camera.
 */
function fitOriented(indices: readonly number[], image: readonly Point[], plan: readonly Point[], refine = true): Matrix3 | null {
  const from = indices.map((i) => image[i]!), to = indices.map((i) => plan[i]!);
  const h = fitHomographyDlt(from, to);
  const oriented = h && orientInFront(h, from);
  if (!oriented || !refine) return oriented;
  return orientInFront(refineHomography(oriented, from, to), from) ?? oriented;
}

/** Each pair's error under `h`, the inlier indices, and the MSAC cost (sum of squared errors, capped at the threshold). */
function evaluate(h: Matrix3, image: readonly Point[], plan: readonly Point[], thresholdM: number) {
  const errorsM: number[] = [], inliers: number[] = [];
  let cost = 0;
  for (let i = 0; i < image.length; i++) {
    const mapped = weightOf(h, image[i]!) > 0 ? applyMatrix3(h, image[i]!) : null;
    const e = mapped ? Math.hypot(mapped[0] - plan[i]![0], mapped[1] - plan[i]![1]) : Infinity;
    errorsM.push(e);
    if (e <= thresholdM) inliers.push(i);
    cost += Math.min(e * e, thresholdM * thresholdM);
  }
  return { errorsM, inliers, cost };
}

/** RANSAC (MSAC scoring) over 4-pair samples, then least-squares refits on the agreeing set until it settles. */
function ransac(image: readonly Point[], plan: readonly Point[], thresholdM: number, options: EstimateOptions): Matrix3 | null {
  const n = image.length;
  const maxIterations = options.maxIterations ?? ESTIMATE_DEFAULTS.maxIterations;
  const confidence = options.confidence ?? ESTIMATE_DEFAULTS.confidence;
  const exhaustive = choose4(n) <= maxIterations;
  const samples = exhaustive ? allQuads(n) : randomQuads(n, options.random ?? mulberry32(1));
  let best: { h: Matrix3; inliers: number[]; cost: number } | null = null;
  let limit = maxIterations;
  for (let it = 0; it < limit; it++) {
    const next = samples.next();
    if (next.done) break;
    const quad = next.value;
    const quadImage = quad.map((i) => image[i]!) as [Point, Point, Point, Point];
    if (!inGeneralPosition(quadImage) || !inGeneralPosition(quad.map((i) => plan[i]!) as [Point, Point, Point, Point])) continue;
    const h = fitOriented(quad, image, plan, false);
    if (!h) continue;
    const e = evaluate(h, image, plan, thresholdM);
    if (best && e.cost >= best.cost) continue;
    best = { h, inliers: e.inliers, cost: e.cost };
    const allGood = (e.inliers.length / n) ** 4;
    if (allGood >= 1) break;
    // The early stop is a statement about random samples; the exhaustive walk goes on to the end.
    if (!exhaustive) limit = Math.min(maxIterations, Math.ceil(Math.log(1 - confidence) / Math.log(1 - allGood)));
  }
  if (!best) return null;

  let { h, inliers } = best;
  for (let round = 0; round < 5; round++) {
    const refit = fitOriented(inliers, image, plan);
    if (!refit) break;
    const e = evaluate(refit, image, plan, thresholdM);
    if (e.inliers.length < inliers.length) break;
    h = refit;
    if (e.inliers.length === inliers.length && e.inliers.every((v, k) => v === inliers[k])) break;
    inliers = e.inliers;
  }
  return h;
}

function finish(h: Matrix3, image: readonly Point[], plan: readonly Point[], thresholdM: number, method: HomographyFit['method']): HomographyResult {
  const inverse = invert3(h);
  if (!inverse) return { ok: false, code: 'DEGENERATE', message: 'the fitted map is singular; spread the points out over the floor' };
  const { errorsM } = evaluate(h, image, plan, thresholdM);
  const pairs = errorsM.map((errorM, index) => ({ index, errorM, inlier: errorM <= thresholdM }));
  const inlierErrorsM = pairs.filter((p) => p.inlier).map((p) => p.errorM);
  let worstPairIndex = 0;
  for (const p of pairs) if (p.errorM > pairs[worstPairIndex]!.errorM) worstPairIndex = p.index;
  return {
    ok: true,
    imageToPlan: h,
    planToImage: normalizeMatrix3(inverse),
    pairs,
    rmsErrorM: Math.sqrt(inlierErrorsM.reduce((s, e) => s + e * e, 0) / Math.max(1, inlierErrorsM.length)),
    maxErrorM: Math.max(0, ...inlierErrorsM),
    inliers: inlierErrorsM.length,
    worstPairIndex,
    inlierThresholdM: thresholdM,
    method,
  };
}

function choose4(n: number): number {
  return (n * (n - 1) * (n - 2) * (n - 3)) / 24;
}

function* allQuads(n: number): Generator<[number, number, number, number]> {
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) for (let k = j + 1; k < n; k++) for (let l = k + 1; l < n; l++) yield [i, j, k, l];
}

function* randomQuads(n: number, random: () => number): Generator<[number, number, number, number]> {
  for (;;) {
    const picked: number[] = [];
    while (picked.length < 4) {
      const i = Math.min(n - 1, Math.floor(random() * n));
      if (!picked.includes(i)) picked.push(i);
    }
    yield picked as [number, number, number, number];
  }
}

/** A short human summary, e.g. `5 pairs, rms 0.12 m, worst pair 3: 1.84 m (outlier: check it)` (pairs counted from 1). */
export function describeCalibration(result: HomographyResult): string {
  if (!result.ok) return `calibration failed (${result.code}): ${result.message}`;
  const worst = result.pairs[result.worstPairIndex]!;
  const metres = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)} m` : 'beyond the horizon');
  let text = `${result.pairs.length} pairs, rms ${metres(result.rmsErrorM)}, worst pair ${worst.index + 1}: ${metres(worst.errorM)}`;
  if (!worst.inlier) text += ' (outlier: check it)';
  const outliers = result.pairs.filter((p) => !p.inlier).map((p) => p.index + 1);
  if (outliers.length > 1) text += `; ${outliers.length} outliers: pairs ${outliers.join(', ')}`;
  if (result.method === 'exact') text += ' (4 pairs always fit exactly: add more to check them)';
  return text;
}

/**
 * The ground plane (world Z = 0, in metres) to image map of a calibrated camera, `H = K · [r1 r2 t]` with `R` the
 * rotation of `rvec` (OpenCV's `cameraMatrix`, `rvec`, `tvec` from `solvePnP` or `calibrateCamera`), and its
 * inverse. Oriented so that `w` is the depth in front of the camera; null when the camera centre lies on the plane
 * (the plane is seen edge-on) or an input is not finite.
 */
export function homographyFromCalibration(
  cameraMatrix: Matrix3,
  rvec: RotationVector,
  tvec: readonly [number, number, number],
): { planToImage: Matrix3; imageToPlan: Matrix3 } | null {
  if (![...cameraMatrix, ...rvec, ...tvec].every(Number.isFinite) || cameraMatrix.length !== 9) return null;
  const r = rotationFromVector(rvec);
  const extrinsic: Matrix3 = [r[0]!, r[1]!, tvec[0], r[3]!, r[4]!, tvec[1], r[6]!, r[7]!, tvec[2]];
  let planToImage = multiply3(cameraMatrix, extrinsic);
  if (cameraMatrix[8]! < 0) planToImage = planToImage.map((v) => -v);
  const imageToPlan = invert3(planToImage);
  if (!imageToPlan) return null;
  return { planToImage: normalizeMatrix3(planToImage), imageToPlan: normalizeMatrix3(imageToPlan) };
}

/** Plan position in metres of an image point in pixels, or null when it lies on or above the horizon. */
export function projectToPlan(imageToPlan: Matrix3, imagePx: Point): Point | null {
  return projectPoint(imageToPlan, imagePx);
}

/** Image position in pixels of a plan point in metres, or null when it lies behind the camera. */
export function projectToImage(planToImage: Matrix3, planM: Point): Point | null {
  return projectPoint(planToImage, planM);
}
