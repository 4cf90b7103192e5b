/**
 * One re-id embedder shared by every camera of the site: crops go through the inference scheduler, cameras served
 * round-robin, and the crops of every camera waiting when the model comes free go in one batched call (a camera has at
 * most one call in flight, so nothing waiting is ever replaced). A camera never waits for it: its worker sends crops
 * and goes on with the next frame.
 */

import type { BoxXyxy, Frame } from '../core/types.ts';
import { InferenceScheduler, type CameraJobStats } from '../vision/scheduler.ts';
import type { AppearancePort } from './ports.ts';

/** What the shared embedder runs: crops of several frames in as few model calls as the batch allows. */
export interface BatchEmbedder {
  embedMany(items: readonly { readonly frame: Frame; readonly boxes: readonly BoxXyxy[] }[]): Promise<Float32Array[][]>;
}

interface Job {
  readonly frame: Frame;
  readonly boxes: readonly BoxXyxy[];
}

/** Most cameras whose crops go into one call (each brings a few crops; the embedder splits calls at its own batch). */
const MAX_CAMERAS_PER_CALL = 8;

/** An embedder behind the scheduler. */
export class SharedEmbedder implements AppearancePort {
  private readonly scheduler: InferenceScheduler<Job, Float32Array[]>;
  /** Model calls made, and the jobs (camera crops sets) they carried. */
  readonly calls = { calls: 0, jobs: 0, crops: 0 };

  constructor(embedder: BatchEmbedder) {
    this.scheduler = new InferenceScheduler<Job, Float32Array[]>({
      runBatch: (jobs) => {
        this.calls.calls++;
        this.calls.jobs += jobs.length;
        this.calls.crops += jobs.reduce((n, j) => n + j.boxes.length, 0);
        return embedder.embedMany(jobs);
      },
      maxBatch: MAX_CAMERAS_PER_CALL,
    });
  }

  async embed(cameraId: string, frame: Frame, boxesXyxy: readonly BoxXyxy[]): Promise<Float32Array[]> {
    if (boxesXyxy.length === 0) return [];
    const outcome = await this.scheduler.submit(cameraId, { frame, boxes: boxesXyxy });
    return outcome.dropped ? [] : outcome.result;
  }

  /** Scheduler counters of one camera. */
  stats(cameraId: string): CameraJobStats | undefined {
    return this.scheduler.stats().get(cameraId);
  }

  /** Refuses new crops (a call in progress finishes). */
  close(): void {
    this.scheduler.close();
  }
}
