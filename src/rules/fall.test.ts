import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BoxXyxy, Keypoint, Track } from '../core/types.ts';
import { FallRule, type FallRuleSpec } from './fall.ts';
import { readPosture } from './posture.ts';
import type { RuleFrame, TrackPose } from './rule.ts';
import { frameAt, kinds, person, run, STEP_MS } from './test-frames.ts';
import { WHOLE_FRAME_ZONE } from './zones.ts';

const SPEC: FallRuleSpec = {
  id: 'fall', severity: 'warning', zone: WHOLE_FRAME_ZONE, labels: ['person'], anchor: 'bottom-center',
  downMs: 2000, dropMs: 1000, dropRatio: 0.4, getUpMs: 500, criticalAfterMs: 30_000, unseenEndMs: 600_000,
};
const rule = (over: Partial<FallRuleSpec> = {}) => new FallRule({ ...SPEC, ...over });

const STANDING: BoxXyxy = [450, 500, 550, 800]; // 100 x 300: upright
const LYING: BoxXyxy = [350, 700, 650, 800]; // 300 x 100: lying, top 200 px lower (0.67 of the body's length)
const SITTING: BoxXyxy = [450, 600, 570, 800]; // 120 x 200: upright, 100 px lower
/** From `a` to `b` in a straight line over `n` steps (the box at step i). */
const lerp = (a: BoxXyxy, b: BoxXyxy, i: number, n: number): BoxXyxy => a.map((v, k) => v + ((b[k]! - v) * Math.min(i, n)) / n) as unknown as BoxXyxy;
const at = (id: number, box: BoxXyxy, over: Partial<Track> = {}) => person(id, 0, 0, { boxXyxy: box, ...over });

/** Frames STEP_MS apart from 0: box of track 1 from `boxAt(i)` (null: not seen). */
function scene(count: number, boxAt: (i: number) => BoxXyxy | null, id: (i: number) => number = () => 1, poses?: (i: number) => TrackPose | undefined): RuleFrame[] {
  return Array.from({ length: count }, (_, i) => {
    const box = boxAt(i);
    const f = frameAt(i * STEP_MS, box ? [at(id(i), box)] : []);
    const p = poses?.(i);
    return p ? { ...f, poses: new Map([[id(i), p]]) } : f;
  });
}

describe('fall rule', () => {
  it('a fast fall to lying raises an event after the down time, starting when the drop began, and ends when the person gets up', () => {
    // Standing for 1 s, falls in 0.4 s, lies for 4 s, stands up.
    const hits = run(rule(), scene(80, (i) => (i < 10 ? STANDING : i < 14 ? lerp(STANDING, LYING, i - 10, 4) : i < 55 ? LYING : STANDING)));
    assert.deepEqual(kinds(hits).filter((k) => k !== 'update'), ['start', 'end']);
    const start = hits[0]!;
    assert.equal(start.frame.timeMs, 3300, 'raised 2 s after the person was first seen lying (1.3 s)');
    assert.ok(start.hit.startMs >= 900 && start.hit.startMs <= 1100, `starts when the drop began, got ${start.hit.startMs}`);
    assert.deepEqual(start.hit.attributes, { zoneId: 'all', posture: 'lying', downSeconds: 2, method: 'box', confirmed: true });
    const end = hits.at(-1)!;
    assert.equal(end.hit.endReason, 'cleared');
    assert.equal(end.frame.timeMs, 6000, 'ended once upright for 0.5 s');
  });

  it('sitting down, bending and lying down slowly raise nothing', () => {
    assert.deepEqual(run(rule(), scene(60, (i) => (i < 10 ? STANDING : lerp(STANDING, SITTING, i - 10, 3)))), [], 'sitting');
    const bend: BoxXyxy = [420, 650, 580, 800]; // 160 x 150: not upright, not lying, top 150 px lower
    assert.deepEqual(run(rule(), scene(60, (i) => (i < 10 || i > 20 ? STANDING : bend))), [], 'bending and back up');
    // From sitting on the floor to lying over 3 s: the top drops 100 px a second, a third of the body's length.
    const floor: BoxXyxy = [400, 500, 600, 800];
    assert.deepEqual(run(rule(), scene(80, (i) => (i < 10 ? floor : lerp(floor, LYING, i - 10, 30)))), [], 'slow lie-down');
  });

  it('the event stays open while the person is unseen on the floor, ends after unseenEndMs, and grows critical with time', () => {
    const frames = scene(400, (i) => (i < 10 ? STANDING : i < 13 ? lerp(STANDING, LYING, i - 10, 3) : i < 40 ? LYING : null));
    const hits = run(rule({ criticalAfterMs: 10_000, unseenEndMs: 30_000 }), frames);
    const start = hits.find((h) => h.hit.kind === 'start')!;
    assert.equal(start.hit.severity, 'warning');
    const critical = hits.find((h) => h.hit.severity === 'critical')!;
    assert.ok(critical.hit.kind === 'update' && critical.frame.timeMs >= 11_200 && critical.frame.timeMs <= 11_300, `critical after 10 s down, at ${critical.frame.timeMs}`);
    const end = hits.find((h) => h.hit.kind === 'end')!;
    assert.equal(end.hit.endReason, 'left');
    assert.ok(end.frame.timeMs > 3900 + 30_000, 'not before unseenEndMs');
    assert.equal(end.hit.endMs, 3900, 'ends at the last sighting');
  });

  it('a track lost in the fall hands its history to the one that appears in its place', () => {
    // Track 1 stands and starts to fall; the detector loses it for 0.3 s and track 7 is the person on the floor.
    const hits = run(rule(), scene(60, (i) => (i < 12 ? lerp(STANDING, LYING, i - 10, 4) : i < 15 ? null : LYING), (i) => (i < 12 ? 1 : 7)));
    const start = hits.find((h) => h.hit.kind === 'start');
    assert.ok(start, 'the fall is found across the id change');
    assert.equal(start.hit.subjects[0]!.trackId, 7);
  });

  it('a fall still within its down time when the video ends is a point event, confirmed false', () => {
    const r = rule();
    run(r, scene(20, (i) => (i < 10 ? STANDING : LYING)));
    const [hit] = r.flush(1900);
    assert.equal(hit?.kind, 'instant');
    assert.equal(hit?.attributes['confirmed'], false);
    assert.equal(hit?.startMs, hit?.endMs);
    assert.equal(hit?.attributes['downSeconds'], 0.9, 'down from 1.0 s to the last sighting at 1.9 s');
  });

  it('keypoints make the posture: a torso lying flat in a squarish box is lying (method pose)', () => {
    const kp = (x: number, y: number): Keypoint => ({ x, y, score: 0.9 });
    const flat: Keypoint[] = Array.from({ length: 17 }, () => ({ x: 0, y: 0, score: 0 }));
    flat[5] = kp(400, 740); flat[6] = kp(400, 760); flat[11] = kp(520, 745); flat[12] = kp(520, 765);
    assert.equal(readPosture([380, 700, 580, 800], flat).posture, 'lying'); // aspect 2 anyway
    assert.equal(readPosture([400, 660, 560, 800], flat).posture, 'lying'); // aspect 1.14, torso horizontal
    assert.equal(readPosture([400, 660, 560, 800], null).posture, 'unknown');
    const squarish: BoxXyxy = [400, 660, 560, 800];
    const hits = run(rule(), scene(50, (i) => (i < 10 ? STANDING : squarish), () => 1, (i) => (i < 10 ? undefined : { boxXyxy: squarish, keypoints: flat, score: 0.9 })));
    const start = hits.find((h) => h.hit.kind === 'start')!;
    assert.equal(start.hit.attributes['method'], 'pose');
    assert.equal(start.hit.attributes['posture'], 'lying');
  });
});
