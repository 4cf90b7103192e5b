/**
 * Optimal rectangular assignment with a cost limit, equivalent to ByteTrack's
 * `lap.lapjv(cost, extend_cost=True, cost_limit=limit)`: the matrix is extended to a square of size rows + cols in
 * which leaving a row or a column unmatched costs `limit / 2`, so a pair is matched only when that lowers the total cost
 * (a pair costing more than the limit is never matched). Each connected component of the allowed pairs is solved with
 * the O(n³) Hungarian method (shortest augmenting paths with potentials, the same family as Jonker-Volgenant). Pure.
 */

/** A dense row-major cost matrix: `values[r * cols + c]` is the cost of matching row `r` with column `c`. */
export interface CostMatrix {
  readonly rows: number;
  readonly cols: number;
  /** Row-major costs; a non-finite cost (`Infinity`, `NaN`) forbids a pair. */
  readonly values: ArrayLike<number>;
}

/** The result of an assignment: matched `[row, col]` pairs (ascending by row) and the rows and columns left over. */
export interface AssignmentResult {
  readonly matches: ReadonlyArray<readonly [row: number, col: number]>;
  readonly unmatchedRows: readonly number[];
  readonly unmatchedCols: readonly number[];
}

/** Builds a `rows x cols` cost matrix from `cost(row, col)`. */
export function buildCostMatrix(rows: number, cols: number, cost: (row: number, col: number) => number): CostMatrix {
  const values = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) values[r * cols + c] = cost(r, c);
  }
  return { rows, cols, values };
}

/**
 * Minimum-cost assignment of rows to columns where each unmatched row or column costs `costLimit / 2`.
 * With `costLimit = Infinity` as many pairs as possible are matched (then at least total cost); forbidden pairs
 * (non-finite cost) are never matched.
 */
export function linearAssignment(cost: CostMatrix, costLimit: number): AssignmentResult {
  const { rows, cols, values } = cost;
  if (values.length !== rows * cols) {
    throw new RangeError(`cost matrix values must have rows * cols = ${rows * cols} entries, got ${values.length}`);
  }
  if (Number.isNaN(costLimit)) throw new RangeError('costLimit must be a number or Infinity, got NaN');
  if (rows === 0 || cols === 0) {
    return { matches: [], unmatchedRows: range(rows), unmatchedCols: range(cols) };
  }

  let minFinite = Infinity;
  let maxFinite = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      if (v < minFinite) minFinite = v;
      if (v > maxFinite) maxFinite = v;
    }
  }
  if (minFinite === Infinity) {
    return { matches: [], unmatchedRows: range(rows), unmatchedCols: range(cols) };
  }

  // Without a limit, a dummy cost this large makes one more matched pair always cheaper than any re-arrangement of
  // the others, which gives the maximum-cardinality assignment.
  const limit = Number.isFinite(costLimit)
    ? costLimit
    : (Math.min(rows, cols) + 1) * (Math.abs(maxFinite) + Math.abs(minFinite) + 1) * 2;
  // Any finite value above the limit is never part of an optimum (unmatching both ends is strictly cheaper), and
  // keeping it finite keeps the potentials' arithmetic finite.
  const forbidden = limit + Math.max(1, Math.abs(limit));
  const half = limit / 2;

  const allowed = (x: number): boolean => Number.isFinite(x) && x <= limit;

  // The objective is a sum over the connected components of the graph of allowed pairs, so each component is solved
  // on its own; in tracking most components are one track and one detection, which keeps the O(n³) step small.
  const parent = Int32Array.from({ length: rows + cols }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (allowed(values[r * cols + c]!)) parent[find(r)] = find(rows + c);
    }
  }
  const components = new Map<number, { rows: number[]; cols: number[] }>();
  const componentOf = (i: number): { rows: number[]; cols: number[] } => {
    const root = find(i);
    let comp = components.get(root);
    if (comp === undefined) {
      comp = { rows: [], cols: [] };
      components.set(root, comp);
    }
    return comp;
  };
  for (let r = 0; r < rows; r++) componentOf(r).rows.push(r);
  for (let c = 0; c < cols; c++) componentOf(rows + c).cols.push(c);

  const colOfRow = new Int32Array(rows).fill(-1);
  for (const comp of components.values()) {
    const nr = comp.rows.length;
    const nc = comp.cols.length;
    if (nr === 0 || nc === 0) continue;
    if (nr === 1 && nc === 1) {
      // One row and one column joined by an allowed pair: matching (cost <= limit) never costs more than leaving both.
      colOfRow[comp.rows[0]!] = comp.cols[0]!;
      continue;
    }
    // lapjv's extension: real x real = cost, real x dummy = limit / 2, dummy x dummy = 0.
    const n = nr + nc;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let v: number;
        if (i < nr && j < nc) {
          const x = values[comp.rows[i]! * cols + comp.cols[j]!]!;
          v = allowed(x) ? x : forbidden;
        } else if (i >= nr && j >= nc) {
          v = 0;
        } else {
          v = half;
        }
        a[i * n + j] = v;
      }
    }
    const sub = hungarian(a, n);
    for (let i = 0; i < nr; i++) {
      const j = sub[i]!;
      if (j < nc && allowed(a[i * n + j]!)) colOfRow[comp.rows[i]!] = comp.cols[j]!;
    }
  }

  const matches: Array<readonly [number, number]> = [];
  const unmatchedRows: number[] = [];
  const colMatched = new Uint8Array(cols);
  for (let r = 0; r < rows; r++) {
    const c = colOfRow[r]!;
    if (c >= 0) {
      matches.push([r, c]);
      colMatched[c] = 1;
    } else {
      unmatchedRows.push(r);
    }
  }
  const unmatchedCols: number[] = [];
  for (let c = 0; c < cols; c++) if (colMatched[c] === 0) unmatchedCols.push(c);
  return { matches, unmatchedRows, unmatchedCols };
}

/** Square assignment problem: returns, for each row, its column, minimising the total of the finite costs in `a`. */
function hungarian(a: Float64Array, n: number): Int32Array {
  // 1-based arrays with index 0 as the virtual start column (the classic potentials formulation).
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const rowOfCol = new Int32Array(n + 1);
  const way = new Int32Array(n + 1);
  const minv = new Float64Array(n + 1);
  const used = new Uint8Array(n + 1);

  for (let i = 1; i <= n; i++) {
    rowOfCol[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = rowOfCol[j0]!;
      let delta = Infinity;
      let j1 = 0;
      const rowBase = (i0 - 1) * n - 1;
      for (let j = 1; j <= n; j++) {
        if (used[j] === 1) continue;
        const cur = a[rowBase + j]! - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j] === 1) {
          const r = rowOfCol[j]!;
          u[r] = u[r]! + delta;
          v[j] = v[j]! - delta;
        } else {
          minv[j] = minv[j]! - delta;
        }
      }
      j0 = j1;
    } while (rowOfCol[j0] !== 0);
    do {
      const j1 = way[j0]!;
      rowOfCol[j0] = rowOfCol[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }

  const colOfRow = new Int32Array(n);
  for (let j = 1; j <= n; j++) colOfRow[rowOfCol[j]! - 1] = j - 1;
  return colOfRow;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
