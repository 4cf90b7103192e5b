import type { CameraConfig } from '../config/schema.ts';
import { clampBox } from '../core/geometry.ts';
import type { Detection, Frame, Track } from '../core/types.ts';
import { EventLifecycle, type EventChange } from '../events/event-lifecycle.ts';
import { wholeFrameZone, zoneHits, type Zone } from '../rules/zones.ts';
import type { Tracker } from '../tracking/tracker.ts';
import type { DetectTimings } from '../vision/detector.ts';
import type { FrameDetector } from './shared-detector.ts';
import { TRACKER_LOW_SCORE } from './tracker-options.ts';

/** What one frame produced. */
export interface FrameResult {
  readonly frame: Frame;
  readonly detections: readonly Detection[];
  /** Confirmed tracks only. */
  readonly tracks: readonly Track[];
  readonly changes: readonly EventChange[];
}

/** Zones of a camera as the rules see them; no zones = the whole frame. */
export function cameraZones(camera: CameraConfig): Zone[] {
  if (camera.zones.length === 0) return [wholeFrameZone(camera.objects.track)];
  return camera.zones.map((z) => ({ id: z.id, polygonNorm: z.polygon, labels: new Set(z.objects ?? camera.objects.track) }));
}

/** One camera's analysis chain: detector -> tracker -> zones -> event lifecycle. Shared by live cameras and `analyze`. */
export class CameraProcessor {
  readonly lifecycle: EventLifecycle;
  readonly timings: DetectTimings = { preMs: 0, runMs: 0, postMs: 0 };
  private readonly zones: Zone[];

  constructor(
    private readonly camera: CameraConfig,
    private readonly detector: FrameDetector,
    private readonly tracker: Tracker,
    newId: () => string,
  ) {
    this.zones = cameraZones(camera);
    this.lifecycle = new EventLifecycle(camera.id, camera.events, newId);
  }

  /** Runs the chain on one frame; null when the detector skipped it for a newer frame of this camera. */
  async process(frame: Frame): Promise<FrameResult | null> {
    const detections = await this.detector.detect(
      frame,
      { labels: this.camera.objects.track, scoreThreshold: TRACKER_LOW_SCORE, tiling: this.camera.detect.tiling },
      this.timings,
    );
    if (detections === null) return null;
    // Kalman boxes can run past the frame edge; everything downstream works in frame pixels.
    const tracks = this.tracker.update(detections, frame.timeMs).map((t) => ({ ...t, boxXyxy: clampBox(t.boxXyxy, frame.width, frame.height) }));
    const changes = this.lifecycle.update(zoneHits(tracks, this.zones, frame.width, frame.height), frame.timeMs);
    return { frame, detections, tracks, changes };
  }

  /** Ends all open events (at stop or end of video). */
  finish(timeMs: number): EventChange[] {
    return this.lifecycle.flush(timeMs);
  }
}
