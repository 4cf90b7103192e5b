import type { CameraConfig } from '../config/schema.ts';
import { BYTE_TRACKER_DEFAULTS, ByteTracker } from '../tracking/byte-tracker.ts';
import type { Tracker } from '../tracking/tracker.ts';

/** Lowest detection score passed to the tracker (ByteTrack's low-score association uses these). */
export const TRACKER_LOW_SCORE = 0.1;

/**
 * Builds a camera's tracker: detections above the camera's score threshold are "high" (they can start tracks,
 * with a 0.1 margin), lower ones down to 0.1 only keep existing tracks alive; lost tracks are kept for 2 s.
 */
export function trackerForCamera(camera: CameraConfig, modelThreshold: number, fps = camera.detect.fps): Tracker {
  // The low-score band needs high > low; a threshold at or below 0.1 still leaves a thin band.
  const high = Math.max(TRACKER_LOW_SCORE + 0.01, camera.detect.scoreThreshold ?? modelThreshold);
  return new ByteTracker({
    ...BYTE_TRACKER_DEFAULTS,
    highScoreThresh: high,
    lowScoreThresh: TRACKER_LOW_SCORE,
    newTrackThresh: Math.min(0.95, high + 0.1),
    lostTrackBufferFrames: Math.max(5, Math.round(fps * 2)),
  });
}
