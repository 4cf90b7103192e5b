/**
 * The recent plan positions of one camera's track, and how far apart two such tracks stood over the same moments.
 * Cameras are not synchronised, so one track's position at another's sample time is interpolated between its own
 * samples (or taken from the nearest sample within a tolerance at the ends). Pure.
 */

import type { Point } from '../core/types.ts';

/** One plan position of a track at a frame time. */
export interface PlanSample {
  readonly timeMs: number;
  readonly positionM: Point;
}

/** A track's samples of the last `windowMs`, oldest first. */
export class TrackHistory {
  private readonly samples: PlanSample[] = [];

  constructor(private readonly windowMs: number) {}

  /** Adds a sample (times must not go backwards; a sample at the same time replaces the last one) and drops old ones. */
  add(timeMs: number, positionM: Point): void {
    const last = this.samples[this.samples.length - 1];
    if (last !== undefined && timeMs < last.timeMs) return;
    if (last !== undefined && timeMs === last.timeMs) this.samples.pop();
    this.samples.push({ timeMs, positionM });
    while (this.samples.length > 1 && this.samples[0]!.timeMs < timeMs - this.windowMs) this.samples.shift();
  }

  /** The samples kept, oldest first. */
  all(): readonly PlanSample[] {
    return this.samples;
  }

  /** The newest sample; undefined before the first. */
  latest(): PlanSample | undefined {
    return this.samples[this.samples.length - 1];
  }

  /** The oldest sample kept. */
  oldest(): PlanSample | undefined {
    return this.samples[0];
  }

  /**
   * The position at `timeMs`: interpolated between the samples around it, or the nearest end sample when `timeMs` is
   * outside them by at most `toleranceMs`; undefined otherwise.
   */
  at(timeMs: number, toleranceMs: number): Point | undefined {
    const s = this.samples;
    if (s.length === 0) return undefined;
    const first = s[0]!, last = s[s.length - 1]!;
    if (timeMs <= first.timeMs) return first.timeMs - timeMs <= toleranceMs ? first.positionM : undefined;
    if (timeMs >= last.timeMs) return timeMs - last.timeMs <= toleranceMs ? last.positionM : undefined;
    let hi = s.length - 1;
    let lo = 0;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (s[mid]!.timeMs <= timeMs) lo = mid;
      else hi = mid;
    }
    const a = s[lo]!, b = s[hi]!;
    // A gap much longer than the tolerance says nothing about where the track was in between.
    if (b.timeMs - a.timeMs > 4 * toleranceMs) {
      if (timeMs - a.timeMs <= toleranceMs) return a.positionM;
      if (b.timeMs - timeMs <= toleranceMs) return b.positionM;
      return undefined;
    }
    const f = (timeMs - a.timeMs) / (b.timeMs - a.timeMs);
    return [a.positionM[0] + f * (b.positionM[0] - a.positionM[0]), a.positionM[1] + f * (b.positionM[1] - a.positionM[1])];
  }
}

/** How far apart two tracks stood: the mean distance over the moments both were seen, and how many moments that is. */
export interface CoPresence {
  readonly meanDistanceM: number;
  readonly samples: number;
  /** The distance at the newest common moment. */
  readonly lastDistanceM: number;
}

/**
 * The mean distance between `a` and `b` over `a`'s samples at which `b`'s position is known (within `toleranceMs`);
 * null when there is no such moment.
 */
export function coPresence(a: TrackHistory, b: TrackHistory, toleranceMs: number): CoPresence | null {
  let sum = 0, n = 0, last = 0;
  for (const s of a.all()) {
    const p = b.at(s.timeMs, toleranceMs);
    if (p === undefined) continue;
    const d = Math.hypot(s.positionM[0] - p[0], s.positionM[1] - p[1]);
    sum += d;
    n++;
    last = d;
  }
  return n === 0 ? null : { meanDistanceM: sum / n, samples: n, lastDistanceM: last };
}

/** Euclidean distance between two plan points, in metres. */
export function distanceM(a: Point, b: Point): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}
