import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addActivityInstant, segmentVerdict, type ActivityWindow } from './recording-policy.ts';
import { planRetention, type RetentionLimits, type SegmentInfo } from './retention.ts';

const MB = 1024 * 1024;
/** Segments of 10 s and 1 MB each, camera `a` from t=0 and camera `b` from t=5 s. */
const seg = (cameraId: string, i: number): SegmentInfo => {
  const startMs = i * 10_000 + (cameraId === 'b' ? 5000 : 0);
  return { cameraId, startMs, endMs: startMs + 10_000, bytes: MB, path: `${cameraId}/${i}` };
};
const segments = [...[0, 1, 2, 3, 4].map((i) => seg('a', i)), ...[0, 1, 2].map((i) => seg('b', i))];
const none: RetentionLimits = {
  nowMs: 60_000, maxAgeMs: () => 0, maxCameraBytes: () => 0, maxTotalBytes: 0, freeBytes: null, minFreeBytes: 0, isProtected: () => false,
};
const paths = (plan: ReturnType<typeof planRetention>) => plan.deletions.map((d) => `${d.segment.path}:${d.reason}`);

test('no limits: nothing goes', () => {
  assert.deepEqual(planRetention(segments, none), { deletions: [], warnings: [] });
});

test('by age: segments that ended more than maxAge ago, per camera', () => {
  const plan = planRetention(segments, { ...none, maxAgeMs: (c) => (c === 'a' ? 35_000 : 0) });
  assert.deepEqual(paths(plan), ['a/0:age', 'a/1:age']);
});

test('by size per camera and in total: oldest first', () => {
  assert.deepEqual(paths(planRetention(segments, { ...none, maxCameraBytes: (c) => (c === 'a' ? 3 * MB : 0) })), ['a/0:camera-size', 'a/1:camera-size']);
  // 8 MB in all, 5 allowed: the three oldest across cameras (a/0 at 0 s, b/0 at 5 s, a/1 at 10 s).
  assert.deepEqual(paths(planRetention(segments, { ...none, maxTotalBytes: 5 * MB })), ['a/0:total-size', 'b/0:total-size', 'a/1:total-size']);
});

test('a protected segment (an event marked keep) is skipped and the next oldest goes instead', () => {
  const plan = planRetention(segments, { ...none, maxTotalBytes: 5 * MB, isProtected: (s) => s.path === 'a/0' });
  assert.deepEqual(paths(plan), ['b/0:total-size', 'a/1:total-size', 'b/1:total-size']);
  const all = planRetention(segments, { ...none, maxTotalBytes: MB, isProtected: () => true });
  assert.deepEqual(all.deletions, []);
  assert.match(all.warnings[0]!, /over the 1\.0 MB total limit, because the rest belongs to events marked "keep"/);
});

test('below the free-space floor the oldest go until the floor is reached, with a warning', () => {
  const plan = planRetention(segments, { ...none, freeBytes: 2.5 * MB, minFreeBytes: 5 * MB });
  assert.deepEqual(paths(plan), ['a/0:free-space', 'b/0:free-space', 'a/1:free-space']);
  assert.match(plan.warnings[0]!, /free disk space 2\.5 MB is below the 5\.0 MB floor: deleting the 3 oldest/);
  // Deletions planned for other reasons count as freed: 3 MB by age lift 2.5 MB over the floor, so nothing more goes.
  assert.deepEqual(paths(planRetention(segments, { ...none, maxAgeMs: () => 35_000, freeBytes: 2.5 * MB, minFreeBytes: 5 * MB })), [
    'a/0:age', 'b/0:age', 'a/1:age',
  ]);
  const stuck = planRetention(segments, { ...none, freeBytes: 0, minFreeBytes: 100 * MB });
  assert.equal(stuck.deletions.length, segments.length);
  assert.match(stuck.warnings[0]!, /does not reach it/);
});

test('segment verdicts per mode, with pre- and post-roll', () => {
  const roll = { preMs: 5000, postMs: 5000 };
  const s = { startMs: 100_000, endMs: 110_000 };
  assert.equal(segmentVerdict('continuous', s, [], roll, 0), 'keep');
  assert.equal(segmentVerdict('events', s, [], roll, 112_000), 'wait', 'an event may still start within the pre-roll');
  assert.equal(segmentVerdict('events', s, [], roll, 115_000), 'delete');
  assert.equal(segmentVerdict('events', s, [{ startMs: 114_000, endMs: 120_000 }], roll, 130_000), 'keep', 'pre-roll reaches back');
  assert.equal(segmentVerdict('events', s, [{ startMs: 90_000, endMs: 96_000 }], roll, 130_000), 'keep', 'post-roll reaches forward');
  assert.equal(segmentVerdict('events', s, [{ startMs: 80_000, endMs: 90_000 }], roll, 130_000), 'delete');
  assert.equal(segmentVerdict('motion', s, [{ startMs: 50_000, endMs: null }], roll, 130_000), 'keep', 'open activity');
});

test('motion instants merge into windows', () => {
  const w: ActivityWindow[] = [];
  for (const t of [0, 1000, 2500, 9000, 9500]) addActivityInstant(w, t, 2000);
  assert.deepEqual(w, [{ startMs: 0, endMs: 2500 }, { startMs: 9000, endMs: 9500 }]);
});
