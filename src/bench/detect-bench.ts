/**
 * Measures one detector on real frames: the bare model call (input prepared beforehand), the full detect call
 * (letterbox + model + decode + NMS), and the throughput of N cameras sharing the model through the inference
 * scheduler. No I/O apart from the model itself; frames come from the caller.
 */

import type { Frame } from '../core/types.ts';
import type { ObjectDetector } from '../vision/detector.ts';
import { InferenceScheduler } from '../vision/scheduler.ts';

/** The figures of one model, in the shape `bench detect --json` prints. */
export interface DetectBenchResult {
  readonly model: string;
  /** Execution provider the model ran on. */
  readonly provider: string;
  readonly bareRunP50Ms: number;
  readonly bareRunP95Ms: number;
  /** Bare model calls per second, back to back (calls / their total time): the single-camera baseline. */
  readonly bareRunFps: number;
  /** Full detect calls on frames as a camera delivers them (with the detector-size image ffmpeg scaled). */
  readonly detectP50Ms: number;
  readonly detectP95Ms: number;
  /** detectP50Ms / bareRunP50Ms: the cost of pre- and post-processing on top of the model. */
  readonly ratio: number;
  /** Full detect calls that letterbox the whole frame themselves (tiles, or a source without the small image). */
  readonly detectFullFrameP50Ms: number;
  readonly fullFrameRatio: number;
  /** Detections (frames) per second completed by `cameras` cameras sharing the model through the scheduler. */
  readonly camerasThroughputFps: number;
  /** camerasThroughputFps / bareRunFps, the median over rounds. */
  readonly camerasVsBare: number;
  readonly cameras: number;
  /** Frames submitted by the cameras that a newer frame replaced before the model took them. */
  readonly camerasDroppedFrames: number;
  readonly iterations: number;
  readonly rounds: number;
}

/** How long to measure. */
export interface DetectBenchOptions {
  /** Timed calls of each kind per round (after `warmup` untimed ones). */
  readonly iterations: number;
  readonly warmup: number;
  /** Rounds of all measurements, interleaved so that a slow spell of the machine hits them alike. */
  readonly rounds: number;
  /** Cameras sharing the model in the throughput run. */
  readonly cameras: number;
  /** Called between phases, for progress. */
  readonly onPhase?: (phase: string) => void;
}

/** The value below which `q` (0..1) of the sorted samples fall (nearest rank). */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Milliseconds of each of `o.iterations` calls of `call`, after `o.warmup` untimed ones. */
async function timeCalls(o: DetectBenchOptions, call: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < o.warmup; i++) await call(i);
  const times: number[] = [];
  for (let i = 0; i < o.iterations; i++) {
    const t0 = performance.now();
    await call(i);
    times.push(performance.now() - t0);
  }
  return times;
}

/** Frames per second of `o.cameras` cameras sharing the detector through the scheduler, and the frames dropped. */
async function camerasThroughput(detector: ObjectDetector, frames: readonly Frame[], o: DetectBenchOptions): Promise<{ fps: number; dropped: number }> {
  // Two jobs in flight, as in the server: the detector prepares one frame while the model runs the other.
  const scheduler = new InferenceScheduler<Frame, unknown>({ run: (frame) => detector.detect(frame), concurrency: 2 });
  // Each camera submits its next frame as soon as its previous one is answered (a camera faster than the model);
  // together they complete `iterations` frames.
  let completed = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: o.cameras }, async (_, c) => {
      for (let k = c; completed < o.iterations; k += o.cameras) {
        const outcome = await scheduler.submit(`camera-${c}`, frames[k % frames.length]!);
        if (!outcome.dropped) completed++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const dropped = [...scheduler.stats().values()].reduce((n, s) => n + s.dropped, 0);
  scheduler.close();
  return { fps: completed / seconds, dropped };
}

const median = (xs: readonly number[]) => percentile(xs, 0.5);
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * Runs the measurements on `frames` (used round-robin; each should carry its `detectorImage`, as a camera delivers
 * them) and returns the figures.
 */
export async function benchDetector(detector: ObjectDetector, frames: readonly Frame[], o: DetectBenchOptions): Promise<DetectBenchResult> {
  if (frames.length === 0) throw new RangeError('benchDetector needs at least one frame');
  const inputs = frames.map((f) => detector.prepare(f));
  const fullFrames = frames.map(({ detectorImage: _, ...f }) => f);
  const bare: number[] = [], full: number[] = [], fullFrame: number[] = [], bareFps: number[] = [], camFps: number[] = [], vsBare: number[] = [];
  let dropped = 0;
  for (let round = 1; round <= o.rounds; round++) {
    const of = o.rounds > 1 ? ` (round ${round} of ${o.rounds})` : '';
    o.onPhase?.(`bare model calls${of}`);
    const b = await timeCalls(o, (i) => detector.runRaw(inputs[i % inputs.length]!));
    o.onPhase?.(`full detect calls${of}`);
    full.push(...(await timeCalls(o, (i) => detector.detect(frames[i % frames.length]!))));
    fullFrame.push(...(await timeCalls(o, (i) => detector.detect(fullFrames[i % fullFrames.length]!))));
    o.onPhase?.(`${o.cameras} cameras through the scheduler${of}`);
    const cams = await camerasThroughput(detector, frames, o);
    bare.push(...b);
    bareFps.push((1000 * b.length) / sum(b));
    camFps.push(cams.fps);
    vsBare.push(cams.fps / bareFps.at(-1)!);
    dropped += cams.dropped;
  }
  const bareRunP50Ms = median(bare);
  const detectP50Ms = median(full);
  const detectFullFrameP50Ms = median(fullFrame);
  return {
    model: detector.manifest.id,
    provider: detector.provider,
    bareRunP50Ms,
    bareRunP95Ms: percentile(bare, 0.95),
    bareRunFps: median(bareFps),
    detectP50Ms,
    detectP95Ms: percentile(full, 0.95),
    ratio: detectP50Ms / bareRunP50Ms,
    detectFullFrameP50Ms,
    fullFrameRatio: detectFullFrameP50Ms / bareRunP50Ms,
    camerasThroughputFps: median(camFps),
    camerasVsBare: median(vsBare),
    cameras: o.cameras,
    camerasDroppedFrames: dropped,
    iterations: o.iterations,
    rounds: o.rounds,
  };
}
