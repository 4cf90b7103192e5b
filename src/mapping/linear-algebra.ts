/**
 * The small dense linear algebra the homography fit needs: right singular vectors by one-sided (Hestenes) Jacobi
 * rotations, which work on the matrix itself rather than on AᵀA, so the accuracy of the smallest singular vector is not
 * squared away; and a small linear solve for the Levenberg–Marquardt refinement. Pure.
 */

/** Singular values (largest first) and the matching right singular vectors of a matrix. */
export interface RightSingular {
  /** Singular values, descending, >= 0. */
  readonly values: readonly number[];
  /** `vectors[k]` is the unit right singular vector of `values[k]` (length = number of columns). */
  readonly vectors: readonly (readonly number[])[];
}

const MAX_SWEEPS = 60;

/**
 * Singular values and right singular vectors of `rows` (m rows of n numbers; m < n is allowed and gives n - m zero
 * singular values). The last vector spans the (least-squares) null space: it minimises |A v| over unit vectors v.
 */
export function rightSingularVectors(rows: readonly (readonly number[])[]): RightSingular {
  const n = rows[0]?.length ?? 0;
  // Columns of A as arrays, so a rotation touches two contiguous arrays.
  const cols: number[][] = [];
  for (let j = 0; j < n; j++) cols.push(rows.map((r) => r[j]!));
  const v: number[][] = [];
  for (let j = 0; j < n; j++) v.push(Array.from({ length: n }, (_, i) => (i === j ? 1 : 0)));

  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const cp = cols[p]!, cq = cols[q]!;
        let alpha = 0, beta = 0, gamma = 0;
        for (let i = 0; i < cp.length; i++) {
          alpha += cp[i]! * cp[i]!;
          beta += cq[i]! * cq[i]!;
          gamma += cp[i]! * cq[i]!;
        }
        if (!(Math.abs(gamma) > 1e-15 * Math.sqrt(alpha * beta))) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotate(cp, cq, c, s);
        rotate(v[p]!, v[q]!, c, s);
      }
    }
    if (!rotated) break;
  }

  const order = cols.map((col, j) => ({ j, value: Math.hypot(...col) })).sort((a, b) => b.value - a.value);
  return { values: order.map((o) => o.value), vectors: order.map((o) => v[o.j]!) };
}

/** Applies the plane rotation (c, s) to the pair of vectors (x, y) in place. */
function rotate(x: number[], y: number[], c: number, s: number): void {
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!, b = y[i]!;
    x[i] = c * a - s * b;
    y[i] = s * a + c * b;
  }
}

/** Solution x of the square system `a · x = b` (Gaussian elimination with partial pivoting); null when a pivot is 0 or x is not finite. */
export function solveLinearSystem(a: readonly (readonly number[])[], b: readonly number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (!(Math.abs(m[pivot]![col]!) > 1e-300)) return null;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const rowCol = m[col]!;
    for (let r = col + 1; r < n; r++) {
      const row = m[r]!;
      const k = row[col]! / rowCol[col]!;
      if (k !== 0) for (let c = col; c <= n; c++) row[c]! -= k * rowCol[c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let c = r + 1; c < n; c++) s -= m[r]![c]! * x[c]!;
    x[r] = s / m[r]![r]!;
  }
  return x.every(Number.isFinite) ? x : null;
}
