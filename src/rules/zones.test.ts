import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BoxXyxy } from '../core/types.ts';
import { inZone, WHOLE_FRAME_ZONE, type Zone } from './zones.ts';

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
