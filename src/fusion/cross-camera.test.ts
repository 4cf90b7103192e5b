import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gaussian, mulberry32 } from '../core/random.ts';
import type { Point } from '../core/types.ts';
import { CrossCameraFusion, type FusionObservation } from './cross-camera.ts';
import { TrackHistory, coPresence } from './track-history.ts';

/** People walking straight lines on a 20 x 10 m plan; camera A sees x < 12, camera B x > 8 (overlap 8..12). */
interface Walker { readonly id: number; readonly start: Point; readonly velocityMps: Point }

function positionAt(w: Walker, timeMs: number): Point {
  return [w.start[0] + (w.velocityMps[0] * timeMs) / 1000, w.start[1] + (w.velocityMps[1] * timeMs) / 1000];
}

/** Runs a scene: each camera's track id is the walker's id plus a camera offset (perfect per-camera tracking). */
function run(walkers: readonly Walker[], o: { frames: number; fps: number; noiseM: number; seed: number; skipB?: (f: number) => boolean }) {
  const fusion = new CrossCameraFusion();
  const rand = mulberry32(o.seed);
  const idsOf = new Map<number, Set<number>>();
  const frames = [];
  for (let f = 0; f < o.frames; f++) {
    const timeMs = (f * 1000) / o.fps;
    const obs: FusionObservation[] = [];
    const truth: number[] = [];
    for (const w of walkers) {
      const p = positionAt(w, timeMs);
      const noisy = (): Point => [p[0] + o.noiseM * gaussian(rand), p[1] + o.noiseM * gaussian(rand)];
      if (p[0] < 12) { obs.push({ cameraId: 'A', trackId: w.id, positionM: noisy(), uncertaintyM: 0.15 }); truth.push(w.id); }
      if (p[0] > 8 && !(o.skipB?.(f) ?? false)) { obs.push({ cameraId: 'B', trackId: 100 + w.id, positionM: noisy(), uncertaintyM: 0.15 }); truth.push(w.id); }
    }
    const out = fusion.update(timeMs, obs);
    out.globalIds.forEach((g, i) => {
      const set = idsOf.get(truth[i]!) ?? new Set();
      set.add(g);
      idsOf.set(truth[i]!, set);
    });
    frames.push({ timeMs, out, truth });
  }
  return { fusion, idsOf, frames };
}

describe('cross-camera fusion', () => {
  test('people walking through an overlap keep one global id each, and one person in both views is counted once', () => {
    const walkers: Walker[] = [
      { id: 1, start: [2, 2], velocityMps: [1.4, 0] },
      { id: 2, start: [18, 4], velocityMps: [-1.2, 0.1] },
      { id: 3, start: [3, 6], velocityMps: [1.3, 0.2] },
      { id: 4, start: [17, 8], velocityMps: [-1.4, -0.1] },
    ];
    const { idsOf, frames } = run(walkers, { frames: 15 * 10, fps: 15, noiseM: 0.08, seed: 1 });
    for (const [id, globals] of idsOf) assert.equal(globals.size, 1, `walker ${id} got global ids ${[...globals].join(', ')}`);
    const allGlobals = new Set([...idsOf.values()].map((s) => [...s][0]));
    assert.equal(allGlobals.size, 4, 'four walkers, four global ids');
    // Whenever someone is in the overlap, people present = walkers, not observations.
    for (const f of frames.slice(5)) assert.equal(f.out.people.length, new Set(f.truth).size, `at ${f.timeMs} ms`);
  });

  test('two people crossing in the overlap are not swapped (the assignment is global, over a window)', () => {
    const walkers: Walker[] = [
      { id: 1, start: [6, 4], velocityMps: [1, 0.3] },
      { id: 2, start: [6, 6], velocityMps: [1, -0.3] },
    ];
    const { idsOf } = run(walkers, { frames: 15 * 6, fps: 15, noiseM: 0.05, seed: 2 });
    assert.equal(idsOf.get(1)!.size, 1);
    assert.equal(idsOf.get(2)!.size, 1);
    assert.notDeepEqual([...idsOf.get(1)!], [...idsOf.get(2)!]);
  });

  test('every link records its evidence: distance over a number of moments', () => {
    const { frames } = run([{ id: 1, start: [7, 5], velocityMps: [1.4, 0] }], { frames: 30, fps: 15, noiseM: 0.05, seed: 3 });
    const joins = frames.flatMap((f) => f.out.changes).filter((c) => c.kind === 'joined');
    assert.equal(joins.length, 1);
    assert.ok(joins[0]!.evidence.distanceM! < 0.5 && joins[0]!.evidence.samples! >= 1, JSON.stringify(joins[0]));
  });

  test('a track that drifts away from its partner is split off once the window disagrees', () => {
    const fusion = new CrossCameraFusion();
    const kinds: string[] = [];
    let last: readonly number[] = [];
    for (let f = 0; f < 60; f++) {
      const t = f * 66;
      // Camera B's track follows A's person for a second, then (an id switch in camera B) stands 3 m away.
      const b: Point = f < 15 ? [10, 5] : [10, 8];
      const out = fusion.update(t, [
        { cameraId: 'A', trackId: 1, positionM: [10, 5], uncertaintyM: 0.1 },
        { cameraId: 'B', trackId: 7, positionM: b, uncertaintyM: 0.1 },
      ]);
      kinds.push(...out.changes.map((c) => c.kind));
      last = out.globalIds;
    }
    assert.deepEqual(kinds.slice(0, 2), ['joined', 'split']);
    assert.notEqual(last[0], last[1]);
  });

  test('two tracks of one camera are never one person, however close', () => {
    const fusion = new CrossCameraFusion();
    let out;
    for (let f = 0; f < 20; f++) {
      out = fusion.update(f * 66, [
        { cameraId: 'A', trackId: 1, positionM: [5, 5], uncertaintyM: 0.2 },
        { cameraId: 'A', trackId: 2, positionM: [5.1, 5], uncertaintyM: 0.2 },
        { cameraId: 'B', trackId: 9, positionM: [5.05, 5], uncertaintyM: 0.2 },
      ]);
    }
    assert.notEqual(out!.globalIds[0], out!.globalIds[1]);
    assert.equal(out!.people.length, 2);
  });

  test('a person leaving one camera and entering another through a configured passage is recognised by appearance', () => {
    const fusion = new CrossCameraFusion({ transitions: [{ fromCamera: 'lobby', toCamera: 'yard', minGapMs: 2000, maxGapMs: 20000 }] });
    const alice = Float32Array.from({ length: 8 }, (_, i) => (i === 0 ? 1 : 0.1));
    const bob = Float32Array.from({ length: 8 }, (_, i) => (i === 4 ? 1 : 0.1));
    let aliceId = 0, bobId = 0;
    for (let f = 0; f < 10; f++) {
      const out = fusion.update(f * 100, [
        { cameraId: 'lobby', trackId: 1, positionM: [1, 1], uncertaintyM: 0.2, embedding: alice },
        { cameraId: 'lobby', trackId: 2, positionM: [3, 1], uncertaintyM: 0.2, embedding: bob },
      ]);
      [aliceId, bobId] = out.globalIds as [number, number];
    }
    // Five seconds later both appear in the yard, 40 m away, in the other order.
    let yard: readonly number[] = [];
    const changes = [];
    for (let f = 0; f < 5; f++) {
      const out = fusion.update(6000 + f * 100, [
        { cameraId: 'yard', trackId: 5, positionM: [40, 1], uncertaintyM: 0.2, embedding: bob },
        { cameraId: 'yard', trackId: 6, positionM: [42, 1], uncertaintyM: 0.2, embedding: alice },
      ]);
      yard = out.globalIds;
      changes.push(...out.changes);
    }
    assert.deepEqual(yard, [bobId, aliceId]);
    const reentry = changes.find((c) => c.kind === 'reentered')!;
    assert.ok(reentry.evidence.gapMs! >= 5000 && reentry.evidence.similarity! > 0.9, JSON.stringify(reentry));
  });

  test('without a passage or appearance, a person far away after a long gap is someone new', () => {
    const fusion = new CrossCameraFusion();
    const first = fusion.update(0, [{ cameraId: 'A', trackId: 1, positionM: [1, 1], uncertaintyM: 0.2 }]).globalIds[0];
    const later = fusion.update(5000, [{ cameraId: 'B', trackId: 1, positionM: [30, 1], uncertaintyM: 0.2 }]).globalIds[0];
    assert.notEqual(first, later);
  });

  test('a person missed for a moment stays present for the hold, then is not counted', () => {
    const fusion = new CrossCameraFusion({ presenceHoldMs: 250 });
    fusion.update(0, [{ cameraId: 'A', trackId: 1, positionM: [1, 1], uncertaintyM: 0.2 }]);
    assert.equal(fusion.update(200, [], ['A']).people.length, 1);
    assert.equal(fusion.update(300, [], ['A']).people.length, 0);
  });

  test('each camera\'s tracks are judged by its own clock: a camera whose frames arrive later does not lose its people', () => {
    const fusion = new CrossCameraFusion({ presenceHoldMs: 250, liveMs: 300 });
    // Camera B's frames reach the site 400 ms after camera A's of the same moment.
    for (let t = 0; t <= 2000; t += 100) {
      fusion.update(t, [{ cameraId: 'A', trackId: 1, positionM: [1, 1], uncertaintyM: 0.1 }], ['A']);
      const out = fusion.update(t - 400, [{ cameraId: 'B', trackId: 7, positionM: [9, 9], uncertaintyM: 0.1 }], ['B']);
      if (t >= 1000) assert.equal(out.people.length, 2, `after B at ${t}`);
      if (t >= 1000) assert.equal(fusion.update(t + 50, [], ['A']).people.length, 2, `after A at ${t + 50}`);
    }
    // B stops sending: after the skew allowance its person is gone.
    for (let t = 2100; t <= 3700; t += 100) fusion.update(t, [{ cameraId: 'A', trackId: 1, positionM: [1, 1], uncertaintyM: 0.1 }], ['A']);
    assert.equal(fusion.update(3750, [], ['A']).people.length, 1);
  });

  test('bad options are refused with the option named', () => {
    assert.throws(() => new CrossCameraFusion({ windowMs: 0 }), /fusion\.windowMs must be a positive number, got 0/);
    assert.throws(() => new CrossCameraFusion({ transitions: [{ fromCamera: 'a', toCamera: 'b', minGapMs: 5, maxGapMs: 1 }] }), /a -> b: expected 0 <= minGapMs <= maxGapMs, got 5\.\.1/);
  });
});

describe('track history', () => {
  test('positions between samples are interpolated, and unsynchronised tracks compare at the same moments', () => {
    const a = new TrackHistory(1000);
    const b = new TrackHistory(1000);
    for (let t = 0; t <= 900; t += 100) a.add(t, [t / 1000, 0]);
    for (let t = 50; t <= 950; t += 100) b.add(t, [t / 1000, 0.3]);
    assert.deepEqual(b.at(100, 60)!.map((v) => Math.round(v * 1000) / 1000), [0.1, 0.3]);
    // a's first sample (0 ms) is 50 ms before b's first: outside a 40 ms tolerance, so 9 moments, all interpolated.
    const cp = coPresence(a, b, 40)!;
    assert.ok(Math.abs(cp.meanDistanceM - 0.3) < 1e-9, String(cp.meanDistanceM));
    assert.equal(cp.samples, 9);
    assert.equal(a.at(2000, 100), undefined);
  });
});

describe('appearance gating', () => {
  test('a new track is asked for a few crops, spaced out; then only when several people are in reach', () => {
    const fusion = new CrossCameraFusion({ appearanceCrops: 2, appearanceIntervalMs: 500, ambiguousIntervalMs: 1000 });
    const asked: number[] = [];
    const e = Float32Array.from([1, 0, 0, 0]);
    for (let t = 0; t <= 3000; t += 100) {
      fusion.update(t, [{ cameraId: 'A', trackId: 1, positionM: [1, 1], uncertaintyM: 0.1 }]);
      if (fusion.wantsAppearance('A', 1, t)) {
        asked.push(t);
        fusion.addAppearance('A', 1, e);
      }
    }
    assert.deepEqual(asked, [0, 500], 'two crops, 500 ms apart, then none while nobody else is near');
    // Two people stand either side of a new track of camera B: ambiguous, so it is asked again at most once a second.
    const ambiguous: number[] = [];
    for (let t = 3100; t <= 6000; t += 100) {
      fusion.update(t, [
        { cameraId: 'A', trackId: 1, positionM: [1, 1], uncertaintyM: 0.1 },
        { cameraId: 'A', trackId: 2, positionM: [1.3, 1], uncertaintyM: 0.1 },
        { cameraId: 'B', trackId: 9, positionM: [1.15, 1], uncertaintyM: 0.1 },
      ]);
      if (fusion.wantsAppearance('B', 9, t)) {
        ambiguous.push(t);
        fusion.addAppearance('B', 9, e);
      }
    }
    assert.ok(ambiguous.length >= 3, `new track crops and ambiguity: ${ambiguous.join(', ')}`);
    for (let i = 1; i < ambiguous.length; i++) assert.ok(ambiguous[i]! - ambiguous[i - 1]! >= 500, ambiguous.join(', '));
    assert.equal(fusion.wantsAppearance('C', 1, 6000), false, 'an unknown track is never asked for');
  });
});
