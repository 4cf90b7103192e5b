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
  readonly detectP50Ms: number;
  readonly detectP95Ms: number;
  /** detectP50Ms / bareRunP50Ms: the cost of pre- and post-processing on top of the model. */
  readonly ratio: number;
  /** Detections (frames) per second completed by `cameras` cameras sharing the model through the scheduler. */
  readonly camerasThroughputFps: number;
  readonly cameras: number;
  /** Frames submitted by the cameras that a newer frame replaced before the model took them. */
  readonly camerasDroppedFrames: number;
  readonly iterations: number;
}

/** How long to measure. */
export interface DetectBenchOptions {
  /** Timed calls of each kind (after `warmup` untimed ones). */
  readonly iterations: number;
  readonly warmup: number;
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

/** Runs the three measurements on `frames` (used round-robin) and returns the figures. */
export async function benchDetector(detector: ObjectDetector, frames: readonly Frame[], o: DetectBenchOptions): Promise<DetectBenchResult> {
  if (frames.length === 0) throw new RangeError('benchDetector needs at least one frame');
  const inputs = frames.map((f) => detector.prepare(f));
  o.onPhase?.('bare model calls');
  const bare = await timeCalls(o, (i) => detector.runRaw(inputs[i % inputs.length]!));
  o.onPhase?.('full detect calls');
  const full = await timeCalls(o, (i) => detector.detect(frames[i % frames.length]!));

  o.onPhase?.(`${o.cameras} cameras through the scheduler`);
  // Two jobs in flight: the detector prepares one frame while the model runs the other.
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

  const bareRunP50Ms = percentile(bare, 0.5);
  const detectP50Ms = percentile(full, 0.5);
  return {
    model: detector.manifest.id,
    provider: detector.provider,
    bareRunP50Ms,
    bareRunP95Ms: percentile(bare, 0.95),
    detectP50Ms,
    detectP95Ms: percentile(full, 0.95),
    ratio: detectP50Ms / bareRunP50Ms,
    camerasThroughputFps: completed / seconds,
    cameras: o.cameras,
    camerasDroppedFrames: dropped,
    iterations: o.iterations,
  };
}
