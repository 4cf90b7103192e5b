/**
 * Shared value types that flow through the pipeline. Pure data, no I/O.
 * Coordinates are frame pixels unless a name says otherwise (`Norm` = 0..1 of frame size).
 */

/** Axis-aligned box as [x1, y1, x2, y2] in pixels, x2 > x1 and y2 > y1. */
export type BoxXyxy = readonly [number, number, number, number];

/** Point as [x, y]; the unit is given by the name of the field that holds it. */
export type Point = readonly [number, number];

/** One decoded video frame: packed RGB24, row-major, `width * height * 3` bytes. */
export interface Frame {
  /** 0-based index of the frame in the stream as delivered to the pipeline. */
  readonly index: number;
  /** Capture time in milliseconds (wall clock for live sources, media time for files). */
  readonly timeMs: number;
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
  /**
   * The same picture already scaled by the source (ffmpeg) to the size it takes inside a detector's input, so the
   * detector only copies planes instead of resampling. Absent when the source was not asked for it.
   */
  readonly detectorImage?: PlanarImage;
}

/**
 * A planar image with the planes in ffmpeg's `gbrp` order: green, blue, red, each `width * height` values; bytes 0-255
 * (`gbrp`) or floats 0-1 (`gbrpf32le`, for models that take 0-1 input: then the detector only copies memory).
 */
export interface PlanarImage {
  readonly width: number;
  readonly height: number;
  readonly gbr: Uint8Array | Float32Array;
}

/** What a detector wants its `detectorImage` to be: its size, and floats 0-1 rather than bytes. */
export interface DetectorImageSpec {
  readonly width: number;
  readonly height: number;
  readonly float: boolean;
}

/** One object found by a detector in one frame. */
export interface Detection {
  readonly boxXyxy: BoxXyxy;
  /** Confidence in 0..1. */
  readonly score: number;
  /** Class index in the model's label list. */
  readonly classId: number;
  /** Human-readable class name, e.g. `person`. */
  readonly label: string;
}

/** Lifecycle state of a track: only `confirmed` tracks are passed to rules, events and counts. */
export type TrackState = 'tentative' | 'confirmed' | 'lost';

/** An object followed over time by a tracker. */
export interface Track {
  /** Positive id, unique per tracker instance, never reused; only assigned once a track is confirmed. */
  readonly id: number;
  readonly boxXyxy: BoxXyxy;
  readonly score: number;
  readonly classId: number;
  readonly label: string;
  readonly state: TrackState;
  /** Frames since the track was born. */
  readonly ageFrames: number;
  /** Number of frames in which a detection was matched to the track. */
  readonly hits: number;
  /** True when the track was matched to a detection in the current update. */
  readonly matched: boolean;
}

/** An event: an object of interest in a zone over an interval of time. */
export interface SightEvent {
  /** Unique id (UUID v4). */
  readonly id: string;
  readonly cameraId: string;
  readonly zoneId: string;
  readonly trackId: number;
  readonly label: string;
  /** Milliseconds since the Unix epoch (live) or since the start of the video (offline). */
  readonly startMs: number;
  /** Null while the event is in progress. */
  readonly endMs: number | null;
  /** Highest detection score seen during the event. */
  readonly bestScore: number;
  /** Box of the best-scoring observation, in detect-frame pixels. */
  readonly bestBoxXyxy: BoxXyxy;
  /** Time of the best-scoring observation (the snapshot's time). */
  readonly bestTimeMs: number;
  /** Path of the snapshot JPEG relative to the media folder, or null before one was written. */
  readonly snapshotPath: string | null;
  /** Marked "keep" by a user: its recordings are never deleted by retention (absent: not marked). */
  readonly keep?: boolean;
}
