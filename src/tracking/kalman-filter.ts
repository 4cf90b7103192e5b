/**
 * The constant-velocity Kalman filter of SORT / DeepSORT / ByteTrack, in image space.
 *
 * State (8): `[cx, cy, aspect, h, vcx, vcy, vaspect, vh]`, where `(cx, cy)` is the box centre in pixels, `aspect` is
 * width / height, `h` the height in pixels, and the `v*` their velocities per frame (the time step is one frame).
 * Measurement (4): `[cx, cy, aspect, h]`. Noise is relative to the height, with ByteTrack's weights.
 * Pure: plain `Float64Array`s in, new `Float64Array`s out; matrices are row-major.
 */

import type { BoxXyxy } from '../core/types.ts';

/** Box measurement as [centre x px, centre y px, aspect = width / height, height px]. */
export type MeasurementXyah = readonly [number, number, number, number];

/** A Gaussian over the 8-dim state: `mean` (8) and row-major `covariance` (8x8 = 64). */
export interface KalmanState {
  readonly mean: Float64Array;
  readonly covariance: Float64Array;
}

/** A Gaussian over the 4-dim measurement space: `mean` (4) and row-major `covariance` (4x4 = 16). */
export interface ProjectedState {
  readonly mean: Float64Array;
  readonly covariance: Float64Array;
}

/** Position noise standard deviation as a fraction of the box height (ByteTrack `_std_weight_position`). */
export const STD_WEIGHT_POSITION = 1 / 20;

/** Velocity noise standard deviation per frame as a fraction of the box height (ByteTrack `_std_weight_velocity`). */
export const STD_WEIGHT_VELOCITY = 1 / 160;

const N = 8;
const M = 4;

/** Converts an xyxy box in pixels to a `[cx, cy, aspect, h]` measurement. */
export function xyxyToXyah(b: BoxXyxy): MeasurementXyah {
  const w = b[2] - b[0];
  const h = b[3] - b[1];
  return [b[0] + w / 2, b[1] + h / 2, w / h, h];
}

/** Converts the position part `[cx, cy, aspect, h, ...]` of a state mean or measurement to an xyxy box in pixels. */
export function xyahToXyxy(m: ArrayLike<number>): BoxXyxy {
  const cx = m[0]!;
  const cy = m[1]!;
  const h = m[3]!;
  const w = m[2]! * h;
  return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
}

/** Creates a track's state from its first measurement: zero velocity, uncertainty scaled by the height. */
export function initiate(measurement: MeasurementXyah): KalmanState {
  const h = measurement[3];
  const mean = new Float64Array(N);
  for (let i = 0; i < M; i++) mean[i] = measurement[i]!;
  const std = [
    2 * STD_WEIGHT_POSITION * h,
    2 * STD_WEIGHT_POSITION * h,
    1e-2,
    2 * STD_WEIGHT_POSITION * h,
    10 * STD_WEIGHT_VELOCITY * h,
    10 * STD_WEIGHT_VELOCITY * h,
    1e-5,
    10 * STD_WEIGHT_VELOCITY * h,
  ];
  return { mean, covariance: diagonalOfSquares(std) };
}

/**
 * Advances a state by `dt` frames (1 by default; a fraction or several when frames came late or were dropped):
 * `x' = F x`, `P' = F P Fᵀ + Q`, with F = [[I, dt I], [0, I]] and Q scaled by the current height and by `dt` (the
 * per-frame noise of a random walk, added for each frame's worth of time). `dt = 1` is ByteTrack's filter exactly.
 */
export function predict(state: KalmanState, dt = 1): KalmanState {
  const { mean: x, covariance: p } = state;
  const h = x[3]!;
  const sp = STD_WEIGHT_POSITION * h;
  const sv = STD_WEIGHT_VELOCITY * h;
  const mean = new Float64Array(N);
  for (let i = 0; i < M; i++) {
    mean[i] = x[i]! + dt * x[i + M]!;
    mean[i + M] = x[i + M]!;
  }
  // With P = [[A, B], [Bᵀ, D]], F P Fᵀ = [[A + dt (B + Bᵀ) + dt² D, B + dt D], [Bᵀ + dt D, D]].
  const dt2 = dt * dt;
  const covariance = new Float64Array(N * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < M; j++) {
      const a = p[i * N + j]!;
      const b = p[i * N + j + M]!;
      const bt = p[(i + M) * N + j]!;
      const d = p[(i + M) * N + j + M]!;
      covariance[i * N + j] = a + dt * (b + bt) + dt2 * d;
      covariance[i * N + j + M] = b + dt * d;
      covariance[(i + M) * N + j] = bt + dt * d;
      covariance[(i + M) * N + j + M] = d;
    }
  }
  // Q is diagonal: position noise for cx, cy, h; a tiny constant for the aspect ratio.
  const qp = dt * sp * sp;
  const qv = dt * sv * sv;
  covariance[0] = covariance[0]! + qp;
  covariance[1 * N + 1] = covariance[1 * N + 1]! + qp;
  covariance[2 * N + 2] = covariance[2 * N + 2]! + dt * 1e-4;
  covariance[3 * N + 3] = covariance[3 * N + 3]! + qp;
  covariance[4 * N + 4] = covariance[4 * N + 4]! + qv;
  covariance[5 * N + 5] = covariance[5 * N + 5]! + qv;
  covariance[6 * N + 6] = covariance[6 * N + 6]! + dt * 1e-10;
  covariance[7 * N + 7] = covariance[7 * N + 7]! + qv;
  return { mean, covariance };
}

/**
 * Maps a state to measurement space: `H x` and `H P Hᵀ + R`, with R scaled by the height. `noiseScale` multiplies
 * R (a variance); below 1 the measurement is trusted more (used for confident detections).
 */
export function project(state: KalmanState, noiseScale = 1): ProjectedState {
  const { mean: x, covariance: p } = state;
  const h = x[3]!;
  const k = Math.sqrt(noiseScale);
  const r = [k * STD_WEIGHT_POSITION * h, k * STD_WEIGHT_POSITION * h, k * 1e-1, k * STD_WEIGHT_POSITION * h];
  const mean = new Float64Array(M);
  const covariance = new Float64Array(M * M);
  for (let i = 0; i < M; i++) {
    mean[i] = x[i]!;
    for (let j = 0; j < M; j++) covariance[i * M + j] = p[i * N + j]!;
    covariance[i * M + i] = covariance[i * M + i]! + r[i]! * r[i]!;
  }
  return { mean, covariance };
}

/**
 * Corrects a state with a measurement: Kalman gain from a Cholesky solve of the projected covariance. `noiseScale`
 * multiplies the measurement noise variance (1 = ByteTrack).
 */
export function update(state: KalmanState, measurement: MeasurementXyah, noiseScale = 1): KalmanState {
  const { mean: x, covariance: p } = state;
  // S = H P Hᵀ + R: the top-left 4x4 block of P plus the height-scaled measurement noise.
  const h = x[3]!;
  const rp = noiseScale * (STD_WEIGHT_POSITION * h) ** 2;
  const s = scratchS;
  for (let i = 0; i < M; i++) for (let j = 0; j < M; j++) s[i * M + j] = p[i * N + j]!;
  s[0] = s[0]! + rp;
  s[5] = s[5]! + rp;
  s[10] = s[10]! + noiseScale * 1e-2;
  s[15] = s[15]! + rp;
  const l = cholesky4(s);

  // K = P Hᵀ S⁻¹, i.e. S Kᵀ = (P Hᵀ)ᵀ = H P (S and P symmetric); P Hᵀ is the first 4 columns of P.
  const gain = scratchGain;
  for (let i = 0; i < N; i++) choleskySolve4(l, p, i * N, gain, i * M);

  const mean = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let acc = x[i]!;
    for (let j = 0; j < M; j++) acc += gain[i * M + j]! * (measurement[j]! - x[j]!);
    mean[i] = acc;
  }

  // P' = P - K S Kᵀ = P - K (H P), and H P is the first 4 rows of P.
  const covariance = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    const g0 = gain[i * M]!;
    const g1 = gain[i * M + 1]!;
    const g2 = gain[i * M + 2]!;
    const g3 = gain[i * M + 3]!;
    for (let j = 0; j < N; j++) {
      covariance[i * N + j] = p[i * N + j]! - (g0 * p[j]! + g1 * p[N + j]! + g2 * p[2 * N + j]! + g3 * p[3 * N + j]!);
    }
  }
  return { mean, covariance };
}

// Scratch space for `update` (single-threaded; never escapes a call).
const scratchS = new Float64Array(M * M);
const scratchL = new Float64Array(M * M);
const scratchY = new Float64Array(M);
const scratchGain = new Float64Array(N * M);

function diagonalOfSquares(std: readonly number[]): Float64Array {
  const n = std.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = std[i]! * std[i]!;
  return out;
}

/** Lower Cholesky factor of a symmetric positive-definite 4x4 matrix (written to scratch space). */
function cholesky4(s: Float64Array): Float64Array {
  const l = scratchL;
  l.fill(0);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j <= i; j++) {
      let acc = s[i * M + j]!;
      for (let k = 0; k < j; k++) acc -= l[i * M + k]! * l[j * M + k]!;
      if (i === j) {
        // A non-positive pivot means a degenerate box (height 0) upstream; clamp so the filter stays finite.
        l[i * M + i] = Math.sqrt(Math.max(acc, Number.MIN_VALUE));
      } else {
        l[i * M + j] = acc / l[j * M + j]!;
      }
    }
  }
  return l;
}

/** Solves `L Lᵀ x = b` for a 4x4 lower Cholesky factor `L`; `b` is read at `b[bAt..bAt+3]`, `x` written at `out[outAt..]`. */
function choleskySolve4(l: Float64Array, b: Float64Array, bAt: number, out: Float64Array, outAt: number): void {
  const y = scratchY;
  for (let i = 0; i < M; i++) {
    let acc = b[bAt + i]!;
    for (let k = 0; k < i; k++) acc -= l[i * M + k]! * y[k]!;
    y[i] = acc / l[i * M + i]!;
  }
  for (let i = M - 1; i >= 0; i--) {
    let acc = y[i]!;
    for (let k = i + 1; k < M; k++) acc -= l[k * M + i]! * out[outAt + k]!;
    out[outAt + i] = acc / l[i * M + i]!;
  }
}
