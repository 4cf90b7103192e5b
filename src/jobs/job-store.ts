/** Batch video jobs as stored, and the port of their queue (`store/job-repository.ts` implements it on SQL). */

export const JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Where a job's video comes from. */
export type JobSource =
  | { readonly kind: 'upload'; readonly fileName: string; readonly sizeBytes: number; readonly sha256: string }
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'recording'; readonly cameraId: string; readonly fromMs: number; readonly toMs: number };

/** What to run. */
export interface JobSpec {
  readonly source: JobSource;
  /** Detector id; default: the camera's, else models.default. */
  readonly model: string | null;
  /** A camera whose objects, zones, lines and rules to apply; null: `rules` or presence anywhere. */
  readonly camera: string | null;
  /** Zones, lines, rules, objects, events as in a camera's configuration (validated when the job is made). */
  readonly rules: Record<string, unknown> | null;
  /** Frames per second to analyse; null: every frame. */
  readonly fps: number | null;
  /** Also write an MP4 with the tracks drawn. */
  readonly annotate: boolean;
}

export interface JobProgress {
  readonly frames: number;
  readonly totalFrames: number | null;
  /** 0..100, null while the total is unknown. */
  readonly percent: number | null;
  readonly framesPerSecond: number;
  /** Time left at the current rate, null while unknown. */
  readonly etaMs: number | null;
}

export interface JobResult {
  readonly framesAnalyzed: number;
  readonly events: number;
  readonly tracks: number;
  readonly elapsedMs: number;
  /** Files in the job's folder: events.json, tracks.txt, annotated.mp4. */
  readonly files: readonly string[];
}

export interface JobRecord {
  readonly id: string;
  readonly createdMs: number;
  readonly actor: string;
  readonly spec: JobSpec;
  readonly status: JobStatus;
  readonly progress: JobProgress | null;
  readonly attempts: number;
  readonly leaseOwner: string | null;
  readonly leaseUntilMs: number | null;
  readonly cancelRequested: boolean;
  readonly startedMs: number | null;
  readonly finishedMs: number | null;
  readonly error: string | null;
  readonly result: JobResult | null;
}

export interface JobStore {
  create(job: Pick<JobRecord, 'id' | 'createdMs' | 'actor' | 'spec'>): Promise<JobRecord>;
  get(id: string): Promise<JobRecord | null>;
  /** Newest first. */
  list(opts: { readonly status?: JobStatus | undefined; readonly limit: number; readonly beforeMs?: number | undefined }): Promise<JobRecord[]>;
  /**
   * Takes the oldest queued job, or a running one whose lease ran out (its worker died), for `owner` until
   * `leaseUntilMs`; counts the attempt. Null when none is due.
   */
  claim(owner: string, nowMs: number, leaseUntilMs: number): Promise<JobRecord | null>;
  /** Writes progress and renews the lease; false when `owner` no longer holds the job (the write is refused). */
  heartbeat(id: string, owner: string, progress: JobProgress, leaseUntilMs: number): Promise<{ held: boolean; cancelRequested: boolean }>;
  /** Ends the job held by `owner`; false when it no longer holds it. */
  finish(id: string, owner: string, outcome: { status: 'done' | 'failed' | 'cancelled'; nowMs: number; error?: string | null; result?: JobResult | null }): Promise<boolean>;
  /** Queued: cancelled at once; running: asked to stop. Returns the job as it now is, null when there is none. */
  cancel(id: string, nowMs: number): Promise<JobRecord | null>;
  /** Puts the running jobs of `owner` back in the queue (a restart of that node); returns how many. */
  releaseOwn(owner: string): Promise<number>;
  /** Deletes finished jobs that ended before `beforeMs`; returns their ids (their folders go too). */
  pruneFinished(beforeMs: number): Promise<string[]>;
  delete(id: string): Promise<boolean>;
}

/** A job as the API and the WebSocket show it. */
export interface JobView {
  readonly id: string;
  readonly status: JobStatus;
  readonly createdMs: number;
  readonly actor: string;
  readonly source: Record<string, unknown>;
  readonly model: string | null;
  readonly camera: string | null;
  readonly fps: number | null;
  readonly progress: JobProgress | null;
  readonly attempts: number;
  readonly startedMs: number | null;
  readonly finishedMs: number | null;
  readonly error: string | null;
  readonly result: (Omit<JobResult, 'files'> & { files: string[] }) | null;
}

/** The view of a stored job (pure). */
export function jobView(j: JobRecord): JobView {
  return {
    id: j.id, status: j.status, createdMs: j.createdMs, actor: j.actor, source: { ...j.spec.source }, model: j.spec.model, camera: j.spec.camera, fps: j.spec.fps,
    progress: j.progress, attempts: j.attempts, startedMs: j.startedMs, finishedMs: j.finishedMs, error: j.error, result: j.result ? { ...j.result, files: [...j.result.files] } : null,
  };
}
