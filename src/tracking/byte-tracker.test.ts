import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '../core/errors.ts';
import type { Detection, Track } from '../core/types.ts';
import { BYTE_TRACKER_DEFAULTS, ByteTracker } from './byte-tracker.ts';
import type { ByteTrackerOptions } from './byte-tracker.ts';

const FRAME_MS = 1000 / 30;

interface DetSpec {
  score?: number;
  classId?: number;
  label?: string;
  widthPx?: number;
  heightPx?: number;
}

/** A detection centred at (cx, cy) px; a 40 x 100 px person at 0.9 unless told otherwise. */
function det(cx: number, cy: number, spec: DetSpec = {}): Detection {
  const w = spec.widthPx ?? 40;
  const h = spec.heightPx ?? 100;
  const classId = spec.classId ?? 0;
  return {
    boxXyxy: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2],
    score: spec.score ?? 0.9,
    classId,
    label: spec.label ?? (classId === 0 ? 'person' : `class-${classId}`),
  };
}

/** `count` frames whose detections come from `at(frameIndex)` (0-based). */
function frames(count: number, at: (f: number) => Detection[]): Detection[][] {
  return Array.from({ length: count }, (_, f) => at(f));
}

/** Feeds every frame to a fresh tracker and returns the tracks it output per frame. */
function run(input: readonly Detection[][], options: Partial<ByteTrackerOptions> = {}): Track[][] {
  const tracker = new ByteTracker(options);
  return input.map((dets, f) => tracker.update(dets, f * FRAME_MS));
}

/** Id of the single output track nearest to `cx` in frame `f`, or undefined when none is within 30 px. */
function idNear(out: readonly Track[][], f: number, cx: number): number | undefined {
  let best: Track | undefined;
  let bestDist = 30;
  for (const t of out[f]!) {
    const d = Math.abs((t.boxXyxy[0] + t.boxXyxy[2]) / 2 - cx);
    if (d < bestDist) {
      bestDist = d;
      best = t;
    }
  }
  return best?.id;
}

function allIds(out: readonly Track[][]): number[] {
  return [...new Set(out.flat().map((t) => t.id))].sort((a, b) => a - b);
}

test('one object moving steadily keeps one id over 50 frames', async (t) => {
  const rows = [
    { name: 'still', vx: 0, vy: 0 },
    { name: 'walking right 3 px/frame', vx: 3, vy: 0 },
    { name: 'walking diagonally 4 px/frame', vx: -4, vy: 3 },
    { name: 'running 12 px/frame', vx: 12, vy: 0 },
  ];
  for (const r of rows) {
    await t.test(r.name, () => {
      const out = run(frames(50, (f) => [det(100 + r.vx * f, 300 + r.vy * f)]));
      for (let f = 0; f < 50; f++) assert.deepEqual(out[f]!.map((tr) => tr.id), [1], `frame ${f}`);
    });
  }
});

test('a detection seen in only one frame (not the first update) never gives a confirmed track', async (t) => {
  const rows = [
    { name: 'alone, after an empty first update', input: frames(10, (f) => (f === 1 ? [det(100, 100)] : [])), ids: [] },
    {
      name: 'next to a steady object',
      input: frames(20, (f) => (f === 10 ? [det(100, 100), det(500, 300)] : [det(100, 100)])),
      ids: [1],
    },
    {
      name: 'twice at the same place with a gap',
      input: frames(12, (f) => (f === 3 || f === 6 ? [det(200, 200)] : [])),
      ids: [],
    },
    {
      name: 'a different place every frame',
      input: frames(20, (f) => (f === 0 ? [] : [det(100 + 150 * (f % 5), 100 + 150 * Math.floor(f / 5))])),
      ids: [],
    },
  ];
  for (const r of rows) {
    await t.test(r.name, () => {
      assert.deepEqual(allIds(run(r.input)), r.ids);
    });
  }
});

test('a detection in the very first update is confirmed at once', () => {
  const out = run([[det(100, 100)], []]);
  assert.deepEqual(out[0]!.map((tr) => tr.id), [1]);
});

test('flicker: an object missing for a few frames comes back with the same id', async (t) => {
  const rows = [
    { name: 'still, missing 1 frame', vx: 0, gap: 1 },
    { name: 'still, missing 5 frames', vx: 0, gap: 5 },
    { name: 'walking 3 px/frame, missing 5 frames', vx: 3, gap: 5 },
    { name: 'walking 3 px/frame, missing 15 frames', vx: 3, gap: 15 },
    { name: 'still, missing 30 frames (the whole lost buffer)', vx: 0, gap: 30 },
  ];
  for (const r of rows) {
    await t.test(r.name, () => {
      const gapStart = 15;
      const total = gapStart + r.gap + 15;
      const out = run(
        frames(total, (f) => (f >= gapStart && f < gapStart + r.gap ? [] : [det(100 + r.vx * f, 200)])),
      );
      for (let f = 0; f < total; f++) {
        const expected = f >= gapStart && f < gapStart + r.gap ? [] : [1];
        assert.deepEqual(out[f]!.map((tr) => tr.id), expected, `frame ${f}`);
      }
    });
  }
});

test('two people crossing paths keep their own ids', async (t) => {
  const rows = [
    { name: 'same height, 4 px/frame', dy: 0, speed: 4 },
    { name: '10 px apart vertically, 4 px/frame', dy: 10, speed: 4 },
    { name: '30 px apart vertically, 6 px/frame', dy: 30, speed: 6 },
    { name: '10 px apart vertically, 10 px/frame', dy: 10, speed: 10 },
  ];
  for (const r of rows) {
    await t.test(r.name, () => {
      const n = 60;
      const span = r.speed * (n - 1);
      const ax = (f: number): number => 100 + r.speed * f;
      const bx = (f: number): number => 100 + span - r.speed * f;
      // List order alternates so the tracker cannot rely on it.
      const out = run(
        frames(n, (f) => {
          const a = det(ax(f), 300);
          const b = det(bx(f), 300 + r.dy);
          return f % 2 === 0 ? [a, b] : [b, a];
        }),
      );
      let overlapped = false;
      for (let f = 0; f < n; f++) {
        assert.equal(out[f]!.length, 2, `frame ${f}: two tracks`);
        if (Math.abs(ax(f) - bx(f)) < 40) overlapped = true;
        // Near the crossing both boxes are close, so identify each track by its filtered box at either end instead.
      }
      assert.ok(overlapped, 'the boxes overlap in the middle');
      const idA = idNear(out, 0, ax(0));
      const idB = idNear(out, 0, bx(0));
      assert.ok(idA !== undefined && idB !== undefined && idA !== idB);
      for (let f = 0; f < n; f++) {
        const tA = out[f]!.find((tr) => tr.id === idA);
        const tB = out[f]!.find((tr) => tr.id === idB);
        assert.ok(tA && tB, `frame ${f}: both ids present`);
        const cxA = (tA.boxXyxy[0] + tA.boxXyxy[2]) / 2;
        const cxB = (tB.boxXyxy[0] + tB.boxXyxy[2]) / 2;
        assert.ok(Math.abs(cxA - ax(f)) < 5, `frame ${f}: id ${idA} follows A (cx ${cxA} vs ${ax(f)})`);
        assert.ok(Math.abs(cxB - bx(f)) < 5, `frame ${f}: id ${idB} follows B (cx ${cxB} vs ${bx(f)})`);
      }
    });
  }
});

test('an object gone longer than the lost buffer comes back with a new id', async (t) => {
  const rows = [
    { name: 'default buffer, gone 30 frames: same id', options: {}, gap: 30, returnIds: [[1], [1]] },
    { name: 'default buffer, gone 31 frames: new id', options: {}, gap: 31, returnIds: [[], [2]] },
    { name: 'buffer 5, gone 5 frames: same id', options: { lostTrackBufferFrames: 5 }, gap: 5, returnIds: [[1], [1]] },
    { name: 'buffer 5, gone 6 frames: new id', options: { lostTrackBufferFrames: 5 }, gap: 6, returnIds: [[], [2]] },
    // As in ByteTrack a newly lost track is first checked against the buffer in the next update, so 0 still bridges 1.
    { name: 'buffer 0, gone 1 frame: same id', options: { lostTrackBufferFrames: 0 }, gap: 1, returnIds: [[1], [1]] },
    { name: 'buffer 0, gone 2 frames: new id', options: { lostTrackBufferFrames: 0 }, gap: 2, returnIds: [[], [2]] },
  ];
  for (const r of rows) {
    await t.test(r.name, () => {
      const before = 10;
      const out = run(
        frames(before + r.gap + 2, (f) => (f >= before && f < before + r.gap ? [] : [det(300, 300)])),
        r.options,
      );
      const back = before + r.gap;
      assert.deepEqual(
        [out[back]!.map((tr) => tr.id), out[back + 1]!.map((tr) => tr.id)],
        r.returnIds,
      );
    });
  }
});

test('two classes at the same place never share an id', async (t) => {
  const person = (f: number): Detection => det(200 + 2 * f, 300, { classId: 0 });
  const bag = (f: number, score = 0.9): Detection => det(200 + 2 * f, 300, { classId: 1, label: 'bag', score });
  const rows: ReadonlyArray<{ name: string; input: Detection[][] }> = [
    { name: 'both every frame', input: frames(30, (f) => [person(f), bag(f)]) },
    { name: 'both from the second update', input: frames(30, (f) => (f === 0 ? [] : [bag(f), person(f)])) },
    { name: 'the bag missing for 4 frames', input: frames(30, (f) => (f >= 10 && f < 14 ? [person(f)] : [person(f), bag(f)])) },
    { name: 'the bag seen only at a low score for a while', input: frames(30, (f) => [person(f), bag(f, f >= 10 && f < 20 ? 0.2 : 0.9)]) },
    { name: 'person leaves, bag appears in the same box', input: frames(30, (f) => (f < 15 ? [person(f)] : [bag(f)])) },
  ];
  for (const r of rows) {
    await t.test(r.name, () => {
      const out = run(r.input);
      const classOfId = new Map<number, number>();
      for (const tr of out.flat()) {
        const seen = classOfId.get(tr.id);
        assert.ok(seen === undefined || seen === tr.classId, `id ${tr.id} used for classes ${seen} and ${tr.classId}`);
        classOfId.set(tr.id, tr.classId);
      }
      // Each class keeps a single id through the whole clip.
      const idsOfClass = new Map<number, Set<number>>();
      for (const tr of out.flat()) idsOfClass.set(tr.classId, (idsOfClass.get(tr.classId) ?? new Set()).add(tr.id));
      for (const [classId, ids] of idsOfClass) assert.equal(ids.size, 1, `class ${classId} ids ${[...ids].join(',')}`);
      // Every frame reports every class that had a detection there, once the track is confirmed.
      const last = out[r.input.length - 1]!;
      assert.deepEqual(
        last.map((tr) => tr.classId).sort(),
        r.input[r.input.length - 1]!.map((d) => d.classId).sort(),
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

test('reset forgets tracks but never reuses ids', () => {
  const tracker = new ByteTracker();
  tracker.update([det(100, 100)], 0);
  tracker.update([det(100, 100)], FRAME_MS);
  tracker.reset();
  // After a reset the next update counts as the first, so a detection there is confirmed at once, with a fresh id.
  assert.deepEqual(tracker.update([det(100, 100)], 2 * FRAME_MS).map((tr) => tr.id), [2]);
  assert.deepEqual(tracker.update([det(100, 100)], 3 * FRAME_MS).map((tr) => tr.id), [2]);
});

test('unusable detections are skipped', async (t) => {
  const rows: ReadonlyArray<{ name: string; bad: Detection }> = [
    { name: 'zero height', bad: { ...det(0, 0), boxXyxy: [10, 10, 50, 10] } },
    { name: 'inverted box', bad: { ...det(0, 0), boxXyxy: [50, 10, 10, 90] } },
    { name: 'NaN coordinate', bad: { ...det(0, 0), boxXyxy: [NaN, 10, 50, 90] } },
    { name: 'infinite coordinate', bad: { ...det(0, 0), boxXyxy: [10, 10, Infinity, 90] } },
    { name: 'NaN score', bad: { ...det(0, 0), score: NaN } },
  ];
  for (const r of rows) {
    await t.test(r.name, () => {
      const out = run(frames(5, () => [r.bad, det(300, 300)]));
      assert.deepEqual(
        out.map((o) => o.map((tr) => tr.id)),
        [[1], [1], [1], [1], [1]],
      );
    });
  }
});

test('the same input gives the same output', () => {
  const input = frames(40, (f) => [det(100 + 3 * f, 200), det(400 - 3 * f, 210), det(50, 50 + (f % 3), { score: 0.3 })]);
  assert.deepEqual(run(input), run(input));
});

test('invalid options are rejected with CONFIG_INVALID', async (t) => {
  const rows: ReadonlyArray<{ name: string; options: Partial<ByteTrackerOptions>; message: RegExp }> = [
    { name: 'threshold above 1', options: { highScoreThresh: 1.5 }, message: /highScoreThresh must be a number between 0 and 1, got 1.5/ },
    { name: 'negative cost limit', options: { matchIouThresh: -0.1 }, message: /matchIouThresh .* got -0.1/ },
    { name: 'NaN threshold', options: { newTrackThresh: NaN }, message: /newTrackThresh .* got NaN/ },
    { name: 'low above high', options: { lowScoreThresh: 0.6, highScoreThresh: 0.5 }, message: /lowScoreThresh \(0.6\) must not exceed/ },
    { name: 'fractional buffer', options: { lostTrackBufferFrames: 2.5 }, message: /lostTrackBufferFrames must be an integer >= 0, got 2.5/ },
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
