/**
 * Camera motion between consecutive frames, estimated from boxes alone (public-detection benchmarks, or any camera
 * whose frames are not at hand), and applied to the tracks' predicted states before association.
 *
 * The model is a zoom and a shift of the image, `x' = scale * x + dx`, `y' = scale * y + dy`: a pan or tilt is a shift,
 * a camera moving forward or zooming scales the picture about a point. Rotation is left out: boxes carry no angle.
 *
 * The estimate comes from pairs of a track's predicted box and the detection confidently matched to it: the filter
 * already predicts each person's own motion, so what all pairs share is the camera's. It is robust to the people whose
 * prediction is off (medians), and it snaps to "no motion" when the shared part is within its own noise (the standard
 * error of the medians), so a fixed camera comes out unchanged. Pure.
 */
import type { BoxXyxy } from '../core/types.ts';
import type { KalmanState } from './kalman-filter.ts';

/** An image motion: `x' = scale * x + dx`, `y' = scale * y + dy` (pixels). */
export interface CameraMotion {
  readonly scale: number;
  readonly dx: number;
  readonly dy: number;
}

/** No motion. */
export const NO_MOTION: CameraMotion = Object.freeze({ scale: 1, dx: 0, dy: 0 });

/** A predicted box and the box observed for it. */
export interface BoxPair {
  readonly predicted: BoxXyxy;
  readonly observed: BoxXyxy;
}

/** Fewer pairs than this say nothing about the camera (a few people walking together are not a camera moving). */
export const MIN_MOTION_PAIRS = 6;
/**
 * The shared motion must stand this many standard errors from zero to count. Noise alone would pass 3 in fewer than 1
 * in 300 frames, but people's innovations are not independent noise (a group walking together, a filter lagging them
 * all): at 3 the estimate fired on 11-27 % of the frames of fixed MOT cameras and cost 0.5 HOTA there; at 6 it fires
 * where the whole picture moves.
 */
const SIGNIFICANCE = 6;
/**
 * Share of the pairs that must agree with an estimated motion, and how closely (a fraction of the box height: a good
 * detector's box-edge jitter, about 5 %).
 */
const CONSENSUS = 0.6;
const CONSENSUS_HEIGHTS = 0.05;
/** A median's standard error is about 1.25 median absolute deviations over the square root of the count (normal data). */
const MEDIAN_SE = 1.253;

/** Whether a motion changes nothing. */
export function isNoMotion(m: CameraMotion): boolean {
  return m.scale === 1 && m.dx === 0 && m.dy === 0;
}

/**
 * The camera motion the pairs share, or `NO_MOTION` when there are too few pairs or it is within its noise. Each
 * component is tested on its own: a pan with no zoom keeps scale 1.
 */
export function estimateMotion(pairs: readonly BoxPair[]): CameraMotion {
  if (pairs.length < MIN_MOTION_PAIRS) return NO_MOTION;
  const ratios = pairs.map((p) => (p.observed[3] - p.observed[1]) / (p.predicted[3] - p.predicted[1]));
  const scale = significant(ratios.map((r) => Math.log(r))) ? Math.exp(median(ratios.map((r) => Math.log(r)))) : 1;
  const cx = (b: BoxXyxy) => (b[0] + b[2]) / 2;
  const cy = (b: BoxXyxy) => (b[1] + b[3]) / 2;
  // Shifts in units of each box's height, so near and far people weigh the same in the noise test.
  const sx = pairs.map((p) => cx(p.observed) - scale * cx(p.predicted));
  const sy = pairs.map((p) => cy(p.observed) - scale * cy(p.predicted));
  const heights = pairs.map((p) => p.predicted[3] - p.predicted[1]);
  const dxOk = significant(sx.map((v, i) => v / heights[i]!));
  const dyOk = significant(sy.map((v, i) => v / heights[i]!));
  const m = { scale, dx: dxOk || scale !== 1 ? median(sx) : 0, dy: dyOk || scale !== 1 ? median(sy) : 0 };
  if (m.scale === 1 && m.dx === 0 && m.dy === 0) return NO_MOTION;
  // A camera moves everyone: most pairs must agree with the motion to a tenth of their height, else a few people's
  // wrong predictions are what was measured.
  const agree = pairs.filter((p, i) => Math.hypot(sx[i]! - m.dx, sy[i]! - m.dy) <= CONSENSUS_HEIGHTS * heights[i]! && Math.abs(Math.log(ratios[i]! / m.scale)) <= CONSENSUS_HEIGHTS).length;
  return agree >= CONSENSUS * pairs.length ? m : NO_MOTION;
}

/** A box moved by the camera motion. */
export function moveBox(b: BoxXyxy, m: CameraMotion): BoxXyxy {
  return [m.scale * b[0] + m.dx, m.scale * b[1] + m.dy, m.scale * b[2] + m.dx, m.scale * b[3] + m.dy];
}

/**
 * A Kalman state `[cx, cy, a, h, vcx, vcy, va, vh]` moved by the camera motion: positions moved, sizes and velocities
 * scaled, the covariance scaled alike (`T P Tᵀ`, T = diag(s, s, 1, s, s, s, 1, s)).
 */
export function moveState(k: KalmanState, m: CameraMotion): KalmanState {
  const s = m.scale;
  const mean = Float64Array.from(k.mean);
  mean[0] = s * mean[0]! + m.dx;
  mean[1] = s * mean[1]! + m.dy;
  for (const i of [3, 4, 5, 7]) mean[i] = s * mean[i]!;
  if (s === 1) return { mean, covariance: k.covariance };
  const t = [s, s, 1, s, s, s, 1, s];
  const covariance = new Float64Array(64);
  for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) covariance[i * 8 + j] = t[i]! * t[j]! * k.covariance[i * 8 + j]!;
  return { mean, covariance };
}

/** Whether the median of `xs` stands `SIGNIFICANCE` standard errors from zero. */
function significant(xs: readonly number[]): boolean {
  const med = median(xs);
  const mad = median(xs.map((x) => Math.abs(x - med)));
  const se = (MEDIAN_SE * 1.4826 * mad) / Math.sqrt(xs.length);
  return Math.abs(med) > SIGNIFICANCE * se && Math.abs(med) > 1e-9;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}
