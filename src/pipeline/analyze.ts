/**
 * Offline analysis: the camera worker over a whole video, every frame, as fast as the machine allows. The frames come
 * from a source port (`ingest/file-source.ts` in the product), the events are collected in memory (each event's last
 * version), and the tracks are collected from the live messages the worker publishes, as MOTChallenge rows.
 */
import type { Logger } from 'pino';
import type { CameraConfig } from '../config/schema.ts';
import type { CameraStatus } from '../core/camera-status.ts';
import type { SightEvent } from '../core/types.ts';
import type { EventSink } from '../events/event-bus.ts';
import type { TrackRow } from '../tracking/offline.ts';
import type { DetectTimings } from '../vision/detector.ts';
import { createCameraWorker, type CameraWorker, type CameraWorkerPorts } from './camera-worker.ts';
import type { FrameSource } from './ports.ts';
import type { FrameDetector } from './shared-detector.ts';

/** What an offline run is built from. */
export interface AnalysisPorts {
  readonly source: FrameSource;
  readonly detector: FrameDetector;
  readonly newId: () => string;
  readonly log: Logger;
  /** Called after each frame with frames done and the total when known. */
  readonly onProgress?: ((done: number, total: number | null) => void) | undefined;
  readonly totalFrames: number | null;
  /** The clip classifier of the camera's violence rule, if it has one. */
  readonly clipClassifier?: CameraWorkerPorts['clipClassifier'];
}

/** What an offline run produced. */
export interface AnalysisResult {
  readonly framesAnalyzed: number;
  readonly elapsedMs: number;
  /** Every event in its last version, by start time. */
  readonly events: SightEvent[];
  /** Confirmed tracks per frame (1-based frames), as the online tracker reported them. */
  readonly trackRows: TrackRow[];
  readonly trackIds: number;
  readonly timings: DetectTimings;
  /** The camera's status at the end: line counts, zone counts, detector calls ... */
  readonly status: CameraStatus;
  /** The violence rule's clip windows and their scores; null without one. */
  readonly clips: ReturnType<CameraWorker['clipReport']>;
}

/** Runs `camera`'s worker over every frame of `ports.source` and collects its events and tracks. */
export async function runAnalysis(camera: CameraConfig, ports: AnalysisPorts): Promise<AnalysisResult> {
  const events = new Map<string, SightEvent>();
  const sink: EventSink = {
    write: async (w) => {
      events.set(w.event.id, w.event);
      return w.event;
    },
  };
  const trackRows: TrackRow[] = [];
  const ids = new Set<number>();
  let frames = 0;
  const started = performance.now();
  const worker = createCameraWorker(camera, {
    source: ports.source,
    detector: ports.detector,
    renderSnapshot: null,
    events: sink,
    analytics: null,
    media: null,
    now: () => performance.now(),
    newId: ports.newId,
    log: ports.log,
    clipClassifier: ports.clipClassifier ?? null,
    publish: (m) => {
      if (m.type !== 'tracks') return;
      for (const t of m.tracks) {
        const [x1, y1, x2, y2] = t.boxXyxy;
        ids.add(t.id);
        trackRows.push({ frame: m.frameIndex + 1, id: t.id, x: x1, y: y1, w: x2 - x1, h: y2 - y1, score: t.score });
      }
      frames = m.frameIndex + 1;
      ports.onProgress?.(frames, ports.totalFrames);
    },
  });
  worker.start();
  await worker.done;
  const status = worker.status();
  if (status.framesReplaced > 0) throw new Error(`the detector skipped ${status.framesReplaced} frame(s) of the only video being analysed`);
  return {
    framesAnalyzed: status.framesProcessed,
    elapsedMs: performance.now() - started,
    events: [...events.values()].sort((a, b) => a.startMs - b.startMs),
    trackRows,
    trackIds: ids.size,
    timings: worker.timings,
    status,
    clips: worker.clipReport(),
  };
}
