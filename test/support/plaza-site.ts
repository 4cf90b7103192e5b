/**
 * Test support: the plaza site of the site tests. The plaza clip (`videos/vtest.avi`, 768 x 576) is the world and its
 * picture at 2.5 cm a pixel the floor plan (19.2 x 14.4 m); two tile cameras show overlapping parts of it (west: x
 * 0..0.6, east: x 0.4..1), each calibrated by the point pairs a user would click; the plaza camera itself is calibrated
 * to a plan the site does not have; a plan without scale and an area off its plan are there to be reported.
 */
import { asset } from './assets.ts';

export const PLAN_W = 19.2, PLAN_H = 14.4;
export const WEST = [0, 0, 0.6, 1] as const, EAST = [0.4, 0, 0.6, 1] as const;
/** The four corners and the middle: five pairs, since four always fit exactly and a wrong pair shows only against more. */
export const CLICKS = [[0.05, 0.1], [0.95, 0.1], [0.95, 0.95], [0.05, 0.95], [0.5, 0.5]] as const;

/** Point pairs a user would click on a tile: the tile's corners and middle, and where they are on the plan. */
export function pairsFor(crop: readonly [number, number, number, number]) {
  return CLICKS.map(([u, v]) => ({
    imageNorm: [u, v] as [number, number],
    planM: [(crop[0] + u * crop[2]) * PLAN_W, (crop[1] + v * crop[3]) * PLAN_H] as [number, number],
  }));
}

/** The `cameras` and `site` sections of the configuration. */
export function plazaSite() {
  return {
    cameras: [
      { id: 'plaza', source: { url: asset('videos/vtest.avi'), loop: true }, detect: { fps: 5 }, record: { mode: 'off' as const }, calibration: { plan: 'elsewhere', pointPairs: pairsFor([0, 0, 1, 1]) } },
      { id: 'west', source: { url: 'tile:plaza', crop: [...WEST] }, calibration: { plan: 'floor', pointPairs: pairsFor(WEST) }, rules: [{ id: 'anyone', type: 'presence' as const, zone: 'all' }] },
      { id: 'east', source: { url: 'tile:plaza', crop: [...EAST] }, calibration: { plan: 'floor', pointPairs: pairsFor(EAST) } },
    ],
    site: {
      plans: [{ id: 'floor', widthPx: 768, heightPx: 576, metresPerPixel: 0.025 }, { id: 'sketch', widthPx: 100, heightPx: 100 }],
      areas: [
        { id: 'overlap', plan: 'floor', polygonM: [[0.4 * PLAN_W, 0], [0.6 * PLAN_W, 0], [0.6 * PLAN_W, PLAN_H], [0.4 * PLAN_W, PLAN_H]] },
        { id: 'plaza', plan: 'floor', polygonM: [[0, 0], [PLAN_W, 0], [PLAN_W, PLAN_H], [0, PLAN_H]] },
        { id: 'car-park', plan: 'floor', polygonM: [[0, 0], [40, 0], [40, 5]] },
      ],
      trajectories: { sampleMs: 500 },
    },
  };
}
