import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Point } from '../../core/types.ts';
import { countPlain, SideChangeCounter, type DirectedCounts } from './side-change.ts';

// A vertical line drawn downwards at x = 100 from y = 0 to y = 100: its right side (cross > 0) is x < 100 in image
// coordinates, so `in` is a move from x > 100 to x < 100.
const LINE: [Point, Point] = [[100, 0], [100, 100]];

/** Positions of one id per frame; null = not seen in that frame. */
type Path = (Point | null)[];

const cases: Array<{ name: string; paths: Path[]; expected: DirectedCounts }> = [
  { name: 'walking from the left of the drawn direction to its right is in', paths: [[[150, 50], [120, 50], [80, 50]]], expected: { in: 1, out: 0 } },
  { name: 'walking the other way is out', paths: [[[80, 50], [120, 50]]], expected: { in: 0, out: 1 } },
  { name: 'staying on one side counts nothing', paths: [[[120, 50], [110, 40], [101, 60]]], expected: { in: 0, out: 0 } },
  { name: 'a path past the end of the segment counts nothing', paths: [[[80, 130], [120, 130]]], expected: { in: 0, out: 0 } },
  { name: 'a path through the end point counts', paths: [[[80, 100], [120, 100]]], expected: { in: 0, out: 1 } },
  { name: 'a diagonal step that meets the segment counts', paths: [[[60, 130], [140, 70]]], expected: { in: 0, out: 1 } },
  { name: 'a diagonal step that passes the end counts nothing', paths: [[[60, 150], [140, 110]]], expected: { in: 0, out: 0 } },
  { name: 'no dead band: a wobble across the line counts every change', paths: [[[99, 50], [101, 50], [99, 50], [101, 50]]], expected: { in: 1, out: 2 } },
  { name: 'frames without the id in between are bridged', paths: [[[80, 50], null, null, null, [120, 50]]], expected: { in: 0, out: 1 } },
  {
    name: 'an anchor exactly on the line has no side: the crossing is counted once, when the far side is reached',
    paths: [[[80, 50], [100, 50], [100, 60], [120, 60]]],
    expected: { in: 0, out: 1 },
  },
  { name: 'touching the line and going back counts nothing', paths: [[[80, 50], [100, 50], [80, 50]]], expected: { in: 0, out: 0 } },
  { name: 'the first sighting on the far side is no crossing', paths: [[null, [120, 50], [130, 50]]], expected: { in: 0, out: 0 } },
  {
    name: 'ids are independent: two people crossing in opposite directions in the same frames',
    paths: [[[80, 50], [120, 50]], [[120, 40], [80, 40]]],
    expected: { in: 1, out: 1 },
  },
  {
    name: 'a new id appearing on the far side of a vanished one is not a crossing (no hand-over)',
    paths: [[[80, 50], null], [null, [120, 50]]],
    expected: { in: 0, out: 0 },
  },
];

for (const c of cases) {
  test(`side-change counter: ${c.name}`, () => {
    const counter = new SideChangeCounter(LINE);
    const frames = Math.max(...c.paths.map((p) => p.length));
    for (let f = 0; f < frames; f++) {
      counter.update(c.paths.flatMap((p, id) => (p[f] ? [{ id: id + 1, pointPx: p[f]! }] : [])));
    }
    assert.deepEqual(counter.total, c.expected);
  });
}

test('update returns the crossings of that frame only', () => {
  const counter = new SideChangeCounter(LINE);
  assert.deepEqual(counter.update([{ id: 1, pointPx: [80, 50] }]), { in: 0, out: 0 });
  assert.deepEqual(counter.update([{ id: 1, pointPx: [120, 50] }]), { in: 0, out: 1 });
  assert.deepEqual(counter.update([{ id: 1, pointPx: [130, 50] }]), { in: 0, out: 0 });
  assert.deepEqual(counter.total, { in: 0, out: 1 });
});

test('countPlain counts every line and, per frame, the anchors inside every zone', () => {
  const frames = [
    [{ id: 1, pointPx: [80, 50] as Point }, { id: 2, pointPx: [10, 10] as Point }],
    [{ id: 1, pointPx: [120, 50] as Point }],
    [],
  ];
  const got = countPlain(frames, {
    lines: [{ id: 'v', pointsPx: LINE }, { id: 'far', pointsPx: [[500, 0], [500, 100]] }],
    zones: [{ id: 'left', polygonPx: [[0, 0], [100, 0], [100, 100], [0, 100]] }],
  });
  assert.deepEqual(got.lines.get('v'), { in: 0, out: 1 });
  assert.deepEqual(got.lines.get('far'), { in: 0, out: 0 });
  assert.deepEqual(got.zones.get('left'), [2, 0, 0]);
});
