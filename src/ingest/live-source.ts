/**
 * A live camera as a `FrameSource`: the supervised ffmpeg source (restarts with backoff, stall watchdog) feeding a
 * newest-frame queue, so a slow analysis drops frames instead of growing memory. Frame times are wall-clock arrival.
 */
import type { Frame } from '../core/types.ts';
import type { FrameSource } from '../pipeline/ports.ts';
import { CameraSource, type LiveSourceOptions, type SourceDeps } from './camera-source.ts';
import { LatestQueue } from './latest-queue.ts';

/** Builds the source of a live camera (nothing starts before `start`). */
export function liveFrameSource(opts: LiveSourceOptions, deps: SourceDeps): FrameSource {
  const queue = new LatestQueue<Frame>();
  const source = new CameraSource(opts, queue, deps);
  return {
    wallClock: true,
    start: () => source.start(),
    next: async () => (await queue.next()) ?? null,
    stop: () => source.stop(),
    status: () => source.status(),
  };
}
