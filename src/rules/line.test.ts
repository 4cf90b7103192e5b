/**
 * The line rule: directed crossings, and the cases that fool simpler counters (jitter on the line, flicker, an id
 * switch on the line, unconfirmed tracks, paths past the end of the line, corners of a polyline).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Point, Track } from '../core/types.ts';
import { LineRule } from './line.ts';
import { frameAt, frames, person, run, STEP_MS } from './test-frames.ts';

/** A vertical line at x = 500 px from top to bottom: walking down it, right is -x (west); `in` is crossing leftwards (x decreasing) with inSide right. */
const vertical = (inSide: 'left' | 'right' = 'right', pointsNorm: Point[] = [[0.5, 0], [0.5, 1]]) =>
  new LineRule({ id: 'door-count', severity: 'info', line: { id: 'door', pointsNorm, inSide }, labels: ['person'], emit: 'event' });

/** Crossings as `direction:trackId`. */
const crossings = (rule: LineRule, input: ReturnType<typeof frames>) => run(rule, input).map(({ hit }) => `${hit.attributes['direction']}:${hit.subjects[0]!.trackId}`);

/** A walk along x from `fromX` to `toX` px at y = 600 over `n` frames. */
const walk = (id: number, fromX: number, toX: number, n: number) => (i: number) => [person(id, fromX + ((toX - fromX) * Math.min(i, n - 1)) / (n - 1), 600)];

describe('line rule: direction', () => {
  const rows: { name: string; rule: () => LineRule; from: number; to: number; want: string[] }[] = [
    // Going down the line ((0.5,0) -> (0.5,1)), the walker's right hand points to -x: moving from x 700 to 300 is towards the right.
    { name: 'towards the right of first -> second point is in', rule: () => vertical('right'), from: 700, to: 300, want: ['in:1'] },
    { name: 'the other way is out', rule: () => vertical('right'), from: 300, to: 700, want: ['out:1'] },
    { name: 'inSide left swaps them', rule: () => vertical('left'), from: 700, to: 300, want: ['out:1'] },
    { name: 'a walk that stops before the line counts nothing', rule: () => vertical(), from: 900, to: 560, want: [] },
  ];
  for (const r of rows) it(r.name, () => assert.deepEqual(crossings(r.rule(), frames(30, walk(1, r.from, r.to, 30))), r.want));

  it('the event carries the direction, the running counts, one subject and a snapshot request', () => {
    const hits = run(vertical(), [...frames(20, walk(1, 700, 300, 20)), ...frames(20, walk(2, 300, 700, 20), 2000)]);
    assert.deepEqual(hits.map((h) => h.hit.attributes), [
      { lineId: 'door', direction: 'in', countIn: 1, countOut: 0 },
      { lineId: 'door', direction: 'out', countIn: 1, countOut: 1 },
    ]);
    assert.ok(hits.every((h) => h.hit.kind === 'instant' && h.hit.snapshot && h.hit.subjects.length === 1));
  });

  it('emit: count raises no events but still counts', () => {
    const rule = new LineRule({ id: 'c', severity: 'info', line: { id: 'door', pointsNorm: [[0.5, 0], [0.5, 1]], inSide: 'right' }, labels: ['person'], emit: 'count' });
    assert.deepEqual(run(rule, frames(30, walk(1, 700, 300, 30))), []);
    assert.deepEqual(rule.counts, { in: 1, out: 0 });
  });
});

describe('line rule: what fools simpler counters', () => {
  it('a box jittering on the line (+-4 px, a tenth of its height is 10 px) for 5 s counts nothing', () => {
    const input = frames(50, (i) => [person(1, 500 + (i % 2 === 0 ? 4 : -4), 600)]);
    assert.deepEqual(crossings(vertical(), input), []);
  });

  it('a person who waits on the line, jittering, then walks through counts once', () => {
    const input = [...frames(10, walk(1, 700, 505, 10)), ...frames(30, (i) => [person(1, 500 + (i % 2 === 0 ? 6 : -6), 600)], 1000), ...frames(10, walk(1, 495, 300, 10), 4000)];
    assert.deepEqual(crossings(vertical(), input), ['in:1']);
  });

  it('back and forth across the line, clear of it each time, counts each crossing', () => {
    // 700 -> 300 -> 700 -> 300 px at 25 px a frame (2.5 body heights a second: a brisk walk).
    const leg = (from: number, to: number) => Array.from({ length: 17 }, (_, k) => from + ((to - from) * k) / 16);
    const xs = [...leg(700, 300), ...leg(300, 700).slice(1), ...leg(700, 300).slice(1)];
    assert.deepEqual(crossings(vertical(), xs.map((x, i) => frameAt(i * STEP_MS, [person(1, x, 600)]))), ['in:1', 'out:1', 'in:1']);
  });

  it('a track that jumps to another person across the line (faster than anyone moves) changes side without counting', () => {
    // Track 1 follows someone at x 560 (walking slowly right), then in one frame it is on someone at x 430.
    const input = frames(20, (i) => [person(1, i < 10 ? 560 + i : 430 - (i - 10), 600)]);
    assert.deepEqual(crossings(vertical(), input), []);
    // The same displacement over a second and a half is a walk, and counts.
    const walkAcross = frames(25, (i) => [person(1, i < 5 ? 560 : i < 20 ? 560 - ((i - 5) * 130) / 15 : 430, 600)]);
    assert.deepEqual(crossings(vertical(), walkAcross), ['in:1']);
  });

  it('a track first seen inside the band is on the side its anchor is on', () => {
    // First seen 5 px right of the line (inside the 10 px band), then walks clearly left: one crossing in.
    assert.deepEqual(crossings(vertical(), frames(15, (i) => [person(1, 505 - i * 8, 600)])), ['in:1']);
  });

  it('a track that flickers (unseen for 1 s, same id) while crossing counts once when seen again', () => {
    const full = walk(1, 800, 200, 40);
    const input = frames(40, (i) => (i >= 15 && i < 25 ? [] : full(i)));
    assert.deepEqual(crossings(vertical(), input), ['in:1']);
  });

  it('an id switch on the line (track 1 vanishes at x 520, track 2 appears at x 480 walking on) counts once', () => {
    const input = frames(40, (i) => {
      const x = 800 - i * 15;
      return [x >= 510 ? person(1, x, 600) : person(2, x, 600)];
    });
    assert.deepEqual(crossings(vertical(), input), ['in:2']);
  });

  it('an id switch after the crossing (and a missed frame between) does not count twice', () => {
    const input = frames(40, (i) => {
      const x = 800 - i * 15;
      if (i === 26) return [];
      return [x >= 400 ? person(1, x, 600) : person(7, x, 600)];
    });
    assert.deepEqual(crossings(vertical(), input), ['in:1']);
  });

  it('a new person appearing beside where another vanished, far from the line, takes over nothing harmful', () => {
    // Track 1 walks away from the line and vanishes at x 800; track 2 appears at x 790 and walks to x 900: no crossing.
    const input = frames(30, (i) => (i < 15 ? [person(1, 650 + i * 10, 600)] : [person(2, 790 + (i - 15) * 7, 600)]));
    assert.deepEqual(crossings(vertical(), input), []);
  });

  it('unconfirmed tracks never count', () => {
    const input = frames(30, (i) => walk(1, 700, 300, 30)(i).map((t): Track => ({ ...t, state: 'tentative' })));
    assert.deepEqual(crossings(vertical(), input), []);
  });

  it('other labels do not count', () => {
    const input = frames(30, (i) => walk(1, 700, 300, 30)(i).map((t): Track => ({ ...t, label: 'car' })));
    assert.deepEqual(crossings(vertical(), input), []);
  });

  it('a path that passes beyond the end of the segment does not count', () => {
    const short = new LineRule({ id: 's', severity: 'info', line: { id: 'door', pointsNorm: [[0.5, 0], [0.5, 0.4]], inSide: 'right' }, labels: ['person'], emit: 'event' });
    assert.deepEqual(crossings(short, frames(30, walk(1, 700, 300, 30))), []);
  });

  it('a polyline: crossing through a corner counts once; crossing each arm counts', () => {
    const corner: Point[] = [[0.3, 0.3], [0.5, 0.6], [0.7, 0.3]];
    const rule = () => new LineRule({ id: 'v', severity: 'info', line: { id: 'v', pointsNorm: corner, inSide: 'right' }, labels: ['person'], emit: 'event' });
    // Straight up through the corner at (500, 600).
    assert.equal(crossings(rule(), frames(30, (i) => [person(1, 500, 800 - i * 15)])).length, 1);
    // Up through the left arm, then down through the right arm.
    const leftArm = frames(20, (i) => [person(1, 400, 700 - i * 15)]);
    const rightArm = frames(20, (i) => [person(1, 600, 300 + i * 15)], 2000);
    assert.equal(crossings(rule(), [...leftArm, ...rightArm]).length, 2);
  });

  it('two people crossing side by side in opposite directions: one in, one out', () => {
    const input = frames(40, (i) => [person(1, 800 - i * 15, 400), person(2, 200 + i * 15, 800)]);
    assert.deepEqual(crossings(vertical(), input).sort(), ['in:1', 'out:2']);
  });

  it('times go by frame time: the crossing is dated by its frame', () => {
    const hits = run(vertical(), frames(30, walk(1, 700, 300, 30), 50_000));
    assert.equal(hits.length, 1);
    assert.equal(hits[0]!.hit.startMs, hits[0]!.frame.timeMs);
  });
});
