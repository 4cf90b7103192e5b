/**
 * ByteTracker's own behaviour: the frame-1 rule, low-score detections, ids on confirmation, its options and defaults.
 * What every tracker must do (steady ids, flicker, crossings, classes, bad input...) is in tracker-contract.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '../core/errors.ts';
import type { Detection, Track } from '../core/types.ts';
import { BYTE_TRACKER_DEFAULTS, ByteTracker } from './byte-tracker.ts';
import type { ByteTrackerOptions } from './byte-tracker.ts';
import { FRAME_MS, allIds, det, feed, frames, idNear } from './test-scenarios.ts';

/** Feeds every frame to a fresh tracker and returns the tracks it output per frame. */
function run(input: readonly Detection[][], options: Partial<ByteTrackerOptions> = {}, frameMs = FRAME_MS): Track[][] {
  return feed(new ByteTracker(options), input, 0, frameMs);
}

test('an unconfirmed track dies at its first miss: seen twice at one place with a gap, never confirmed', () => {
  assert.deepEqual(allIds(run(frames(12, (f) => (f === 3 || f === 6 ? [det(200, 200)] : [])))), []);
});

test('a detection in the very first update is confirmed at once', () => {
  const out = run([[det(100, 100)], []]);
  assert.deepEqual(out[0]!.map((tr) => tr.id), [1]);
});

test('an object gone longer than the lost buffer comes back with a new id', async (t) => {
  const rows = [
    { name: 'default buffer (1 s), gone 30 frames at 30 fps: same id', options: {}, gap: 30, returnIds: [[1], [1]] },
    { name: 'default buffer (1 s), gone 31 frames at 30 fps: new id', options: {}, gap: 31, returnIds: [[], [2]] },
    { name: 'buffer 5 frames, gone 5 frames: same id', options: { lostTrackBufferMs: 5 * FRAME_MS }, gap: 5, returnIds: [[1], [1]] },
    { name: 'buffer 5 frames, gone 6 frames: new id', options: { lostTrackBufferMs: 5 * FRAME_MS }, gap: 6, returnIds: [[], [2]] },
    { name: 'buffer 0, gone 1 frame: new id', options: { lostTrackBufferMs: 0 }, gap: 1, returnIds: [[], [2]] },
    // Frames dropped (a slow machine): 3 updates while gone, but 1.125 s of frame time, past the 1 s buffer.
    { name: 'default buffer, gone 3 updates spread over 1.125 s: new id', options: {}, gap: 3, frameMs: 375, returnIds: [[], [2]] },
  ];
  for (const r of rows) {
    await t.test(r.name, () => {
      const before = 10;
      const out = run(
        frames(before + r.gap + 2, (f) => (f >= before && f < before + r.gap ? [] : [det(300, 300)])),
        r.options,
        r.frameMs,
      );
      const back = before + r.gap;
      assert.deepEqual(
        [out[back]!.map((tr) => tr.id), out[back + 1]!.map((tr) => tr.id)],
        r.returnIds,
      );
    });
  }
});

test('low-score detections keep a track alive but never start one', async (t) => {
  const rows: ReadonlyArray<{ name: string; input: Detection[][]; expectIds: number[][] }> = [
    {
      name: 'confident for 5 frames, then 0.2 for 20 frames',
      input: frames(25, (f) => [det(100 + f, 200, { score: f < 5 ? 0.9 : 0.2 })]),
      expectIds: Array.from({ length: 25 }, () => [1]),
    },
    {
      name: 'only 0.2 from the first update',
      input: frames(10, (f) => [det(100 + f, 200, { score: 0.2 })]),
      expectIds: Array.from({ length: 10 }, () => []),
    },
    {
      name: 'only 0.2 after an empty first update',
      input: frames(10, (f) => (f === 0 ? [] : [det(100, 200, { score: 0.2 })])),
      expectIds: Array.from({ length: 10 }, () => []),
    },
    {
      name: 'high but below newTrackThresh (0.55) starts nothing',
      input: frames(10, () => [det(100, 200, { score: 0.55 })]),
      expectIds: Array.from({ length: 10 }, () => []),
    },
    {
      name: 'below lowScoreThresh (0.05) does not keep a track alive',
      input: frames(10, (f) => [det(100, 200, { score: f < 3 ? 0.9 : 0.05 })]),
      expectIds: Array.from({ length: 10 }, (_, f) => (f < 3 ? [1] : [])),
    },
  ];
  for (const r of rows) {
    await t.test(r.name, () => {
      const out = run(r.input);
      assert.deepEqual(
        out.map((o) => o.map((tr) => tr.id)),
        r.expectIds,
      );
    });
  }
  await t.test('the low-score frames report the low score', () => {
    const out = run(frames(8, (f) => [det(100, 200, { score: f < 4 ? 0.9 : 0.2 })]));
    assert.deepEqual(
      out.map((o) => o[0]?.score),
      [0.9, 0.9, 0.9, 0.9, 0.2, 0.2, 0.2, 0.2],
    );
  });
});

test('ids start at 1, follow first confirmation and have no gaps', () => {
  const appearances = [
    { startFrame: 3, endFrame: 40, cx: 100 },
    { startFrame: 5, endFrame: 12, cx: 300 },
    { startFrame: 20, endFrame: 60, cx: 500 },
    { startFrame: 25, endFrame: 60, cx: 700 },
  ];
  const input = frames(60, (f) => {
    const dets = appearances.filter((a) => f >= a.startFrame && f < a.endFrame).map((a) => det(a.cx, 300));
    // Clutter seen for a single frame, at a new place each time: must never consume an id.
    if (f % 3 === 1) dets.push(det(900 + 60 * (f % 4), 100 + 40 * (f % 7), { score: 0.95 }));
    return dets;
  });
  const out = run(input);
  const firstSeen: number[] = [];
  for (const o of out) for (const tr of o) if (!firstSeen.includes(tr.id)) firstSeen.push(tr.id);
  assert.deepEqual(firstSeen, [1, 2, 3, 4]);
  // Each id stays on its own object.
  for (const [i, a] of appearances.entries()) {
    for (let f = a.startFrame + 1; f < a.endFrame; f++) assert.equal(idNear(out, f, a.cx), i + 1, `frame ${f}`);
  }
});

test('output tracks carry the matched detection and the filtered box', () => {
  const d0 = det(100, 200, { score: 0.8 });
  const d1 = det(104, 200, { score: 0.7 });
  const tracker = new ByteTracker();
  const [first] = tracker.update([d0], 0);
  assert.deepEqual(first, {
    id: 1,
    boxXyxy: d0.boxXyxy,
    score: 0.8,
    classId: 0,
    label: 'person',
    state: 'confirmed',
    ageFrames: 0,
    hits: 1,
    matched: true,
  });
  const [second] = tracker.update([d1], FRAME_MS);
  assert.ok(second);
  assert.equal(second.score, 0.7);
  assert.equal(second.ageFrames, 1);
  assert.equal(second.hits, 2);
  // The Kalman box lies between the prediction (still at 100) and the measurement (104).
  const cx = (second.boxXyxy[0] + second.boxXyxy[2]) / 2;
  assert.ok(cx > 100 && cx < 104, `cx ${cx}`);
  assert.deepEqual(tracker.update([], 2 * FRAME_MS), [], 'an unmatched track is not output');
});

test('minHitsToConfirm sets how many matched updates a new track needs', async (t) => {
  const rows = [
    { name: '1: confirmed when born', minHitsToConfirm: 1, firstOutputFrame: 1 },
    { name: '2 (ByteTrack): confirmed on the second hit', minHitsToConfirm: 2, firstOutputFrame: 2 },
    { name: '4: confirmed on the fourth hit', minHitsToConfirm: 4, firstOutputFrame: 4 },
  ];
  for (const r of rows) {
    await t.test(r.name, () => {
      const out = run(frames(8, (f) => (f === 0 ? [] : [det(100, 100)])), { minHitsToConfirm: r.minHitsToConfirm });
      const firstOutput = out.findIndex((o) => o.length > 0);
      assert.equal(firstOutput, r.firstOutputFrame);
      assert.deepEqual(allIds(out), [1]);
    });
  }
});

test('after reset() the next update counts as the first: a detection there is confirmed at once, with a fresh id', () => {
  const tracker = new ByteTracker();
  tracker.update([det(100, 100)], 0);
  tracker.update([det(100, 100)], FRAME_MS);
  tracker.reset();
  // After a reset the next update counts as the first, so a detection there is confirmed at once, with a fresh id.
  assert.deepEqual(tracker.update([det(100, 100)], 2 * FRAME_MS).map((tr) => tr.id), [2]);
  assert.deepEqual(tracker.update([det(100, 100)], 3 * FRAME_MS).map((tr) => tr.id), [2]);
});

test('invalid options are rejected with CONFIG_INVALID', async (t) => {
  const rows: ReadonlyArray<{ name: string; options: Partial<ByteTrackerOptions>; message: RegExp }> = [
    { name: 'threshold above 1', options: { highScoreThresh: 1.5 }, message: /highScoreThresh must be a number between 0 and 1, got 1.5/ },
    { name: 'negative cost limit', options: { matchIouThresh: -0.1 }, message: /matchIouThresh .* got -0.1/ },
    { name: 'NaN threshold', options: { newTrackThresh: NaN }, message: /newTrackThresh .* got NaN/ },
    { name: 'low above high', options: { lowScoreThresh: 0.6, highScoreThresh: 0.5 }, message: /lowScoreThresh \(0.6\) must not exceed/ },
    { name: 'negative buffer', options: { lostTrackBufferMs: -1 }, message: /lostTrackBufferMs must be a number >= 0, got -1/ },
    { name: 'zero min hits', options: { minHitsToConfirm: 0 }, message: /minHitsToConfirm must be an integer >= 1, got 0/ },
  ];
  for (const r of rows) {
    await t.test(r.name, () => {
      assert.throws(
        () => new ByteTracker(r.options),
        (err: unknown) => isAppError(err, 'CONFIG_INVALID') && r.message.test(err.message),
      );
    });
  }
});

test('defaults are ByteTrack defaults and frozen', () => {
  assert.deepEqual(new ByteTracker().options, BYTE_TRACKER_DEFAULTS);
  assert.ok(Object.isFrozen(BYTE_TRACKER_DEFAULTS));
  assert.ok(Object.isFrozen(new ByteTracker({ fuseScore: false }).options));
});
