/**
 * The composition root of `sightline analyze` (and of the benchmarks that measure it): probes the video, builds the
 * file source with ffmpeg, and runs the camera worker over every frame (`pipeline/analyze.ts`).
 */
import pino from 'pino';
import { CameraSchema } from './config/schema.ts';
import { fileFrameSource } from './ingest/file-source.ts';
import { probeVideo, type VideoInfo } from './ingest/ffprobe.ts';
import { runAnalysis, type AnalysisResult } from './pipeline/analyze.ts';
import type { ObjectDetector } from './vision/detector.ts';
import type { TilingMode } from './vision/tiles.ts';

/** Settings of an offline analysis. */
export interface AnalyzeOptions {
  readonly labels: readonly string[];
  /** Frames per second to analyse; null = every frame of the video. */
  readonly fps: number | null;
  readonly scoreThreshold?: number | undefined;
  readonly tiling: TilingMode;
  /** Zones, lines, rules and event timing to apply (a camera's slice of the configuration); default: presence in the whole frame. */
  readonly geometry?: { readonly zones?: unknown; readonly lines?: unknown; readonly rules?: unknown; readonly events?: unknown } | undefined;
  /** Called after each frame with frames done and the total when known. */
  readonly onProgress?: ((done: number, total: number | null) => void) | undefined;
}

/** What an offline analysis produced. */
export interface AnalyzeResult extends AnalysisResult {
  readonly video: VideoInfo;
}

/**
 * Runs the live pipeline's chain (detector, tracker, rules, events) over a whole video as fast as the machine
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
    ...(opts.geometry ?? {}),
  });
  const total = video.frameCount !== null && video.fps ? Math.round((video.frameCount * fps) / video.fps) : video.durationMs ? Math.round((video.durationMs / 1000) * fps) : null;
  const source = fileFrameSource({
    path, width: video.width, height: video.height, fps: opts.fps, timeFps: fps, detectorImage: detector.detectorImageSpec(video.width, video.height),
  });
  try {
    const result = await runAnalysis(camera, { source, detector, newId, log: pino({ level: 'silent' }), totalFrames: total, onProgress: opts.onProgress });
    const failed = await source.exitError();
    if (failed !== null) throw new Error(`ffmpeg could not decode ${path}: ${failed}`);
    return { ...result, video };
  } finally {
    await source.stop();
  }
}
