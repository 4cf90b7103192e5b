import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Detection, Point } from '../../core/types.ts';
import { MOT_TRACKERS } from '../track/trackers.ts';
import { combineCounts, countSequence, COUNTERS, type SequenceCountResult } from './count-sequence.ts';
import type { AnchorObservation } from './side-change.ts';

// A 400 x 200 px scene at 10 fps, 60 frames. A walks right along y = 150, B walks left along y = 100, C walks right
// along y = 195, below the end of the line, D walks right along y = 60. The line is drawn downwards at x = 200 from
// y = 20 to y = 180, so its right side is x < 200: A and D cross out, B crosses in, C crosses nothing.
const W = 400, H = 200, FRAMES = 60;
const paths: { id: number; at: (f: number) => Point }[] = [
  { id: 1, at: (f) => [50 + 5 * f, 150] },
  { id: 2, at: (f) => [350 - 5 * f, 100] },
  { id: 3, at: (f) => [60 + 5 * f, 195] },
  { id: 4, at: (f) => [20 + 5 * f, 60] },
];
const truth: AnchorObservation[][] = Array.from({ length: FRAMES }, (_, f) => paths.map((p) => ({ id: p.id, pointPx: p.at(f) })));
/** Exact detections: 30 x 50 px boxes standing on the path, score 0.95. */
const dets: Detection[][] = truth.map((obs) =>
  obs.map(({ pointPx: [x, y] }): Detection => ({ boxXyxy: [x - 15, y - 50, x + 15, y], score: 0.95, classId: 0, label: 'person' })),
);
const spec = {
  lines: [{ id: 'door', pointsPx: [[200, 20], [200, 180]] as [Point, Point] }],
  zones: [{ id: 'left', polygonPx: [[0, 0], [200, 0], [200, 200], [0, 200]] as Point[] }],
};

for (const counter of COUNTERS) {
  for (const tracker of MOT_TRACKERS.keys()) {
    test(`${counter} counter on ${tracker} tracks of exact detections: in and out as drawn, nothing past the line's end`, () => {
      const r = countSequence({
        frameRate: 10, imWidth: W, imHeight: H, truth, dets: { frames: dets, count: FRAMES * paths.length }, spec, tracker: MOT_TRACKERS.get(tracker)!(10), counter,
      });
      assert.deepEqual(r.lines['door'], { truth: { in: 1, out: 2 }, counted: { in: 1, out: 2 } });
      // In the left half: A while x < 200 (frames 0..29), B from x < 200 (frames 31..59), C while x < 200 (0..27), D (0..35).
      assert.equal(r.zones['left']!.truthMean, (30 + 29 + 28 + 36) / FRAMES);
      // Tracks are confirmed on their second detection: the first frame or two are missed, nothing else.
      assert.ok(r.zones['left']!.mae <= 6 / FRAMES, `mae ${r.zones['left']!.mae}`);
    });
  }
}

test('combineCounts sums |counted - truth| over lines and directions, relError = absError / truth, zoneMae = mean of zone MAEs', () => {
  const seqs: Record<string, SequenceCountResult> = {
    A: { lines: { a: { truth: { in: 3, out: 1 }, counted: { in: 2, out: 2 } } }, zones: { z: { mae: 0.5, truthMean: 2 } } },
    B: { lines: { b: { truth: { in: 0, out: 6 }, counted: { in: 1, out: 3 } } }, zones: { z: { mae: 1.5, truthMean: 1 } } },
  };
  assert.deepEqual(combineCounts(seqs), { truth: 10, counted: 8, absError: 6, relError: 0.6, zoneMae: 1 });
  assert.deepEqual(combineCounts(seqs, (kind, seq) => kind === 'zone' || seq === 'A'), { truth: 4, counted: 4, absError: 2, relError: 0.5, zoneMae: 1 });
  assert.deepEqual(combineCounts({}), { truth: 0, counted: 0, absError: 0, relError: null, zoneMae: null });
});
