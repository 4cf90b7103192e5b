/** Batch video jobs on SQL (PGlite or PostgreSQL, same SQL): the queue of `jobs/job-store.ts`. */
import type { JobProgress, JobRecord, JobResult, JobSpec, JobStatus, JobStore } from '../jobs/job-store.ts';
import type { SqlDatabase } from './sql-database.ts';

type Int = number | string;
interface Row {
  id: string;
  created_ms: Int;
  actor: string;
  spec: JobSpec;
  status: JobStatus;
  progress: JobProgress | null;
  attempts: number;
  lease_owner: string | null;
  lease_until_ms: Int | null;
  cancel_requested: boolean;
  started_ms: Int | null;
  finished_ms: Int | null;
  error: string | null;
  result: JobResult | null;
}

/** Ids are UUIDs; anything else names no job (and would be a type error in SQL). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const COLUMNS = 'id, created_ms, actor, spec, status, progress, attempts, lease_owner, lease_until_ms, cancel_requested, started_ms, finished_ms, error, result';
const num = (v: Int | null) => (v === null ? null : Number(v));

function record(r: Row): JobRecord {
  return {
    id: r.id, createdMs: Number(r.created_ms), actor: r.actor, spec: r.spec, status: r.status, progress: r.progress, attempts: Number(r.attempts),
    leaseOwner: r.lease_owner, leaseUntilMs: num(r.lease_until_ms), cancelRequested: r.cancel_requested, startedMs: num(r.started_ms),
    finishedMs: num(r.finished_ms), error: r.error, result: r.result,
  };
}

export class SqlJobStore implements JobStore {
  constructor(private readonly db: SqlDatabase) {}

  async create(job: Pick<JobRecord, 'id' | 'createdMs' | 'actor' | 'spec'>): Promise<JobRecord> {
    const [r] = await this.db.query<Row>(
      `INSERT INTO jobs (id, created_ms, actor, spec, status) VALUES ($1, $2, $3, $4::jsonb, 'queued') RETURNING ${COLUMNS}`,
      [job.id, job.createdMs, job.actor, JSON.stringify(job.spec)],
    );
    return record(r!);
  }

  async get(id: string): Promise<JobRecord | null> {
    if (!UUID.test(id)) return null;
    const [r] = await this.db.query<Row>(`SELECT ${COLUMNS} FROM jobs WHERE id = $1`, [id]);
    return r ? record(r) : null;
  }

  async list(opts: { readonly status?: JobStatus | undefined; readonly limit: number; readonly beforeMs?: number | undefined }): Promise<JobRecord[]> {
    const rows = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM jobs WHERE ($1::text IS NULL OR status = $1) AND ($2::bigint IS NULL OR created_ms < $2)
       ORDER BY created_ms DESC, id DESC LIMIT $3`,
      [opts.status ?? null, opts.beforeMs ?? null, opts.limit],
    );
    return rows.map(record);
  }

  async claim(owner: string, nowMs: number, leaseUntilMs: number): Promise<JobRecord | null> {
    const [r] = await this.db.query<Row>(
      `UPDATE jobs SET status = 'running', lease_owner = $1, lease_until_ms = $3, attempts = attempts + 1, started_ms = COALESCE(started_ms, $2)
       WHERE id = (
         SELECT id FROM jobs
         WHERE (status = 'queued' OR (status = 'running' AND lease_until_ms < $2)) AND NOT cancel_requested
         ORDER BY created_ms, id LIMIT 1 FOR UPDATE SKIP LOCKED
       ) RETURNING ${COLUMNS}`,
      [owner, nowMs, leaseUntilMs],
    );
    return r ? record(r) : null;
  }

  async heartbeat(id: string, owner: string, progress: JobProgress, leaseUntilMs: number): Promise<{ held: boolean; cancelRequested: boolean }> {
    const [r] = await this.db.query<{ cancel_requested: boolean }>(
      `UPDATE jobs SET progress = $3::jsonb, lease_until_ms = $4 WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING cancel_requested`,
      [id, owner, JSON.stringify(progress), leaseUntilMs],
    );
    return r ? { held: true, cancelRequested: r.cancel_requested } : { held: false, cancelRequested: false };
  }

  async finish(id: string, owner: string, o: { status: 'done' | 'failed' | 'cancelled'; nowMs: number; error?: string | null; result?: JobResult | null }): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE jobs SET status = $3, finished_ms = $4, error = $5, result = $6::jsonb, lease_owner = NULL, lease_until_ms = NULL
       WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING id`,
      [id, owner, o.status, o.nowMs, o.error ?? null, o.result ? JSON.stringify(o.result) : null],
    );
    return rows.length > 0;
  }

  async cancel(id: string, nowMs: number): Promise<JobRecord | null> {
    if (!UUID.test(id)) return null;
    await this.db.query(`UPDATE jobs SET status = 'cancelled', finished_ms = $2, cancel_requested = true WHERE id = $1 AND status = 'queued'`, [id, nowMs]);
    await this.db.query(`UPDATE jobs SET cancel_requested = true WHERE id = $1 AND status = 'running'`, [id]);
    return this.get(id);
  }

  async releaseOwn(owner: string): Promise<number> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_until_ms = NULL WHERE lease_owner = $1 AND status = 'running' RETURNING id`,
      [owner],
    );
    return rows.length;
  }

  async pruneFinished(beforeMs: number): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `DELETE FROM jobs WHERE status IN ('done', 'failed', 'cancelled') AND finished_ms < $1 RETURNING id`,
      [beforeMs],
    );
    return rows.map((r) => r.id);
  }

  async delete(id: string): Promise<boolean> {
    if (!UUID.test(id)) return false;
    const rows = await this.db.query<{ id: string }>(`DELETE FROM jobs WHERE id = $1 AND status <> 'running' RETURNING id`, [id]);
    return rows.length > 0;
  }
}
