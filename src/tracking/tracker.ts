import type { Detection, Track } from '../core/types.ts';
import type { CameraMotion } from './camera-motion.ts';

/**
 * The tracker port: turns each frame's detections into tracks with ids that persist across frames.
 * Implementations are pure and deterministic: the same sequence of calls gives the same tracks.
 */
export interface Tracker {
  /**
   * Feeds the detections of the next frame (captured at `frameTimeMs`, milliseconds) and returns only the tracks that
   * are confirmed and were matched to one of these detections (`state: 'confirmed'`, `matched: true`), each with the
   * filtered box and the matched detection's score. `cameraMotion`, where the caller measured it from the frames
   * (`motion/image-shift.ts`), is how the picture moved since the previous frame: trackers that can, move their
   * predictions by it; others ignore it.
   */
  update(detections: readonly Detection[], frameTimeMs: number, cameraMotion?: CameraMotion): Track[];
  /** Tracks being followed now (tentative or confirmed, not lost): while there are any, frames need detection. */
  activeTracks(): number;
  /** Forgets every track, as if no frame had been seen; ids already handed out are never handed out again. */
  reset(): void;
}
