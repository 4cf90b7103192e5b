import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BoxXyxy, Track } from '../core/types.ts';
import { wholeFrameZone, zoneHits, type Zone } from './zones.ts';

const track = (id: number, boxXyxy: BoxXyxy, label = 'person', state: Track['state'] = 'confirmed'): Track => ({
  id, boxXyxy, label, state, score: 0.8, classId: 0, ageFrames: 5, hits: 5, matched: true,
});
const leftHalf: Zone = { id: 'left', polygonNorm: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]], labels: new Set(['person']) };

test('zoneHits', async (t) => {
  const cases = [
    { name: 'bottom-centre inside the zone', tracks: [track(1, [10, 10, 30, 50])], zones: [leftHalf], want: ['1:left'] },
    { name: 'bottom-centre outside though the box overlaps', tracks: [track(1, [40, 10, 90, 50])], zones: [leftHalf], want: [] },
    { name: 'label not listed by the zone', tracks: [track(1, [10, 10, 30, 50], 'dog')], zones: [leftHalf], want: [] },
    { name: 'unconfirmed tracks never count', tracks: [track(1, [10, 10, 30, 50], 'person', 'tentative')], zones: [leftHalf], want: [] },
    { name: 'whole-frame zone includes a box touching the bottom-right corner', tracks: [track(2, [80, 60, 100, 100])], zones: [wholeFrameZone(['person'])], want: ['2:all'] },
    { name: 'one track in two zones', tracks: [track(3, [10, 10, 30, 50])], zones: [leftHalf, wholeFrameZone(['person'])], want: ['3:left', '3:all'] },
  ];
  for (const c of cases) {
    await t.test(c.name, () => assert.deepEqual(zoneHits(c.tracks, c.zones, 100, 100).map((h) => `${h.trackId}:${h.zoneId}`), c.want));
  }
});
