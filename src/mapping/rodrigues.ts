/**
 * Rotation vectors (axis times angle in radians, as OpenCV's `rvec`) to rotation matrices and back (Rodrigues'
 * formula, OpenCV's `cv::Rodrigues`). Pure.
 */

import type { Matrix3 } from './matrix3.ts';

/** A rotation vector: unit axis times angle in radians (OpenCV `rvec`). */
export type RotationVector = readonly [number, number, number];

/** Rotation matrix (row-major) of a rotation vector: `R = I cos θ + (1 - cos θ) k kᵀ + sin θ [k]ₓ`. */
export function rotationFromVector(rvec: RotationVector): Matrix3 {
  const [rx, ry, rz] = rvec;
  const angleRad = Math.hypot(rx, ry, rz);
  if (angleRad < 1e-12) return [1, -rz, ry, rz, 1, -rx, -ry, rx, 1]; // first order: I + [r]ₓ
  const kx = rx / angleRad, ky = ry / angleRad, kz = rz / angleRad;
  const c = Math.cos(angleRad), s = Math.sin(angleRad), u = 1 - c;
  return [
    c + u * kx * kx, u * kx * ky - s * kz, u * kx * kz + s * ky,
    u * ky * kx + s * kz, c + u * ky * ky, u * ky * kz - s * kx,
    u * kz * kx - s * ky, u * kz * ky + s * kx, c + u * kz * kz,
  ];
}

/** Rotation vector of a rotation matrix (row-major, orthonormal, det 1); the angle is in [0, π]. */
export function vectorFromRotation(r: Matrix3): RotationVector {
  const [r00, r01, r02, r10, r11, r12, r20, r21, r22] = r as [number, number, number, number, number, number, number, number, number];
  const cosA = Math.min(1, Math.max(-1, (r00 + r11 + r22 - 1) / 2));
  const sx = r21 - r12, sy = r02 - r20, sz = r10 - r01; // 2 sin θ · k
  const sin2 = Math.hypot(sx, sy, sz);
  const angleRad = Math.atan2(sin2 / 2, cosA);
  if (sin2 > 1e-6) {
    const k = angleRad / sin2;
    return [sx * k, sy * k, sz * k];
  }
  if (cosA > 0) return [sx / 2, sy / 2, sz / 2]; // near identity: R ≈ I + [r]ₓ
  // Near π the skew part vanishes; the axis comes from the symmetric part R + I = 2 k kᵀ (its largest column).
  const diag = [r00, r11, r22];
  const i = diag.indexOf(Math.max(...diag));
  const col = [r[i]! + (i === 0 ? 1 : 0), r[3 + i]! + (i === 1 ? 1 : 0), r[6 + i]! + (i === 2 ? 1 : 0)];
  const len = Math.hypot(col[0]!, col[1]!, col[2]!);
  let axis = col.map((x) => x / len);
  // Keep the sign that agrees with the remaining skew part, if any.
  if (axis[0]! * sx + axis[1]! * sy + axis[2]! * sz < 0) axis = axis.map((x) => -x);
  return [axis[0]! * angleRad, axis[1]! * angleRad, axis[2]! * angleRad];
}
