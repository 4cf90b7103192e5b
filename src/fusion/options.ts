/**
 * Options of cross-camera fusion, each a physical time, distance or speed with the reason for its default. Pure.
 */

import { AppError } from '../core/errors.ts';

/** A passage between two cameras that do not overlap: people seen leaving `fromCamera` appear on `toCamera` after a gap in [minGapMs, maxGapMs]. */
export interface CameraTransition {
  readonly fromCamera: string;
  readonly toCamera: string;
  readonly minGapMs: number;
  readonly maxGapMs: number;
}

/** How tracks of several cameras are joined into people. */
export interface FusionOptions {
  /** Evidence window: two tracks are compared by their mean distance over this much recent time. */
  readonly windowMs: number;
  /** Cameras are not synchronised: a track's position is interpolated, or taken from a sample at most this far away in time. */
  readonly syncToleranceMs: number;
  /** Distance gate in standard deviations of the two cameras' combined position error. */
  readonly gateSigmas: number;
  /** The gate never goes below this many metres (a body is about 0.5 m across; foot points of one person differ by that between views). */
  readonly minGateM: number;
  /**
   * Moments both tracks were seen before they may be joined. One: a track that appears next to someone another camera
   * sees joins at once (waiting gives it a provisional id for its first moments, and scored 0.3 to 0.9 IDF1 points
   * worse on the MOT17 scenes); a wrong first join is undone by the split check.
   */
  readonly minCoSamples: number;
  /** A track counts as seen now (and blocks another track of its camera from its person) for this long after its last sample. */
  readonly liveMs: number;
  /** A camera's track unseen this long is forgotten (longer than the tracker's own lost buffer, so a returning id keeps its person). */
  readonly trackTimeoutMs: number;
  /**
   * A person stays present (in counts and on the map) this long after the last sighting by any camera: bridges one or
   * two missed detections at 5 to 30 frames a second; longer holds count a person whose camera track was replaced by a
   * new one twice (measured on the MOT17 scenes: 500 ms gave 1.2 to 3.7 points more count error than 250 ms).
   */
  readonly presenceHoldMs: number;
  /** A person no camera sees is remembered this long, to be recognised when coming back. */
  readonly memoryMs: number;
  /**
   * A new track may continue a person who vanished at most this long ago by position alone; in a crowd a track that
   * starts near where someone vanished is as often someone else (on the MOT17 scenes 2 s gave 2 to 6 points less
   * IDF1 than 0.5 s). Appearance, when embeddings exist, extends this to `memoryMs`.
   */
  readonly reentryMs: number;
  /** Fastest a person moves while unseen (brisk walking), for the re-entry gate. */
  readonly maxSpeedMps: number;
  /** Established persons' lone tracks move to another person only below this normalised cost (0..1); new ones below 1. */
  readonly stayCost: number;
  /** Tracks of one person whose mean distance exceeds this many gates over the window are split apart. */
  readonly splitGates: number;
  /** Cosine similarity at which two appearances cost as much as a distance of one gate. */
  readonly minSimilarity: number;
  /** Passages between cameras that do not overlap. */
  readonly transitions: readonly CameraTransition[];
  /** Embeddings asked for a new track, one every `appearanceIntervalMs` ("a few good crops", averaged). */
  readonly appearanceCrops: number;
  readonly appearanceIntervalMs: number;
  /** A track with two or more people in reach gets another embedding at most this often. */
  readonly ambiguousIntervalMs: number;
  /** The first global id handed out (a server starts from its start time, so ids stay unique across restarts). */
  readonly firstId: number;
}

/**
 * Defaults for people walking (about 1.4 m/s) seen by cameras at 5 to 30 frames a second: one second of evidence
 * (5 to 30 moments, long enough for two passers-by to part), half a frame at 5 fps of clock skew, a gate of three
 * standard deviations. The OSNet similarity threshold sits between the same-person (0.93-0.95) and different-person
 * (mean 0.43, max 0.55) similarities measured on MOT17-09 crops.
 */
export const FUSION_DEFAULTS: FusionOptions = Object.freeze({
  windowMs: 1000,
  syncToleranceMs: 100,
  gateSigmas: 3,
  minGateM: 0.5,
  minCoSamples: 1,
  liveMs: 300,
  trackTimeoutMs: 3000,
  presenceHoldMs: 250,
  memoryMs: 30_000,
  reentryMs: 500,
  maxSpeedMps: 2,
  stayCost: 0.5,
  splitGates: 1.5,
  minSimilarity: 0.65,
  transitions: Object.freeze([]) as readonly CameraTransition[],
  firstId: 1,
  appearanceCrops: 3,
  appearanceIntervalMs: 500,
  ambiguousIntervalMs: 1000,
});

/** Fills defaults and checks ranges; a bad value throws `CONFIG_INVALID` naming the option, the range and the value. */
export function fusionOptions(partial: Partial<FusionOptions> = {}): FusionOptions {
  const o = { ...FUSION_DEFAULTS, ...partial };
  const positive: (keyof FusionOptions)[] = ['appearanceCrops', 'appearanceIntervalMs', 'ambiguousIntervalMs', 'windowMs', 'gateSigmas', 'minGateM', 'minCoSamples', 'liveMs', 'trackTimeoutMs', 'presenceHoldMs', 'maxSpeedMps', 'splitGates'];
  for (const k of positive) {
    const v = o[k] as number;
    if (!(Number.isFinite(v) && v > 0)) throw new AppError('CONFIG_INVALID', `fusion.${k} must be a positive number, got ${String(v)}`);
  }
  for (const k of ['syncToleranceMs', 'memoryMs', 'reentryMs'] as const) {
    if (!(Number.isFinite(o[k]) && o[k] >= 0)) throw new AppError('CONFIG_INVALID', `fusion.${k} must be 0 or more, got ${String(o[k])}`);
  }
  if (!(Number.isSafeInteger(o.firstId) && o.firstId >= 1)) throw new AppError('CONFIG_INVALID', `fusion.firstId must be a whole number of 1 or more, got ${String(o.firstId)}`);
  if (!(o.stayCost > 0 && o.stayCost <= 1)) throw new AppError('CONFIG_INVALID', `fusion.stayCost must be in (0, 1], got ${String(o.stayCost)}`);
  if (!(o.minSimilarity > -1 && o.minSimilarity < 1)) throw new AppError('CONFIG_INVALID', `fusion.minSimilarity must be in (-1, 1), got ${String(o.minSimilarity)}`);
  for (const t of o.transitions) {
    if (!(t.minGapMs >= 0 && t.maxGapMs >= t.minGapMs)) {
      throw new AppError('CONFIG_INVALID', `fusion.transitions ${t.fromCamera} -> ${t.toCamera}: expected 0 <= minGapMs <= maxGapMs, got ${t.minGapMs}..${t.maxGapMs}`);
    }
  }
  return Object.freeze(o);
}
