/**
 * One detector shared by every camera that uses its model: frames go through the inference scheduler (newest frame
 * per camera wins, cameras served round-robin, two jobs in flight so one frame is prepared while the model runs
 * another). Cameras get a `FrameDetector` bound to their id.
 */

import type { Detection, DetectorImageSpec, Frame } from '../core/types.ts';
import type { DetectOptions, DetectTimings, FrameModelManifest, ObjectDetector } from '../vision/detector.ts';
import { InferenceScheduler } from '../vision/scheduler.ts';
import type { CameraJobStats } from '../vision/scheduler.ts';

/** What a camera's analysis needs from a detector; `null` means the frame was replaced by a newer one. */
export interface FrameDetector {
  readonly manifest: FrameModelManifest;
  detect(frame: Frame, opts?: DetectOptions, timings?: DetectTimings): Promise<Detection[] | null>;
  /** The size the source should scale each frame's `detectorImage` to; absent: the detector resamples frames itself. */
  detectorImageSpec?(frameWidth: number, frameHeight: number): DetectorImageSpec;
}

interface Job {
  readonly frame: Frame;
  readonly opts: DetectOptions;
  readonly timings: DetectTimings | undefined;
}

/** A detector behind the scheduler, handed out per camera. */
export class SharedDetector {
  private readonly scheduler: InferenceScheduler<Job, Detection[]>;

  constructor(readonly detector: ObjectDetector) {
    this.scheduler = new InferenceScheduler<Job, Detection[]>({
      run: (job) => detector.detect(job.frame, job.opts, job.timings),
      concurrency: 2,
    });
  }

  /** The detector as one camera sees it. */
  forCamera(cameraId: string): FrameDetector {
    return {
      manifest: this.detector.manifest,
      detectorImageSpec: (w, h) => this.detector.detectorImageSpec(w, h),
      detect: async (frame, opts = {}, timings) => {
        const outcome = await this.scheduler.submit(cameraId, { frame, opts, timings });
        return outcome.dropped ? null : outcome.result;
      },
    };
  }

  /**
   * Runs one frame as background work counted under `source` (the inference API, batch jobs): after every waiting
   * camera frame, never dropped.
   */
  detectBackground(source: string, frame: Frame, opts: DetectOptions = {}, timings?: DetectTimings): Promise<Detection[]> {
    return this.scheduler.submitBackground(source, { frame, opts, timings });
  }

  /** Scheduler counters of one camera (submitted, completed, dropped, failed). */
  stats(cameraId: string): CameraJobStats | undefined {
    return this.scheduler.stats().get(cameraId);
  }

  /** Refuses new frames and releases the model. */
  async close(): Promise<void> {
    this.scheduler.close();
    await this.detector.close();
  }
}
