import { clampBox } from '../core/geometry.ts';
import { AppError } from '../core/errors.ts';
import { frameRgb, type Detection, type DetectorImageSpec, type Frame, type Keypoint } from '../core/types.ts';
import type { DecodeOptions, RawOutput } from './decoders/decoder.ts';
import { matchDetectorLayout } from './decoders/layout.ts';
import { decodeUltralytics } from './decoders/ultralytics.ts';
import { decodeYolox } from './decoders/yolox.ts';
import { Letterboxer, letterboxGeometry, unletterboxBox } from './letterbox.ts';
import type { PixelNormalisation } from './letterbox.ts';
import { decodePoseWithNms, unletterboxKeypoints } from './decoders/ultralytics-pose.ts';
import type { DetectorManifest } from './model-manifest.ts';
import { checkPoseLayout, type PoseManifest } from './pose-layout.ts';
import type { ModelRunner } from './model-runner.ts';
import { nonMaxSuppression, type Candidate } from './nms.ts';
import { planTiles, type TilingMode } from './tiles.ts';

/** What a detector runs: a detection model, or a pose model (boxes of its classes, each with keypoints). */
export type FrameModelManifest = DetectorManifest | PoseManifest;

/** Per-call detection settings. */
export interface DetectOptions {
  /** Minimum score (0..1); defaults to the model's `defaultScoreThreshold`. */
  readonly scoreThreshold?: number;
  /** IoU above which a same-class box is suppressed (default 0.45). */
  readonly nmsIouThreshold?: number;
  /** Labels to keep; all labels when absent. */
  readonly labels?: readonly string[];
  /** Extra tiled passes for frames much larger than the model input (default `off`). */
  readonly tiling?: TilingMode;
}

/** Time spent in each stage of one `detect` call, in milliseconds. */
export interface DetectTimings {
  preMs: number;
  runMs: number;
  postMs: number;
}

/**
 * An object detector: letterbox -> model -> decode -> NMS -> frame pixels. A pose model runs the same way and its
 * detections carry their keypoints (one model for boxes and keypoints). Cameras can share one: model calls run one
 * at a time, and with two input buffers the next frame is prepared while the model works on the current one.
 */
export class ObjectDetector {
  readonly manifest: FrameModelManifest;
  private readonly runner: ModelRunner;
  /** Input buffers: a call holds one from letterbox until its model run ends. */
  private readonly freeLetterboxers: Letterboxer[];
  private readonly waitingForBuffer: ((lb: Letterboxer) => void)[] = [];
  private readonly inputDims: readonly number[];
  private readonly norm: PixelNormalisation;
  /** Model runs are chained: one at a time. */
  private runChain: Promise<unknown> = Promise.resolve();

  private constructor(manifest: FrameModelManifest, runner: ModelRunner) {
    this.manifest = manifest;
    this.runner = runner;
    this.inputDims = [1, 3, manifest.inputHeight, manifest.inputWidth];
    const norm: PixelNormalisation = {
      colorOrder: manifest.colorOrder,
      pixelScale: manifest.pixelScale,
      mean: manifest.mean,
      std: manifest.std,
      padValue: manifest.padValue,
      align: manifest.letterbox,
    };
    this.norm = norm;
    this.freeLetterboxers = [0, 1].map(() => new Letterboxer(manifest.inputWidth, manifest.inputHeight, norm));
  }

  /** Checks that the loaded model fits its manifest and wraps it; throws MODEL_LAYOUT_UNSUPPORTED otherwise. */
  static create(manifest: FrameModelManifest, runner: ModelRunner, source: string): ObjectDetector {
    if (manifest.task === 'pose') {
      checkPoseLayout(manifest, runner, source);
      return new ObjectDetector(manifest, runner);
    }
    const match = matchDetectorLayout({ input: runner.inputDims, output: runner.outputDims }, manifest.family);
    if (!match.ok) throw new AppError('MODEL_LAYOUT_UNSUPPORTED', `model ${source}: ${match.reason}`);
    if (match.inputWidth !== manifest.inputWidth || match.inputHeight !== manifest.inputHeight) {
      throw new AppError(
        'MODEL_LAYOUT_UNSUPPORTED',
        `model ${source}: manifest says input ${manifest.inputWidth}x${manifest.inputHeight}, the file has ${match.inputWidth}x${match.inputHeight}`,
      );
    }
    if (match.classCount !== manifest.labels.length) {
      throw new AppError(
        'MODEL_LAYOUT_UNSUPPORTED',
        `model ${source}: manifest lists ${manifest.labels.length} labels, the output has ${match.classCount} classes`,
      );
    }
    return new ObjectDetector(manifest, runner);
  }

  /** Runs detection on one frame; boxes come back in frame pixels, sorted by score. */
  async detect(frame: Frame, opts: DetectOptions = {}, timings?: DetectTimings): Promise<Detection[]> {
    const lb = await this.acquireBuffer();
    try {
      return await this.detectWith(lb, frame, opts, timings);
    } finally {
      this.releaseBuffer(lb);
    }
  }

  private acquireBuffer(): Promise<Letterboxer> {
    const lb = this.freeLetterboxers.pop();
    return lb ? Promise.resolve(lb) : new Promise((resolve) => this.waitingForBuffer.push(resolve));
  }

  private releaseBuffer(lb: Letterboxer): void {
    const next = this.waitingForBuffer.shift();
    if (next) next(lb);
    else this.freeLetterboxers.push(lb);
  }

  /**
   * Runs the model after the runs queued before it; the input buffer must stay untouched until this resolves.
   * `startedMs` is when this run itself began (after the wait for those queued before it).
   */
  private runExclusive(tensor: Float32Array): Promise<{ raw: RawOutput; startedMs: number }> {
    const run = this.runChain.then(async () => {
      const startedMs = performance.now();
      return { raw: await this.runner.run(tensor, this.inputDims), startedMs };
    });
    this.runChain = run.catch(() => undefined);
    return run;
  }

  private async detectWith(letterboxer: Letterboxer, frame: Frame, opts: DetectOptions, timings?: DetectTimings): Promise<Detection[]> {
    const regions = planTiles(frame.width, frame.height, this.manifest.inputWidth, this.manifest.inputHeight, opts.tiling ?? 'off');
    const candidates: (Candidate & { keypoints?: readonly Keypoint[] })[] = [];
    let pre = 0, run = 0, post = 0;
    for (const region of regions) {
      const t0 = performance.now();
      const whole = region.width === frame.width && region.height === frame.height;
      const scaled = whole && frame.detectorImage ? letterboxer.applyPlanar(frame.detectorImage, frame.width, frame.height) : null;
      const { tensor, geometry } = scaled ?? letterboxer.apply(frameRgb(frame, 'tiling (or a detector image of another size)'), frame.width, frame.height, region);
      const t1 = performance.now();
      const { raw, startedMs } = await this.runExclusive(tensor);
      const t2 = performance.now();
      for (const c of this.decode(raw, opts)) {
        const b = unletterboxBox(c.boxXyxy, geometry);
        const keypoints = c.keypoints ? unletterboxKeypoints(c.keypoints, geometry).map((k) => ({ ...k, x: k.x + region.x, y: k.y + region.y })) : undefined;
        candidates.push({ ...c, boxXyxy: [b[0] + region.x, b[1] + region.y, b[2] + region.x, b[3] + region.y], ...(keypoints ? { keypoints } : {}) });
      }
      // The wait for runs queued before this one (another camera's, or the frame read ahead) is not inference.
      pre += t1 - t0;
      run += t2 - startedMs;
      post += performance.now() - t2;
    }
    const t3 = performance.now();
    const merged = regions.length > 1 ? nonMaxSuppression(candidates, opts.nmsIouThreshold ?? 0.45) : candidates;
    const dets = merged.map((c): Detection => ({
      boxXyxy: clampBox(c.boxXyxy, frame.width, frame.height),
      score: c.score,
      classId: c.classId,
      label: this.manifest.labels[c.classId] ?? `class${c.classId}`,
      ...(c.keypoints ? { keypoints: c.keypoints } : {}),
    }));
    post += performance.now() - t3;
    if (timings) {
      timings.preMs += pre;
      timings.runMs += run;
      timings.postMs += post;
    }
    return dets;
  }

  /** The execution provider the model runs on. */
  get provider(): string {
    return this.runner.provider ?? 'cpu';
  }

  /** Why the configured provider is not used (the model fell back to the CPU), if it is not. */
  get providerFallback(): string | undefined {
    return this.runner.providerFallback;
  }

  /** Runs the bare model on an already prepared input tensor (for benchmarks). */
  runRaw(tensor: Float32Array): Promise<RawOutput> {
    return this.runner.run(tensor, this.inputDims);
  }

  /** Prepares the input tensor of one frame without running the model (for benchmarks). */
  prepare(frame: Frame): Float32Array {
    // A fresh buffer: the caller may keep it (benchmarks prepare many inputs up front).
    const lb = new Letterboxer(this.manifest.inputWidth, this.manifest.inputHeight, this.norm);
    const scaled = frame.detectorImage ? lb.applyPlanar(frame.detectorImage, frame.width, frame.height) : null;
    return (scaled ?? lb.apply(frameRgb(frame, 'letterboxing'), frame.width, frame.height)).tensor;
  }

  /**
   * What a source should deliver as each `frameWidth` x `frameHeight` frame's `detectorImage` so that the detector only
   * copies planes: the size the frame takes inside this model's input, as floats 0-1 when that is the model's input
   * range (pixel scale 1/255, no mean or std), bytes otherwise.
   */
  detectorImageSpec(frameWidth: number, frameHeight: number): DetectorImageSpec {
    const m = this.manifest;
    const g = letterboxGeometry(frameWidth, frameHeight, m.inputWidth, m.inputHeight, m.letterbox);
    const unitRange = Math.abs(m.pixelScale * 255 - 1) < 1e-9 && m.mean.every((v) => v === 0) && m.std.every((v) => v === 1);
    return { width: g.resizedWidth, height: g.resizedHeight, float: unitRange };
  }

  /** Releases the model. */
  close(): Promise<void> {
    return this.runner.close();
  }

  private decode(raw: RawOutput, opts: DetectOptions): (Candidate & { keypoints?: readonly Keypoint[] })[] {
    const decodeOpts: DecodeOptions = {
      scoreThreshold: opts.scoreThreshold ?? this.manifest.defaultScoreThreshold,
      allowedClasses: opts.labels ? this.classMask(opts.labels) : undefined,
    };
    if (this.manifest.task === 'pose') {
      return decodePoseWithNms(raw, { ...decodeOpts, keypointCount: this.manifest.keypoints.count }, opts.nmsIouThreshold ?? 0.45);
    }
    const candidates =
      this.manifest.family === 'yolox'
        ? decodeYolox(raw, decodeOpts, this.manifest.inputWidth, this.manifest.inputHeight)
        : decodeUltralytics(raw, decodeOpts);
    return nonMaxSuppression(candidates, opts.nmsIouThreshold ?? 0.45);
  }

  private maskCache = new Map<string, Uint8Array>();

  private classMask(labels: readonly string[]): Uint8Array {
    const key = labels.join('\n');
    let mask = this.maskCache.get(key);
    if (!mask) {
      mask = new Uint8Array(this.manifest.labels.length);
      this.manifest.labels.forEach((l, i) => {
        if (labels.includes(l)) mask![i] = 1;
      });
      this.maskCache.set(key, mask);
    }
    return mask;
  }
}
