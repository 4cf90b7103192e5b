/**
 * Schema migrations: an ordered list of SQL scripts, each applied once, in its own transaction, and recorded in
 * `schema_migrations`. The SQL must run unchanged on PGlite (PostgreSQL 18) and PostgreSQL 15.
 */
import { AppError, errorMessage } from '../core/errors.ts';
import type { SqlDatabase } from './sql-database.ts';

/** One schema change; `id` is recorded once applied and must never change or be reused. */
export interface Migration {
  /** Sortable, unique name, `NNNN_what_it_does`. */
  readonly id: string;
  /** One or more statements separated by `;`. */
  readonly sql: string;
}

/** Every migration, oldest first. Append new ones; never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    id: '0001_create_events',
    // Times are whole milliseconds in bigint; scores and box coordinates are double precision so that the numbers a
    // pipeline wrote come back exactly.
    sql: `
      CREATE TABLE events (
        id            uuid PRIMARY KEY,
        camera_id     text NOT NULL,
        zone_id       text NOT NULL,
        track_id      integer NOT NULL,
        label         text NOT NULL,
        start_ms      bigint NOT NULL,
        end_ms        bigint NULL,
        best_score    double precision NOT NULL,
        best_box_x1   double precision NOT NULL,
        best_box_y1   double precision NOT NULL,
        best_box_x2   double precision NOT NULL,
        best_box_y2   double precision NOT NULL,
        best_time_ms  bigint NOT NULL,
        snapshot_path text NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX events_start_ms_idx ON events (start_ms DESC);
      CREATE INDEX events_camera_id_start_ms_idx ON events (camera_id, start_ms DESC);
    `,
  },
  {
    id: '0002_event_keep',
    // Events whose recordings retention must not delete; few, so a partial index.
    sql: `
      ALTER TABLE events ADD COLUMN keep boolean NOT NULL DEFAULT false;
      CREATE INDEX events_keep_idx ON events (camera_id) WHERE keep;
    `,
  },
]);

/** Key of the transaction-scoped advisory lock that serialises migrations across processes on one PostgreSQL. */
const MIGRATION_LOCK_KEY = 7_405_318_112;

/**
 * Applies every migration in `migrations` not yet recorded in `schema_migrations`, in order, and returns the ids it
 * applied (empty when the schema was up to date). On PostgreSQL each transaction first takes an advisory lock, so
 * several processes may migrate the same database at once. Throws `AppError('DATABASE_FAILED')` naming the
 * migration that failed; the migrations before it stay applied.
 */
export async function runMigrations(
  db: SqlDatabase,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<string[]> {
  checkMigrationList(migrations);
  const applied: string[] = [];
  for (const migration of migrations) {
    try {
      const ran = await db.transaction(async (tx) => {
        if (db.kind === 'postgres') await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
        // Created under the lock, so two processes never race to create it.
        await tx.exec(
          'CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
        );
        const done = await tx.query<{ id: string }>('SELECT id FROM schema_migrations WHERE id = $1', [migration.id]);
        if (done.length > 0) return false;
        await tx.exec(migration.sql);
        await tx.query('INSERT INTO schema_migrations (id) VALUES ($1)', [migration.id]);
        return true;
      });
      if (ran) applied.push(migration.id);
    } catch (err) {
      throw new AppError('DATABASE_FAILED', `database migration ${migration.id} failed: ${errorMessage(err)}`, {
        cause: err,
      });
    }
  }
  return applied;
}

function checkMigrationList(migrations: readonly Migration[]): void {
  const seen = new Set<string>();
  for (const { id } of migrations) {
    if (seen.has(id)) throw new AppError('INTERNAL', `migration id ${id} appears twice in the migration list`);
    seen.add(id);
  }
}
