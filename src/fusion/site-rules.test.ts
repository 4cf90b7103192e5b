import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SiteRuleConfig } from '../config/site-rules-schema.ts';
import { buildSiteMap } from '../mapping/site-map.ts';
import { SiteRules, type CameraSighting, type PlanPerson } from './site-rules.ts';

// A 10 x 10 m plan; cameras a and b calibrated to it (any exact fit will do: the rules read plan positions only).
const pairs = [[0, 0], [1, 0], [1, 1], [0, 1]].map(([u, v]) => ({ imageNorm: [u, v] as [number, number], planM: [u! * 10, v! * 10] as [number, number] }));
const site = {
  plans: [{ id: 'floor', widthPx: 1000, heightPx: 1000, metresPerPixel: 0.01 }, { id: 'attic', widthPx: 100, heightPx: 100, metresPerPixel: 0.1 }],
  areas: [{ id: 'room', plan: 'floor', polygonM: [[0, 0], [5, 0], [5, 10], [0, 10]] as [number, number][] }, { id: 'loft', plan: 'attic', polygonM: [[0, 0], [5, 0], [5, 5]] as [number, number][] }],
  lines: [{ id: 'door', plan: 'floor', pointsM: [[5, 0], [5, 10]] as [number, number][], in: 'right' as const }],
};
const map = buildSiteMap(site, [{ id: 'a', calibration: { plan: 'floor', pointPairs: pairs } }, { id: 'b', calibration: { plan: 'floor', pointPairs: pairs } }]);
let n = 0;
const newId = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

/** A camera's view of a person: track id 10 + global id on camera a, 20 + global id on b, box height `h` px. */
const seenBy = (cameraId: string, globalId: number, timeMs: number, h: number): CameraSighting => ({
  cameraId, trackId: (cameraId === 'a' ? 10 : 20) + globalId, label: 'person', score: 0.9, boxXyxy: [100, 300 - h, 140, 300], timeMs,
});

describe('SiteRules: rules on the floor plan over people joined across cameras', () => {
  test('occupancy counts distinct people: one person seen by two cameras is one, two people are two', () => {
    const rules: SiteRuleConfig[] = [{ type: 'occupancy', id: 'crowd', area: 'room', severity: 'warning', max: 1, seconds: 2, clearSeconds: 1, holdSeconds: 0 }];
    const r = new SiteRules(rules, map, newId);
    const changes = [];
    // 0-4 s: person 1 in the room, seen by both cameras; 4-8 s: person 2 joins.
    for (let t = 0; t <= 8000; t += 200) {
      const people: PlanPerson[] = [{ globalId: 1, plan: 'floor', positionM: [2, 2] }, ...(t >= 4000 ? [{ globalId: 2, plan: 'floor', positionM: [3, 8] } as const] : [])];
      changes.push(...r.evaluate(t, people, (g) => (g === 1 ? [seenBy('a', 1, t, 80), seenBy('b', 1, t, 120)] : [seenBy('a', 2, t, 60)])));
    }
    const starts = changes.filter((c) => c.kind === 'start');
    assert.equal(starts.length, 1, 'one event, once two people stood there for 2 s');
    const e = starts[0]!.event;
    assert.equal(e.startMs, 4000);
    assert.deepEqual(e.attributes, { zoneId: 'room', count: 2, condition: 'above', threshold: 1, planId: 'floor' });
    // The first subject's camera is the event's: person 1 is seen best (tallest box) by b.
    assert.equal(e.cameraId, 'b');
    assert.deepEqual(e.subjects.map((s) => [s.cameraId, s.trackId, s.globalId]), [['b', 21, 1], ['a', 12, 2]]);
    assert.equal(e.frameIndex, null);
  });

  test('presence follows a person from camera to camera as one event, on the camera that saw them first', () => {
    const rules: SiteRuleConfig[] = [{ type: 'presence', id: 'in-room', area: 'room', severity: 'info', minDurationMs: 400, endAfterMs: 1000, cooldownMs: 0 }];
    const r = new SiteRules(rules, map, newId);
    const changes = [];
    for (let t = 0; t <= 12_000; t += 200) {
      // Seen by a until 4 s, by both until 6 s, by b alone after; leaves the room (x > 5) at 10 s.
      const x = t < 10_000 ? 2 : 7;
      const sightings = [...(t < 6000 ? [seenBy('a', 7, t, 100)] : []), ...(t >= 4000 ? [seenBy('b', 7, t, 150)] : [])];
      changes.push(...r.evaluate(t, [{ globalId: 7, plan: 'floor', positionM: [x, 5] }], () => sightings));
    }
    const kinds = changes.map((c) => c.kind);
    assert.equal(kinds.filter((k) => k === 'start').length, 1);
    assert.equal(kinds.at(-1), 'end');
    const ids = new Set(changes.map((c) => c.event.id));
    assert.equal(ids.size, 1, 'one event from start to end');
    const end = changes.at(-1)!.event;
    assert.equal(end.cameraId, 'a', 'the camera that saw the person when it started');
    assert.equal(end.endReason, 'left');
    assert.equal(end.attributes['planId'], 'floor');
    assert.equal(end.subjects[0]!.globalId, 7);
  });

  test('a line on the plan: one crossing per person with its direction, whatever cameras see it', () => {
    const rules: SiteRuleConfig[] = [{ type: 'line', id: 'through-door', line: 'door', severity: 'info', emit: 'event' }];
    const r = new SiteRules(rules, map, newId);
    const changes = [];
    // Walks from x = 3 to x = 7 at 1 m/s (the door at x = 5, in = right of (5,0)->(5,10) as drawn, y down: towards -x).
    for (let t = 0; t <= 4000; t += 200) {
      const x = 3 + t / 1000;
      changes.push(...r.evaluate(t, [{ globalId: 3, plan: 'floor', positionM: [x, 5] }], () => [seenBy('a', 3, t, 90), seenBy('b', 3, t, 90)]));
    }
    assert.equal(changes.length, 1, JSON.stringify(changes.map((c) => c.event.attributes)));
    assert.equal(changes[0]!.kind, 'instant');
    assert.deepEqual(changes[0]!.event.attributes, { lineId: 'door', direction: 'out', countIn: 0, countOut: 1, planId: 'floor' });
    assert.ok(changes[0]!.event.startMs >= 2000 && changes[0]!.event.startMs <= 2400, `crossed at x = 5 (t = 2 s), counted at ${changes[0]!.event.startMs}`);
  });

  test('a changed rule ends its episodes (stopped), an unchanged one keeps them; a plan no camera is calibrated to runs nothing', () => {
    const crowd: SiteRuleConfig = { type: 'occupancy', id: 'crowd', area: 'room', severity: 'warning', max: 0, seconds: 0, clearSeconds: 1, holdSeconds: 0 };
    const here: SiteRuleConfig = { type: 'presence', id: 'here', area: 'room', severity: 'info', minDurationMs: 0, endAfterMs: 1000, cooldownMs: 0 };
    const loft: SiteRuleConfig = { type: 'presence', id: 'up', area: 'loft', severity: 'info', minDurationMs: 0, endAfterMs: 1000, cooldownMs: 0 };
    const r = new SiteRules([crowd, here, loft], map, newId);
    assert.deepEqual(r.running.map((x) => x.id), ['crowd', 'here'], 'nobody can be seen on the attic plan');
    const seen = () => [seenBy('a', 1, 0, 100)];
    assert.equal(r.evaluate(0, [{ globalId: 1, plan: 'floor', positionM: [1, 1] }], seen).filter((c) => c.kind === 'start').length, 2);
    const ended = r.set([{ ...crowd, max: 5 }, here], map, 200);
    assert.deepEqual(ended.map((c) => [c.event.ruleId, c.kind, c.event.endReason]), [['crowd', 'end', 'stopped']]);
    assert.equal(r.openEpisodes, 1, 'the presence rule kept its episode');
    const stop = r.flush(400);
    assert.deepEqual(stop.map((c) => [c.event.ruleId, c.kind, c.event.endReason]), [['here', 'end', 'stopped']]);
  });

  test('an occupancy below its minimum with nobody there belongs to the first camera calibrated to the plan', () => {
    const r = new SiteRules([{ type: 'occupancy', id: 'staffed', area: 'room', severity: 'warning', min: 1, seconds: 0, clearSeconds: 1, holdSeconds: 0 }], map, newId);
    const [start] = r.evaluate(0, [], () => []);
    assert.equal(start!.kind, 'start');
    assert.equal(start!.event.cameraId, 'a');
    assert.deepEqual(start!.event.subjects, []);
  });
});
