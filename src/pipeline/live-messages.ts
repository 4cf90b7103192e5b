import type { BoxXyxy } from '../core/types.ts';
import type { EventJson } from '../events/event-json.ts';
import type { JobView } from '../jobs/job-store.ts';

/** A track as sent to live clients. */
export interface LiveTrack {
  readonly id: number;
  readonly label: string;
  readonly score: number;
  readonly boxXyxy: BoxXyxy;
  /** Where the track stands on its floor plan (calibrated cameras only). */
  readonly map?: { readonly plan: string; readonly positionM: readonly [number, number]; readonly speedMps: number; readonly globalId: number | null };
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
  | { type: 'job'; job: JobView }
  /** Everyone on the floor plans now, and the distinct people in each area (a few times a second). */
  | { type: 'map'; timeMs: number; people: MapPersonJson[]; occupancy: Record<string, number> };

/** A person on the live map. */
export interface MapPersonJson {
  readonly globalId: number;
  readonly plan: string;
  readonly positionM: readonly [number, number];
  readonly cameras: readonly string[];
  readonly areas: readonly string[];
}

/** Receives live messages; implemented by the API's WebSocket hub. */
export type LivePublisher = (message: LiveMessage) => void;
