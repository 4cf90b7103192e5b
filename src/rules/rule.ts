/**
 * The rule port: every rule type is one file implementing `Rule` (tracks of a frame and its time in, rule hits out),
 * pure and deterministic. `BaseRule` holds what every type shares: the time guard and the episode bookkeeping hooks.
 */
import type { BoxXyxy, EndReason, EventAttributes, EventSubject, Keypoint, Severity, Track } from '../core/types.ts';

/** The rule types of this version; the event's `type` is the type of the rule that raised it. */
export const RULE_TYPES = ['presence', 'line', 'dwell', 'occupancy', 'fall', 'animal', 'violence'] as const;
/** One of `RULE_TYPES`. */
export type RuleType = (typeof RULE_TYPES)[number];

/** What a rule sees of one analysed frame. */
export interface RuleFrame {
  /** Frame time in milliseconds (capture time live, media time offline); never a frame count. */
  readonly timeMs: number;
  readonly frameIndex: number;
  readonly widthPx: number;
  readonly heightPx: number;
  /** The tracker's output for this frame; rules use only `state: 'confirmed'` tracks. */
  readonly tracks: readonly Track[];
  /**
   * Keypoints of person tracks, by track id, where the camera's pose stage ran on this frame (only cameras whose rules
   * ask for poses have one); absent or missing a track: no pose for it in this frame.
   */
  readonly poses?: ReadonlyMap<number, TrackPose>;
  /** Clip-classifier results that finished since the previous frame (the violence rule's stage); absent: none. */
  readonly clipScores?: readonly ClipWindowScore[];
}

/** A person's pose in one frame: keypoints in the pose model's order (COCO-17 for the catalog model). */
export interface TrackPose {
  /** Box of the pose detection matched to the track (frame pixels): the raw observation, not the tracker's estimate. */
  readonly boxXyxy: BoxXyxy;
  readonly keypoints: readonly Keypoint[];
  /** Score of the pose detection matched to the track. */
  readonly score: number;
}

/** A clip classifier's verdict on one window of frames. */
export interface ClipWindowScore {
  /** Time of the window's first and last frame (ms). */
  readonly startMs: number;
  readonly endMs: number;
  /** Probability of the watched class (e.g. violence), 0..1. */
  readonly score: number;
}

/**
 * One change of a rule's episode (an object in a zone, a crowd, a crossing): `start`, `update`, `end`, or `instant`
 * for an episode that starts and ends in one frame (a line crossing).
 */
export interface RuleHit {
  readonly kind: 'start' | 'update' | 'end' | 'instant';
  /** The episode within the rule (a track id, the zone): a start, its updates and its end share it. */
  readonly key: string;
  /** When the episode began (ms). */
  readonly startMs: number;
  /** Last time its condition held (ms). */
  readonly lastSeenMs: number;
  /** For `end` and `instant`: when it ended (ms); else null. */
  readonly endMs: number | null;
  readonly endReason: EndReason | null;
  readonly subjects: readonly EventSubject[];
  readonly attributes: EventAttributes;
  /** This frame shows the episode better than any before it: keep a snapshot of it. */
  readonly snapshot: boolean;
  /** The event's severity from this version on, where the rule grades it (an animal's threat, time down); else the rule's. */
  readonly severity?: Severity;
}

/** A rule of one camera. */
export interface Rule {
  readonly id: string;
  readonly type: RuleType;
  readonly severity: Severity;
  /**
   * Feeds the next frame and returns its hits, ends first. Frames must come in time order; a frame older than the
   * previous one (a clock set back) ends every open episode at its last sighting and starts the rule afresh.
   */
  evaluate(frame: RuleFrame): RuleHit[];
  /**
   * Ends every open episode (camera stopping, video finished) with `endReason: 'stopped'`; the state is kept. A rule
   * may also report an episode that was pending (not yet started) as an `instant` (a fall within its down time).
   */
  flush(timeMs: number): RuleHit[];
  /** Forgets every episode and all state, as if no frame had been seen (a camera restart). */
  reset(): void;
  /** Episodes in progress. */
  readonly openEpisodes: number;
}

/** A track's current observation as an event subject at `timeMs`. */
export function subjectOf(t: Track, timeMs: number): EventSubject {
  return { trackId: t.id, label: t.label, score: t.score, boxXyxy: t.boxXyxy, timeMs };
}

/** The shared part of every rule type: identity, the time guard, and `flush`/`reset` in terms of two hooks. */
export abstract class BaseRule implements Rule {
  abstract readonly type: RuleType;
  private lastTimeMs = -Infinity;

  constructor(
    readonly id: string,
    readonly severity: Severity,
  ) {}

  evaluate(frame: RuleFrame): RuleHit[] {
    if (frame.timeMs < this.lastTimeMs) {
      const ended = this.endAll(this.lastTimeMs, 'stopped');
      this.reset();
      this.lastTimeMs = frame.timeMs;
      return [...ended, ...this.step(frame)];
    }
    this.lastTimeMs = frame.timeMs;
    return this.step(frame);
  }

  flush(timeMs: number): RuleHit[] {
    return this.endAll(Math.max(timeMs, this.lastTimeMs === -Infinity ? timeMs : this.lastTimeMs), 'stopped');
  }

  reset(): void {
    this.lastTimeMs = -Infinity;
    this.clear();
  }

  abstract get openEpisodes(): number;
  /** One frame, in time order. */
  protected abstract step(frame: RuleFrame): RuleHit[];
  /** Ends every open episode at `timeMs` with `reason`. */
  protected abstract endAll(timeMs: number, reason: EndReason): RuleHit[];
  /** Drops all state. */
  protected abstract clear(): void;
}
