import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ZoneHit } from '../rules/zones.ts';
import { EventLifecycle } from './event-lifecycle.ts';

const hit = (trackId: number, score = 0.6, zoneId = 'all'): ZoneHit => ({ trackId, zoneId, label: 'person', score, boxXyxy: [0, 0, 10, 20] });
const make = (opts: Partial<{ minDurationMs: number; endAfterMs: number; cooldownMs: number }> = {}) => {
  let n = 0;
  return new EventLifecycle('cam', { minDurationMs: 400, endAfterMs: 1000, cooldownMs: 5000, ...opts }, () => `e${++n}`);
};
const kinds = (cs: { kind: string }[]) => cs.map((c) => c.kind);

test('an event starts only after minDurationMs in the zone, dated from the first sighting', () => {
  const lc = make();
  assert.deepEqual(lc.update([hit(1)], 0), []);
  assert.deepEqual(lc.update([hit(1)], 200), []);
  const started = lc.update([hit(1)], 400);
  assert.deepEqual(kinds(started), ['start']);
  assert.equal(started[0]!.event.startMs, 0);
  assert.equal(started[0]!.snapshot, true);
});

test('a one-frame blip raises no event', () => {
  const lc = make();
  lc.update([hit(1)], 0);
  assert.deepEqual(lc.update([], 2000), []);
  assert.equal(lc.openEvents, 0);
});

test('a clearly better observation updates the event and asks for a snapshot; a marginal one does not', () => {
  const lc = make({ minDurationMs: 0 });
  lc.update([hit(1, 0.6)], 0);
  assert.deepEqual(lc.update([hit(1, 0.62)], 100), []);
  const up = lc.update([hit(1, 0.8)], 200);
  assert.deepEqual(kinds(up), ['update']);
  assert.equal(up[0]!.event.bestScore, 0.8);
  assert.equal(up[0]!.event.bestTimeMs, 200);
});

test('an event ends endAfterMs after the last sighting, with endMs at that sighting, and keeps its snapshot', () => {
  const lc = make({ minDurationMs: 0 });
  const [start] = lc.update([hit(1)], 0);
  lc.setSnapshot(start!.event.id, 'snapshots/cam/x.jpg');
  lc.update([hit(1)], 500);
  assert.deepEqual(lc.update([], 1400), []);
  const end = lc.update([], 1600);
  assert.deepEqual(kinds(end), ['end']);
  assert.equal(end[0]!.event.endMs, 500);
  assert.equal(end[0]!.event.snapshotPath, 'snapshots/cam/x.jpg');
});

test('flicker shorter than endAfterMs keeps one event', () => {
  const lc = make({ minDurationMs: 0 });
  const all = [...lc.update([hit(1)], 0), ...lc.update([], 300), ...lc.update([], 600), ...lc.update([hit(1)], 900), ...lc.update([hit(1)], 1200)];
  assert.deepEqual(kinds(all), ['start']);
});

test('cooldown: the same track in the same zone starts no new event until cooldownMs after the end', () => {
  const lc = make({ minDurationMs: 0, cooldownMs: 5000 });
  lc.update([hit(1)], 0);
  assert.deepEqual(kinds(lc.update([], 1100)), ['end']);
  assert.deepEqual(lc.update([hit(1)], 3000), []);
  assert.deepEqual(kinds(lc.update([hit(1)], 6200)), ['start']);
  assert.deepEqual(kinds(lc.update([hit(2)], 6300)), ['start'], 'another track is not held back');
});

test('flush ends every open event', () => {
  const lc = make({ minDurationMs: 0 });
  lc.update([hit(1), hit(2, 0.7, 'door')], 0);
  assert.deepEqual(kinds(lc.flush(100)), ['end', 'end']);
  assert.equal(lc.openEvents, 0);
});
