/**
 * The ports a camera worker is built from. Each belongs to the worker; the composition root (the server, `analyze`,
 * the benchmarks) builds the adapters behind them, so the same worker runs live, offline and under measurement — and
 * could run in another process, with these implemented over the wire.
 */
import type { SourceStatus } from '../core/camera-status.ts';
import type { BoxXyxy, Frame, Track } from '../core/types.ts';
import type { PlacedTrack } from '../fusion/site-fusion.ts';
import type { AnalyticsDelta } from '../analytics/camera-analytics.ts';
import type { MediaListener } from '../live/media-stream.ts';

/** A camera's frames, newest first for live sources, every frame in order for a file analysed offline. */
export interface FrameSource {
  /** True when frame times are wall-clock capture times (live); false for media time (offline). */
  readonly wallClock: boolean;
  /**
   * Offline sources: whether the worker may read the next frame and start its detection before the current frame is
   * tracked (default: yes when not `wallClock`). A benchmark turns it off to measure what it gives.
   */
  readonly readAhead?: boolean;
  start(): void;
  /** The next frame to analyse; null once the source ended or was stopped. */
  next(): Promise<Frame | null>;
  /** Stops the source; `next()` then resolves null. */
  stop(): Promise<void>;
  status(): SourceStatus;
}

/** A box to draw with its caption on a snapshot. */
export interface SnapshotOverlay {
  readonly boxXyxy: BoxXyxy;
  readonly caption: string;
  /** Highlighted (the event's subject) rather than plain (a track). */
  readonly highlight?: boolean;
}

/** Encodes a frame as JPEG with boxes drawn on it. */
export type SnapshotRenderer = (frame: Frame, overlays: readonly SnapshotOverlay[]) => Promise<Uint8Array>;

/** Where a camera's analytics deltas go (the analytics repository). */
export interface AnalyticsSink {
  add(delta: AnalyticsDelta): Promise<void>;
}

/** A camera's video as fragmented MP4 (`live/media-stream.ts` fans it out to viewers and the recorder). */
export interface MediaFeed {
  /** Adds a viewer or recorder; returns the function that removes it. */
  subscribe(listener: MediaListener, nowMs: number): () => void;
  /** Presentation time (s) of a decoded frame on the media's timeline, for overlays in sync; null before any fragment. */
  presentationTime(frame: Frame): number | null;
}

/**
 * The site's map of people (`fusion/site-fusion.ts` in one process): a camera hands it each analysed frame's confirmed
 * tracks and gets back those it could place on a floor plan, with their plan position, speed and global id.
 */
export interface SitePort {
  observe(cameraId: string, timeMs: number, tracks: readonly Track[], frameWidth: number, frameHeight: number): readonly PlacedTrack[];
  /** The camera's worker starts: its track ids begin again at 1, so the site forgets its old tracks. */
  cameraStarted(cameraId: string): void;
  /** Appearance embeddings of tracks the site asked for (`PlacedTrack.wantsAppearance`). */
  addAppearance(cameraId: string, items: readonly { readonly trackId: number; readonly embedding: Float32Array }[]): void;
}

/** Re-id embeddings of boxes of a frame (unit length), for cross-camera identity. */
export interface AppearancePort {
  /** One unit-length vector per box of `cameraId`'s frame, in the order of the boxes. */
  embed(cameraId: string, frame: Frame, boxesXyxy: readonly BoxXyxy[]): Promise<Float32Array[]>;
}
