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
  /**
   * The whole picture. Absent only where the source was asked for the detector image alone (an offline analysis that
   * nothing needs the full picture for: no tiling, motion or clip model); `frameRgb` says so clearly when it is needed.
   */
  readonly rgb?: Uint8Array;
  /**
   * The same picture already scaled by the source (ffmpeg) to the size it takes inside a detector's input, so the
   * detector only copies planes instead of resampling. Absent when the source was not asked for it.
   */
  readonly detectorImage?: PlanarImage;
  /**
   * Live sources with a media output: the frame's presentation time on ffmpeg's output timeline, in milliseconds (it
   * places the frame on the live video's timeline). Absent otherwise.
   */
  readonly streamPtsMs?: number;
}

/** The frame's whole picture; throws, naming `purpose`, for a frame decoded without it (a source bug, not bad input). */
export function frameRgb(frame: Frame, purpose: string): Uint8Array {
  if (frame.rgb === undefined) {
    throw new Error(`${purpose} needs the whole picture, and frame ${frame.index} was decoded as the detector image only`);
  }
  return frame.rgb;
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
  /** Body keypoints in frame pixels, when the detector is a pose model. */
  readonly keypoints?: readonly Keypoint[];
}

/** One body keypoint: position in pixels (model-input or frame, as the producer says) and visibility score 0..1. */
export interface Keypoint {
  readonly x: number;
  readonly y: number;
  readonly score: number;
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

/** Version string of the event shape (`docs/event.schema.json`); it changes only when the shape does. */
export const EVENT_SCHEMA_VERSION = 'sightline.event/1';

/** How much attention an event needs; set per rule. */
export type Severity = 'info' | 'warning' | 'critical';

/**
 * Why an event ended: `left` its subject left or was lost for the rule's end time, `cleared` the rule's condition no
 * longer holds (occupancy), `instant` a point event (a line crossing) that starts and ends at once, `stopped` the camera
 * stopped or the video ended while it was open, `restart` closed at the next start after the server died with it open.
 */
export type EndReason = 'left' | 'cleared' | 'instant' | 'stopped' | 'restart';

/** An object an event is about: its track and its best observation during the event. */
export interface EventSubject {
  readonly trackId: number;
  readonly label: string;
  /** Best detection score seen, 0..1. */
  readonly score: number;
  /** Box of that observation, in detect-frame pixels. */
  readonly boxXyxy: BoxXyxy;
  /** Time of that observation, in ms (same clock as the event's times). */
  readonly timeMs: number;
  /** The person's id across the site's cameras (calibrated cameras with cross-camera identity); null or absent otherwise. */
  readonly globalId?: number | null;
  /** The camera whose track this is, when it may differ from the event's (site rules: a person seen by several cameras). */
  readonly cameraId?: string;
}

/** Type-specific values of an event (direction, dwell seconds, count, the zone or line ...): flat JSON values. */
export type EventAttributes = Readonly<Record<string, string | number | boolean | null>>;

/**
 * An event as Sightline keeps it: one shape whatever rule raised it. The API, the WebSocket and every delivery channel
 * send it as `EventJson` (the same fields with `snapshotUrl`/`clipUrl` in place of the stored snapshot path).
 */
export interface SightEvent {
  /** `EVENT_SCHEMA_VERSION`. */
  readonly schema: string;
  /** Unique id (UUID v4). */
  readonly id: string;
  /** The rule type that raised it (`presence`, `line`, `dwell`, `occupancy`, `fall`, `animal`, `violence`). */
  readonly type: string;
  readonly severity: Severity;
  readonly cameraId: string;
  readonly ruleId: string;
  /** Milliseconds since the Unix epoch (live) or since the start of the video (offline). */
  readonly startMs: number;
  /** Null while the event is in progress. */
  readonly endMs: number | null;
  /** Null while the event is in progress. */
  readonly endReason: EndReason | null;
  /** Index of the frame that produced this version of the event; null for events stored before frames were counted. */
  readonly frameIndex: number | null;
  /** Milliseconds from the capture of that frame to this version being stored; null offline (no wall clock). */
  readonly latencyMs: number | null;
  /** Last time the rule's condition was seen to hold (ms); open events are closed here after a crash. */
  readonly lastSeenMs: number;
  readonly subjects: readonly EventSubject[];
  readonly attributes: EventAttributes;
  /** Path of the snapshot JPEG relative to the media folder, or null before one was written. */
  readonly snapshotPath: string | null;
  /** Marked "keep" by a user: its recordings are never deleted by retention. */
  readonly keep: boolean;
}

/** Crossings of one line by one label in one bucket of time (a delta that adds up with others of its bucket). */
export interface LineCountBucket {
  readonly cameraId: string;
  readonly lineId: string;
  readonly label: string;
  /** Bucket start in ms (a multiple of the bucket length). */
  readonly startMs: number;
  readonly in: number;
  readonly out: number;
}

/** Per-frame object counts of one zone in one bucket of time: `samples` frames whose counts add up to `sum`. */
export interface ZoneOccupancyBucket {
  readonly cameraId: string;
  readonly zoneId: string;
  readonly startMs: number;
  readonly samples: number;
  readonly sum: number;
  readonly max: number;
  readonly min: number;
}
