/**
 * Smooths one track's floor-plan positions over time and estimates its velocity: a constant-velocity Kalman filter in
 * 2D, with observations at irregular times. Pure: times come in as arguments (milliseconds of frame time), nothing is
 * read from a clock.
 */

import { AppError } from '../core/errors.ts';
import type { Point } from '../core/types.ts';

/** Options of `PlanTrackSmoother`. */
export interface PlanTrackSmootherOptions {
  /** Standard deviation of the acceleration the object may have between observations, m/s² (people start, stop, turn). */
  readonly accelNoiseMps2: number;
  /**
   * Standard deviation of one observed position, m: the calibration's `rmsErrorM` and the jitter of the foot point of
   * a box on the floor together; pass the larger of the calibration's error and about 0.1 m.
   */
  readonly measurementNoiseM: number;
  /** After a gap longer than this between observations the estimate starts again from the next one, ms. */
  readonly gapResetMs: number;
  /** Standard deviation of the unknown velocity at a track's first observation, m/s. */
  readonly initialSpeedStdMps: number;
}

/** Defaults of `PlanTrackSmootherOptions`, for people walking (about 1.4 m/s). */
export const PLAN_TRACK_SMOOTHER_DEFAULTS: PlanTrackSmootherOptions = Object.freeze({
  accelNoiseMps2: 1,
  measurementNoiseM: 0.3,
  gapResetMs: 2000,
  initialSpeedStdMps: 1.5,
});

/**
 * What an observation did: `started` the first one, `restarted` the first after a gap of more than `gapResetMs`,
 * `updated` any other, `ignored` one with a time before the last or a position that is not two finite numbers.
 */
export type SmootherStatus = 'started' | 'restarted' | 'updated' | 'ignored';

/** The smoothed state of a track at one time. */
export interface PlanTrackEstimate {
  readonly timeMs: number;
  /** Smoothed position on the plan, m. */
  readonly positionM: Point;
  /** Velocity on the plan, m/s. */
  readonly velocityMps: Point;
  /** Length of `velocityMps`, m/s. */
  readonly speedMps: number;
  /** Standard deviation of each coordinate of `positionM`, m. */
  readonly positionStdM: number;
  /** Standard deviation of each coordinate of `velocityMps`, m/s. */
  readonly velocityStdMps: number;
  /** Observations used since the last (re)start. */
  readonly observations: number;
  readonly status: SmootherStatus;
}

/** Per-axis state; both axes share one covariance, since they see the same times and the same noise. */
interface FilterState {
  timeMs: number;
  x: number;
  y: number;
  vx: number;
  vy: number;
  /** Covariance of (position, velocity) of one axis: p00 m², p01 m²/s, p11 m²/s². */
  p00: number;
  p01: number;
  p11: number;
  observations: number;
}

/** Constant-velocity Kalman filter over one track's plan positions (one instance per track). */
export class PlanTrackSmoother {
  readonly options: PlanTrackSmootherOptions;
  private state: FilterState | null = null;
  private lastStatus: SmootherStatus = 'started';

  /** Invalid options throw `AppError('CONFIG_INVALID')`. */
  constructor(options: Partial<PlanTrackSmootherOptions> = {}) {
    const o = { ...PLAN_TRACK_SMOOTHER_DEFAULTS, ...options };
    for (const key of ['accelNoiseMps2', 'measurementNoiseM', 'gapResetMs', 'initialSpeedStdMps'] as const) {
      if (typeof o[key] !== 'number' || !(o[key] > 0) || !Number.isFinite(o[key])) {
        throw new AppError('CONFIG_INVALID', `smoother.${key} must be a positive number, got ${String(o[key])}`);
      }
    }
    this.options = Object.freeze(o);
  }

  /**
   * Adds an observation at `timeMs` and returns the estimate after it; an ignored observation returns the estimate as
   * it was, or null when there is none yet.
   */
  update(timeMs: number, positionM: Point): PlanTrackEstimate | null {
    const valid = Number.isFinite(timeMs) && Array.isArray(positionM) && Number.isFinite(positionM[0]) && Number.isFinite(positionM[1]);
    const s = this.state;
    if (!valid || (s && timeMs < s.timeMs)) {
      this.lastStatus = 'ignored';
      return s ? this.estimateOf(s, 'ignored') : null;
    }
    if (!s || timeMs - s.timeMs > this.options.gapResetMs) {
      this.state = this.start(timeMs, positionM);
      this.lastStatus = s ? 'restarted' : 'started';
      return this.estimateOf(this.state, this.lastStatus);
    }
    // Same time as the last observation (two detections of one frame, or a repeated timestamp): no motion, just fuse.
    const next = timeMs > s.timeMs ? this.predicted(s, timeMs) : { ...s };
    const r = this.options.measurementNoiseM ** 2;
    const innovationVar = next.p00 + r;
    const kPos = next.p00 / innovationVar, kVel = next.p01 / innovationVar;
    const dx = positionM[0] - next.x, dy = positionM[1] - next.y;
    next.x += kPos * dx;
    next.y += kPos * dy;
    next.vx += kVel * dx;
    next.vy += kVel * dy;
    const p00 = (1 - kPos) * next.p00, p01 = (1 - kPos) * next.p01, p11 = next.p11 - kVel * next.p01;
    Object.assign(next, { p00, p01, p11, observations: s.observations + 1 });
    this.state = next;
    this.lastStatus = 'updated';
    return this.estimateOf(next, 'updated');
  }

  /** The estimate carried forward to `timeMs` without an observation; null before the first or after a gap. */
  predict(timeMs: number): PlanTrackEstimate | null {
    const s = this.state;
    if (!s || !Number.isFinite(timeMs) || timeMs - s.timeMs > this.options.gapResetMs) return null;
    return this.estimateOf(timeMs > s.timeMs ? this.predicted(s, timeMs) : s, this.lastStatus);
  }

  /** The estimate at the last accepted observation, or null before the first. */
  current(): PlanTrackEstimate | null {
    return this.state ? this.estimateOf(this.state, this.lastStatus) : null;
  }

  /** Forgets the track: the next observation starts it again. */
  reset(): void {
    this.state = null;
  }

  private start(timeMs: number, positionM: Point): FilterState {
    const { measurementNoiseM, initialSpeedStdMps } = this.options;
    return { timeMs, x: positionM[0], y: positionM[1], vx: 0, vy: 0, p00: measurementNoiseM ** 2, p01: 0, p11: initialSpeedStdMps ** 2, observations: 1 };
  }

  /** State moved to `timeMs` at constant velocity, with white-noise acceleration added to its covariance. */
  private predicted(s: FilterState, timeMs: number): FilterState {
    const dt = (timeMs - s.timeMs) / 1000;
    const q = this.options.accelNoiseMps2 ** 2;
    return {
      ...s,
      timeMs,
      x: s.x + s.vx * dt,
      y: s.y + s.vy * dt,
      p00: s.p00 + 2 * dt * s.p01 + dt * dt * s.p11 + (q * dt ** 4) / 4,
      p01: s.p01 + dt * s.p11 + (q * dt ** 3) / 2,
      p11: s.p11 + q * dt * dt,
    };
  }

  private estimateOf(s: FilterState, status: SmootherStatus): PlanTrackEstimate {
    return {
      timeMs: s.timeMs,
      positionM: [s.x, s.y],
      velocityMps: [s.vx, s.vy],
      speedMps: Math.hypot(s.vx, s.vy),
      positionStdM: Math.sqrt(s.p00),
      velocityStdMps: Math.sqrt(s.p11),
      observations: s.observations,
      status,
    };
  }
}
