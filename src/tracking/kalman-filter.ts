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

/** Advances a state by one frame: `x' = F x`, `P' = F P Fᵀ + Q`, with Q scaled by the current height. */
export function predict(state: KalmanState): KalmanState {
  const { mean: x, covariance: p } = state;
  const h = x[3]!;
  const q = diagonalOfSquares([
    STD_WEIGHT_POSITION * h,
    STD_WEIGHT_POSITION * h,
    1e-2,
    STD_WEIGHT_POSITION * h,
    STD_WEIGHT_VELOCITY * h,
    STD_WEIGHT_VELOCITY * h,
    1e-5,
    STD_WEIGHT_VELOCITY * h,
  ]);

  // F = [[I, I], [0, I]] (dt = 1 frame), so F x and F P Fᵀ are sums of blocks; no general 8x8 product needed.
  const mean = new Float64Array(N);
  for (let i = 0; i < M; i++) {
    mean[i] = x[i]! + x[i + M]!;
    mean[i + M] = x[i + M]!;
  }
  // A = F P: row i (< 4) is row i + row i+4 of P; rows >= 4 are unchanged.
  const a = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      a[i * N + j] = i < M ? p[i * N + j]! + p[(i + M) * N + j]! : p[i * N + j]!;
    }
  }
  // P' = A Fᵀ + Q: column j (< 4) is column j + column j+4 of A; columns >= 4 are unchanged.
  const covariance = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      const v = j < M ? a[i * N + j]! + a[i * N + j + M]! : a[i * N + j]!;
      covariance[i * N + j] = v + q[i * N + j]!;
    }
  }
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
  const { mean: z, covariance: s } = project(state, noiseScale);
  const l = cholesky4(s);

  // K = P Hᵀ S⁻¹, i.e. S Kᵀ = (P Hᵀ)ᵀ = H P (S and P symmetric); P Hᵀ is the first 4 columns of P.
  const gain = new Float64Array(N * M);
  const rhs = new Float64Array(M);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < M; j++) rhs[j] = p[i * N + j]!;
    const sol = choleskySolve4(l, rhs);
    for (let j = 0; j < M; j++) gain[i * M + j] = sol[j]!;
  }

  const innovation = new Float64Array(M);
  for (let j = 0; j < M; j++) innovation[j] = measurement[j]! - z[j]!;

  const mean = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let acc = x[i]!;
    for (let j = 0; j < M; j++) acc += gain[i * M + j]! * innovation[j]!;
    mean[i] = acc;
  }

  // P' = P - K S Kᵀ.
  const ks = matMul(gain, s, N, M, M);
  const covariance = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let k = 0; k < M; k++) acc += ks[i * M + k]! * gain[j * M + k]!;
      covariance[i * N + j] = p[i * N + j]! - acc;
    }
  }
  return { mean, covariance };
}

function diagonalOfSquares(std: readonly number[]): Float64Array {
  const n = std.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = std[i]! * std[i]!;
  return out;
}

/** Row-major product of an `n x k` and a `k x m` matrix. */
function matMul(a: Float64Array, b: Float64Array, n: number, k: number, m: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let acc = 0;
      for (let t = 0; t < k; t++) acc += a[i * k + t]! * b[t * m + j]!;
      out[i * m + j] = acc;
    }
  }
  return out;
}

/** Lower Cholesky factor of a symmetric positive-definite 4x4 matrix. */
function cholesky4(s: Float64Array): Float64Array {
  const l = new Float64Array(M * M);
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

/** Solves `L Lᵀ x = b` for a 4x4 lower Cholesky factor `L`. */
function choleskySolve4(l: Float64Array, b: Float64Array): Float64Array {
  const y = new Float64Array(M);
  for (let i = 0; i < M; i++) {
    let acc = b[i]!;
    for (let k = 0; k < i; k++) acc -= l[i * M + k]! * y[k]!;
    y[i] = acc / l[i * M + i]!;
  }
  const x = new Float64Array(M);
  for (let i = M - 1; i >= 0; i--) {
    let acc = y[i]!;
    for (let k = i + 1; k < M; k++) acc -= l[k * M + i]! * x[k]!;
    x[i] = acc / l[i * M + i]!;
  }
  return x;
}
