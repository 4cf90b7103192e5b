/**
 * SightlineTracker's own behaviour: option validation, the lost-track buffer in seconds, the observation-centric
 * re-update, and no first-update exception. What every tracker must do is in tracker-contract.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '../core/errors.ts';
import type { Detection, Track } from '../core/types.ts';
import { SIGHTLINE_TRACKER_DEFAULTS, SightlineTracker } from './sightline-tracker.ts';
import type { SightlineTrackerOptions } from './sightline-tracker.ts';
import { FRAME_MS, allIds, det, feed, frames } from './test-scenarios.ts';

describe('invalid options are rejected with CONFIG_INVALID naming the option', () => {
  type Row = { name: string; options: Partial<SightlineTrackerOptions>; message: string; todo?: string };
  const rows: readonly Row[] = [
    {
      name: 'negative lost time',
      options: { lostTrackSeconds: -0.5 },
      message: 'tracker.lostTrackSeconds must be a number of seconds >= 0, got -0.5',
    },
    { name: 'NaN lost time', options: { lostTrackSeconds: NaN }, message: 'tracker.lostTrackSeconds must be a number of seconds >= 0, got NaN' },
    {
      name: 'infinite lost time',
      options: { lostTrackSeconds: Infinity },
      message: 'tracker.lostTrackSeconds must be a number of seconds >= 0, got Infinity',
    },
    {
      name: 'negative tentative miss',
      options: { tentativeMissSeconds: -0.1 },
      message: 'tracker.tentativeMissSeconds must be a number of seconds >= 0, got -0.1',
    },
    { name: 'zero min hits', options: { minHitsToConfirm: 0 }, message: 'tracker.minHitsToConfirm must be an integer >= 1, got 0' },
    {
      name: 'fractional min hits',
      options: { minHitsToConfirm: 1.5 },
      message: 'tracker.minHitsToConfirm must be an integer >= 1, got 1.5',
    },
    ...(
      [
        ['highScoreThresh', 1.5],
        ['lowScoreThresh', -0.1],
        ['newTrackThresh', NaN],
        ['matchIouThresh', 2],
        ['secondMatchIouThresh', -1],
        ['unconfirmedMatchThresh', NaN],
        ['recoveryIouThresh', 1.1],
      ] as const
    ).map(([key, value]) => ({
      name: `${key} ${value}`,
      options: { [key]: value },
      message: `tracker.${key} must be a number between 0 and 1, got ${value}`,
    })),
    {
      name: 'low threshold above high',
      options: { lowScoreThresh: 0.7, highScoreThresh: 0.6 },
      message: 'tracker.lowScoreThresh (0.7) must not exceed tracker.highScoreThresh (0.6)',
    },
    {
      name: 'observationReupdate not a boolean',
      options: { observationReupdate: 'no' as unknown as boolean },
      message: 'tracker.observationReupdate must be a boolean, got no',
    },
    {
      name: 'confidenceNoise not a boolean',
      options: { confidenceNoise: 1 as unknown as boolean },
      message: 'tracker.confidenceNoise must be a boolean, got 1',
    },
  ];
  for (const r of rows) {
    it(r.name, r.todo === undefined ? {} : { todo: r.todo }, () => {
      assert.throws(
        () => new SightlineTracker(r.options),
        (err: unknown) => isAppError(err, 'CONFIG_INVALID') && err.message === r.message,
      );
    });
  }
  it('the defaults are valid and frozen', () => {
    const tracker = new SightlineTracker();
    assert.deepEqual(tracker.options, SIGHTLINE_TRACKER_DEFAULTS);
    assert.ok(Object.isFrozen(SIGHTLINE_TRACKER_DEFAULTS));
    assert.ok(Object.isFrozen(tracker.options));
  });
});

describe('a detection seen once never becomes a track, even in the first update', () => {
  const rows = [
    { name: 'seen only in the first update', input: [[det(100, 100)], [], []], outputIds: [[], [], []] },
    {
      name: 'seen in the first two updates: confirmed on the second',
      input: [[det(100, 100, { score: 0.97 })], [det(100, 100, { score: 0.97 })]],
      outputIds: [[], [1]],
    },
    {
      name: 'several objects in the first update only',
      input: [[det(100, 100), det(300, 100), det(500, 100)], []],
      outputIds: [[], []],
    },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const out = feed(new SightlineTracker(), r.input);
      assert.deepEqual(out.map((o) => o.map((t) => t.id)), r.outputIds);
    });
  }
  it('also in the first update after reset()', () => {
    const tracker = new SightlineTracker();
    feed(tracker, frames(5, () => [det(100, 100)]));
    tracker.reset();
    assert.deepEqual(tracker.update([det(100, 100)], 0), []);
  });
});

describe('the lost-track buffer is in seconds of frame time', () => {
  // A person standing still, gone for 0.8 s; `lostTrackSeconds` is left at its default (2.5 s) where not given.
  type Row = { name: string; fps: number; options: Partial<SightlineTrackerOptions>; sameId: boolean };
  const rows: readonly Row[] = [
    { name: '10 fps, default 2.5 s, gone 0.8 s (8 frames): same id', fps: 10, options: {}, sameId: true },
    { name: '10 fps, 0.5 s, gone 0.8 s (8 frames): new id', fps: 10, options: { lostTrackSeconds: 0.5 }, sameId: false },
    { name: '30 fps, default 2.5 s, gone 0.8 s (24 frames): same id', fps: 30, options: {}, sameId: true },
    { name: '30 fps, 0.5 s, gone 0.8 s (24 frames): new id', fps: 30, options: { lostTrackSeconds: 0.5 }, sameId: false },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const goneFrames = Math.round(0.8 * r.fps);
      const leaveFrame = 10;
      const backFrame = leaveFrame + goneFrames;
      const out = feed(
        new SightlineTracker(r.options),
        frames(backFrame + 5, (f) => (f >= leaveFrame && f < backFrame ? [] : [det(200, 200)])),
        0,
        1000 / r.fps,
      );
      const before = allIds(out.slice(0, leaveFrame));
      const after = allIds(out.slice(backFrame));
      assert.equal(before.length, 1, `one id before, got ${before.join(',')}`);
      assert.equal(after.length, 1, `one id after, got ${after.join(',')}`);
      assert.equal(after[0] === before[0], r.sameId, `ids ${before[0]} then ${after[0]}`);
    });
  }

  // Frames dropped by a slow machine: few updates, much time. The buffer follows the frame times, not the updates: it
  // counts from the first update that missed the object (one frame after it was last seen) to its return.
  type DropRow = { name: string; missingMs: number; updatesWhileGone: number; sameId: boolean };
  const dropRows: readonly DropRow[] = [
    { name: 'missing 3 s over 2 updates (frames dropped): new id', missingMs: 3000, updatesWhileGone: 2, sameId: false },
    { name: 'missing 2 s over 2 updates (frames dropped): same id', missingMs: 2000, updatesWhileGone: 2, sameId: true },
    { name: 'missing 2 s over 60 updates (every frame): same id', missingMs: 2000, updatesWhileGone: 60, sameId: true },
  ];
  for (const r of dropRows) {
    it(r.name, () => {
      const tracker = new SightlineTracker();
      const seen: number[] = [];
      let t = 0;
      for (let f = 0; f < 10; f++, t += FRAME_MS) seen.push(...tracker.update([det(200, 200)], t).map((x) => x.id));
      const firstMissMs = t;
      for (let i = 0; i < r.updatesWhileGone; i++) tracker.update([], firstMissMs + (r.missingMs * i) / r.updatesWhileGone);
      const after: number[] = [];
      for (let i = 0; i < 3; i++) after.push(...tracker.update([det(200, 200)], firstMissMs + r.missingMs + i * FRAME_MS).map((x) => x.id));
      assert.equal(new Set(seen).size, 1);
      assert.ok(after.length > 0, 'the object is tracked again');
      assert.equal(after[0] === seen[0], r.sameId, `ids ${seen[0]} then ${after.join(',')}`);
    });
  }
});

describe('a tentative track survives a miss measured in seconds, at any frame rate', () => {
  // A person seen once (score 0.95: two such hits confirm), missed for `missFrames` frames, then seen again: confirmed
  // when the miss is within `tentativeMissSeconds` (0.15 s by default), a fresh start otherwise.
  type Row = { name: string; fps: number; missFrames: number; confirmedOnReturn: boolean };
  const rows: readonly Row[] = [
    { name: '7 fps, one frame missed (143 ms): confirmed', fps: 7, missFrames: 1, confirmedOnReturn: true },
    { name: '30 fps, three frames missed (100 ms): confirmed', fps: 30, missFrames: 3, confirmedOnReturn: true },
    { name: '30 fps, five frames missed (167 ms): dropped, starts again', fps: 30, missFrames: 5, confirmedOnReturn: false },
    { name: '5 fps, one frame missed (200 ms): dropped, starts again', fps: 5, missFrames: 1, confirmedOnReturn: false },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const seen = [det(200, 200, { score: 0.95 })];
      const out = feed(new SightlineTracker(), [seen, ...Array.from({ length: r.missFrames }, () => []), seen], 0, 1000 / r.fps);
      assert.equal(out.at(-1)!.length === 1, r.confirmedOnReturn, `tracks on return: ${JSON.stringify(out.at(-1))}`);
    });
  }
});

describe('observation-centric re-update: a track found after an 8-frame gap continues at the true velocity', () => {
  // An object walking 5 px/frame, seen for `seenFrames` frames, hidden for 8 and seen again in frame `back`.
  const speedPxPerFrame = 5;
  const gapFrames = 8;
  const x = (f: number): number => 100 + speedPxPerFrame * f;
  const trueDetection = (f: number): Detection => det(x(f), 200, { score: 1 });
  const input = (seenFrames: number): Detection[][] => {
    const back = seenFrames + gapFrames;
    return frames(back + 1, (f) => (f < seenFrames || f === back ? [trueDetection(f)] : []));
  };

  // In frame `back + 1` a low-score probe goes only to the second association, which compares it with the track's
  // prediction: with a cost limit 1 - IoU <= 0.05 it is matched only when the prediction is within about 1 px of it.
  function probeOneFrameLater(seenFrames: number, probeOffsetPx: number): Track[] {
    const tracker = new SightlineTracker({ secondMatchIouThresh: 0.05 });
    const out = feed(tracker, input(seenFrames));
    assert.deepEqual(out.at(-1)!.map((t) => t.id), [1], 'found again with its id');
    const f = seenFrames + gapFrames + 1;
    return tracker.update([det(x(f) + probeOffsetPx, 200, { score: 0.5 })], f * FRAME_MS);
  }
  for (const seenFrames of [20, 3]) {
    it(`seen ${seenFrames} frames before the gap: one frame later the prediction is within about 1 px`, () => {
      assert.deepEqual(probeOneFrameLater(seenFrames, 0).map((t) => t.id), [1]);
      // The probe is selective: 3 px off the truth it is not matched.
      assert.deepEqual(probeOneFrameLater(seenFrames, 3), []);
      assert.deepEqual(probeOneFrameLater(seenFrames, -3), []);
    });
  }

  it('hidden again for 4 frames, it is found on the coasted prediction within about 1 px', () => {
    // A position error right after `back` can hide a velocity error one frame later; five frames of coasting cannot.
    // With the first association limited to 1 - IoU <= 0.05 (scores of 1), the track is found at `back + 5` only when
    // its prediction there is within about 1 px, i.e. when its velocity is within about 0.2 px/frame of the truth.
    const seenFrames = 20;
    const back = seenFrames + gapFrames;
    const tracker = new SightlineTracker({ matchIouThresh: 0.05, recoveryIouThresh: 0.5 });
    const out = feed(tracker, [...input(seenFrames), [], [], [], [], [trueDetection(back + 5)]]);
    assert.deepEqual(out[back]!.map((t) => t.id), [1], 'found again after the gap with its id');
    assert.deepEqual(out[back + 5]!.map((t) => t.id), [1], 'found again after coasting 5 frames');
  });
});

describe('prediction by elapsed time (frames dropped or late)', () => {
  // A person 40 px wide crossing at 12 px per 100 ms frame; frames come every 100 ms with ±8 ms of jitter, then five
  // frames are dropped (the next one 600 ms later): the person has moved 72 px, more than a box width.
  const run = (options: Partial<SightlineTrackerOptions>) => {
    const tracker = new SightlineTracker(options);
    const times = [0, 104, 196, 300, 408, 500, 597, 700, 1300, 1400, 1500];
    const ids: number[][] = [];
    for (const t of times) {
      const x = 100 + 0.12 * t;
      ids.push(tracker.update([det(x + 20, 250, { score: 0.95 })], t).map((tr) => tr.id));
    }
    return { ids, tracker };
  };

  it('keeps the id across dropped frames: the filter advances by the time that passed', () => {
    const { ids, tracker } = run({});
    assert.deepEqual(new Set(ids.slice(2).flat()), new Set([1]), JSON.stringify(ids));
    assert.deepEqual(ids.at(-3), [1], 'matched again on the frame after the gap');
    assert.ok(Math.abs(tracker.frameIntervalMs! - 100) <= 8, `frame interval ${tracker.frameIntervalMs} ms (the lower quartile seen)`);
  });

  it('a frame arriving just after another (a burst after a stall) does not throw the predictions ahead', () => {
    // 5 fps; one frame arrives 3 ms after the one before it, as live frames do after a stall.
    const tracker = new SightlineTracker();
    const times = [0, 200, 400, 600, 800, 803, 1000, 1200, 1400, 1600];
    const ids = times.map((t) => tracker.update([det(100 + 0.05 * t, 250, { score: 0.95 })], t).map((tr) => tr.id));
    assert.deepEqual(new Set(ids.slice(1).flat()), new Set([1]), JSON.stringify(ids));
  });

  it('one frame per update (the old model) loses it at the gap', () => {
    const { ids } = run({ predictByElapsedTime: false });
    assert.notDeepEqual(ids.at(-3), [1], JSON.stringify(ids));
  });
});

describe('camera motion measured from the frames', () => {
  // Five people 40 px wide standing 100 px apart; the camera pans so the whole picture moves 60 px left in one frame.
  const run = (withMotion: boolean) => {
    const tracker = new SightlineTracker();
    const ids: number[][] = [];
    for (let f = 0; f < 8; f++) {
      const shift = f >= 4 ? -60 : 0;
      const dets = [0, 1, 2, 3, 4].map((i) => det(200 + 100 * i + shift, 300, { score: 0.95 }));
      const motion = withMotion && f === 4 ? { scale: 1, dx: -60, dy: 0 } : undefined;
      ids.push(tracker.update(dets, f * 100, motion).map((t) => t.id).sort((a, b) => a - b));
    }
    return ids;
  };

  it('a pan wider than the boxes keeps every id when the tracker is told how the picture moved', () => {
    const ids = run(true);
    assert.deepEqual(ids.slice(1), Array(7).fill([1, 2, 3, 4, 5]), JSON.stringify(ids));
  });

  it('without it the people are lost at the pan', () => {
    assert.notDeepEqual(run(false)[4], [1, 2, 3, 4, 5]);
  });
});
