/**
 * What the ByteTrack-style trackers (the ByteTrack port and Sightline's tracker) share: the track record, splitting
 * detections by score, Kalman prediction of the pool, IoU cost association, rebuilding the tracked/lost pools and the
 * public output. Pure.
 */

import { AppError } from '../core/errors.ts';
import { iou } from '../core/geometry.ts';
import type { BoxXyxy, Detection, Track } from '../core/types.ts';
import { predict, xyahToXyxy } from './kalman-filter.ts';
import type { KalmanState } from './kalman-filter.ts';
import { linearAssignment } from './linear-assignment.ts';
import type { AssignmentResult } from './linear-assignment.ts';

/** IoU above which a tracked and a lost track of the same class are considered duplicates (ByteTrack: 1 - 0.15). */
const DUPLICATE_IOU = 0.85;

/** Where a track is: tracked (matched recently), lost (kept to be found again) or removed. */
export type PoolState = 'tracked' | 'lost' | 'removed';

/** ByteTrack's `STrack`: mutable and private to a tracker. */
export interface PooledTrack {
  kalman: KalmanState;
  readonly classId: number;
  readonly label: string;
  score: number;
  /** Public id; 0 while the track is not confirmed (ByteTrack `is_activated` is `id > 0`). */
  id: number;
  state: PoolState;
  /** Update number in which the track was born. */
  readonly startFrame: number;
  /** Update number of the last matched detection (ByteTrack `frame_id` / `end_frame`). */
  lastFrame: number;
  /** Frame time of the first update that missed the track, in milliseconds, while it is lost (the lost-track buffer
   * is measured from it); null while tracked. */
  lostSinceMs: number | null;
  hits: number;
}

/** A detection a filter can use: finite score and a box with positive, finite width and height. */
export function isUsableDetection(d: Detection): boolean {
  const [x1, y1, x2, y2] = d.boxXyxy;
  return Number.isFinite(d.score) && Number.isFinite(x1) && Number.isFinite(y1) && x2 - x1 > 0 && y2 - y1 > 0 &&
    Number.isFinite(x2) && Number.isFinite(y2);
}

/** Usable detections scoring above `high`, and those above `low` but not above `high`. */
export function splitByScore(detections: readonly Detection[], high: number, low: number): { high: Detection[]; low: Detection[] } {
  const out = { high: [] as Detection[], low: [] as Detection[] };
  for (const d of detections) {
    if (!isUsableDetection(d)) continue;
    // ByteTrack drops a score exactly equal to track_thresh from both stages; here it goes to the second stage.
    if (d.score > high) out.high.push(d);
    else if (d.score > low) out.low.push(d);
  }
  return out;
}

/** Throws `CONFIG_INVALID` for each named option that is not a number in 0..1. */
export function checkUnitOptions<O extends object>(o: O, keys: readonly (keyof O & string)[]): void {
  for (const key of keys) {
    const v = o[key];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      throw new AppError('CONFIG_INVALID', `tracker.${key} must be a number between 0 and 1, got ${String(v)}`);
    }
  }
}

/** ByteTrack's `multi_predict`: a track that is not currently tracked has its height velocity zeroed first. */
export function predictPooled(t: PooledTrack, dt = 1): KalmanState {
  if (t.state === 'tracked') return predict(t.kalman, dt);
  const mean = Float64Array.from(t.kalman.mean);
  mean[7] = 0;
  return predict({ mean, covariance: t.kalman.covariance }, dt);
}

/** The track's filtered box. */
export function kalmanBox(t: PooledTrack): BoxXyxy {
  return xyahToXyxy(t.kalman.mean);
}

/**
 * Optimal assignment on 1 - IoU (1 - IoU * score with `fuseScore`) between boxes of the given tracks and detections
 * of the same class. `pixelInclusive` counts box sides as x2 - x1 + 1, as ByteTrack's `cython_bbox` does.
 */
export function associateByIou(
  tracks: readonly PooledTrack[],
  boxes: readonly BoxXyxy[],
  dets: readonly Detection[],
  costLimit: number,
  fuseScore: boolean,
  pixelInclusive = false,
): AssignmentResult {
  const e = pixelInclusive ? 1 : 0;
  const rows = tracks.length;
  const cols = dets.length;
  const values = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const a = boxes[r]!;
    const ax1 = a[0], ay1 = a[1], ax2 = a[2], ay2 = a[3];
    const areaA = (ax2 - ax1 + e) * (ay2 - ay1 + e);
    const classId = tracks[r]!.classId;
    for (let c = 0; c < cols; c++) {
      const d = dets[c]!;
      if (d.classId !== classId) {
        values[r * cols + c] = Infinity;
        continue;
      }
      const b = d.boxXyxy;
      const w = Math.min(ax2, b[2]) - Math.max(ax1, b[0]) + e;
      const h = Math.min(ay2, b[3]) - Math.max(ay1, b[1]) + e;
      let sim = 0;
      if (w > 0 && h > 0) {
        const inter = w * h;
        const union = areaA + (b[2] - b[0] + e) * (b[3] - b[1] + e) - inter;
        sim = union > 0 ? inter / union : 0;
      }
      values[r * cols + c] = 1 - (fuseScore ? sim * d.score : sim);
    }
  }
  return linearAssignment({ rows, cols, values }, costLimit);
}

/** ByteTrack's `joint_stracks`: `a` followed by the tracks of `b` not already in `a`. */
export function joinTracks<T>(a: readonly T[], b: readonly T[]): T[] {
  const seen = new Set(a);
  const out = [...a];
  for (const t of b) {
    if (!seen.has(t)) {
      seen.add(t);
      out.push(t);
    }
  }
  return out;
}

/** ByteTrack's `remove_duplicate_stracks`: of a tracked and a lost track overlapping by IoU > 0.85, keep the older. */
export function removeDuplicateTracks<T extends PooledTrack>(
  tracked: readonly T[],
  lost: readonly T[],
  overlap: (a: BoxXyxy, b: BoxXyxy) => number = iou,
): [T[], T[]] {
  const dropTracked = new Set<T>();
  const dropLost = new Set<T>();
  const lostBoxes = lost.map(kalmanBox);
  for (const p of tracked) {
    const boxP = kalmanBox(p);
    for (let q = 0; q < lost.length; q++) {
      const l = lost[q]!;
      if (l.classId !== p.classId || !(overlap(boxP, lostBoxes[q]!) > DUPLICATE_IOU)) continue;
      if (p.lastFrame - p.startFrame > l.lastFrame - l.startFrame) dropLost.add(l);
      else dropTracked.add(p);
    }
  }
  return [tracked.filter((t) => !dropTracked.has(t)), lost.filter((t) => !dropLost.has(t))];
}

/**
 * Slack when comparing frame times with the lost-track buffer, in ms: times computed as `frame * 1000 / fps` carry
 * rounding errors, and a buffer of exactly N frame intervals must keep a track missing for exactly N intervals.
 */
const TIME_SLACK_MS = 1e-3;

/** Marks a track lost in the update at `nowMs` (the first update that missed it). */
export function markLost(t: PooledTrack, nowMs: number): void {
  t.state = 'lost';
  t.lostSinceMs = nowMs;
}

/**
 * Lost tracks that can still be found again at `nowMs`: those missing for at most `lostBufferMs` of frame time (from
 * the first update that missed them); the others are marked removed. Run before association, so the buffer is
 * measured in milliseconds from frame timestamps: frames dropped by a slow machine do not stretch it.
 */
export function unexpiredLost<T extends PooledTrack>(lost: readonly T[], nowMs: number, lostBufferMs: number): T[] {
  const keep: T[] = [];
  for (const t of lost) {
    if (t.state === 'lost' && nowMs - (t.lostSinceMs ?? nowMs) > lostBufferMs + TIME_SLACK_MS) t.state = 'removed';
    else keep.push(t);
  }
  return keep;
}

/**
 * ByteTrack's pool rebuild at the end of an update: the tracked pool is the still-tracked tracks plus those activated
 * and refound in this update; the lost pool takes the newly lost; removed tracks go; duplicates between the two pools
 * are resolved. (Lost tracks past the buffer are dropped by `unexpiredLost` at the start of the next update.)
 */
export function rebuildPools<T extends PooledTrack>(
  previous: { readonly tracked: readonly T[]; readonly lost: readonly T[] },
  update: { readonly activated: readonly T[]; readonly refound: readonly T[]; readonly newlyLost: readonly T[] },
  overlap: (a: BoxXyxy, b: BoxXyxy) => number = iou,
): { tracked: T[]; lost: T[] } {
  const tracked = joinTracks(joinTracks(previous.tracked.filter((t) => t.state === 'tracked'), update.activated), update.refound);
  const trackedSet = new Set(tracked);
  const lost = [...previous.lost.filter((t) => !trackedSet.has(t)), ...update.newlyLost].filter((t) => t.state !== 'removed');
  const [dedupTracked, dedupLost] = removeDuplicateTracks(tracked, lost, overlap);
  return { tracked: dedupTracked, lost: dedupLost };
}

/** The public output: confirmed tracks matched in this update, with their filtered boxes, by id. */
export function confirmedMatched(tracked: readonly PooledTrack[], frameId: number): Track[] {
  const out: Track[] = [];
  for (const t of tracked) {
    if (t.id === 0 || t.lastFrame !== frameId) continue;
    out.push({
      id: t.id,
      boxXyxy: kalmanBox(t),
      score: t.score,
      classId: t.classId,
      label: t.label,
      state: 'confirmed',
      ageFrames: frameId - t.startFrame,
      hits: t.hits,
      matched: true,
    });
  }
  return out.sort((a, b) => a.id - b.id);
}
