/**
 * A camera that is not running (disabled, still loading its model, or unable to start), shown to the API with the same
 * shape as a running worker: its state, its reason, zero counters.
 */
import type { CameraConfig } from '../config/schema.ts';
import type { CameraState, CameraStatus } from '../core/camera-status.ts';
import { AppError } from '../core/errors.ts';
import { redactUrl } from '../ingest/redact.ts';
import { cameraOverlays, type CameraGrid, type CameraOverlays } from './camera-worker.ts';

/** The API-facing part of a camera that has no worker. */
export interface PlaceholderCamera {
  readonly id: string;
  status(): CameraStatus;
  latestJpeg(): Promise<Uint8Array | null>;
  subscribeMedia(): null;
  grid(): CameraGrid;
  overlays(): CameraOverlays;
}

/** A camera in `state` (`disabled`, `starting`, `offline`) with `lastError` as the reason. */
export function placeholderCamera(camera: CameraConfig, state: CameraState, lastError: string | null = null): PlaceholderCamera {
  const status: CameraStatus = {
    id: camera.id, name: camera.name ?? camera.id, url: redactUrl(camera.source.url), enabled: camera.enabled, state, lastError,
    framesDecoded: 0, framesDropped: 0, restarts: 0, fpsMeasured: 0, width: null, height: null, model: null, fpsProcessed: 0,
    framesProcessed: 0, framesReplaced: 0, activeTracks: 0, openEvents: 0, framesWithMotion: 0, detectorCalls: 0, framesSkipped: 0,
    lines: camera.lines.map((l) => ({ id: l.id, in: 0, out: 0 })), zones: [], eventLatency: null,
  };
  return {
    id: camera.id,
    status: () => status,
    latestJpeg: async () => null,
    subscribeMedia: () => null,
    grid: () => {
      throw new AppError('SNAPSHOT_NOT_FOUND', `camera "${camera.id}" is ${state}${lastError ? ` (${lastError})` : ''}: no frames for grid detection`);
    },
    overlays: () => cameraOverlays(camera),
  };
}
