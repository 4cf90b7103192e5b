/**
 * The inference scheduler: cameras submit frames, one model runs them. Each camera has at most one waiting job; a newer
 * submission replaces it (the replaced job resolves as dropped and is counted), so a slow model never builds a backlog
 * and memory stays flat. Cameras are served round-robin, so a busy camera cannot starve a quiet one. When the model
 * takes a batch (`runBatch`), up to `maxBatch` cameras' jobs go in one call. No I/O, no clock.
 *
 * Background work (the inference API, batch video jobs) queues apart, first in first out, never dropped, and runs only
 * when no camera's job is waiting or running, one at a time (so a camera frame never waits behind more than one, and
 * shares the model with at most that one): live cameras always go first, and background work gets what capacity they
 * leave.
 */

/** What `submit` resolves to: the result, or the note that a newer frame of the same camera replaced this one. */
export type JobOutcome<R> = { readonly dropped: false; readonly result: R } | { readonly dropped: true };

/** Counters of one camera. */
export interface CameraJobStats {
  submitted: number;
  completed: number;
  dropped: number;
  failed: number;
}

/** How the scheduler runs jobs: one at a time (`run`) or in batches (`runBatch`, results in input order). */
export type SchedulerRunner<T, R> =
  | { readonly run: (payload: T) => Promise<R>; readonly concurrency?: number }
  | { readonly runBatch: (payloads: readonly T[]) => Promise<readonly R[]>; readonly maxBatch: number };

interface Pending<T, R> {
  readonly payload: T;
  readonly resolve: (o: JobOutcome<R>) => void;
  readonly reject: (e: unknown) => void;
}

/** Newest-frame-wins, round-robin scheduler in front of one model. */
export class InferenceScheduler<T, R> {
  private readonly waiting = new Map<string, Pending<T, R>>();
  /** Background jobs, oldest first, with the name they are counted under. */
  private readonly background: [string, Pending<T, R>][] = [];
  /** Background jobs being run now (at most one). */
  private backgroundActive = 0;
  /** Camera jobs being run now. */
  private cameraActive = 0;
  private readonly backgroundJobs = new WeakSet<object>();
  /** Round-robin order of cameras that have been seen; the next turn starts after `lastServed`. */
  private readonly order: string[] = [];
  private lastServed = -1;
  private readonly counters = new Map<string, CameraJobStats>();
  /** Loops taking jobs; more than one lets a runner overlap the preparation of one job with the run of another. */
  private active = 0;
  private readonly concurrency: number;
  private closed = false;

  constructor(private readonly runner: SchedulerRunner<T, R>) {
    if ('runBatch' in runner && !(Number.isInteger(runner.maxBatch) && runner.maxBatch >= 1)) {
      throw new RangeError(`maxBatch must be an integer >= 1, got ${runner.maxBatch}`);
    }
    this.concurrency = 'run' in runner ? (runner.concurrency ?? 1) : 1;
    if (!(Number.isInteger(this.concurrency) && this.concurrency >= 1)) {
      throw new RangeError(`concurrency must be an integer >= 1, got ${this.concurrency}`);
    }
  }

  /** Queues `payload` for `cameraId`, replacing (dropping) a job of that camera still waiting. */
  submit(cameraId: string, payload: T): Promise<JobOutcome<R>> {
    if (this.closed) return Promise.reject(new Error('the inference scheduler is closed'));
    const stats = this.statsOf(cameraId);
    stats.submitted++;
    const previous = this.waiting.get(cameraId);
    if (previous) {
      stats.dropped++;
      previous.resolve({ dropped: true });
    }
    const job = new Promise<JobOutcome<R>>((resolve, reject) => this.waiting.set(cameraId, { payload, resolve, reject }));
    this.pump();
    return job;
  }

  /**
   * Queues background work counted under `source` (e.g. `job:ID`, `infer`): kept in order, never replaced, run only
   * while no camera job waits. Resolves with the result.
   */
  submitBackground(source: string, payload: T): Promise<R> {
    if (this.closed) return Promise.reject(new Error('the inference scheduler is closed'));
    this.statsOf(source, false).submitted++;
    const job = new Promise<R>((resolve, reject) => {
      const pending: Pending<T, R> = { payload, resolve: (o) => (o.dropped ? reject(new Error('dropped')) : resolve(o.result)), reject };
      this.backgroundJobs.add(pending);
      this.background.push([source, pending]);
    });
    this.pump();
    return job;
  }

  /** Background jobs waiting now. */
  get backgroundCount(): number {
    return this.background.length;
  }

  /** Per-camera counters (a snapshot). */
  stats(): Map<string, CameraJobStats> {
    return new Map([...this.counters].map(([id, s]) => [id, { ...s }]));
  }

  /** Jobs waiting now (at most one per camera). */
  get waitingCount(): number {
    return this.waiting.size;
  }

  /** Rejects waiting jobs and refuses new ones; a running job finishes. */
  close(): void {
    this.closed = true;
    for (const p of this.waiting.values()) p.reject(new Error('the inference scheduler is closed'));
    this.waiting.clear();
    for (const [, p] of this.background.splice(0)) p.reject(new Error('the inference scheduler is closed'));
  }

  private statsOf(cameraId: string, camera = true): CameraJobStats {
    let s = this.counters.get(cameraId);
    if (!s) {
      s = { submitted: 0, completed: 0, dropped: 0, failed: 0 };
      this.counters.set(cameraId, s);
      if (camera) this.order.push(cameraId);
    }
    return s;
  }

  /** Takes up to `n` waiting jobs, one per camera, in round-robin order after the last camera served. */
  private take(n: number): [string, Pending<T, R>][] {
    const picked: [string, Pending<T, R>][] = [];
    const start = this.lastServed;
    for (let k = 1; k <= this.order.length && picked.length < n; k++) {
      const i = (start + k) % this.order.length;
      const id = this.order[i]!;
      const p = this.waiting.get(id);
      if (!p) continue;
      this.waiting.delete(id);
      picked.push([id, p]);
      this.lastServed = i;
    }
    // Background work only when no camera job waits or runs, and one at a time.
    if (picked.length === 0 && this.backgroundReady()) picked.push(this.background.shift()!);
    return picked;
  }

  private backgroundReady(): boolean {
    return this.background.length > 0 && this.backgroundActive === 0 && this.cameraActive === 0;
  }

  private pump(): void {
    if (this.active >= this.concurrency || (this.waiting.size === 0 && !this.backgroundReady())) return;
    this.active++;
    // Start on a later microtask so that submissions made in the same tick can join one batch.
    queueMicrotask(() => void this.loop());
  }

  private async loop(): Promise<void> {
    try {
      while (this.waiting.size > 0 || this.background.length > 0) {
        const batch = this.take('runBatch' in this.runner ? this.runner.maxBatch : 1);
        if (batch.length === 0) break; // only background work waits, and one already runs
        const background = batch.some(([, p]) => this.backgroundJobs.has(p));
        if (background) this.backgroundActive++;
        else this.cameraActive++;
        let results: readonly R[] | null = null;
        let error: unknown = null;
        try {
          results = 'runBatch' in this.runner
            ? await this.runner.runBatch(batch.map(([, p]) => p.payload))
            : [await this.runner.run(batch[0]![1].payload)];
          if (results.length !== batch.length) throw new Error(`runBatch returned ${results.length} results for ${batch.length} jobs`);
        } catch (err) {
          error = err;
        }
        batch.forEach(([id, p], i) => {
          const stats = this.statsOf(id);
          if (error !== null) {
            stats.failed++;
            p.reject(error);
          } else {
            stats.completed++;
            p.resolve({ dropped: false, result: results![i]! });
          }
        });
        if (background) this.backgroundActive--;
        else this.cameraActive--;
        this.pump();
      }
    } finally {
      this.active--;
    }
  }
}
