import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BoxXyxy } from '../core/types.ts';
import { insideFlags, inZone, WHOLE_FRAME_ZONE, type Zone } from './zones.ts';

const leftHalf: Zone = { id: 'left', polygonNorm: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]] };

test('inZone: the anchor point decides', async (t) => {
  const cases: { name: string; box: BoxXyxy; zone: Zone; anchor?: 'center'; want: boolean }[] = [
    { name: 'bottom-centre inside the zone', box: [10, 10, 30, 50], zone: leftHalf, want: true },
    { name: 'bottom-centre outside though the box overlaps', box: [40, 10, 90, 50], zone: leftHalf, want: false },
    { name: 'centre anchor: inside by its centre', box: [30, 10, 66, 50], zone: leftHalf, anchor: 'center', want: true },
    { name: 'whole-frame zone includes a box touching the bottom-right corner', box: [80, 60, 100, 100], zone: WHOLE_FRAME_ZONE, want: true },
  ];
  for (const c of cases) {
    await t.test(c.name, () => assert.equal(inZone({ boxXyxy: c.box }, c.zone, 100, 100, c.anchor), c.want));
  }
});

test('insideFlags: computed per frame and zone, right again when frames alternate (the buffer is reused)', () => {
  const frame = (xs: number[]) => ({ widthPx: 100, heightPx: 100, tracks: xs.map((x, i) => ({ id: i + 1, boxXyxy: [x - 5, 10, x + 5, 50] as BoxXyxy, score: 1, classId: 0, label: 'person', state: 'confirmed' as const, ageFrames: 1, hits: 1, matched: true })) });
  const a = frame([10, 90, 20]);
  const b = frame([90, 10]);
  const read = (f: ReturnType<typeof frame>, z: Zone) => Array.from(insideFlags(f, z).subarray(0, f.tracks.length));
  assert.deepEqual(read(a, leftHalf), [1, 0, 1]);
  assert.deepEqual(read(b, leftHalf), [0, 1]);
  assert.deepEqual(read(a, leftHalf), [1, 0, 1]);
  assert.deepEqual(read(a, WHOLE_FRAME_ZONE), [1, 1, 1]);
  assert.deepEqual(read(frame([10, 90, 20, 30, 95]), leftHalf), [1, 0, 1, 1, 0]);
});
