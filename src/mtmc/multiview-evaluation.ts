/**
 * Scoring multi-view association against ground truth: which true person each detection is, pairwise cross-view
 * precision and recall of the persons found, and how well appearance similarity separates same-person from
 * different-person pairs. Pure.
 */

import type { BoxXyxy, Point } from '../core/types.ts';
import { linearAssignment } from '../tracking/linear-assignment.ts';

/** A true person in one image: identity, and the exact image points of the ground position and of the head. */
export interface TruePersonInView {
  readonly personId: number;
  /** The annotated ground position projected through the calibration, pixels. */
  readonly footPx: Point;
  /** Image height of a standing person there (foot to the point 1.8 m above it), pixels. */
  readonly heightPx: number;
}

/**
 * Default largest foot-point offset of a detection from a true person, as a share of the true box height: a person's
 * feet span about a fifth of the height, and a detector's box bottom lands within that on a standing person.
 */
export const MAX_FOOT_OFFSET_RATIO = 0.2;

/**
 * The true person of each detection in one image (null for none): a one-to-one optimal assignment (Hungarian) on the
 * distance between the detection's bottom centre and the true foot point, over the true person's image height, at most
 * `maxOffsetRatio`. Foot points rather than IoU: the annotated boxes are POM rectangles (a 0.32 m x 1.8 m cylinder
 * drawn around the annotated position), looser and differently shaped than a detector's box, so IoU under-counts
 * matches (most for small, far people); and the foot point is exactly what goes onto the plan.
 */
export function matchDetectionsToTruth(detectionsXyxy: readonly BoxXyxy[], truth: readonly TruePersonInView[], maxOffsetRatio = MAX_FOOT_OFFSET_RATIO): (number | null)[] {
  const values = new Float64Array(truth.length * detectionsXyxy.length);
  truth.forEach((t, r) => {
    const h = Math.max(1, t.heightPx);
    detectionsXyxy.forEach((b, c) => {
      values[r * detectionsXyxy.length + c] = Math.hypot((b[0] + b[2]) / 2 - t.footPx[0], b[3] - t.footPx[1]) / h;
    });
  });
  const out: (number | null)[] = detectionsXyxy.map(() => null);
  const { matches } = linearAssignment({ rows: truth.length, cols: detectionsXyxy.length, values }, maxOffsetRatio);
  for (const [r, c] of matches) out[c] = truth[r]!.personId;
  return out;
}

/** Pairwise scores of a grouping: pairs of detections from different views put together vs. truly the same person. */
export interface PairScores {
  /** Pairs put together that are the same true person. */
  readonly truePairs: number;
  /** Pairs put together that are not (different persons, or a detection with no true person). */
  readonly falsePairs: number;
  /** Pairs of the same true person left apart. */
  readonly missedPairs: number;
  /** truePairs / (truePairs + falsePairs); 1 when nothing was put together. */
  readonly precision: number;
  /** truePairs / (truePairs + missedPairs); 1 when there is nothing to find. */
  readonly recall: number;
}

/** A detection for `pairScores`: its view, the group it was put in, its true person (null for none). */
export interface GroupedDetection {
  readonly view: number;
  readonly group: number;
  readonly truth: number | null;
}

/** Counts, over all pairs of detections of different views, the pairs grouped together and the true pairs. */
export function pairScores(detections: readonly GroupedDetection[]): PairScores {
  let truePairs = 0, falsePairs = 0, missedPairs = 0;
  for (let i = 0; i < detections.length; i++) {
    const a = detections[i]!;
    for (let j = i + 1; j < detections.length; j++) {
      const b = detections[j]!;
      if (a.view === b.view) continue;
      const same = a.truth !== null && a.truth === b.truth;
      const together = a.group === b.group;
      if (together && same) truePairs++;
      else if (together) falsePairs++;
      else if (same) missedPairs++;
    }
  }
  return { truePairs, falsePairs, missedPairs, ...ratios(truePairs, falsePairs, missedPairs) };
}

/** Adds up pair counts (e.g. of several time steps) and recomputes the ratios. */
export function sumPairScores(parts: readonly PairScores[]): PairScores {
  const t = parts.reduce((s, p) => s + p.truePairs, 0), f = parts.reduce((s, p) => s + p.falsePairs, 0), m = parts.reduce((s, p) => s + p.missedPairs, 0);
  return { truePairs: t, falsePairs: f, missedPairs: m, ...ratios(t, f, m) };
}

function ratios(t: number, f: number, m: number): { precision: number; recall: number } {
  return { precision: t + f > 0 ? t / (t + f) : 1, recall: t + m > 0 ? t / (t + m) : 1 };
}

/** How well a similarity separates same-person pairs from different-person pairs. */
export interface Separation {
  readonly samePairs: number;
  readonly differentPairs: number;
  readonly sameMean: number;
  readonly sameMedian: number;
  readonly differentMean: number;
  readonly differentMedian: number;
  /** Share of different-person pairs more similar than the median same-person pair. */
  readonly differentAboveSameMedian: number;
  /** Probability that a random same-person pair is more similar than a random different-person pair (ties count half). */
  readonly auc: number;
}

/** Summarises two lists of similarities; NaN where a list is empty. */
export function separation(same: readonly number[], different: readonly number[]): Separation {
  const s = [...same].sort((a, b) => a - b), d = [...different].sort((a, b) => a - b);
  const mean = (xs: readonly number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const median = (xs: readonly number[]) => (xs.length > 0 ? (xs[(xs.length - 1) >> 1]! + xs[xs.length >> 1]!) / 2 : NaN);
  const sameMedian = median(s);
  // AUC by a merge of the two sorted lists: for each same-person value, the different-person values below it.
  let below = 0, ties = 0, j = 0, k = 0, wins = 0;
  for (const v of s) {
    while (j < d.length && d[j]! < v) j++;
    k = Math.max(k, j);
    while (k < d.length && d[k]! === v) k++;
    below = j;
    ties = k - j;
    wins += below + ties / 2;
  }
  return {
    samePairs: s.length,
    differentPairs: d.length,
    sameMean: mean(s),
    sameMedian,
    differentMean: mean(d),
    differentMedian: median(d),
    differentAboveSameMedian: d.length > 0 ? d.filter((v) => v > sameMedian).length / d.length : NaN,
    auc: s.length > 0 && d.length > 0 ? wins / (s.length * d.length) : NaN,
  };
}
