/**
 * The composition root of `sightline analyze` (and of the benchmarks that measure it): probes the video, builds the
 * file source with ffmpeg, and runs the camera worker over every frame (`pipeline/analyze.ts`).
 */
import pino from 'pino';
import { cameraWithRules, type RulesFile } from './config/rules-file.ts';
import { checkClipRate, checkDetectorForRules } from './pipeline/perception-check.ts';
import type { ViolenceRuleConfig } from './config/violence-schema.ts';
import type { LoadedClipClassifier } from './assets/load-clip.ts';
import { AppError } from './core/errors.ts';
import { fileFrameSource } from './ingest/file-source.ts';
import { probeVideo, type VideoInfo } from './ingest/ffprobe.ts';
import { runAnalysis, type AnalysisResult } from './pipeline/analyze.ts';
import { needsWholePicture } from './pipeline/camera-processor.ts';
import type { ObjectDetector } from './vision/detector.ts';
import type { FrameDetector } from './pipeline/shared-detector.ts';
import type { TilingMode } from './vision/tiles.ts';

/** Settings of an offline analysis. */
export interface AnalyzeOptions {
  /** Labels to track; empty: the rules file's objects (else person). */
  readonly labels: readonly string[];
  /** Frames per second to analyse; null = every frame of the video. */
  readonly fps: number | null;
  readonly scoreThreshold?: number | undefined;
  /** Tiling; default: the rules file's, else off. */
  readonly tiling?: TilingMode | undefined;
  /**
   * Zones, lines, rules and event timing to apply (a camera's slice of the configuration, or a rules file: its
   * detect settings too); default: presence in the whole frame.
   */
  readonly geometry?: RulesFile | undefined;
  /** Loads the clip classifier a violence rule names (only called when the camera has one). */
  readonly loadClip?: ((rule: ViolenceRuleConfig) => Promise<LoadedClipClassifier>) | undefined;
  /** Called after each frame with frames done and the total when known. */
  readonly onProgress?: ((done: number, total: number | null) => void) | undefined;
  /** Stops the analysis early (the result then covers the frames analysed so far, and `aborted` is set). */
  readonly signal?: AbortSignal | undefined;
  /** Work beside live cameras (batch jobs): decode at background CPU priority. */
  readonly background?: boolean | undefined;
  /**
   * The throughput levers, each on by default; `bench/analyze.ts` turns one off at a time to measure it: reading a frame
   * ahead (its detection starts while the current frame is tracked), and decoding the detector image alone when
   * nothing needs the whole picture.
   */
  readonly levers?: { readonly readAhead?: boolean; readonly detectorImageOnly?: boolean } | undefined;
}

/** The detector an analysis runs: a model of its own, or a shared one's port (batch jobs). */
export type AnalyzeDetector = FrameDetector & Pick<ObjectDetector, 'detectorImageSpec'>;

/** What an offline analysis produced. */
export interface AnalyzeResult extends AnalysisResult {
  readonly video: VideoInfo;
}

/**
 * Runs the live pipeline's chain (detector, tracker, rules, events) over a whole video as fast as the machine
 * allows, at the video's own resolution, processing every frame (ffmpeg is paused, never dropped from).
 */
export async function analyzeVideo(path: string, detector: AnalyzeDetector, newId: () => string, opts: AnalyzeOptions): Promise<AnalyzeResult> {
  const video = await probeVideo(path);
  const fps = opts.fps ?? video.fps ?? 25;
  // objects: the labels given, else the rules file's.
  const { detect: fileDetect, objects: fileObjects, ...slice } = opts.geometry ?? {};
  const camera = cameraWithRules({
    id: 'analyze',
    source: { url: path, loop: false },
    detect: {
      ...(fileDetect as object | undefined),
      fps: Math.min(30, Math.max(1, fps)), width: Math.min(3840, video.width),
      ...(opts.scoreThreshold !== undefined ? { scoreThreshold: opts.scoreThreshold } : {}),
      ...(opts.tiling !== undefined ? { tiling: opts.tiling } : {}),
    },
    objects: opts.labels.length > 0 ? { track: [...opts.labels] } : (fileObjects ?? { track: ['person'] }),
    // Offline analysis runs the detector on every frame (accuracy first; MOT results stay comparable).
    motion: { enabled: false },
  }, slice);
  checkDetectorForRules(camera, detector.manifest);
  const total = video.frameCount !== null && video.fps ? Math.round((video.frameCount * fps) / video.fps) : video.durationMs ? Math.round((video.durationMs / 1000) * fps) : null;
  const source = fileFrameSource({
    path, width: video.width, height: video.height, fps: opts.fps, timeFps: fps, detectorImage: detector.detectorImageSpec(video.width, video.height),
    background: opts.background ?? false,
    // Decoding, piping and copying the whole picture of every frame costs more than the detector image's (6 MB a
    // 1080p frame against 0.4 MB); an analysis reads it only for tiling, motion or a clip model.
    detectorImageOnly: (opts.levers?.detectorImageOnly ?? true) && !needsWholePicture(camera),
    readAhead: opts.levers?.readAhead ?? true,
  });
  const violence = camera.rules.find((r) => r.type === 'violence');
  if (violence && !opts.loadClip) throw new AppError('CONFIG_INVALID', `rule "${violence.id}": a violence rule needs its clip classifier, and none can be loaded here`);
  let clip: LoadedClipClassifier | null = null;
  try {
    if (violence) {
      clip = await opts.loadClip!(violence);
      checkClipRate(camera, clip.classifier.spec, violence.model);
    }
    if (opts.signal?.aborted) throw new AppError('BAD_REQUEST', 'the analysis was stopped before it started');
    const stop = () => void source.stop();
    opts.signal?.addEventListener('abort', stop, { once: true });
    const result = await runAnalysis(camera, { source, detector, newId, log: pino({ level: 'silent' }), totalFrames: total, onProgress: opts.onProgress, clipClassifier: clip });
    const failed = await source.exitError();
    if (failed !== null) throw new Error(`ffmpeg could not decode ${path}: ${failed}`);
    return { ...result, video };
  } finally {
    await source.stop();
    await clip?.classifier.close();
  }
}
