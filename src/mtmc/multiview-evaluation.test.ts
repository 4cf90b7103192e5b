import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { matchDetectionsToTruth, pairScores, separation, sumPairScores, type GroupedDetection } from './multiview-evaluation.ts';

describe('matchDetectionsToTruth', () => {
  const truth = [
    { personId: 7, footPx: [100, 300] as const, heightPx: 200 },
    { personId: 9, footPx: [130, 300] as const, heightPx: 200 },
  ];

  test('one to one by foot point, the closest assignment overall', () => {
    // Detection 0 is 25 px from person 9 and 5 px from person 7; detection 1 is 20 px from 7 and 10 px from 9.
    assert.deepEqual(matchDetectionsToTruth([[80, 100, 130, 305], [100, 110, 140, 300]], truth), [7, 9]);
  });

  test('a foot point more than 0.2 heights away, or a second detection of a taken person, matches no one', () => {
    assert.deepEqual(matchDetectionsToTruth([[300, 100, 340, 300]], truth), [null]);
    assert.deepEqual(matchDetectionsToTruth([[80, 100, 120, 300], [81, 100, 121, 301], [82, 100, 122, 302]], [truth[0]!]), [7, null, null]);
  });

  test('nothing to match', () => {
    assert.deepEqual(matchDetectionsToTruth([], truth), []);
    assert.deepEqual(matchDetectionsToTruth([[0, 0, 10, 10]], []), [null]);
  });
});

describe('pairScores', () => {
  const d = (view: number, group: number, truth: number | null): GroupedDetection => ({ view, group, truth });

  test('pairs of different views only; grouped and same is true, grouped and different is false, apart and same is missed', () => {
    const s = pairScores([d(0, 0, 1), d(1, 0, 1), d(2, 0, 2), d(2, 1, 1), d(0, 1, null), d(1, 2, null)]);
    // Group 0: (0,1) same -> true; (0,2) and (1,2) different -> false. Person 1 in view 2 (group 1) apart from the
    // two in group 0 -> 2 missed. Group 1 also holds a detection with no truth: with view 2's -> false.
    assert.deepEqual([s.truePairs, s.falsePairs, s.missedPairs], [1, 3, 2]);
    assert.ok(Math.abs(s.precision - 0.25) < 1e-12 && Math.abs(s.recall - 1 / 3) < 1e-12);
  });

  test('two detections of one view are never a pair', () => {
    assert.deepEqual(pairScores([d(0, 0, 1), d(0, 0, 1)]), { truePairs: 0, falsePairs: 0, missedPairs: 0, precision: 1, recall: 1 });
  });

  test('sums add the counts and recompute the ratios', () => {
    const a = pairScores([d(0, 0, 1), d(1, 0, 1)]), b = pairScores([d(0, 0, 1), d(1, 0, 2)]);
    assert.deepEqual(sumPairScores([a, b]), { truePairs: 1, falsePairs: 1, missedPairs: 0, precision: 0.5, recall: 1 });
  });
});

describe('separation', () => {
  test('perfectly separated lists have AUC 1 and no different pair above the same median', () => {
    const s = separation([0.8, 0.9, 0.7], [0.1, 0.2, 0.3, 0.4]);
    assert.equal(s.auc, 1);
    assert.equal(s.differentAboveSameMedian, 0);
    assert.equal(s.sameMedian, 0.8);
    assert.equal(s.differentMedian, 0.25);
  });

  test('ties count half; reversed lists have AUC 0', () => {
    assert.equal(separation([0.5], [0.5]).auc, 0.5);
    assert.equal(separation([0.1, 0.2], [0.3, 0.4]).auc, 0);
    assert.equal(separation([0.5, 0.5, 0.9], [0.5, 0.1]).auc, (1.5 + 1.5 + 2) / 6);
  });

  test('empty lists give NaN, not an error', () => {
    assert.ok(Number.isNaN(separation([], [0.1]).auc));
  });
});
