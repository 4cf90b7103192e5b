/**
 * Contract suite: what every rule type must do, run against each one with a scenario that makes it fire. Ids (every
 * update and end belongs to a started episode, no episode starts twice, keys are stable), time (hit times never lie
 * in the future or go back, a clock set back ends what was open and starts afresh), confirmation (unconfirmed tracks
 * raise nothing) and restart safety (after reset a rule behaves as a fresh one; after flush nothing is left open).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Track } from '../core/types.ts';
import { buildThreatTable } from './animal-threat.ts';
import { AnimalRule } from './animal.ts';
import { DwellRule } from './dwell.ts';
import { FallRule } from './fall.ts';
import { ViolenceRule } from './violence.ts';
import { LineRule } from './line.ts';
import { OccupancyRule } from './occupancy.ts';
import { PresenceRule } from './presence.ts';
import type { Rule, RuleFrame, RuleHit } from './rule.ts';
import { frames, person, run } from './test-frames.ts';
import { WHOLE_FRAME_ZONE, type Zone } from './zones.ts';

const leftHalf: Zone = { id: 'left', polygonNorm: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]] };

interface Case {
  readonly name: string;
  readonly create: () => Rule;
  /** A scenario in which the rule raises at least one hit. */
  readonly scenario: RuleFrame[];
  /** The label of the scenario's objects (default `person`). */
  readonly label?: string;
}

// Two people walk right to left across the frame (x 900 -> 100 px over 4 s), into the left half and across x = 500.
const walkers = frames(60, (i) => [person(1, Math.max(100, 900 - i * 20), 500), person(2, Math.max(120, 880 - i * 20), 700)]);

// The same walk by two dogs, for the rules that watch animals.
const dogs = walkers.map((f) => ({ ...f, tracks: f.tracks.map((t): Track => ({ ...t, label: 'dog', classId: 16 })) }));

const CASES: readonly Case[] = [
  {
    name: 'presence',
    create: () => new PresenceRule({ id: 'p', severity: 'info', zone: leftHalf, labels: ['person'], anchor: 'bottom-center', minDurationMs: 300, endAfterMs: 500, cooldownMs: 1000 }),
    scenario: [...walkers, ...frames(10, () => [], 6000)],
  },
  {
    name: 'line',
    create: () => new LineRule({ id: 'l', severity: 'info', line: { id: 'mid', pointsNorm: [[0.5, 0], [0.5, 1]], inSide: 'right' }, labels: ['person'], emit: 'event' }),
    scenario: walkers,
  },
  {
    name: 'dwell',
    create: () => new DwellRule({ id: 'd', severity: 'warning', zone: leftHalf, labels: ['person'], anchor: 'bottom-center', minDwellMs: 1000, toleranceMs: 500 }),
    scenario: [...walkers, ...frames(10, () => [], 6000)],
  },
  {
    name: 'occupancy',
    create: () => new OccupancyRule({ id: 'o', severity: 'warning', zone: leftHalf, labels: ['person'], anchor: 'bottom-center', max: 1, min: null, minDurationMs: 500, endAfterMs: 500, holdMs: 300 }),
    scenario: [...walkers, ...frames(20, () => [], 6000)],
  },
  {
    name: 'animal',
    create: () => new AnimalRule({ id: 'a', severity: 'info', zone: leftHalf, anchor: 'bottom-center', table: buildThreatTable(), minDurationMs: 300, endAfterMs: 500, cooldownMs: 1000 }),
    scenario: [...dogs, ...frames(10, () => [], 6000)],
    label: 'dog',
  },
  {
    name: 'fall',
    create: () => new FallRule({
      id: 'f', severity: 'warning', zone: WHOLE_FRAME_ZONE, labels: ['person'], anchor: 'bottom-center',
      downMs: 1000, dropMs: 1000, dropRatio: 0.4, getUpMs: 500, criticalAfterMs: 30_000, unseenEndMs: 600_000,
    }),
    // Person 1 falls at 0.5 s and lies still; person 2 falls at 4 s and gets up at 5.5 s.
    scenario: frames(70, (i) => [
      person(1, 300, 800, i < 5 ? {} : { boxXyxy: [200, 760, 400, 800] }),
      person(2, 700, 800, i < 40 || i >= 55 ? {} : { boxXyxy: [600, 760, 800, 800] }),
    ]),
  },
  {
    name: 'violence',
    create: () => new ViolenceRule({
      id: 'v', severity: 'warning', zone: WHOLE_FRAME_ZONE, labels: ['person'], anchor: 'bottom-center',
      threshold: 0.7, minMs: 500, smoothing: 0.5, minSpeedHeightsPerS: 1, gateHoldMs: 2000, endAfterMs: 1000,
    }),
    // Two people scuffle side by side; the classifier's windows score high, then low.
    scenario: frames(60, (i) => {
      const d = i % 2 === 0 ? 30 : -30;
      return [person(1, 450, 800, { boxXyxy: [400 + d, 700, 500 - d, 800] }), person(2, 520, 800, { boxXyxy: [510 + d, 700 - d, 560, 800] })];
    }).map((f, i) => (i % 10 === 9 ? { ...f, clipScores: [{ startMs: Math.max(0, f.timeMs - 900), endMs: f.timeMs, score: i < 40 ? 0.9 : 0.1 }] } : f)),
  },
];

/** Checks the id and time invariants of a run; returns the keys still open at its end. */
function checkRun(hits: readonly { frame: RuleFrame; hit: RuleHit }[], open = new Map<string, RuleHit>()): Map<string, RuleHit> {
  const instants = new Set<string>();
  for (const { frame, hit } of hits) {
    assert.ok(hit.startMs <= hit.lastSeenMs && hit.lastSeenMs <= frame.timeMs, `times of ${hit.kind} ${hit.key}: start ${hit.startMs}, last seen ${hit.lastSeenMs}, frame ${frame.timeMs}`);
    if (hit.endMs !== null) assert.ok(hit.endMs >= hit.startMs && hit.endMs <= frame.timeMs, `end ${hit.endMs} of ${hit.key}`);
    const before = open.get(hit.key);
    switch (hit.kind) {
      case 'start':
        assert.equal(before, undefined, `episode ${hit.key} started twice`);
        assert.equal(hit.endMs, null);
        open.set(hit.key, hit);
        break;
      case 'update':
        assert.ok(before, `update of ${hit.key}, which never started`);
        assert.equal(hit.startMs, before.startMs, 'an episode keeps its start');
        assert.ok(hit.lastSeenMs >= before.lastSeenMs, 'last sighting never goes back');
        open.set(hit.key, hit);
        break;
      case 'end':
        assert.ok(before, `end of ${hit.key}, which never started`);
        assert.equal(hit.startMs, before.startMs);
        assert.ok(hit.endReason !== null && hit.endMs !== null);
        open.delete(hit.key);
        break;
      case 'instant':
        assert.ok(!instants.has(hit.key), `instant key ${hit.key} used twice`);
        instants.add(hit.key);
        assert.equal(hit.endReason, 'instant');
        assert.equal(hit.startMs, hit.endMs);
        break;
    }
  }
  return open;
}

const tentative = (input: readonly RuleFrame[]): RuleFrame[] =>
  input.map((f) => ({ ...f, tracks: f.tracks.map((t): Track => ({ ...t, state: 'tentative' })) }));

for (const c of CASES) {
  describe(`rule contract: ${c.name}`, () => {
    it('the scenario raises hits (so the checks below are not vacuous), with the rule id and type it was built with', () => {
      const rule = c.create();
      assert.ok(run(rule, c.scenario).length > 0);
      assert.equal(rule.type, c.name);
    });

    it('ids: updates and ends belong to a started episode, none starts twice, instants are unique', () => {
      const rule = c.create();
      const open = checkRun(run(rule, c.scenario));
      assert.equal(rule.openEpisodes, open.size, 'openEpisodes counts the started, not ended episodes');
    });

    it('subjects are tracks the rule was shown, of its labels', () => {
      const rule = c.create();
      const seen = new Set(c.scenario.flatMap((f) => f.tracks.map((t) => t.id)));
      for (const { hit } of run(rule, c.scenario)) for (const s of hit.subjects) assert.ok(seen.has(s.trackId) && s.label === (c.label ?? 'person'));
    });

    it('time: a frame older than the last one (clock set back) ends what is open and the rule starts afresh', () => {
      const rule = c.create();
      const first = run(rule, c.scenario.slice(0, 40));
      const open = checkRun(first);
      const back = c.scenario.map((f) => ({ ...f, timeMs: f.timeMs - 100_000 }));
      const after = run(rule, back);
      const lastBefore = c.scenario[39]!.timeMs;
      const ends = after.filter((h) => h.hit.kind === 'end' && h.frame === back[0]);
      assert.deepEqual(ends.map((h) => h.hit.key).sort(), [...open.keys()].sort(), 'every open episode ends');
      for (const e of ends) assert.ok(e.hit.endMs! <= lastBefore && e.hit.endReason === 'stopped');
      const rest = after.filter((h) => !ends.includes(h));
      checkRun(rest.map((h) => ({ frame: h.frame, hit: h.hit })));
      assert.deepEqual(rest.map((h) => [h.hit.kind, h.hit.key]), run(c.create(), back).map((h) => [h.hit.kind, h.hit.key]), 'afresh: as a new rule would');
    });

    it('no hit from unconfirmed tracks', () => {
      assert.deepEqual(run(c.create(), tentative(c.scenario)), []);
    });

    it('restart safety: after reset() the rule gives exactly what a fresh rule gives', () => {
      const rule = c.create();
      run(rule, c.scenario.slice(0, 35));
      rule.reset();
      assert.equal(rule.openEpisodes, 0);
      const strip = (hs: { hit: RuleHit }[]) => hs.map((h) => h.hit);
      assert.deepEqual(strip(run(rule, c.scenario)), strip(run(c.create(), c.scenario)));
    });

    it('restart safety: flush() ends every open episode as stopped, and the next frames start new ones cleanly', () => {
      const rule = c.create();
      const hits = run(rule, c.scenario.slice(0, 35));
      const open = checkRun(hits);
      const flushed = rule.flush(c.scenario[34]!.timeMs);
      assert.deepEqual(flushed.map((h) => h.key).sort(), [...open.keys()].sort());
      assert.ok(flushed.every((h) => h.kind === 'end' && h.endReason === 'stopped'));
      assert.equal(rule.openEpisodes, 0);
      checkRun(run(rule, c.scenario.slice(35)));
    });
  });
}
