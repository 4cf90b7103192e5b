import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCostMatrix, linearAssignment } from './linear-assignment.ts';
import type { AssignmentResult, CostMatrix } from './linear-assignment.ts';
import { mulberry32 } from './test-scenarios.ts';

const INF = Infinity;

function matrix(rows: readonly (readonly number[])[], cols = rows[0]?.length ?? 0): CostMatrix {
  return buildCostMatrix(rows.length, cols, (r, c) => rows[r]![c]!);
}

/** The objective lapjv(extend_cost=True, cost_limit) minimises: matched costs plus limit / 2 per unmatched end. */
function objective(cost: CostMatrix, limit: number, matches: AssignmentResult['matches']): number {
  let total = ((cost.rows + cost.cols - 2 * matches.length) * limit) / 2;
  for (const [r, c] of matches) total += cost.values[r * cost.cols + c]!;
  return total;
}

/** Exhaustive minimum of `objective` over every partial matching. */
function bruteForceBest(cost: CostMatrix, limit: number): number {
  let best = Infinity;
  const usedCols = new Array<boolean>(cost.cols).fill(false);
  const walk = (r: number, acc: number, matched: number): void => {
    if (r === cost.rows) {
      best = Math.min(best, acc + ((cost.rows + cost.cols - 2 * matched) * limit) / 2);
      return;
    }
    walk(r + 1, acc, matched);
    for (let c = 0; c < cost.cols; c++) {
      const v = cost.values[r * cost.cols + c]!;
      if (usedCols[c] || !Number.isFinite(v)) continue;
      usedCols[c] = true;
      walk(r + 1, acc + v, matched + 1);
      usedCols[c] = false;
    }
  };
  walk(0, 0, 0);
  return best;
}

function assertConsistent(cost: CostMatrix, res: AssignmentResult): void {
  const rows = new Set<number>();
  const cols = new Set<number>();
  for (const [r, c] of res.matches) {
    assert.ok(!rows.has(r) && !cols.has(c), 'each row and column matched at most once');
    rows.add(r);
    cols.add(c);
  }
  for (const r of res.unmatchedRows) assert.ok(!rows.has(r), `row ${r} both matched and unmatched`);
  for (const c of res.unmatchedCols) assert.ok(!cols.has(c), `col ${c} both matched and unmatched`);
  assert.equal(rows.size + res.unmatchedRows.length, cost.rows, 'every row accounted for');
  assert.equal(cols.size + res.unmatchedCols.length, cost.cols, 'every column accounted for');
}

test('known cases', async (t) => {
  const rows: ReadonlyArray<{
    name: string;
    cost: CostMatrix;
    limit: number;
    matches: Array<[number, number]>;
    unmatchedRows: number[];
    unmatchedCols: number[];
  }> = [
    { name: 'no rows', cost: matrix([], 3), limit: 0.8, matches: [], unmatchedRows: [], unmatchedCols: [0, 1, 2] },
    { name: 'no cols', cost: matrix([[], []], 0), limit: 0.8, matches: [], unmatchedRows: [0, 1], unmatchedCols: [] },
    { name: '1x1 under the limit', cost: matrix([[0.3]]), limit: 0.8, matches: [[0, 0]], unmatchedRows: [], unmatchedCols: [] },
    { name: '1x1 over the limit', cost: matrix([[0.9]]), limit: 0.8, matches: [], unmatchedRows: [0], unmatchedCols: [0] },
    {
      name: 'greedy would be wrong',
      cost: matrix([
        [0.1, 0.2],
        [0.2, 0.9],
      ]),
      limit: 1,
      matches: [
        [0, 1],
        [1, 0],
      ],
      unmatchedRows: [],
      unmatchedCols: [],
    },
    {
      name: 'limit 0.5: one cheap pair beats two pairs whose sum is higher',
      cost: matrix([
        [0.1, 0.45],
        [0.45, 0.95],
      ]),
      limit: 0.5,
      matches: [[0, 0]],
      unmatchedRows: [1],
      unmatchedCols: [1],
    },
    {
      name: 'limit 1: the same matrix takes both off-diagonal pairs',
      cost: matrix([
        [0.1, 0.45],
        [0.45, 0.95],
      ]),
      limit: 1,
      matches: [
        [0, 1],
        [1, 0],
      ],
      unmatchedRows: [],
      unmatchedCols: [],
    },
    {
      name: 'wide: 2 rows, 4 cols',
      cost: matrix([
        [0.9, 0.1, 0.8, 0.7],
        [0.2, 0.15, 0.9, 0.9],
      ]),
      limit: 0.8,
      matches: [
        [0, 1],
        [1, 0],
      ],
      unmatchedRows: [],
      unmatchedCols: [2, 3],
    },
    {
      name: 'tall: 3 rows, 1 col',
      cost: matrix([[0.5], [0.2], [0.3]]),
      limit: 0.8,
      matches: [[1, 0]],
      unmatchedRows: [0, 2],
      unmatchedCols: [],
    },
    {
      name: 'infinite costs are never matched',
      cost: matrix([
        [INF, 0.4],
        [INF, INF],
      ]),
      limit: 0.8,
      matches: [[0, 1]],
      unmatchedRows: [1],
      unmatchedCols: [0],
    },
    {
      name: 'all infinite',
      cost: matrix([
        [INF, INF],
        [INF, INF],
      ]),
      limit: 0.8,
      matches: [],
      unmatchedRows: [0, 1],
      unmatchedCols: [0, 1],
    },
    {
      name: 'NaN is forbidden like Infinity',
      cost: matrix([[NaN, 0.2]]),
      limit: 0.8,
      matches: [[0, 1]],
      unmatchedRows: [],
      unmatchedCols: [0],
    },
    {
      name: 'no limit: maximum cardinality first',
      cost: matrix([
        [1, 100],
        [2, INF],
      ]),
      limit: INF,
      matches: [
        [0, 1],
        [1, 0],
      ],
      unmatchedRows: [],
      unmatchedCols: [],
    },
  ];
  for (const row of rows) {
    await t.test(row.name, () => {
      const res = linearAssignment(row.cost, row.limit);
      assertConsistent(row.cost, res);
      assert.deepEqual(res.matches, row.matches);
      assert.deepEqual(res.unmatchedRows, row.unmatchedRows);
      assert.deepEqual(res.unmatchedCols, row.unmatchedCols);
    });
  }
});

test('bad input is rejected with a message', async (t) => {
  const rows = [
    { name: 'wrong number of values', cost: { rows: 2, cols: 2, values: [1, 2, 3] }, limit: 1, message: /rows \* cols = 4 entries, got 3/ },
    { name: 'NaN limit', cost: matrix([[1]]), limit: NaN, message: /costLimit/ },
  ];
  for (const row of rows) {
    await t.test(row.name, () => {
      assert.throws(() => linearAssignment(row.cost, row.limit), row.message);
    });
  }
});

test('matches brute force on random matrices', async (t) => {
  const rows = [
    { name: 'small costs, limit 0.8', seed: 1, limit: 0.8, infProb: 0 },
    { name: 'with forbidden pairs, limit 0.8', seed: 2, limit: 0.8, infProb: 0.3 },
    { name: 'tight limit 0.3', seed: 3, limit: 0.3, infProb: 0.1 },
    { name: 'loose limit 2', seed: 4, limit: 2, infProb: 0.2 },
    { name: 'integer ties, limit 5', seed: 5, limit: 5, infProb: 0.1, integers: true },
  ];
  for (const row of rows) {
    await t.test(row.name, () => {
      const rand = mulberry32(row.seed);
      for (let trial = 0; trial < 300; trial++) {
        const nRows = Math.floor(rand() * 6);
        const nCols = Math.floor(rand() * 6);
        const cost = buildCostMatrix(nRows, nCols, () => {
          if (rand() < row.infProb) return INF;
          return row.integers === true ? Math.floor(rand() * 8) : rand();
        });
        const res = linearAssignment(cost, row.limit);
        assertConsistent(cost, res);
        for (const [r, c] of res.matches) {
          assert.ok(cost.values[r * nCols + c]! <= row.limit, 'no match above the limit');
        }
        const got = objective(cost, row.limit, res.matches);
        const want = bruteForceBest(cost, row.limit);
        assert.ok(Math.abs(got - want) < 1e-9, `trial ${trial} (${nRows}x${nCols}): objective ${got}, optimum ${want}`);
      }
    });
  }
});

test('no limit gives a maximum-cardinality, then minimum-cost, assignment', () => {
  const rand = mulberry32(42);
  for (let trial = 0; trial < 300; trial++) {
    const nRows = 1 + Math.floor(rand() * 5);
    const nCols = 1 + Math.floor(rand() * 5);
    const cost = buildCostMatrix(nRows, nCols, () => (rand() < 0.3 ? INF : rand() * 10 - 5));
    const res = linearAssignment(cost, INF);
    assertConsistent(cost, res);
    // Brute force (cardinality, cost) lexicographically.
    let bestCard = -1;
    let bestCost = INF;
    const used = new Array<boolean>(nCols).fill(false);
    const walk = (r: number, acc: number, k: number): void => {
      if (r === nRows) {
        if (k > bestCard || (k === bestCard && acc < bestCost)) {
          bestCard = k;
          bestCost = acc;
        }
        return;
      }
      walk(r + 1, acc, k);
      for (let c = 0; c < nCols; c++) {
        const v = cost.values[r * nCols + c]!;
        if (used[c] || !Number.isFinite(v)) continue;
        used[c] = true;
        walk(r + 1, acc + v, k + 1);
        used[c] = false;
      }
    };
    walk(0, 0, 0);
    const got = res.matches.reduce((s, [r, c]) => s + cost.values[r * nCols + c]!, 0);
    assert.equal(res.matches.length, bestCard, `trial ${trial}: cardinality`);
    assert.ok(Math.abs(got - bestCost) < 1e-9, `trial ${trial}: cost ${got}, optimum ${bestCost}`);
  }
});
