/**
 * Contract suite: the cases every implementation of the `Tracker` port must pass, run once per entry of `TRACKERS`.
 * Scenarios are synthetic (30 fps, 40 x 100 px persons detected at 0.9 unless a case says otherwise) and each starts
 * with one empty update, so ByteTrack's rule that every track born in the very first update is confirmed at once plays
 * no part. Which frame a track is first confirmed in is the tracker's choice; the cases allow `CONFIRMED_BY` frames.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { iou } from '../core/geometry.ts';
import type { Detection, Track } from '../core/types.ts';
import { byteTrackMot17 } from '../mot/track/trackers.ts';
import { ByteTracker } from './byte-tracker.ts';
import { SightlineTracker } from './sightline-tracker.ts';
import { FRAME_MS, allIds, centerX, det, feed, frames, idNear, mulberry32 } from './test-scenarios.ts';
import type { Tracker } from './tracker.ts';

/** One implementation under test: a name for the report and a factory for fresh instances. */
interface TrackerUnderTest {
  readonly name: string;
  readonly create: () => Tracker;
  /**
   * Cases this implementation is known to fail, as `'<case number>: <test name>'` -> why; they run as `todo`, so they
   * are reported without failing the suite. Only for a real defect of the tracker, never for a wrong test.
   */
  readonly knownDefects?: Readonly<Record<string, string>>;
}

/** Every tracker the contract runs on; a new implementation is one more line. */
const TRACKERS: readonly TrackerUnderTest[] = [
  { name: 'ByteTracker (defaults)', create: () => new ByteTracker() },
  { name: 'ByteTracker (ByteTrack MOT17 evaluation config, 30 fps)', create: () => byteTrackMot17(30) },
  {
    name: 'SightlineTracker (defaults, 30 fps)',
    create: () => new SightlineTracker(),
  },
];

/** A steadily detected object must be output from this frame of a scenario on (0-based, after the empty update). */
const CONFIRMED_BY = 3;

/** Class of the car in the per-class cases (COCO: 0 person, 2 car). */
const CAR = { classId: 2, label: 'car' } as const;

/** Feeds a fresh tracker one empty update, then `input`; returns the output for `input`'s frames. */
function runScenario(create: () => Tracker, input: readonly (readonly Detection[])[]): Track[][] {
  const tracker = create();
  tracker.update([], 0);
  return feed(tracker, input, 1);
}

/** The detection of frame `dets` that best overlaps the track, of the track's class and label, or undefined. */
function matchedDetection(t: Track, dets: readonly Detection[]): Detection | undefined {
  let best: Detection | undefined;
  let bestIou = 0.5;
  for (const d of dets) {
    const overlap = iou(t.boxXyxy, d.boxXyxy);
    if (d.classId === t.classId && d.label === t.label && overlap > bestIou) {
      bestIou = overlap;
      best = d;
    }
  }
  return best;
}

/** Ids of the output tracks of one frame, in output order. */
function idsOf(tracks: readonly Track[]): number[] {
  return tracks.map((t) => t.id);
}

/**
 * Five people crossing a 640 x 480 view once each, staggered, some in opposite directions on overlapping lanes; each
 * detection is missed with probability 0.2, and confident false positives seen for a single frame appear at random
 * places (never in two frames in a row). All randomness is drawn from `mulberry32(seed)`.
 */
function countingScenario(seed: number): Detection[][] {
  const rand = mulberry32(seed);
  const walkers = [
    { startFrame: 0, cy: 150, vx: 4 },
    { startFrame: 25, cy: 230, vx: -4 },
    { startFrame: 50, cy: 190, vx: 5 },
    { startFrame: 75, cy: 320, vx: -3 },
    { startFrame: 100, cy: 270, vx: 4 },
  ];
  const xMin = 30;
  const xMax = 610;
  const framesOf = (vx: number): number => Math.floor((xMax - xMin) / Math.abs(vx));
  const total = Math.max(...walkers.map((w) => w.startFrame + framesOf(w.vx))) + 10;
  let falsePositiveBefore = false;
  return frames(total, (f) => {
    const dets: Detection[] = [];
    for (const w of walkers) {
      const step = f - w.startFrame;
      if (step < 0 || step > framesOf(w.vx)) continue;
      const missed = rand() < 0.2;
      if (!missed) dets.push(det(w.vx > 0 ? xMin + w.vx * step : xMax + w.vx * step, w.cy));
    }
    const falsePositive = !falsePositiveBefore && rand() < 0.15;
    if (falsePositive) dets.push(det(40 + 560 * rand(), 60 + 360 * rand(), { score: 0.75 + 0.2 * rand() }));
    falsePositiveBefore = falsePositive;
    return dets;
  });
}

function defineContract(impl: TrackerUnderTest): void {
  const { create } = impl;
  const run = (input: readonly (readonly Detection[])[]): Track[][] => runScenario(create, input);
  /** `it`, as `todo` where the implementation lists `'<caseNumber>: <name>'` among its known defects. */
  const check = (caseNumber: number, name: string, fn: () => void): void => {
    const todo = impl.knownDefects?.[`${caseNumber}: ${name}`];
    it(name, todo === undefined ? {} : { todo }, fn);
  };

  describe('1. outputs only confirmed tracks matched in this frame; ids positive integers, unique, ascending', () => {
    check(1, 'four objects born out of list order, one leaving, with clutter, low scores and empty frames', () => {
      // Four objects born in an order that differs from the order they are listed in; one leaves, one skips frames;
      // low-score detections and single-frame clutter around them.
      const input = frames(40, (f) => {
        const dets: Detection[] = [];
        if (f >= 12) dets.push(det(100 + 2 * f, 150, { score: 0.96 }));
        if (f >= 4 && f < 30) dets.push(det(300, 300, { score: 0.97 }));
        if (f % 5 !== 2) dets.push(det(500 - f, 200, { score: 0.95 }));
        if (f >= 8) dets.push(det(200, 400, { ...CAR, widthPx: 90, heightPx: 60 }));
        if (f % 4 === 1) dets.push(det(600, 50 + 10 * f, { score: 0.92 }));
        if (f % 6 === 3) dets.push(det(50, 450, { score: 0.3 }));
        if (f === 20 || f === 21) return [];
        return dets;
      });
      const out = run(input);
      for (const [f, tracks] of out.entries()) {
        const ids = idsOf(tracks);
        for (const t of tracks) {
          assert.equal(t.state, 'confirmed', `frame ${f}: id ${t.id} state`);
          assert.equal(t.matched, true, `frame ${f}: id ${t.id} matched`);
          assert.ok(Number.isInteger(t.id) && t.id > 0, `frame ${f}: id ${t.id} is a positive integer`);
          const d = matchedDetection(t, input[f]!);
          assert.ok(d, `frame ${f}: id ${t.id} overlaps a detection of this frame of its class`);
          assert.equal(t.score, d.score, `frame ${f}: id ${t.id} carries the matched detection's score`);
        }
        assert.equal(new Set(ids).size, ids.length, `frame ${f}: ids ${ids.join(',')} are unique`);
        assert.deepEqual(ids, [...ids].sort((a, b) => a - b), `frame ${f}: ids ${ids.join(',')} ascending`);
        assert.ok(tracks.length <= input[f]!.length, `frame ${f}: no more tracks than detections`);
      }
      assert.deepEqual(out[20], [], 'a frame without detections outputs no track');
      // Not vacuous: all four objects are output together once confirmed.
      assert.equal(out[16]!.length, 4, 'frame 16: the four objects');
    });
  });

  describe('2. one object moving steadily keeps one id for 100 frames, its box following the detection', () => {
    const rows = [
      { name: 'standing still', vx: 0, vy: 0 },
      { name: 'walking right 3 px/frame', vx: 3, vy: 0 },
      { name: 'walking diagonally 4 px/frame', vx: -4, vy: 3 },
      { name: 'running 12 px/frame', vx: 12, vy: 0 },
    ];
    for (const r of rows) {
      check(2, r.name, () => {
        const input = frames(100, (f) => [det(100 + r.vx * f, 200 + r.vy * f)]);
        const out = run(input);
        for (let f = CONFIRMED_BY; f < 100; f++) {
          assert.equal(out[f]!.length, 1, `frame ${f}: one track`);
          const overlap = iou(out[f]![0]!.boxXyxy, input[f]![0]!.boxXyxy);
          assert.ok(overlap > 0.8, `frame ${f}: IoU with the detection ${overlap.toFixed(3)}`);
        }
        assert.equal(allIds(out).length, 1, `ids ${allIds(out).join(',')}`);
      });
    }
  });

  describe('3. detections seen in a single frame never give a confirmed track', () => {
    /** The k-th spurious box: each at a place 150 px away from the one before. */
    const spurious = (k: number): Detection =>
      det(100 + 150 * (k % 5), 100 + 150 * (Math.floor(k / 5) % 3), { score: 0.95 });
    const person = (f: number): Detection => det(150 + 3 * f, 260);
    const rows = [
      {
        name: 'every 3rd frame, a different place each time',
        input: frames(60, (f) => (f % 3 === 0 ? [spurious(f / 3)] : [])),
        withPerson: false,
      },
      { name: 'every frame, a different place each time', input: frames(60, (f) => [spurious(f)]), withPerson: false },
      {
        name: 'every 3rd frame, next to a person walking',
        input: frames(60, (f) => (f % 3 === 0 ? [spurious(f / 3), person(f)] : [person(f)])),
        withPerson: true,
      },
    ];
    for (const r of rows) {
      check(3, r.name, () => {
        const out = run(r.input);
        if (!r.withPerson) {
          assert.deepEqual(allIds(out), []);
          return;
        }
        for (const [f, tracks] of out.entries()) {
          for (const t of tracks) {
            const overlap = iou(t.boxXyxy, person(f).boxXyxy);
            assert.ok(overlap > 0.5, `frame ${f}: id ${t.id} is not the person (IoU ${overlap.toFixed(3)})`);
          }
        }
        assert.equal(allIds(out).length, 1, 'the person keeps one id');
      });
    }
  });

  describe('4. flicker: a real object missing in some frames keeps one id', () => {
    /** Missing runs of 1, 2, 3, 4 and 5 frames, each after 4 frames seen. */
    const missingInRuns = (f: number): boolean => {
      let start = 4;
      for (let gap = 1; gap <= 5; gap++) {
        if (f >= start && f < start + gap) return true;
        start += gap + 4;
      }
      return false;
    };
    const rows = [
      { name: 'standing, missing 1 of every 3 frames', vx: 0, missing: (f: number) => f % 3 === 2 },
      { name: 'walking 3 px/frame, missing 1 of every 3 frames', vx: 3, missing: (f: number) => f % 3 === 2 },
      { name: 'standing, missing runs of 1 to 5 frames', vx: 0, missing: missingInRuns },
      { name: 'walking 3 px/frame, missing runs of 1 to 5 frames', vx: 3, missing: missingInRuns },
    ];
    for (const r of rows) {
      check(4, r.name, () => {
        const n = 60;
        const input = frames(n, (f) => (r.missing(f) ? [] : [det(100 + r.vx * f, 200)]));
        const out = run(input);
        for (let f = CONFIRMED_BY + 1; f < n; f++) {
          if (!r.missing(f)) assert.equal(out[f]!.length, 1, `frame ${f}: the object is output`);
        }
        assert.equal(allIds(out).length, 1, `ids ${allIds(out).join(',')}`);
      });
    }
  });

  describe('5. two people crossing paths keep their own ids', () => {
    const rows = [
      { name: 'same height, 3 px/frame', dy: 0, speed: 3 },
      { name: '10 px apart vertically, 3 px/frame', dy: 10, speed: 3 },
      { name: '30 px apart vertically, 3 px/frame', dy: 30, speed: 3 },
      { name: '30 px apart vertically, 6 px/frame', dy: 30, speed: 6 },
      { name: '10 px apart vertically, 10 px/frame', dy: 10, speed: 10 },
    ];
    for (const r of rows) {
      check(5, r.name, () => {
        const n = 80;
        const span = r.speed * (n - 1);
        const rightMoverX = (f: number): number => 100 + r.speed * f;
        const leftMoverX = (f: number): number => 100 + span - r.speed * f;
        // List order alternates so a tracker cannot rely on it.
        const out = run(
          frames(n, (f) => {
            const a = det(rightMoverX(f), 300);
            const b = det(leftMoverX(f), 300 + r.dy);
            return f % 2 === 0 ? [a, b] : [b, a];
          }),
        );
        const gapsPx = Array.from({ length: n }, (_, f) => Math.abs(rightMoverX(f) - leftMoverX(f)));
        assert.ok(Math.min(...gapsPx) < 20, 'the boxes overlap in the middle');
        const idRight = idNear(out, CONFIRMED_BY, rightMoverX(CONFIRMED_BY));
        const idLeft = idNear(out, CONFIRMED_BY, leftMoverX(CONFIRMED_BY));
        assert.ok(idRight !== undefined && idLeft !== undefined && idRight !== idLeft, 'two ids before the crossing');
        for (let f = CONFIRMED_BY; f < n; f++) {
          const right = out[f]!.find((t) => t.id === idRight);
          const left = out[f]!.find((t) => t.id === idLeft);
          assert.ok(right && left, `frame ${f}: both ids present (got ${idsOf(out[f]!).join(',')})`);
          // Near the crossing both boxes nearly coincide, so each id is checked against its own person's position.
          const leftErrorPx = Math.abs(centerX(left) - leftMoverX(f));
          const rightErrorPx = Math.abs(centerX(right) - rightMoverX(f));
          assert.ok(leftErrorPx < 5, `frame ${f}: id ${idLeft} stays on the left-moving person`);
          assert.ok(rightErrorPx < 5, `frame ${f}: id ${idRight} stays on the right-moving person`);
        }
        assert.deepEqual(allIds(out), [idRight, idLeft].sort((a, b) => a - b));
      });
    }
  });

  describe('6. a person leaving the view and coming back', () => {
    const rows = [
      { name: 'standing, back after 10 frames: same id', vx: 0, gap: 10, sameId: true },
      { name: 'walking 2 px/frame, back after 10 frames: same id', vx: 2, gap: 10, sameId: true },
      { name: 'standing, back after 150 frames (5 s): new id', vx: 0, gap: 150, sameId: false },
      { name: 'walking 2 px/frame, back after 150 frames (5 s): new id', vx: 2, gap: 150, sameId: false },
    ];
    for (const r of rows) {
      check(6, r.name, () => {
        const leaveFrame = 20;
        const backFrame = leaveFrame + r.gap;
        const n = backFrame + 20;
        const out = run(frames(n, (f) => (f >= leaveFrame && f < backFrame ? [] : [det(100 + r.vx * f, 200)])));
        const before = allIds(out.slice(0, leaveFrame));
        const during = allIds(out.slice(leaveFrame, backFrame));
        const after = allIds(out.slice(backFrame));
        assert.equal(before.length, 1, `one id before leaving, got ${before.join(',')}`);
        assert.deepEqual(during, [], 'nothing is output while the person is away');
        assert.equal(after.length, 1, `one id after coming back, got ${after.join(',')}`);
        for (let f = backFrame + CONFIRMED_BY; f < n; f++) assert.equal(out[f]!.length, 1, `frame ${f}: output`);
        if (r.sameId) assert.equal(after[0], before[0]);
        else assert.ok(after[0]! > before[0]!, `the new id ${after[0]} is above the earlier id ${before[0]}`);
      });
    }
  });

  describe('7. per class: a car and a person at the same place never share an id and never swap', () => {
    const person = (f: number): Detection => det(200 + 2 * f, 300);
    const car = (f: number, score = 0.9): Detection => det(200 + 2 * f, 300, { ...CAR, score });
    const rows: ReadonlyArray<{ name: string; input: Detection[][] }> = [
      { name: 'both every frame, in the same box', input: frames(40, (f) => [person(f), car(f)]) },
      {
        name: 'both every frame, list order alternating',
        input: frames(40, (f) => (f % 2 === 0 ? [car(f), person(f)] : [person(f), car(f)])),
      },
      {
        name: 'the car missing for 4 frames',
        input: frames(40, (f) => (f >= 10 && f < 14 ? [person(f)] : [person(f), car(f)])),
      },
      {
        name: 'the car seen only at a low score for a while',
        input: frames(40, (f) => [person(f), car(f, f >= 10 && f < 20 ? 0.3 : 0.9)]),
      },
      {
        name: 'the person leaves, a car appears in the same box',
        input: frames(40, (f) => (f < 20 ? [person(f)] : [car(f)])),
      },
      {
        name: 'the car and the person crossing',
        input: frames(60, (f) => [det(100 + 4 * f, 300), det(336 - 4 * f, 300, CAR)]),
      },
    ];
    for (const r of rows) {
      check(7, r.name, () => {
        const out = run(r.input);
        const classOfId = new Map<number, number>();
        const idsOfClass = new Map<number, Set<number>>();
        for (const [f, tracks] of out.entries()) {
          for (const t of tracks) {
            const seen = classOfId.get(t.id);
            assert.ok(seen === undefined || seen === t.classId, `id ${t.id} used for classes ${seen} and ${t.classId}`);
            classOfId.set(t.id, t.classId);
            idsOfClass.set(t.classId, (idsOfClass.get(t.classId) ?? new Set()).add(t.id));
            assert.ok(matchedDetection(t, r.input[f]!), `frame ${f}: id ${t.id} overlaps a ${t.label} detection`);
          }
        }
        for (const [classId, ids] of idsOfClass) assert.equal(ids.size, 1, `class ${classId}: ids ${[...ids].join(',')}`);
        // Not vacuous: the last frame reports every class detected there.
        const last = r.input.length - 1;
        assert.deepEqual(
          out[last]!.map((t) => t.classId).sort(),
          r.input[last]!.map((d) => d.classId).sort(),
        );
      });
    }
  });

  describe('8. reset() forgets every track; ids keep increasing', () => {
    check(8, 'two people, reset, the same two people again', () => {
      const tracker = create();
      const input = frames(10, (f) => [det(100 + 2 * f, 200), det(400, 200)]);
      tracker.update([], 0);
      const before = allIds(feed(tracker, input, 1));
      assert.equal(before.length, 2, `two ids before the reset, got ${before.join(',')}`);
      tracker.reset();
      tracker.update([], 11 * FRAME_MS);
      const after = allIds(feed(tracker, input, 12));
      assert.equal(after.length, 2, `two ids after the reset, got ${after.join(',')}`);
      assert.ok(Math.min(...after) > Math.max(...before), `ids ${after.join(',')} after ${before.join(',')}`);
    });
  });

  describe('9. determinism: the same input on fresh instances gives deep-equal output', () => {
    check(9, 'the counting scenario with seed 7', () => {
      const input = countingScenario(7);
      const first = run(input);
      assert.ok(first.some((tracks) => tracks.length > 0), 'the scenario gives some tracks');
      assert.deepEqual(run(input), first);
    });
  });

  describe('10. robustness: bad input is ignored without throwing', () => {
    const good = (f: number): Detection => det(300 + 2 * f, 300);
    const base = det(100, 100);
    const rows: ReadonlyArray<{ name: string; bad: Detection }> = [
      { name: 'NaN coordinate', bad: { ...base, boxXyxy: [NaN, 50, 120, 150] } },
      { name: 'Infinity coordinate', bad: { ...base, boxXyxy: [80, 50, Infinity, 150] } },
      { name: '-Infinity coordinate', bad: { ...base, boxXyxy: [80, -Infinity, 120, 150] } },
      { name: 'zero width', bad: { ...base, boxXyxy: [80, 50, 80, 150] } },
      { name: 'zero height', bad: { ...base, boxXyxy: [80, 50, 120, 50] } },
      { name: 'zero-size box on top of the real object', bad: { ...base, boxXyxy: [300, 300, 300, 300] } },
      { name: 'NaN score', bad: { ...base, score: NaN } },
      { name: 'NaN score on top of the real object', bad: { ...good(0), score: NaN } },
    ];
    for (const r of rows) {
      check(10, r.name, () => {
        const clean = frames(20, (f) => [good(f)]);
        const dirty = frames(20, (f) => [r.bad, good(f), r.bad]);
        assert.deepEqual(run(dirty), run(clean));
        assert.equal(allIds(run(clean)).length, 1, 'the real object is tracked');
      });
    }
    check(10, 'empty frames only', () => {
      assert.deepEqual(run(frames(20, () => [])), frames(20, () => []));
    });
    check(10, '200 detections in one frame', () => {
      // A 20 x 10 grid of people, 60 px apart horizontally and 120 px vertically, all walking 1 px/frame.
      const input = frames(6, (f) =>
        Array.from({ length: 200 }, (_, i) => det(40 + 60 * (i % 20) + f, 60 + 120 * Math.floor(i / 20))),
      );
      const out = run(input);
      for (let f = CONFIRMED_BY; f < input.length; f++) {
        assert.equal(out[f]!.length, 200, `frame ${f}: 200 tracks`);
        for (const t of out[f]!) assert.ok(matchedDetection(t, input[f]!), `frame ${f}: id ${t.id} on a detection`);
      }
      assert.equal(allIds(out.slice(CONFIRMED_BY)).length, 200);
    });
  });

  describe('11. counting: 5 people crossing the view with missed detections and false positives give 5 ids', () => {
    for (const seed of [1, 2, 3]) {
      check(11, `seed ${seed}`, () => {
        assert.equal(allIds(run(countingScenario(seed))).length, 5);
      });
    }
  });
}

for (const impl of TRACKERS) describe(impl.name, () => defineContract(impl));
