import type { CameraConfig } from '../config/schema.ts';
import { SIGHTLINE_TRACKER_DEFAULTS, SightlineTracker } from '../tracking/sightline-tracker.ts';
import type { Tracker } from '../tracking/tracker.ts';

/** Lowest detection score passed to the tracker (the low-score association uses these). */
export const TRACKER_LOW_SCORE = 0.1;

/** How far above the "high" threshold a detection must score to start a track (from the tuned defaults). */
const NEW_TRACK_MARGIN = SIGHTLINE_TRACKER_DEFAULTS.newTrackThresh - SIGHTLINE_TRACKER_DEFAULTS.highScoreThresh;

/**
 * Builds a camera's tracker, Sightline's default tracker: detections above the camera's score threshold are "high"
 * (they start tracks with the default margin), lower ones down to 0.1 only keep existing tracks alive; the lost-track
 * buffer is the default, in seconds of frame time.
 */
export function trackerForCamera(camera: CameraConfig, modelThreshold: number): Tracker {
  // The low-score band needs high > low; a threshold at or below 0.1 still leaves a thin band.
  const high = Math.max(TRACKER_LOW_SCORE + 0.01, detectScoreThreshold(camera, modelThreshold));
  return new SightlineTracker({
    highScoreThresh: high,
    lowScoreThresh: TRACKER_LOW_SCORE,
    newTrackThresh: Math.min(0.95, high + NEW_TRACK_MARGIN),
  });
}

/**
 * The camera's detection score threshold: detect.scoreThreshold, else the model's, lowered to the minScore of any
 * animal rule (small animals at night score 0.15-0.3 with the COCO models).
 */
export function detectScoreThreshold(camera: Pick<CameraConfig, 'detect' | 'rules'>, modelThreshold: number): number {
  const base = camera.detect.scoreThreshold ?? modelThreshold;
  return camera.rules.reduce((t, r) => (r.type === 'animal' ? Math.min(t, r.minScore) : t), base);
}

/** The camera's tiling: detect.tiling, or `auto` when an animal rule asks for it (the default: small animals). */
export function detectTiling(camera: Pick<CameraConfig, 'detect' | 'rules'>): 'off' | 'auto' {
  return camera.rules.some((r) => r.type === 'animal' && r.tiling === 'auto') ? 'auto' : camera.detect.tiling;
}
