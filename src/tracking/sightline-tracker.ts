/**
 * Sightline's default tracker: the ByteTrack port's two-stage association, plus what is known to reduce id switches
 * and false tracks on real footage:
 * - observation-centric re-update (OC-SORT): when a track is found again after a gap, its Kalman filter is re-run along
 *   a straight path from its last observation to the new one, so the velocity it drifted to while unobserved is undone;
 * - observation-centric recovery (OC-SORT): tracks still unmatched are tried against the leftover detections by their
 *   last observed box rather than the prediction;
 * - confidence-scaled measurement noise: confident detections pull the filter harder than doubtful ones;
 * - the lost-track buffer is in seconds of frame time, not frames, so a 7 fps and a 30 fps camera keep a person
 *   equally long, and frames dropped by a slow machine do not stretch it;
 * - association only within one class; ids are handed out on confirmation, never shared across classes;
 * - no exception for the first update: a detection seen once never becomes a track, even at start-up.
 * - prediction by the elapsed time: the filter advances by the time since the previous update in units of the camera's
 *   frame interval (the lower quartile of recent intervals: dropped frames make intervals longer), so a frame dropped by a
 *   busy machine moves every prediction two frames ahead, not one; with regular frames this is ByteTrack's filter.
 * Pure and deterministic; time comes from `frameTimeMs`.
 */

import { AppError } from '../core/errors.ts';
import type { BoxXyxy, Detection, Track } from '../core/types.ts';
import { initiate, predict, update as kalmanUpdate, xyxyToXyah } from './kalman-filter.ts';
import type { KalmanState } from './kalman-filter.ts';
import type { Tracker } from './tracker.ts';
import { estimateMotion, isNoMotion, moveBox, moveState, NO_MOTION, type CameraMotion } from './camera-motion.ts';
import {
  associateByIou as associate,
  checkUnitOptions,
  confirmedMatched,
  joinTracks,
  kalmanBox as trackBox,
  predictPooled,
  markLost,
  rebuildPools,
  unexpiredLost,
  splitByScore,
} from './track-pool.ts';
import type { PooledTrack } from './track-pool.ts';

/** Options of `SightlineTracker`. Scores are detection confidences in 0..1; match thresholds are limits on 1 - IoU. */
export interface SightlineTrackerOptions {
  /** Detections above this take part in the first association. */
  readonly highScoreThresh: number;
  /** Detections above this (and not high) only keep tracked tracks alive (second association). */
  readonly lowScoreThresh: number;
  /** An unclaimed high detection starts a track only at or above this score. */
  readonly newTrackThresh: number;
  /** Cost limit of the first association (1 - IoU * score). */
  readonly matchIouThresh: number;
  /** Cost limit of the second association (1 - IoU). */
  readonly secondMatchIouThresh: number;
  /** Cost limit of unconfirmed tracks against leftover high detections (1 - IoU * score). */
  readonly unconfirmedMatchThresh: number;
  /** Cost limit (1 - IoU) of recovery by the last observed box; 0 turns recovery off. */
  readonly recoveryIouThresh: number;
  /** How long a lost track can still be found again, in seconds. */
  readonly lostTrackSeconds: number;
  /** Matched updates a track needs to be confirmed, also in the first update (unlike ByteTrack, which confirms every track born in frame 1). */
  readonly minHitsToConfirm: number;
  /** Re-run the filter along a straight path when a track is found after a gap (OC-SORT's ORU). */
  readonly observationReupdate: boolean;
  /** Scale the measurement noise by (1 - score) ** 2, so confident detections count more. */
  readonly confidenceNoise: boolean;
  /** Lower bound of that scale (0..1): even a perfect score leaves this much of the measurement noise. */
  readonly confidenceNoiseFloor: number;
  /**
   * How long a tentative (unconfirmed) track may go unmatched before it is dropped, in seconds of frame time (ByteTrack
   * drops it at its first miss).
   */
  readonly tentativeMissSeconds: number;
  /** A track with exactly `minHitsToConfirm` hits is confirmed only when its detection scores add up to this. */
  readonly confirmScoreSum: number;
  /** Predict by the time elapsed since the previous update (in frame intervals) rather than one frame per update. */
  readonly predictByElapsedTime: boolean;
  /**
   * Estimate the camera's motion from the boxes (`camera-motion.ts`) and move every prediction by it before association.
   * Off by default: on the MOT17 and MOT15 dev sequences it changed nothing measurable, moving cameras included
   * (`bench/track.ts`); a camera's motion is better measured from its frames.
   */
  readonly cameraMotionFromBoxes: boolean;
}

/**
 * The defaults: one set for every camera and dataset, chosen on the MOT17 FRCNN dev sequences and MOT15 together
 * (`bench/track.ts`). Recovery by the last observed box is off: on those sets it did not help.
 */
export const SIGHTLINE_TRACKER_DEFAULTS: SightlineTrackerOptions = Object.freeze({
  highScoreThresh: 0.7,
  lowScoreThresh: 0.05,
  newTrackThresh: 0.9,
  matchIouThresh: 0.9,
  secondMatchIouThresh: 0.7,
  unconfirmedMatchThresh: 0.7,
  recoveryIouThresh: 0,
  lostTrackSeconds: 2.5,
  minHitsToConfirm: 2,
  observationReupdate: true,
  confidenceNoise: true,
  confidenceNoiseFloor: 0.3,
  confirmScoreSum: 1.9,
  tentativeMissSeconds: 0.15,
  predictByElapsedTime: true,
  cameraMotionFromBoxes: false,
});

/** Intervals between updates kept to find the frame interval: enough that a run of dropped or early frames cannot hide it. */
const INTERVALS_KEPT = 16;

interface TrackRecord extends PooledTrack {
  /** The filter state right after the last matched observation (for the re-update after a gap). */
  kalmanAtObs: KalmanState;
  lastObs: BoxXyxy;
  /** Frame time of the last matched observation (ms). */
  lastObsMs: number;
  /** Sum of the matched detections' scores (the evidence for confirmation). */
  scoreSum: number;
}

/** Sightline's default multi-object tracker (see the file comment). */
export class SightlineTracker implements Tracker {
  readonly options: SightlineTrackerOptions;
  private readonly lostBufferMs: number;
  private readonly tentativeMissMs: number;
  private tracked: TrackRecord[] = [];
  private lost: TrackRecord[] = [];
  private frameId = 0;
  private nextId = 1;
  private lastTimeMs: number | null = null;
  /** The camera motion applied in the last update (`NO_MOTION` when none was seen). */
  lastMotion: CameraMotion = NO_MOTION;
  /** The newest intervals between updates (ms, positive ones only): their lower quartile is the camera's frame interval. */
  private readonly intervals: number[] = [];
  /** Their lower quartile, updated with them (null before the first). */
  private intervalMs: number | null = null;

  /** Omitted options take `SIGHTLINE_TRACKER_DEFAULTS`; invalid ones throw `CONFIG_INVALID`. */
  constructor(options: Partial<SightlineTrackerOptions> = {}) {
    this.options = validateOptions({ ...SIGHTLINE_TRACKER_DEFAULTS, ...options });
    this.lostBufferMs = this.options.lostTrackSeconds * 1000;
    this.tentativeMissMs = this.options.tentativeMissSeconds * 1000;
  }

  update(detections: readonly Detection[], frameTimeMs: number, cameraMotion?: CameraMotion): Track[] {
    const o = this.options;
    const frameId = ++this.frameId;
    const dt = this.framesSince(frameTimeMs);
    const { high, low } = splitByScore(detections, o.highScoreThresh, o.lowScoreThresh);

    const activated: TrackRecord[] = [];
    const refound: TrackRecord[] = [];
    const newlyLost: TrackRecord[] = [];
    const unconfirmed: TrackRecord[] = [];
    const confirmedTracked: TrackRecord[] = [];
    for (const t of this.tracked) (t.id > 0 ? confirmedTracked : unconfirmed).push(t);

    // First association: high detections with tracked and lost tracks.
    this.lost = unexpiredLost(this.lost, frameTimeMs, this.lostBufferMs);
    const pool = joinTracks(confirmedTracked, this.lost);
    for (const t of pool) t.kalman = predictPooled(t, dt);
    // Camera motion measured from the frames: every prediction moves with the picture before the association.
    this.lastMotion = cameraMotion ?? NO_MOTION;
    if (cameraMotion !== undefined && !isNoMotion(cameraMotion)) for (const t of [...pool, ...unconfirmed]) moveTrack(t, cameraMotion);
    let first = associate(pool, pool.map(trackBox), high, o.matchIouThresh, true);
    // Else, optionally, from the boxes: what the tracked people's matches share beyond their own predicted motion;
    // every prediction is moved by it and the association made again (once).
    if (o.cameraMotionFromBoxes && cameraMotion === undefined) {
      const pairs = first.matches.filter(([ti]) => pool[ti]!.state === 'tracked').map(([ti, di]) => ({ predicted: trackBox(pool[ti]!), observed: high[di]!.boxXyxy }));
      const motion = estimateMotion(pairs);
      if (!isNoMotion(motion)) {
        for (const t of [...pool, ...unconfirmed]) moveTrack(t, motion);
        first = associate(pool, pool.map(trackBox), high, o.matchIouThresh, true);
        this.lastMotion = motion;
      }
    }
    for (const [ti, di] of first.matches) {
      const t = pool[ti]!;
      (t.state === 'tracked' ? activated : refound).push(t);
      this.applyDetection(t, high[di]!, frameId, frameTimeMs);
    }

    // Second association: low detections with tracks still tracked.
    const remaining = first.unmatchedRows.map((i) => pool[i]!);
    const remainingTracked = remaining.filter((t) => t.state === 'tracked');
    const second = associate(remainingTracked, remainingTracked.map(trackBox), low, o.secondMatchIouThresh, false);
    for (const [ti, di] of second.matches) {
      const t = remainingTracked[ti]!;
      this.applyDetection(t, low[di]!, frameId, frameTimeMs);
      activated.push(t);
    }

    // Recovery: tracks still unmatched, by their last observed box, against the high detections left over.
    let leftHigh = first.unmatchedCols.map((i) => high[i]!);
    const stillUnmatched = [
      ...second.unmatchedRows.map((i) => remainingTracked[i]!),
      ...remaining.filter((t) => t.state !== 'tracked'),
    ];
    if (o.recoveryIouThresh > 0 && stillUnmatched.length > 0 && leftHigh.length > 0) {
      const rec = associate(stillUnmatched, stillUnmatched.map((t) => t.lastObs), leftHigh, o.recoveryIouThresh, false);
      const used = new Set<number>();
      for (const [ti, di] of rec.matches) {
        const t = stillUnmatched[ti]!;
        (t.state === 'tracked' ? activated : refound).push(t);
        this.applyDetection(t, leftHigh[di]!, frameId, frameTimeMs);
        used.add(di);
      }
      leftHigh = leftHigh.filter((_, i) => !used.has(i));
    }
    for (const t of stillUnmatched) {
      if (t.lastFrame !== frameId && t.state === 'tracked') {
        markLost(t, frameTimeMs);
        newlyLost.push(t);
      }
    }

    // Unconfirmed tracks against the high detections left over.
    for (const t of unconfirmed) if (frameId - t.lastFrame > 1) t.kalman = predict(t.kalman, dt);
    const third = associate(unconfirmed, unconfirmed.map(trackBox), leftHigh, o.unconfirmedMatchThresh, true);
    for (const [ti, di] of third.matches) {
      const t = unconfirmed[ti]!;
      this.applyDetection(t, leftHigh[di]!, frameId, frameTimeMs);
      activated.push(t);
    }
    // A tentative track survives a short miss (a flickering detection still gets confirmed), then goes.
    for (const ti of third.unmatchedRows) {
      const t = unconfirmed[ti]!;
      if (frameTimeMs - t.lastObsMs > this.tentativeMissMs) t.state = 'removed';
    }

    // New tracks.
    for (const di of third.unmatchedCols) {
      const d = leftHigh[di]!;
      if (d.score < o.newTrackThresh) continue;
      const kalman = initiate(xyxyToXyah(d.boxXyxy));
      const t: TrackRecord = {
        kalman,
        kalmanAtObs: kalman,
        lastObs: d.boxXyxy,
        lastObsMs: frameTimeMs,
        classId: d.classId,
        label: d.label,
        score: d.score,
        id: 0,
        state: 'tracked',
        startFrame: frameId,
        lastFrame: frameId,
        lostSinceMs: null,
        hits: 1,
        scoreSum: d.score,
      };
      if (o.minHitsToConfirm <= 1) t.id = this.nextId++;
      activated.push(t);
    }

    const pools = rebuildPools({ tracked: this.tracked, lost: this.lost }, { activated, refound, newlyLost });
    this.tracked = pools.tracked;
    this.lost = pools.lost;
    return confirmedMatched(this.tracked, frameId);
  }

  activeTracks(): number {
    return this.tracked.length;
  }

  reset(): void {
    this.tracked = [];
    this.lost = [];
    this.frameId = 0;
    this.lastTimeMs = null;
    this.intervals.length = 0;
    this.intervalMs = null;
    this.lastMotion = NO_MOTION;
  }

  /**
   * The camera's frame interval (ms) as seen so far, or null before two updates with time between them: the lower
   * quartile of the recent intervals. Dropped frames make intervals longer and a frame arriving just after another
   * (a burst after a stall) makes one short; the quartile stands with up to three in four frames dropped and one in
   * four arriving early.
   */
  get frameIntervalMs(): number | null {
    return this.intervalMs;
  }

  /**
   * Time since the previous update in frame intervals: 1 for the next frame, 2 after a dropped one (at most the lost
   * buffer's length: beyond it every track is lost anyway). 1 before the frame interval is known, or when time did not
   * move forward.
   */
  private framesSince(frameTimeMs: number): number {
    const previous = this.lastTimeMs;
    this.lastTimeMs = frameTimeMs;
    if (!this.options.predictByElapsedTime || previous === null || !(frameTimeMs > previous)) return 1;
    this.intervals.push(frameTimeMs - previous);
    if (this.intervals.length > INTERVALS_KEPT) this.intervals.shift();
    const sorted = [...this.intervals].sort((a, b) => a - b);
    this.intervalMs = sorted[Math.floor((sorted.length - 1) / 4)]!;
    return this.stepsFor(frameTimeMs - previous);
  }

  /** `elapsedMs` in frame intervals (1 while the interval is unknown, as always with `predictByElapsedTime` off). */
  private stepsFor(elapsedMs: number): number {
    const interval = this.intervalMs;
    if (interval === null || !(elapsedMs > 0)) return 1;
    return Math.min(elapsedMs / interval, Math.max(1, this.lostBufferMs / interval));
  }

  private applyDetection(t: TrackRecord, d: Detection, frameId: number, frameTimeMs: number): void {
    const o = this.options;
    const gap = frameId - t.lastFrame - 1;
    const noise = o.confidenceNoise ? Math.max(o.confidenceNoiseFloor, (1 - d.score) ** 2) : 1;
    if (o.observationReupdate && gap > 0) {
      // Re-run the filter from the last observation along a straight path of virtual observations, one per frame
      // interval of the time in between.
      const steps = Math.max(gap + 1, this.stepsFor(frameTimeMs - t.lastObsMs));
      const virtual = Math.max(1, Math.round(steps) - 1);
      const step = steps / (virtual + 1);
      let k = t.kalmanAtObs;
      const a = t.lastObs;
      const b = d.boxXyxy;
      for (let i = 1; i <= virtual; i++) {
        const f = i / (virtual + 1);
        const virt: BoxXyxy = [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f, a[3] + (b[3] - a[3]) * f];
        k = kalmanUpdate(predict(k, step), xyxyToXyah(virt));
      }
      t.kalman = predict(k, step);
    }
    t.kalman = kalmanUpdate(t.kalman, xyxyToXyah(d.boxXyxy), noise);
    t.kalmanAtObs = t.kalman;
    t.lastObs = d.boxXyxy;
    t.lastObsMs = frameTimeMs;
    t.state = 'tracked';
    t.lastFrame = frameId;
    t.lostSinceMs = null;
    t.score = d.score;
    t.hits += 1;
    t.scoreSum += d.score;
    // Confirmation needs enough hits and enough evidence: doubtful detections need one hit more.
    if (t.id === 0 && t.hits >= o.minHitsToConfirm && (t.scoreSum >= o.confirmScoreSum || t.hits > o.minHitsToConfirm)) {
      t.id = this.nextId++;
    }
  }
}

/** Moves a track's prediction, its state at the last observation and that observation by the camera's motion. */
function moveTrack(t: TrackRecord, m: CameraMotion): void {
  t.kalman = moveState(t.kalman, m);
  t.kalmanAtObs = moveState(t.kalmanAtObs, m);
  t.lastObs = moveBox(t.lastObs, m);
}

function validateOptions(o: SightlineTrackerOptions): SightlineTrackerOptions {
  checkUnitOptions(o, [
    'highScoreThresh',
    'lowScoreThresh',
    'newTrackThresh',
    'matchIouThresh',
    'secondMatchIouThresh',
    'unconfirmedMatchThresh',
    'recoveryIouThresh',
    'confidenceNoiseFloor',
  ]);
  if (o.lowScoreThresh > o.highScoreThresh) {
    throw new AppError(
      'CONFIG_INVALID',
      `tracker.lowScoreThresh (${o.lowScoreThresh}) must not exceed tracker.highScoreThresh (${o.highScoreThresh})`,
    );
  }
  for (const key of ['lostTrackSeconds', 'tentativeMissSeconds'] as const) {
    if (!(o[key] >= 0 && Number.isFinite(o[key]))) {
      throw new AppError('CONFIG_INVALID', `tracker.${key} must be a number of seconds >= 0, got ${String(o[key])}`);
    }
  }
  for (const key of ['observationReupdate', 'confidenceNoise', 'predictByElapsedTime', 'cameraMotionFromBoxes'] as const) {
    if (typeof o[key] !== 'boolean') throw new AppError('CONFIG_INVALID', `tracker.${key} must be a boolean, got ${String(o[key])}`);
  }
  if (!(o.confirmScoreSum >= 0 && Number.isFinite(o.confirmScoreSum))) {
    throw new AppError('CONFIG_INVALID', `tracker.confirmScoreSum must be a number >= 0, got ${String(o.confirmScoreSum)}`);
  }
  if (!Number.isInteger(o.minHitsToConfirm) || o.minHitsToConfirm < 1) {
    throw new AppError('CONFIG_INVALID', `tracker.minHitsToConfirm must be an integer >= 1, got ${String(o.minHitsToConfirm)}`);
  }
  return Object.freeze({ ...o });
}
