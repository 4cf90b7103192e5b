import type { BoxXyxy } from '../core/types.ts';
import type { EventJson } from '../events/event-json.ts';
import type { JobView } from '../jobs/job-store.ts';

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
      /** Whether the motion detector saw motion in the frame; null when motion detection is off. */
      motion: boolean | null;
      tracks: LiveTrack[];
    }
  | { type: 'event'; kind: 'start' | 'update' | 'end' | 'instant'; event: EventJson }
  /** A batch job's state or progress changed. */
  | { type: 'job'; job: JobView };

/** Receives live messages; implemented by the API's WebSocket hub. */
export type LivePublisher = (message: LiveMessage) => void;
