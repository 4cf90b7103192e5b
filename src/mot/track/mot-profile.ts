/**
 * The "MOT pedestrian" evaluation profile: the output filter the reference trackers (ByteTrack, OC-SORT) apply before
 * writing MOTChallenge results. It removes boxes of 100 px² or less and boxes wider than 1.6 x their height. It exists
 * only for MOTChallenge evaluation; the server never applies it (cars, animals and people lying down are wide).
 */

import type { TrackRow } from '../../tracking/offline.ts';

/** A result row: one track's box in one frame (1-based frame, top-left + size in pixels). */
export type ResultRow = TrackRow;

/** Largest width / height ratio the profile keeps (ByteTrack: `tlwh[2] / tlwh[3] > 1.6` is dropped). */
export const MOT_MAX_ASPECT = 1.6;
/** Boxes must be larger than this many px² (ByteTrack `--min-box-area`). */
export const MOT_MIN_AREA = 100;

/** True when the profile keeps this row. */
export function keepForMot(row: ResultRow): boolean {
  return row.w * row.h > MOT_MIN_AREA && !(row.w / row.h > MOT_MAX_ASPECT);
}
