import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BoxXyxy } from '../core/types.ts';
import type { ClipWindowScore, RuleFrame } from './rule.ts';
import { frameAt, kinds, person, run, STEP_MS } from './test-frames.ts';
import { ViolenceRule, type ViolenceRuleSpec } from './violence.ts';
import { WHOLE_FRAME_ZONE } from './zones.ts';

const SPEC: ViolenceRuleSpec = {
  id: 'fight', severity: 'warning', zone: WHOLE_FRAME_ZONE, labels: ['person'], anchor: 'bottom-center',
  threshold: 0.7, minMs: 1000, smoothing: 0.5, minSpeedHeightsPerS: 1, gateHoldMs: 3000, endAfterMs: 4000,
};

/** Two people side by side (gap 10 px); `jitter` px of box change per frame (a scuffle), else still. */
function pair(i: number, jitter: number, gapPx = 10) {
  const d = [jitter, 0, -jitter][i % 3]!;
  const a: BoxXyxy = [400 + d, 500, 500 - d, 800];
  const b: BoxXyxy = [500 + gapPx + d, 500 - d, 600 + gapPx, 800];
  return [person(1, 0, 0, { boxXyxy: a }), person(2, 0, 0, { boxXyxy: b })];
}

/** Frames with the pair; window scores delivered at the frames given (index -> score of a 2 s window ending there). */
function scene(count: number, jitter: number, scores: Record<number, number>, gapPx = 10): RuleFrame[] {
  return Array.from({ length: count }, (_, i) => {
    const f = frameAt(i * STEP_MS, pair(i, jitter, gapPx));
    const s = scores[i];
    const clipScores: ClipWindowScore[] | undefined = s === undefined ? undefined : [{ startMs: Math.max(0, i * STEP_MS - 2000), endMs: i * STEP_MS, score: s }];
    return clipScores ? { ...f, clipScores } : f;
  });
}

describe('violence rule', () => {
  it('the gate opens for two people close together moving fast, not for still people or people far apart', () => {
    const fast = new ViolenceRule(SPEC);
    run(fast, scene(10, 40, {}));
    assert.equal(fast.gateOpen, true);
    const still = new ViolenceRule(SPEC);
    run(still, scene(10, 0, {}));
    assert.equal(still.gateOpen, false);
    const apart = new ViolenceRule(SPEC);
    run(apart, scene(10, 40, {}, 400));
    assert.equal(apart.gateOpen, false);
  });

  it('high window scores while the gate is open raise a fight that starts with the first window and carries the smoothed score', () => {
    const hits = run(new ViolenceRule(SPEC), scene(120, 40, { 25: 0.9, 40: 0.95 }));
    assert.deepEqual(kinds(hits), ['start', 'end']);
    assert.equal(hits[0]!.hit.startMs, 500);
    assert.equal(hits[0]!.frame.timeMs, 4000, 'raised by the second window: one window alone never is');
    assert.deepEqual(hits[0]!.hit.attributes, { zoneId: 'all', score: 0.925, peakScore: 0.925 });
    assert.deepEqual(hits[0]!.hit.subjects.map((s) => s.trackId), [1, 2]);
    assert.equal(hits[1]!.hit.endReason, 'cleared');
    assert.equal(hits[1]!.hit.attributes['peakScore'], 0.925);
  });

  it('single windows near the threshold are smoothed away (the busy street), and scores with the gate closed count for nothing', () => {
    assert.deepEqual(run(new ViolenceRule(SPEC), scene(120, 40, { 25: 0.47, 35: 0.66, 45: 0.68, 55: 0.46 })), []);
    assert.deepEqual(run(new ViolenceRule(SPEC), scene(60, 0, { 25: 0.99, 35: 0.99 })), [], 'still people: the gate is closed');
  });

  it('the smoothed score must stay above the threshold for minMs of video; one window is not enough; broken scores count for nothing', () => {
    assert.deepEqual(run(new ViolenceRule({ ...SPEC, minMs: 5000 }), scene(60, 40, { 25: 0.9, 40: 0.9 })), []);
    assert.deepEqual(run(new ViolenceRule(SPEC), scene(60, 40, { 25: 0.99 })), [], 'a single window');
    assert.deepEqual(run(new ViolenceRule(SPEC), scene(60, 40, { 25: Number.NaN, 40: Number.NaN })), [], 'NaN');
  });
});
