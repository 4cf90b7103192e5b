import { CameraSchema } from '../config/schema.ts';
import type { PlanarImage, SightEvent } from '../core/types.ts';
import { startFrameDecoder } from '../ingest/ffmpeg-frames.ts';
import { probeVideo, type VideoInfo } from '../ingest/ffprobe.ts';
import type { DetectTimings, ObjectDetector } from '../vision/detector.ts';
import type { TilingMode } from '../vision/tiles.ts';
import { CameraProcessor } from './camera-processor.ts';
import type { TrackRow } from '../tracking/offline.ts';
import { trackerForCamera } from './tracker-options.ts';

/** Settings of an offline analysis. */
export interface AnalyzeOptions {
  readonly labels: readonly string[];
  /** Frames per second to analyse; null = every frame of the video. */
  readonly fps: number | null;
  readonly scoreThreshold?: number;
  readonly tiling: TilingMode;
  /** Called after each frame with frames done and the total when known. */
  readonly onProgress?: (done: number, total: number | null) => void;
}

/** What an offline analysis produced. */
export interface AnalyzeResult {
  readonly video: VideoInfo;
  readonly framesAnalyzed: number;
  readonly elapsedMs: number;
  readonly events: SightEvent[];
  /** Confirmed tracks per frame (1-based frames), as the online tracker reported them. */
  readonly trackRows: TrackRow[];
  readonly trackIds: number;
  readonly timings: DetectTimings;
}

/** Frames buffered between ffmpeg and the detector before ffmpeg is paused. */
const HIGH_WATER = 4;

/**
 * Runs the live pipeline's chain (detector, tracker, zones, events) over a whole video as fast as the machine
 * allows, at the video's own resolution, processing every frame (ffmpeg is paused, never dropped from).
 */
export async function analyzeVideo(path: string, detector: ObjectDetector, newId: () => string, opts: AnalyzeOptions): Promise<AnalyzeResult> {
  const video = await probeVideo(path);
  const fps = opts.fps ?? video.fps ?? 25;
  const camera = CameraSchema.parse({
    id: 'analyze',
    source: { url: path, loop: false },
    detect: { fps: Math.min(30, Math.max(1, fps)), width: Math.min(3840, video.width), scoreThreshold: opts.scoreThreshold, tiling: opts.tiling },
    objects: { track: [...opts.labels] },
    // Offline analysis runs the detector on every frame (accuracy first; MOT results stay comparable).
    motion: { enabled: false },
  });
  const processor = new CameraProcessor(camera, detector, trackerForCamera(camera, detector.manifest.defaultScoreThreshold), newId);
  const total = video.frameCount !== null && video.fps ? Math.round((video.frameCount * fps) / video.fps) : video.durationMs ? Math.round((video.durationMs / 1000) * fps) : null;
  const events = new Map<string, SightEvent>();
  const trackRows: TrackRow[] = [];
  const ids = new Set<number>();
  const pending: { rgb: Uint8Array; detectorImage?: PlanarImage }[] = [];
  let wake: (() => void) | null = null;
  const started = performance.now();

  const decoder = startFrameDecoder(
    {
      url: path, width: video.width, height: video.height, fps: opts.fps, realtime: false, loop: false, rtspTransport: 'tcp', timeoutMs: 10_000,
      detectorImage: detector.detectorImageSpec(video.width, video.height),
    },
    (rgb, detectorImage) => {
      pending.push(detectorImage ? { rgb, detectorImage } : { rgb });
      if (pending.length >= HIGH_WATER) decoder.pause();
      wake?.();
    },
  );
  let ended = false;
  const exit = decoder.exited.finally(() => {
    ended = true;
    wake?.();
  });

  let index = 0;
  let lastTimeMs = 0;
  try {
    for (;;) {
      if (pending.length === 0) {
        if (ended) break;
        await new Promise<void>((r) => (wake = r));
        wake = null;
        continue;
      }
      const next = pending.shift()!;
      if (pending.length < HIGH_WATER / 2) decoder.resume();
      lastTimeMs = (index * 1000) / fps;
      const result = await processor.process({ index, timeMs: lastTimeMs, width: video.width, height: video.height, ...next });
      if (result === null) throw new Error('the detector skipped a frame of the only video being analysed');
      for (const t of result.tracks) {
        const [x1, y1, x2, y2] = t.boxXyxy;
        ids.add(t.id);
        trackRows.push({ frame: index + 1, id: t.id, x: x1, y: y1, w: x2 - x1, h: y2 - y1, score: t.score });
      }
      for (const c of result.changes) events.set(c.event.id, c.event);
      index++;
      opts.onProgress?.(index, total);
    }
  } finally {
    await decoder.stop();
  }
  const status = await exit;
  if (status.code !== 0 && index === 0) {
    throw new Error(`ffmpeg could not decode ${path}: ${status.stderrTail || `exit code ${status.code}`}`);
  }
  for (const c of processor.finish(lastTimeMs)) events.set(c.event.id, c.event);
  return {
    video,
    framesAnalyzed: index,
    elapsedMs: performance.now() - started,
    events: [...events.values()].sort((a, b) => a.startMs - b.startMs),
    trackRows,
    trackIds: ids.size,
    timings: processor.timings,
  };
}
