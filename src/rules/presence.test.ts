/** The presence rule: an object of a listed class in a zone, with minimum duration, end delay and cooldown. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PresenceRule } from './presence.ts';
import { frameAt, kinds, person, run } from './test-frames.ts';
import { WHOLE_FRAME_ZONE } from './zones.ts';

const make = (over: Partial<{ minDurationMs: number; endAfterMs: number; cooldownMs: number; labels: string[] }> = {}) =>
  new PresenceRule({ id: 'all', severity: 'info', zone: WHOLE_FRAME_ZONE, labels: ['person'], anchor: 'bottom-center', minDurationMs: 400, endAfterMs: 1000, cooldownMs: 5000, ...over });
const seen = (t: number, score = 0.6, id = 1) => frameAt(t, [person(id, 300, 300, { score })]);
const empty = (t: number) => frameAt(t, []);

test('an event starts only after minDurationMs in the zone, dated from the first sighting, with a snapshot', () => {
  const hits = run(make(), [seen(0), seen(200), seen(400)]);
  assert.deepEqual(kinds(hits), ['start']);
  assert.equal(hits[0]!.hit.startMs, 0);
  assert.ok(hits[0]!.hit.snapshot);
  assert.deepEqual(hits[0]!.hit.attributes, { zoneId: 'all' });
});

test('a one-frame blip raises no event', () => {
  const rule = make();
  assert.deepEqual(run(rule, [seen(0), empty(2000)]), []);
  assert.equal(rule.openEpisodes, 0);
});

test('a clearly better observation updates the event and asks for a snapshot, at most once a second; a marginal one does not', () => {
  const hits = run(make({ minDurationMs: 0 }), [seen(0, 0.6), seen(500, 0.9), seen(1100, 0.62), seen(1200, 0.8), seen(1300, 0.95)]);
  assert.deepEqual(kinds(hits), ['start', 'update']);
  assert.equal(hits[1]!.frame.timeMs, 1200, 'not at 0.5 s (within a second of the last snapshot), not for the marginal 0.62');
  assert.equal(hits[1]!.hit.subjects[0]!.score, 0.8);
  assert.ok(hits[1]!.hit.snapshot);
});

test('an unchanged event is updated every 5 s (its last sighting is stored for crash recovery), without a snapshot', () => {
  const hits = run(make({ minDurationMs: 0 }), Array.from({ length: 61 }, (_, i) => seen(i * 200)));
  assert.deepEqual(kinds(hits), ['start', 'update', 'update']);
  assert.deepEqual(hits.map((h) => h.hit.lastSeenMs), [0, 5000, 10_000]);
  assert.ok(!hits[1]!.hit.snapshot);
});

test('the event ends endAfterMs after the last sighting, ended at that sighting, reason left', () => {
  const hits = run(make(), [seen(0), seen(500), empty(1400), empty(1600)]);
  assert.deepEqual(kinds(hits), ['start', 'end']);
  assert.equal(hits[1]!.hit.endMs, 500);
  assert.equal(hits[1]!.hit.endReason, 'left');
});

test('short gaps do not split an event', () => {
  assert.deepEqual(kinds(run(make(), [seen(0), empty(300), empty(600), seen(900), seen(1200)])), ['start']);
});

test('after an end, the same track starts nothing during the cooldown; another track is not held back', () => {
  const rule = make();
  run(rule, [seen(0), seen(500)]);
  assert.deepEqual(kinds(run(rule, [empty(1600)])), ['end']);
  assert.deepEqual(run(rule, [seen(3000), seen(3500)]), []);
  assert.deepEqual(kinds(run(rule, [seen(6700), seen(7200)])), ['start']);
  assert.deepEqual(kinds(run(rule, [frameAt(7300, [person(2, 300, 300)]), frameAt(7800, [person(2, 300, 300)])])), ['start']);
});

test('only the listed labels, and only inside the zone', () => {
  const rule = new PresenceRule({ id: 'left', severity: 'info', zone: { id: 'left', polygonNorm: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]] }, labels: ['person'], anchor: 'bottom-center', minDurationMs: 0, endAfterMs: 1000, cooldownMs: 0 });
  assert.deepEqual(run(rule, [frameAt(0, [person(1, 800, 300), person(2, 300, 300, { label: 'dog' })])]), []);
  assert.equal(run(rule, [frameAt(100, [person(3, 300, 300)])]).length, 1);
});
