/**
 * Runs batch video jobs from the queue, one at a time per node: claims the oldest due job, runs it, writes its
 * progress (frames, %, frames/s, ETA) each second with the lease, and records the outcome. A job whose node died is
 * claimed again once its lease runs out (or at once by the same node after a restart) and runs again from the start;
 * after `maxAttempts` it fails. Cancelling stops it at the next progress write. A node that lost the lease stops
 * without writing. No I/O of its own: the queue and the execution are ports.
 */
import { errorMessage } from '../core/errors.ts';
import type { JobProgress, JobRecord, JobResult, JobStore } from './job-store.ts';

/** Runs one job: reports frames done, resolves with the result; stops early (resolving or rejecting) when aborted. */
export type JobExecution = (job: JobRecord, onProgress: (done: number, total: number | null) => void, signal: AbortSignal) => Promise<JobResult>;

export interface JobRunnerPorts {
  readonly store: JobStore;
  readonly execute: JobExecution;
  /** This node's stable name (its leases survive a restart as its own). */
  readonly owner: string;
  readonly now: () => number;
  readonly log: { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void };
  /** Called whenever a job's state or progress changes (the WebSocket push). */
  readonly onUpdate: (job: JobRecord) => void;
  readonly leaseMs?: number;
  readonly heartbeatMs?: number;
  readonly pollMs?: number;
  readonly maxAttempts?: number;
}

/** Progress from frames done over elapsed time (pure). */
export function jobProgress(done: number, total: number | null, elapsedMs: number): JobProgress {
  const fps = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
  const percent = total && total > 0 ? Math.min(100, Math.round((done / total) * 1000) / 10) : null;
  const etaMs = total && fps > 0 ? Math.max(0, Math.round(((total - done) / fps) * 1000)) : null;
  return { frames: done, totalFrames: total, percent, framesPerSecond: Math.round(fps * 10) / 10, etaMs };
}

export class JobRunner {
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private wakeNow: (() => void) | null = null;
  private current: { id: string; abort: AbortController; why: 'cancel' | 'lost' | 'stop' | null } | null = null;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private readonly pollMs: number;
  private readonly maxAttempts: number;

  constructor(private readonly p: JobRunnerPorts) {
    this.leaseMs = p.leaseMs ?? 30_000;
    this.heartbeatMs = p.heartbeatMs ?? 1000;
    this.pollMs = p.pollMs ?? 5000;
    this.maxAttempts = p.maxAttempts ?? 3;
  }

  /** Puts this node's jobs left running by its last run back in the queue, then starts taking jobs. */
  async start(): Promise<void> {
    const released = await this.p.store.releaseOwn(this.p.owner);
    if (released > 0) this.p.log.info({ jobs: released }, 'jobs running when the server stopped are queued again');
    this.running = true;
    this.loop = this.run();
  }

  /** Looks at the queue now (a job was added). */
  wake(): void {
    this.wakeNow?.();
  }

  /** Stops the job running here now, if it is `id` (it was cancelled through this node). */
  cancelLocal(id: string): void {
    if (this.current?.id === id) {
      this.current.why = 'cancel';
      this.current.abort.abort();
    }
  }

  /** Stops taking jobs; a running job stops and goes back to the queue (it runs again at the next start). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.current) {
      this.current.why = 'stop';
      this.current.abort.abort();
    }
    this.wake();
    await this.loop;
    await this.p.store.releaseOwn(this.p.owner).catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (this.running) {
      let job: JobRecord | null = null;
      try {
        job = await this.p.store.claim(this.p.owner, this.p.now(), this.p.now() + this.leaseMs);
      } catch (err) {
        this.p.log.error({ err: errorMessage(err) }, 'claiming a job failed');
      }
      if (!job) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.pollMs);
          this.wakeNow = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeNow = null;
        continue;
      }
      await this.runOne(job);
    }
  }

  private async runOne(job: JobRecord): Promise<void> {
    const { store, owner, now, log } = this.p;
    if (job.attempts > this.maxAttempts) {
      await store.finish(job.id, owner, { status: 'failed', nowMs: now(), error: `gave up after ${job.attempts - 1} attempts: the server stopped during each` });
      this.publish(job.id);
      return;
    }
    log.info({ job: job.id, attempt: job.attempts }, job.attempts > 1 ? 'job restarted' : 'job started');
    this.publish(job.id);
    const abort = new AbortController();
    const current: { id: string; abort: AbortController; why: 'cancel' | 'lost' | 'stop' | null } = { id: job.id, abort, why: null };
    this.current = current;
    const started = now();
    let done = 0;
    let total: number | null = null;
    let beating = Promise.resolve();
    const beat = () => {
      beating = beating.then(async () => {
        const progress = jobProgress(done, total, now() - started);
        const r = await store.heartbeat(job.id, owner, progress, now() + this.leaseMs).catch(() => ({ held: true, cancelRequested: false }));
        if (!r.held && !abort.signal.aborted) {
          current.why = 'lost';
          abort.abort();
        } else if (r.cancelRequested && !abort.signal.aborted) {
          current.why = 'cancel';
          abort.abort();
        } else this.p.onUpdate({ ...job, progress });
      });
    };
    const timer = setInterval(beat, this.heartbeatMs);
    let outcome: { status: 'done' | 'failed' | 'cancelled'; error?: string; result?: JobResult };
    try {
      const result = await this.p.execute(job, (d, t) => {
        done = d;
        total = t;
      }, abort.signal);
      outcome = abort.signal.aborted ? { status: 'cancelled' } : { status: 'done', result };
    } catch (err) {
      outcome = abort.signal.aborted ? { status: 'cancelled' } : { status: 'failed', error: errorMessage(err) };
    } finally {
      clearInterval(timer);
      this.current = null;
    }
    await beating;
    if (current.why === 'lost') {
      log.warn({ job: job.id }, 'job lease lost to another node; its result is not written here');
      return;
    }
    if (current.why === 'stop') return; // back to the queue at stop()
    if (outcome.status !== 'cancelled') beat();
    await beating;
    const written = await store.finish(job.id, owner, { status: outcome.status, nowMs: now(), error: outcome.error ?? null, result: outcome.result ?? null });
    if (written) log.info({ job: job.id, status: outcome.status, error: outcome.error }, `job ${outcome.status}`);
    this.publish(job.id);
  }

  private publish(id: string): void {
    void this.p.store.get(id).then((j) => j && this.p.onUpdate(j), () => undefined);
  }
}
