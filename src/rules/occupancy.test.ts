/** The occupancy rule: too many (or too few) objects in a zone for long enough. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OccupancyRule } from './occupancy.ts';
import { frames, kinds, person, run } from './test-frames.ts';

const room = { id: 'room', polygonNorm: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]] as [number, number][] };
const make = (limits: { max?: number; min?: number }, minDurationMs = 1000, endAfterMs = 500, holdMs = 300) =>
  new OccupancyRule({ id: 'crowd', severity: 'warning', zone: room, labels: ['person'], anchor: 'bottom-center', max: limits.max ?? null, min: limits.min ?? null, minDurationMs, endAfterMs, holdMs });
const people = (n: number, x = 300) => Array.from({ length: n }, (_, k) => person(k + 1, x, 100 + k * 80));

test('more than max for the minimum time starts an event with the count; a dip shorter than that does not', () => {
  const hits = run(make({ max: 2 }), frames(20, () => people(3)));
  assert.deepEqual(kinds(hits), ['start']);
  assert.deepEqual(hits[0]!.hit.attributes, { zoneId: 'room', count: 3, condition: 'above', threshold: 2 });
  assert.equal(hits[0]!.hit.subjects.length, 3);
  // 0.5 s of three people (held 0.3 s more after the third is gone) is shorter than the 1 s needed.
  assert.deepEqual(run(make({ max: 2 }), frames(20, (i) => people(i < 5 ? 3 : 2))), []);
});

test('the count changes are updates; a new maximum brings a snapshot (at most one a second)', () => {
  const hits = run(make({ max: 1 }), frames(40, (i) => people(i < 15 ? 2 : i < 25 ? 4 : 3)));
  assert.deepEqual(hits.map((h) => [h.frame.timeMs, h.hit.kind, h.hit.attributes['count'], h.hit.snapshot]), [
    [1000, 'start', 2, true],
    [1500, 'update', 4, false],
    [2000, 'update', 4, true],
    [2800, 'update', 3, false], // the fourth person leaves at 2.5 s and is held 0.3 s
  ]);
});

test('the event clears once the count has been within the limit for endAfterMs, reason cleared', () => {
  // The last frame with three people is at 1.9 s; they still count for the 0.3 s hold, so the condition last held at 2.2 s.
  const hits = run(make({ max: 1 }), frames(40, (i) => people(i < 20 ? 3 : 1)));
  const end = hits.at(-1)!;
  assert.equal(end.hit.kind, 'end');
  assert.equal(end.hit.endReason, 'cleared');
  assert.equal(end.hit.endMs, 2200);
  assert.equal(end.frame.timeMs, 2800, 'ended once it had not held for 0.5 s');
});

test('below min: nobody at the desk', () => {
  const hits = run(make({ min: 1 }), frames(20, (i) => (i < 5 ? people(1) : [])));
  assert.deepEqual(kinds(hits), ['start']);
  assert.deepEqual(hits[0]!.hit.attributes, { zoneId: 'room', count: 0, condition: 'below', threshold: 1 });
});

test('a person missed by the detector for a moment still counts (hold), someone who left does not', () => {
  // Three people, one of them missed in every other frame: the count stays 3.
  const flicker = run(make({ max: 2 }), frames(20, (i) => people(3).filter((t) => t.id !== 3 || i % 2 === 0)));
  assert.deepEqual(kinds(flicker), ['start']);
  // One walks out of the zone: counted at once where seen outside.
  const left = run(make({ max: 2 }, 0), frames(10, (i) => [...people(2), person(3, i < 3 ? 300 : 800, 500)]));
  assert.deepEqual(kinds(left), ['start', 'end']);
});

test('only listed labels and only inside count', () => {
  assert.deepEqual(run(make({ max: 1 }, 0), frames(5, () => [...people(1), person(9, 800, 500), person(8, 300, 900, { label: 'dog' })])), []);
});
