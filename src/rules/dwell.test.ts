/** The dwell rule: an object staying in a zone for at least N seconds, short absences tolerated. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DwellRule } from './dwell.ts';
import { frameAt, frames, kinds, person, run } from './test-frames.ts';

const entrance = { id: 'entrance', polygonNorm: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]] as [number, number][] };
const make = (minDwellMs = 3000, toleranceMs = 1000) =>
  new DwellRule({ id: 'loiter', severity: 'warning', zone: entrance, labels: ['person'], anchor: 'bottom-center', minDwellMs, toleranceMs });
const inside = (i: number) => [person(1, 300, 500)];

test('no event before the dwell time; at it, an event dated from the arrival with the dwell so far', () => {
  const hits = run(make(3000), frames(30, inside));
  assert.deepEqual(kinds(hits), []);
  const more = run(make(3000), frames(32, inside));
  assert.deepEqual(kinds(more), ['start']);
  assert.equal(more[0]!.hit.startMs, 0);
  assert.deepEqual(more[0]!.hit.attributes, { zoneId: 'entrance', dwellSeconds: 3 });
});

test('the event is updated while it lasts, every second and then every tenth of the time so far', () => {
  const hits = run(make(1000), frames(300, inside)); // 30 s
  const seconds = hits.map((h) => h.hit.attributes['dwellSeconds']);
  assert.deepEqual(seconds, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12.1, 13.4, 14.8, 16.3, 18, 19.8, 21.8, 24, 26.4, 29.1]);
  assert.ok(hits.slice(1).every((h) => h.hit.kind === 'update'));
});

test('a short absence (occlusion) does not interrupt the stay; a long one ends it with the final dwell', () => {
  const withGap = frames(60, (i) => (i >= 25 && i < 32 ? [] : inside(i))); // 0.7 s gap, tolerance 1 s
  const hits = run(make(3000), withGap);
  assert.deepEqual(kinds(hits).slice(0, 1), ['start']);
  assert.equal(hits[0]!.hit.startMs, 0, 'the stay is counted from the first arrival');
  const gone = run(make(3000), [...frames(50, inside), ...frames(20, () => [], 5000)]);
  const end = gone.find((h) => h.hit.kind === 'end')!;
  assert.equal(end.hit.endMs, 4900);
  assert.equal(end.hit.attributes['dwellSeconds'], 4.9);
});

test('leaving the zone and coming back starts a new stay from zero', () => {
  const input = [...frames(20, inside), ...frames(20, () => [person(1, 800, 500)], 2000), ...frames(35, inside, 4000)];
  const hits = run(make(3000), input);
  assert.deepEqual(kinds(hits), ['start']);
  assert.equal(hits[0]!.hit.startMs, 4000);
});

test('each person dwells on their own', () => {
  const hits = run(make(1000), frames(20, (i) => [person(1, 300, 500), ...(i >= 5 ? [person(2, 200, 500)] : [])]));
  assert.deepEqual(hits.filter((h) => h.hit.kind === 'start').map((h) => [h.hit.key, h.hit.startMs]), [['1', 0], ['2', 500]]);
  assert.deepEqual(run(make(1000), [frameAt(0, [person(3, 800, 500)]), frameAt(5000, [person(3, 800, 500)])]), []);
});
