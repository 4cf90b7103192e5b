/** The animal rule: one event per animal in a zone, its species and threat, the severity they give, non-animals ignored. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Severity, Track } from '../core/types.ts';
import { AnimalEventAttributesSchema } from '../events/animal-event-schema.ts';
import { buildThreatTable, type ThreatEntry } from './animal-threat.ts';
import { AnimalRule, type AnimalRuleSpec } from './animal.ts';
import { frameAt, kinds, person, run } from './test-frames.ts';
import type { Zone } from './zones.ts';

const yard: Zone = { id: 'yard', polygonNorm: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]] };
const road: Zone = { id: 'road', polygonNorm: [[0.5, 0], [1, 0], [1, 1], [0.5, 1]] };

/** A confirmed object of class `label` whose bottom-centre is at (x, y) px (a 40 x 100 px box, like `person`). */
const seen = (label: string, id = 1, x = 300, y = 300, over: Partial<Track> = {}) => person(id, x, y, { label, ...over });

const make = (over: Partial<AnimalRuleSpec> & { entries?: ThreatEntry[]; timeZone?: string } = {}) => {
  const { entries, timeZone, ...spec } = over;
  return new AnimalRule({
    id: 'animals', severity: 'info', zone: yard, anchor: 'bottom-center', table: buildThreatTable(entries, timeZone),
    minDurationMs: 400, endAfterMs: 1000, cooldownMs: 0, ...spec,
  });
};

/** `count` frames 100 ms apart from `startMs`, each with these tracks. */
const repeat = (count: number, startMs: number, ...tracks: Track[]) => Array.from({ length: count }, (_, i) => frameAt(startMs + i * 100, tracks));

describe('defaults: one event per animal, its species and threat, and the severity they give', () => {
  const rows: [string, string, string, Severity][] = [
    ['bear', 'wild-large', 'high', 'critical'], ['elephant', 'wild-large', 'high', 'critical'],
    ['dog', 'pet', 'medium', 'warning'], ['horse', 'livestock', 'medium', 'warning'], ['cow', 'livestock', 'medium', 'warning'],
    ['cat', 'pet', 'low', 'info'], ['sheep', 'livestock', 'low', 'info'], ['bird', 'bird', 'low', 'info'], ['zebra', 'wild-large', 'low', 'info'],
  ];
  for (const [label, species, threat, severity] of rows) {
    test(`${label}: ${threat}, ${severity}`, () => {
      const hits = run(make(), [...repeat(5, 0, seen(label)), frameAt(2000, [])]);
      assert.deepEqual(kinds(hits), ['start', 'end']);
      assert.equal(hits[0]!.hit.startMs, 0);
      assert.equal(hits[0]!.frame.timeMs, 400, 'after minDurationMs');
      assert.deepEqual(hits[0]!.hit.attributes, { zoneId: 'yard', species, label, threat });
      assert.deepEqual(hits.map((h) => h.hit.severity), [severity, severity], 'the end carries it too');
      assert.equal(hits[1]!.hit.endReason, 'left');
      assert.deepEqual(AnimalEventAttributesSchema.parse(hits[0]!.hit.attributes), hits[0]!.hit.attributes);
    });
  }
});

test('two animals are two events', () => {
  const hits = run(make(), repeat(5, 0, seen('dog', 1), seen('cat', 2, 200)));
  assert.deepEqual(hits.map((h) => [h.hit.kind, h.hit.key, h.hit.attributes['label'], h.hit.severity]), [['start', '1', 'dog', 'warning'], ['start', '2', 'cat', 'info']]);
});

describe('labels that are not animals never raise anything', () => {
  const rows: [string, AnimalRule][] = [
    ['by default', make()],
    ['even when the rule lists them', make({ labels: ['person', 'traffic light', 'dog'] })],
  ];
  for (const [name, rule] of rows) {
    test(name, () => {
      assert.deepEqual(run(rule, repeat(20, 0, seen('person', 1), seen('traffic light', 2), seen('car', 3))), []);
      assert.equal(rule.openEpisodes, 0);
    });
  }
});

test('the rule’s labels narrow the animals it watches', () => {
  const hits = run(make({ labels: ['cat'] }), repeat(5, 0, seen('dog', 1), seen('cat', 2)));
  assert.deepEqual(hits.map((h) => h.hit.attributes['label']), ['cat']);
});

test('only inside the zone, only confirmed tracks', () => {
  assert.deepEqual(run(make(), repeat(10, 0, seen('bear', 1, 800), seen('bear', 2, 300, 300, { state: 'tentative' }))), []);
});

describe('overrides by zone', () => {
  const entries: ThreatEntry[] = [{ label: 'dog', zones: ['yard'], threat: 'high' }];
  const rows: [string, Zone, number, Severity][] = [['a dog in the yard', yard, 300, 'critical'], ['a dog on the road', road, 800, 'warning']];
  for (const [name, zone, x, severity] of rows) {
    test(name, () => {
      const hits = run(make({ zone, entries }), repeat(5, 0, seen('dog', 1, x)));
      assert.deepEqual(hits.map((h) => [h.hit.attributes['zoneId'], h.hit.severity]), [[zone.id, severity]]);
    });
  }
});

describe('overrides by local hour (Europe/Paris, 1 July 2024: UTC+2)', () => {
  const entries: ThreatEntry[] = [{ label: 'dog', zones: ['yard'], hours: '20-6', threat: 'high' }];
  const paris = (h: number, m = 0, s = 0) => Date.UTC(2024, 6, 1, h - 2, m, s);
  const rows: [string, number, string, Severity][] = [
    ['a dog in the yard at 22:00', paris(22), 'high', 'critical'],
    ['after midnight, at 01:00', paris(25), 'high', 'critical'],
    ['at noon', paris(12), 'medium', 'warning'],
    ['at 06:00, the window ended', paris(6), 'medium', 'warning'],
  ];
  for (const [name, startMs, threat, severity] of rows) {
    test(name, () => {
      const hits = run(make({ entries, timeZone: 'Europe/Paris' }), repeat(5, startMs, seen('dog')));
      assert.deepEqual(hits.map((h) => [h.hit.attributes['threat'], h.hit.severity]), [[threat, severity]]);
    });
  }

  test('the threat is re-evaluated while the event lasts: at 20:00 an update raises it to high, critical', () => {
    const hits = run(make({ entries, timeZone: 'Europe/Paris' }), repeat(30, paris(19, 59, 58), seen('dog')));
    assert.deepEqual(hits.map((h) => [h.hit.kind, h.hit.attributes['threat'], h.hit.severity]), [['start', 'medium', 'warning'], ['update', 'high', 'critical']]);
    assert.equal(hits[1]!.frame.timeMs, paris(20), 'in the first frame of the window');
    assert.equal(hits[1]!.hit.startMs, paris(19, 59, 58), 'the same event');
    assert.ok(!hits[1]!.hit.snapshot);
  });

  test('it never goes down: at 06:00 the dog still in the yard stays high, and the event ends high', () => {
    const rule = make({ entries, timeZone: 'Europe/Paris' });
    const hits = run(rule, [...repeat(30, paris(5, 59, 58), seen('dog')), frameAt(paris(6, 0, 5), [])]);
    assert.deepEqual(hits.map((h) => [h.hit.kind, h.hit.attributes['threat'], h.hit.severity]), [['start', 'high', 'critical'], ['end', 'high', 'critical']]);
  });

  test('a peak belongs to its event: the same track back by day after an end is medium again', () => {
    const rule = make({ entries, timeZone: 'Europe/Paris' });
    run(rule, repeat(5, paris(22), seen('dog')));
    const hits = run(rule, repeat(5, paris(34), seen('dog')));
    assert.deepEqual(hits.map((h) => [h.hit.kind, h.hit.attributes['threat'], h.hit.severity]), [['end', 'high', 'critical'], ['start', 'medium', 'warning']]);
  });
});

describe('the rule’s severity is a floor', () => {
  const rows: [string, Severity, string, Severity][] = [
    ['a cat under a warning floor is warning', 'warning', 'cat', 'warning'],
    ['a bear above it stays critical', 'warning', 'bear', 'critical'],
    ['a critical floor makes every event critical', 'critical', 'bird', 'critical'],
  ];
  for (const [name, floor, label, severity] of rows) {
    test(name, () => {
      const rule = make({ severity: floor });
      const hits = [...run(rule, repeat(5, 0, seen(label))).map((h) => h.hit), ...rule.flush(500)];
      assert.deepEqual(hits.map((h) => [h.kind, h.severity]), [['start', severity], ['end', severity]]);
      assert.equal(hits[1]!.endReason, 'stopped');
    });
  }
});

test('every hit carries its severity: better views and heartbeats too', () => {
  const hits = run(make({ minDurationMs: 0 }), [...repeat(2, 0, seen('horse', 1, 300, 300, { score: 0.5 })), ...repeat(60, 1000, seen('horse', 1, 300, 300, { score: 0.9 }))]);
  assert.deepEqual(kinds(hits), ['start', 'update', 'update']);
  assert.ok(hits.every((h) => h.hit.severity === 'warning'));
});
