/**
 * The two assignment problems the reference evaluators solve, on top of the exact solver in `tracking/`. Pure.
 *
 * TrackEval calls `scipy.optimize.linear_sum_assignment(-score)` on dense non-negative scores and then drops the pairs
 * scoring 0: that is a maximum-weight matching over the positive pairs. py-motmetrics replaces its do-not-pair entries
 * by a cost so large that the solver matches as many pairs as it can and then minimises the distance: a
 * minimum-cost maximum-cardinality matching. The optimal value is unique in both; when several assignments reach it
 * (exact ties), the solver's choice can differ from scipy's.
 */

import { linearAssignment } from '../../tracking/linear-assignment.ts';

/** Matched `[row, col]` pairs, ascending by row. */
export type Pairs = ReadonlyArray<readonly [row: number, col: number]>;

/**
 * Pairs maximising the total weight, where `weights[r * cols + c]` is the weight of row `r` with column `c` and only
 * pairs with a positive finite weight may be matched.
 */
export function maxWeightMatching(weights: ArrayLike<number>, rows: number, cols: number): Pairs {
  const cost = new Float64Array(rows * cols);
  for (let i = 0; i < cost.length; i++) {
    const w = weights[i]!;
    cost[i] = w > 0 && Number.isFinite(w) ? -w : Infinity;
  }
  // With a cost limit of 0 an unmatched row or column costs nothing, so the solver minimises the sum of -weight over
  // the matched pairs, which is the maximum-weight matching.
  return linearAssignment({ rows, cols, values: cost }, 0).matches;
}

/**
 * Pairs of a minimum-cost assignment that matches as many pairs as possible; a non-finite cost forbids a pair.
 */
export function minCostMaxMatching(costs: ArrayLike<number>, rows: number, cols: number): Pairs {
  return linearAssignment({ rows, cols, values: costs }, Infinity).matches;
}
