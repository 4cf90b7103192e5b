import type { BoxXyxy, SightEvent } from '../core/types.ts';

/** A track as sent to live clients. */
export interface LiveTrack {
  readonly id: number;
  readonly label: string;
  readonly score: number;
  readonly boxXyxy: BoxXyxy;
}

/** Messages the pipeline publishes for live clients (the WebSocket at /api/ws sends them as JSON). */
export type LiveMessage =
  | {
      type: 'tracks';
      cameraId: string;
      frameIndex: number;
      timeMs: number;
      /** Presentation time of the frame on the camera's live video timeline (seconds), for overlays in sync; null without one. */
      pts: number | null;
      width: number;
      height: number;
      tracks: LiveTrack[];
    }
  | { type: 'event'; kind: 'start' | 'update' | 'end'; event: SightEvent };

/** Receives live messages; implemented by the API's WebSocket hub. */
export type LivePublisher = (message: LiveMessage) => void;
