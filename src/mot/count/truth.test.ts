import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../../core/errors.ts';
import type { Point } from '../../core/types.ts';
import { parseMotFile } from '../eval/parse.ts';
import { countPlain } from './side-change.ts';
import { anchorFrames, truthRows } from './truth.ts';

// A vertical line drawn downwards at x = 100 from y = 20 to y = 90: `in` is a move from x > 100 to x < 100.
const SPEC = {
  lines: [{ id: 'v', pointsPx: [[100, 20], [100, 90]] as [Point, Point] }],
  zones: [{ id: 'left', polygonPx: [[0, 0], [100, 0], [100, 100], [0, 100]] as Point[] }],
};

/** A gt row whose box (20 x 40 px) has its bottom-centre at (x, y); MOT17 columns 7-9 from `tail`. */
const row = (frame: number, id: number, x: number, y: number, tail = '1,1,1') => `${frame},${id},${x - 10},${y - 40},20,40,${tail}`;

/** Truth over `frames` frames of gt text. */
function truthOf(text: string, frames: number) {
  const gt = parseMotFile(text, 'gt.txt', 6);
  return countPlain(anchorFrames(truthRows(gt), frames, 'gt.txt'), SPEC);
}

const cases: Array<{ name: string; rows: string[]; frames: number; lines: { in: number; out: number }; zone: number[] }> = [
  {
    name: 'MOT17: a pedestrian walking left to right is one out',
    rows: [row(1, 1, 80, 60), row(2, 1, 95, 60), row(3, 1, 110, 60)],
    frames: 3, lines: { in: 0, out: 1 }, zone: [1, 1, 0],
  },
  {
    name: 'MOT17: a gt id that skips frames (occluded) still crosses between its consecutive observations',
    rows: [row(1, 1, 80, 60), row(2, 1, 85, 60), row(6, 1, 120, 60)],
    frames: 6, lines: { in: 0, out: 1 }, zone: [1, 1, 0, 0, 0, 0],
  },
  {
    name: 'MOT17: a path past the end of the segment is no crossing',
    rows: [row(1, 1, 80, 95), row(2, 1, 120, 95)],
    frames: 2, lines: { in: 0, out: 0 }, zone: [1, 0],
  },
  {
    name: 'MOT17: rows of other classes (7 static person, 2 person on vehicle) are not counted, on lines or in zones',
    rows: [row(1, 1, 80, 60, '1,7,1'), row(2, 1, 120, 60, '1,7,1'), row(1, 2, 120, 50, '1,2,1'), row(2, 2, 80, 50, '1,2,1')],
    frames: 2, lines: { in: 0, out: 0 }, zone: [0, 0],
  },
  {
    name: 'MOT17: rows marked not considered (column 7 = 0) are not counted',
    rows: [row(1, 1, 80, 60, '0,1,1'), row(2, 1, 120, 60, '0,1,1'), row(1, 2, 120, 50), row(2, 2, 80, 50)],
    frames: 2, lines: { in: 1, out: 0 }, zone: [0, 1],
  },
  {
    name: 'MOT15 (no classes): every row counts, whatever columns 7-10 hold',
    rows: [row(1, 1, 80, 60, '1,-1,-1,-1'), row(2, 1, 120, 60, '1,-1,-1,-1'), row(1, 2, 150, 60, '0,-4.2,3.1,0'), row(2, 2, 90, 60, '0,-4.2,3.1,0')],
    frames: 2, lines: { in: 1, out: 1 }, zone: [1, 1],
  },
  {
    name: 'every crossing counts: a gt box walking back and forth over the line',
    rows: [row(1, 1, 90, 60), row(2, 1, 110, 60), row(3, 1, 90, 60), row(4, 1, 110, 60)],
    frames: 4, lines: { in: 1, out: 2 }, zone: [1, 0, 1, 0],
  },
  {
    name: 'rows are taken in frame order, not file order',
    rows: [row(3, 1, 110, 60), row(1, 1, 80, 60), row(2, 1, 95, 60)],
    frames: 3, lines: { in: 0, out: 1 }, zone: [1, 1, 0],
  },
];

for (const c of cases) {
  test(`truth: ${c.name}`, () => {
    const got = truthOf(`${c.rows.join('\n')}\n`, c.frames);
    assert.deepEqual(got.lines.get('v'), c.lines);
    assert.deepEqual(got.zones.get('left'), c.zone);
  });
}

test('truth: gt rows after the last frame of the sequence are left out', () => {
  assert.deepEqual(truthOf(`${[row(1, 1, 80, 60), row(2, 1, 120, 60)].join('\n')}\n`, 1).lines.get('v'), { in: 0, out: 0 });
});

test('truth: the same gt id twice in one frame is a MOT_FILE_INVALID error naming the file and line', () => {
  assert.throws(() => truthOf(`${[row(1, 1, 80, 60), row(1, 1, 120, 60)].join('\n')}\n`, 1), (err: unknown) => {
    assert.ok(isAppError(err, 'MOT_FILE_INVALID'), String(err));
    assert.match(err.message, /^gt\.txt:2: expected each id once per frame/);
    return true;
  });
});
