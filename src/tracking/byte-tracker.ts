/**
 * ByteTrack (Zhang et al., ECCV 2022) as a pure `Tracker`: a port of `BYTETracker.update()` from the reference
 * implementation, with three deliberate differences:
 * 1. detections and tracks are associated only within the same `classId`, so an id never moves across classes;
 * 2. public ids come from a counter starting at 1 and are handed out only when a track is confirmed, so tentative
 *    tracks that die consume no id and ids have no gaps;
 * 3. no area / aspect filter on the output (that belongs to a MOT-evaluation profile).
 * The motion model counts updates (frames), as in ByteTrack; the lost-track buffer is measured in milliseconds of
 * `frameTimeMs` (ByteTrack's `track_buffer` frames at 30 fps), so dropped frames do not stretch it.
 */

import { AppError } from '../core/errors.ts';
import { iou, iouPixelInclusive } from '../core/geometry.ts';
import type { BoxXyxy, Detection, Track } from '../core/types.ts';
import { initiate, update as kalmanUpdate, xyxyToXyah } from './kalman-filter.ts';
import type { Tracker } from './tracker.ts';
import {
  associateByIou,
  checkUnitOptions,
  confirmedMatched,
  joinTracks,
  kalmanBox,
  predictPooled,
  markLost,
  rebuildPools,
  unexpiredLost,
  splitByScore,
} from './track-pool.ts';
import type { PooledTrack } from './track-pool.ts';

/** Options of `ByteTracker`; scores are detection confidences in 0..1, match thresholds are cost limits on 1 - IoU. */
export interface ByteTrackerOptions {
  /** Detections scoring above this take part in the first association (ByteTrack `track_thresh`). */
  readonly highScoreThresh: number;
  /** Detections scoring above this and at most `highScoreThresh` take part only in the second association. */
  readonly lowScoreThresh: number;
  /** An unmatched high-score detection starts a track only when its score is at least this (ByteTrack `det_thresh`). */
  readonly newTrackThresh: number;
  /** Cost limit (1 - IoU, or 1 - IoU * score with `fuseScore`) of the first association (ByteTrack `match_thresh`). */
  readonly matchIouThresh: number;
  /** Cost limit (1 - IoU) of the second association, low-score detections with still-tracked tracks. */
  readonly secondMatchIouThresh: number;
  /** Cost limit of the association of unconfirmed tracks with the high-score detections left over. */
  readonly unconfirmedMatchThresh: number;
  /**
   * A lost track can be found again while it has been missing for at most this many milliseconds of frame time, from
   * the first update that missed it (ByteTrack `track_buffer` missed frames at 30 fps).
   */
  readonly lostTrackBufferMs: number;
  /** Multiply IoU by the detection score in the first and the unconfirmed association (ByteTrack `fuse_score`). */
  readonly fuseScore: boolean;
  /** Matched updates (including the first) a track needs to be confirmed; tracks born in the first update skip this. */
  readonly minHitsToConfirm: number;
  /** Count box sides as x2 - x1 + 1 in IoU, as ByteTrack's `cython_bbox` does (only to reproduce its results). */
  readonly pixelInclusiveIou: boolean;
}

/** ByteTrack's defaults (`track_buffer` 30 at 30 fps, about 1 s). */
export const BYTE_TRACKER_DEFAULTS: ByteTrackerOptions = Object.freeze({
  highScoreThresh: 0.5,
  lowScoreThresh: 0.1,
  newTrackThresh: 0.6,
  matchIouThresh: 0.8,
  secondMatchIouThresh: 0.5,
  unconfirmedMatchThresh: 0.7,
  lostTrackBufferMs: 1000,
  fuseScore: true,
  minHitsToConfirm: 2,
  pixelInclusiveIou: false,
});

/** ByteTrack's `STrack`. */
type TrackRecord = PooledTrack;

/** ByteTrack multi-object tracker: two-stage association of high- then low-score detections with predicted tracks. */
export class ByteTracker implements Tracker {
  /** The validated, frozen options in use. */
  readonly options: ByteTrackerOptions;
  private tracked: TrackRecord[] = [];
  private lost: TrackRecord[] = [];
  private frameId = 0;
  private nextId = 1;
  private readonly overlap: (a: BoxXyxy, b: BoxXyxy) => number;

  /** Creates a tracker; omitted options take `BYTE_TRACKER_DEFAULTS`, invalid ones throw `CONFIG_INVALID`. */
  constructor(options: Partial<ByteTrackerOptions> = {}) {
    this.options = validateOptions({ ...BYTE_TRACKER_DEFAULTS, ...options });
    this.overlap = this.options.pixelInclusiveIou ? iouPixelInclusive : iou;
  }

  /** Runs one ByteTrack step on a frame's detections; returns confirmed tracks matched in this frame, by id. */
  update(detections: readonly Detection[], frameTimeMs: number): Track[] {
    const o = this.options;
    const frameId = ++this.frameId;

    const { high, low } = splitByScore(detections, o.highScoreThresh, o.lowScoreThresh);

    const activated: TrackRecord[] = [];
    const refound: TrackRecord[] = [];
    const newlyLost: TrackRecord[] = [];

    const unconfirmed: TrackRecord[] = [];
    const confirmedTracked: TrackRecord[] = [];
    for (const t of this.tracked) (t.id > 0 ? confirmedTracked : unconfirmed).push(t);

    // Step 2: first association, high-score detections with tracked and lost tracks, all predicted jointly.
    this.lost = unexpiredLost(this.lost, frameTimeMs, o.lostTrackBufferMs);
    const pool = joinTracks(confirmedTracked, this.lost);
    for (const t of pool) t.kalman = predictPooled(t);
    const first = this.associate(pool, high, o.matchIouThresh, o.fuseScore);
    for (const [ti, di] of first.matches) {
      const t = pool[ti]!;
      (t.state === 'tracked' ? activated : refound).push(t);
      this.applyDetection(t, high[di]!, frameId);
    }

    // Step 3: second association, low-score detections with the tracks still tracked (not the lost ones).
    const remainingTracked = first.unmatchedRows.map((i) => pool[i]!).filter((t) => t.state === 'tracked');
    const second = this.associate(remainingTracked, low, o.secondMatchIouThresh, false);
    for (const [ti, di] of second.matches) {
      const t = remainingTracked[ti]!;
      this.applyDetection(t, low[di]!, frameId);
      activated.push(t);
    }
    for (const ti of second.unmatchedRows) {
      const t = remainingTracked[ti]!;
      if (t.state !== 'lost') {
        markLost(t, frameTimeMs);
        newlyLost.push(t);
      }
    }

    // Unconfirmed tracks (usually seen in one frame so far) against the high-score detections left over.
    // As in ByteTrack they are not predicted first.
    const leftHigh = first.unmatchedCols.map((i) => high[i]!);
    const third = this.associate(unconfirmed, leftHigh, o.unconfirmedMatchThresh, o.fuseScore);
    for (const [ti, di] of third.matches) {
      const t = unconfirmed[ti]!;
      this.applyDetection(t, leftHigh[di]!, frameId);
      activated.push(t);
    }
    for (const ti of third.unmatchedRows) unconfirmed[ti]!.state = 'removed';

    // Step 4: new tracks from confident detections nobody claimed.
    for (const di of third.unmatchedCols) {
      const d = leftHigh[di]!;
      if (d.score < o.newTrackThresh) continue;
      const t: TrackRecord = {
        kalman: initiate(xyxyToXyah(d.boxXyxy)),
        classId: d.classId,
        label: d.label,
        score: d.score,
        id: 0,
        state: 'tracked',
        startFrame: frameId,
        lastFrame: frameId,
        lostSinceMs: null,
        hits: 1,
      };
      if (frameId === 1 || o.minHitsToConfirm <= 1) t.id = this.nextId++;
      activated.push(t);
    }

    // Step 5: drop tracks lost for longer than the buffer, then rebuild the pools as ByteTrack does.
    const pools = rebuildPools({ tracked: this.tracked, lost: this.lost }, { activated, refound, newlyLost }, this.overlap);
    this.tracked = pools.tracked;
    this.lost = pools.lost;
    return confirmedMatched(this.tracked, frameId);
  }

  /** Forgets all tracks and restarts the update count (the next update counts as the first); ids keep counting up. */
  activeTracks(): number {
    return this.tracked.length;
  }

  reset(): void {
    this.tracked = [];
    this.lost = [];
    this.frameId = 0;
  }

  private associate(tracks: readonly TrackRecord[], dets: readonly Detection[], costLimit: number, fuseScore: boolean) {
    return associateByIou(tracks, tracks.map(kalmanBox), dets, costLimit, fuseScore, this.options.pixelInclusiveIou);
  }

  /** ByteTrack's `STrack.update` / `re_activate`: Kalman correction, state tracked, confirmation after enough hits. */
  private applyDetection(t: TrackRecord, d: Detection, frameId: number): void {
    t.kalman = kalmanUpdate(t.kalman, xyxyToXyah(d.boxXyxy));
    t.state = 'tracked';
    t.lastFrame = frameId;
    t.lostSinceMs = null;
    t.score = d.score;
    t.hits += 1;
    if (t.id === 0 && t.hits >= this.options.minHitsToConfirm) t.id = this.nextId++;
  }
}

function validateOptions(o: ByteTrackerOptions): ByteTrackerOptions {
  checkUnitOptions(o, ['highScoreThresh', 'lowScoreThresh', 'newTrackThresh', 'matchIouThresh', 'secondMatchIouThresh', 'unconfirmedMatchThresh']);
  if (o.lowScoreThresh > o.highScoreThresh) {
    throw new AppError(
      'CONFIG_INVALID',
      `tracker.lowScoreThresh (${o.lowScoreThresh}) must not exceed tracker.highScoreThresh (${o.highScoreThresh}); ` +
        'lower lowScoreThresh or raise highScoreThresh',
    );
  }
  if (!(o.lostTrackBufferMs >= 0 && Number.isFinite(o.lostTrackBufferMs))) {
    throw new AppError('CONFIG_INVALID', `tracker.lostTrackBufferMs must be a number >= 0, got ${String(o.lostTrackBufferMs)}`);
  }
  if (!Number.isInteger(o.minHitsToConfirm) || o.minHitsToConfirm < 1) {
    throw new AppError(
      'CONFIG_INVALID',
      `tracker.minHitsToConfirm must be an integer >= 1, got ${String(o.minHitsToConfirm)}`,
    );
  }
  if (typeof o.fuseScore !== 'boolean') {
    throw new AppError('CONFIG_INVALID', `tracker.fuseScore must be a boolean, got ${String(o.fuseScore)}`);
  }
  return Object.freeze({ ...o });
}
