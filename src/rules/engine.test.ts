/** The rule engine: rules and the geometry counters of every line and zone, whatever the rules. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RuleEngine } from './engine.ts';
import { LineRule } from './line.ts';
import { frames, person } from './test-frames.ts';

const line = { id: 'door', pointsNorm: [[0.5, 0], [0.5, 1]] as [number, number][], inSide: 'right' as const };
const walkers = frames(30, (i) => [person(1, 800 - i * 20, 500), person(2, 800 - i * 20, 800, { label: 'car' })]);
const crossings = (engine: RuleEngine) => walkers.flatMap((f) => engine.evaluate(f).crossings.map((c) => `${c.label}:${c.direction}`));

test('a line is counted for every tracked label even when its only rule counts one of them', () => {
  const rule = new LineRule({ id: 'people', severity: 'info', line, labels: ['person'], emit: 'count' });
  const engine = new RuleEngine([rule], { zones: [], lines: [line], labels: ['person', 'car'] });
  assert.deepEqual(crossings(engine).sort(), ['car:in', 'person:in']);
  assert.deepEqual(rule.counts, { in: 1, out: 0 });
});

test('a line rule that sees every tracked label stands for its line: the same crossings, once', () => {
  const rule = new LineRule({ id: 'all', severity: 'info', line, labels: ['person', 'car'], emit: 'count' });
  const engine = new RuleEngine([rule], { zones: [], lines: [line], labels: ['person', 'car'] });
  assert.deepEqual(crossings(engine).sort(), ['car:in', 'person:in']);
  assert.ok(rule.countsAllOf('door', ['person', 'car']));
  assert.ok(!new LineRule({ id: 'c', severity: 'info', line, labels: ['person', 'car'], emit: 'count', crossing: { bandRatio: 0.3 } }).countsAllOf('door', ['person', 'car']), 'other settings count otherwise');
});

test('zones are counted per frame with their labels', () => {
  const zone = { id: 'left', polygonNorm: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]] as [number, number][], labels: ['person'] };
  const engine = new RuleEngine([], { zones: [zone], lines: [], labels: ['person', 'car'] });
  const counts = walkers.map((f) => engine.evaluate(f).zoneCounts[0]!.count);
  assert.equal(counts[0], 0);
  assert.equal(counts.at(-1), 1, 'the person, not the car');
});

test('a zone count splits by the zone\'s labels, each there from the start and at 0 when nobody is in', () => {
  const zone = { id: 'left', polygonNorm: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]] as [number, number][], labels: ['person', 'car'] };
  const listed = { ...zone, id: 'listed', labels: ['person', 'dog'] };
  const engine = new RuleEngine([], { zones: [zone, listed], lines: [], labels: ['person', 'car'] });
  assert.deepEqual(engine.zoneCountsByLabel().get('listed'), { person: 0, dog: 0 });
  for (const f of walkers) engine.evaluate(f);
  assert.deepEqual(engine.zoneCountsByLabel().get('left'), { person: 1, car: 1 });
  assert.deepEqual(engine.zoneCountsByLabel().get('listed'), { person: 1, dog: 0 });
  // Everyone walks back out to the right: the counts fall to 0 and the labels stay.
  for (const f of frames(30, (i) => [person(1, 220 + i * 20, 500), person(2, 220 + i * 20, 800, { label: 'car' })], 3000)) engine.evaluate(f);
  assert.deepEqual(engine.zoneCountsByLabel().get('left'), { person: 0, car: 0 });
  assert.deepEqual(engine.zoneCountsByLabel().get('listed'), { person: 0, dog: 0 });
});
