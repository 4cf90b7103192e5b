/**
 * The "MOT pedestrian" evaluation profile: the output filter the reference trackers (ByteTrack, OC-SORT) apply before
 * writing MOTChallenge results. It removes boxes of 100 px² or less and boxes wider than 1.6 x their height. It exists
 * only for MOTChallenge evaluation; the server never applies it (cars, animals and people lying down are wide).
 */

import { interpolateGaps } from '../../tracking/offline.ts';
import type { OfflineOptions, TrackRow } from '../../tracking/offline.ts';

/** Largest width / height ratio the profile keeps (ByteTrack: `tlwh[2] / tlwh[3] > 1.6` is dropped). */
export const MOT_MAX_ASPECT = 1.6;
/** Boxes must be larger than this many px² (ByteTrack `--min-box-area`). */
export const MOT_MIN_AREA = 100;

/** True when the profile keeps this row. */
export function keepForMot(row: TrackRow): boolean {
  return row.w * row.h > MOT_MIN_AREA && !(row.w / row.h > MOT_MAX_ASPECT);
}

/** How tracker rows become result rows. */
export interface ResultOptions {
  /** Offline gap interpolation, or null for online output. */
  readonly offline: OfflineOptions | null;
  /** Apply the MOT pedestrian output filter (area > 100 px², w/h <= 1.6). */
  readonly motProfile: boolean;
}

/** Applies `ResultOptions` to one sequence's tracker rows. */
export function toResultRows(rows: readonly TrackRow[], frameRate: number, o: ResultOptions): TrackRow[] {
  const filled = o.offline ? interpolateGaps(rows, frameRate, o.offline) : [...rows];
  return o.motProfile ? filled.filter(keepForMot) : filled;
}
