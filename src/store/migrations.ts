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
  {
    id: '0003_event_model_v1',
    // One event model for every rule type (docs/event.schema.json): the zone presence columns move into `subjects`
    // (one subject: the track's best observation) and `attributes` (the zone), nothing is lost; events open at the
    // time of this migration keep endMs null and are closed at the next start like any other (endReason "restart").
    sql: `
      ALTER TABLE events
        ADD COLUMN schema_version text NOT NULL DEFAULT 'sightline.event/1',
        ADD COLUMN type text NOT NULL DEFAULT 'presence',
        ADD COLUMN severity text NOT NULL DEFAULT 'info',
        ADD COLUMN rule_id text,
        ADD COLUMN end_reason text NULL,
        ADD COLUMN frame_index integer NULL,
        ADD COLUMN latency_ms double precision NULL,
        ADD COLUMN last_seen_ms bigint,
        ADD COLUMN subjects jsonb NOT NULL DEFAULT '[]'::jsonb,
        ADD COLUMN attributes jsonb NOT NULL DEFAULT '{}'::jsonb;
      UPDATE events SET
        rule_id = zone_id,
        end_reason = CASE WHEN end_ms IS NULL THEN NULL ELSE 'left' END,
        last_seen_ms = COALESCE(end_ms, best_time_ms),
        subjects = jsonb_build_array(jsonb_build_object(
          'trackId', track_id, 'label', label, 'score', best_score,
          'boxXyxy', jsonb_build_array(best_box_x1, best_box_y1, best_box_x2, best_box_y2), 'timeMs', best_time_ms)),
        attributes = jsonb_build_object('zoneId', zone_id);
      ALTER TABLE events
        ALTER COLUMN rule_id SET NOT NULL,
        ALTER COLUMN last_seen_ms SET NOT NULL,
        DROP COLUMN zone_id, DROP COLUMN track_id, DROP COLUMN label, DROP COLUMN best_score,
        DROP COLUMN best_box_x1, DROP COLUMN best_box_y1, DROP COLUMN best_box_x2, DROP COLUMN best_box_y2,
        DROP COLUMN best_time_ms;
      CREATE INDEX events_open_idx ON events (camera_id) WHERE end_ms IS NULL;
      CREATE INDEX events_subjects_idx ON events USING gin (subjects jsonb_path_ops);
    `,
  },
  {
    id: '0004_analytics_series',
    // Per-minute series: line crossings by line, label and direction; zone occupancy as samples, sum, max and min of
    // the per-frame counts (mean = sum / samples). Writers add deltas, so a minute written in parts adds up.
    sql: `
      CREATE TABLE line_counts (
        camera_id text NOT NULL,
        line_id   text NOT NULL,
        label     text NOT NULL,
        start_ms  bigint NOT NULL,
        in_count  integer NOT NULL,
        out_count integer NOT NULL,
        PRIMARY KEY (camera_id, line_id, label, start_ms)
      );
      CREATE TABLE zone_occupancy (
        camera_id text NOT NULL,
        zone_id   text NOT NULL,
        start_ms  bigint NOT NULL,
        samples   integer NOT NULL,
        sum_count double precision NOT NULL,
        max_count integer NOT NULL,
        min_count integer NOT NULL,
        PRIMARY KEY (camera_id, zone_id, start_ms)
      );
    `,
  },
  {
    id: '0005_delivery_outbox',
    // The delivery outbox: every stored event version gets a number (events.version) and, when destinations want it,
    // one message (the event as stored in that version) and one delivery row per destination, all written by the same
    // statement as the event. Workers claim due deliveries with a lease (owner and expiry); every attempt is logged.
    // Times are wall-clock milliseconds in bigint, like the events' own.
    sql: `
      ALTER TABLE events ADD COLUMN version integer NOT NULL DEFAULT 1;
      CREATE TABLE outbox_messages (
        id         text PRIMARY KEY,
        event_id   uuid NOT NULL,
        version    integer NOT NULL,
        kind       text NOT NULL,
        event      jsonb NOT NULL,
        created_ms bigint NOT NULL
      );
      CREATE TABLE deliveries (
        id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        message_id       text NOT NULL REFERENCES outbox_messages (id) ON DELETE CASCADE,
        destination_id   text NOT NULL,
        event_id         uuid NOT NULL,
        version          integer NOT NULL,
        status           text NOT NULL DEFAULT 'pending',
        attempts         integer NOT NULL DEFAULT 0,
        next_attempt_ms  bigint NOT NULL,
        first_attempt_ms bigint NULL,
        last_attempt_ms  bigint NULL,
        last_status      integer NULL,
        last_error       text NULL,
        delivered_ms     bigint NULL,
        lease_owner      text NULL,
        lease_until_ms   bigint NULL,
        created_ms       bigint NOT NULL,
        UNIQUE (message_id, destination_id)
      );
      CREATE INDEX deliveries_due_idx ON deliveries (destination_id, next_attempt_ms, id) WHERE status IN ('pending', 'failed');
      CREATE INDEX deliveries_order_idx ON deliveries (destination_id, event_id, version) WHERE status IN ('pending', 'failed');
      CREATE INDEX deliveries_event_idx ON deliveries (event_id);
      CREATE INDEX deliveries_status_idx ON deliveries (status, id DESC);
      CREATE TABLE delivery_attempts (
        delivery_id bigint NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
        attempt     integer NOT NULL,
        at_ms       bigint NOT NULL,
        verdict     text NOT NULL,
        status_code integer NULL,
        error       text NULL,
        latency_ms  double precision NOT NULL,
        PRIMARY KEY (delivery_id, attempt)
      );
      CREATE TABLE destination_state (
        destination_id text PRIMARY KEY,
        disabled       boolean NOT NULL,
        reason         text NULL,
        changed_ms     bigint NOT NULL
      );
    `,
  },
  {
    id: '0006_auth',
    // Accounts: users (names unique case-insensitively), browser sessions (id = SHA-256 of the cookie's token) and
    // API keys (stored only as their SHA-256), both deleted with their user; the append-only audit log, numbered by
    // an identity column. Times are wall-clock milliseconds in bigint.
    sql: `
      CREATE TABLE users (
        id                   text PRIMARY KEY,
        username             text NOT NULL,
        role                 text NOT NULL,
        password_hash        text NOT NULL,
        must_change_password boolean NOT NULL,
        disabled             boolean NOT NULL,
        created_ms           bigint NOT NULL,
        updated_ms           bigint NOT NULL
      );
      CREATE UNIQUE INDEX users_username_lower_idx ON users (lower(username));
      CREATE TABLE sessions (
        id           text PRIMARY KEY,
        user_id      text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_ms   bigint NOT NULL,
        last_seen_ms bigint NOT NULL,
        expires_ms   bigint NOT NULL,
        csrf_token   text NOT NULL,
        revoked_ms   bigint NULL,
        address      text NULL,
        user_agent   text NULL
      );
      CREATE INDEX sessions_user_id_idx ON sessions (user_id);
      CREATE TABLE api_keys (
        id           text PRIMARY KEY,
        name         text NOT NULL,
        prefix       text NOT NULL,
        hash         text NOT NULL UNIQUE,
        role         text NOT NULL,
        camera_ids   jsonb NULL,
        user_id      text NULL REFERENCES users (id) ON DELETE CASCADE,
        created_ms   bigint NOT NULL,
        last_used_ms bigint NULL,
        expires_ms   bigint NULL,
        revoked_ms   bigint NULL
      );
      CREATE INDEX api_keys_user_id_idx ON api_keys (user_id);
      CREATE TABLE audit_log (
        id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        time_ms bigint NOT NULL,
        actor   text NOT NULL,
        action  text NOT NULL,
        target  text NULL,
        address text NULL,
        outcome text NOT NULL,
        before  jsonb NULL,
        after   jsonb NULL
      );
      CREATE INDEX audit_log_time_ms_idx ON audit_log (time_ms);
    `,
  },
  {
    id: '0007_config_versions',
    // The runtime-managed configuration (cameras, geometry, rules, destinations, settings): one row per version, the
    // whole document in each (small), with who made it, when, and the change list. `file_digest` is set on versions
    // read from the configuration file, so an edited file is noticed at the next start.
    sql: `
      CREATE TABLE config_versions (
        version     integer PRIMARY KEY,
        created_ms  bigint NOT NULL,
        actor       text NOT NULL,
        action      text NOT NULL,
        changes     jsonb NOT NULL,
        document    jsonb NOT NULL,
        file_digest text NULL
      );
    `,
  },
  {
    id: '0008_jobs',
    // Batch video jobs: a small queue in the database (why not a job library: src/jobs/README.md). A worker claims the
    // oldest queued job (or one whose lease ran out) with FOR UPDATE SKIP LOCKED, renews its lease with each progress
    // write, and only the lease holder may write progress or the outcome.
    sql: `
      CREATE TABLE jobs (
        id               uuid PRIMARY KEY,
        created_ms       bigint NOT NULL,
        actor            text NOT NULL,
        spec             jsonb NOT NULL,
        status           text NOT NULL,
        progress         jsonb NULL,
        attempts         integer NOT NULL DEFAULT 0,
        lease_owner      text NULL,
        lease_until_ms   bigint NULL,
        cancel_requested boolean NOT NULL DEFAULT false,
        started_ms       bigint NULL,
        finished_ms      bigint NULL,
        error            text NULL,
        result           jsonb NULL
      );
      CREATE INDEX jobs_status_created_idx ON jobs (status, created_ms);
    `,
  },
  {
    id: '0009_model_versions',
    // Models uploaded through the API: versions per model id, each with its file (under dataDir/models/registry),
    // checksum, the manifest it runs with (proposed from the file, confirmed or corrected by the uploader), and which
    // version is active (cameras naming the id use it; `id@N` pins a version).
    sql: `
      CREATE TABLE model_versions (
        model_id   text NOT NULL,
        version    integer NOT NULL,
        status     text NOT NULL,
        active     boolean NOT NULL DEFAULT false,
        file       text NOT NULL,
        file_name  text NOT NULL,
        sha256     text NOT NULL,
        size_bytes bigint NOT NULL,
        manifest   jsonb NOT NULL,
        notes      jsonb NOT NULL,
        created_ms bigint NOT NULL,
        actor      text NOT NULL,
        PRIMARY KEY (model_id, version)
      );
    `,
  },
  {
    id: '0010_track_points',
    // Trajectories on the floor plans, one point per track every site.trajectories.sampleMs: the map's history, the
    // de-duplicated area counts (distinct global ids) and heatmaps. Global ids start at the server's start time in ms,
    // so they stay unique across restarts (bigint).
    sql: `
      CREATE TABLE track_points (
        camera_id  text NOT NULL,
        track_id   integer NOT NULL,
        global_id  bigint NULL,
        label      text NOT NULL,
        plan_id    text NOT NULL,
        t_ms       bigint NOT NULL,
        x_m        double precision NOT NULL,
        y_m        double precision NOT NULL,
        speed_mps  double precision NOT NULL
      );
      CREATE INDEX track_points_plan_time_idx ON track_points (plan_id, t_ms);
      CREATE INDEX track_points_camera_time_idx ON track_points (camera_id, t_ms);
    `,
  },
  {
    id: '0011_cluster',
    // Nodes of a cluster (their heartbeat, role and what their cameras are doing) and camera leases with fencing
    // epochs: a camera runs on the worker that holds its lease, and each acquisition gets the next epoch, which
    // event writes must name. The history keeps every lease's interval, so that "never on two workers at once" can be
    // checked after the fact. Lease times are the database's clock, so nodes' clocks need not agree. Settings hold the
    // secret nodes show each other on their internal HTTP (live video, snapshots).
    sql: `
      CREATE TABLE cluster_nodes (
        id            text PRIMARY KEY,
        instance      text NOT NULL,
        role          text NOT NULL,
        version       text NOT NULL,
        host          text NOT NULL,
        pid           integer NOT NULL,
        capacity      double precision NOT NULL,
        draining      boolean NOT NULL DEFAULT false,
        started_ms    bigint NOT NULL,
        heartbeat_ms  bigint NOT NULL,
        status        jsonb NOT NULL DEFAULT '{}'::jsonb
      );
      CREATE TABLE camera_leases (
        camera_id       text PRIMARY KEY,
        owner           text NULL,
        epoch           bigint NOT NULL,
        lease_until_ms  bigint NOT NULL,
        acquired_ms     bigint NOT NULL
      );
      CREATE TABLE camera_lease_history (
        camera_id    text NOT NULL,
        epoch        bigint NOT NULL,
        owner        text NOT NULL,
        acquired_ms  bigint NOT NULL,
        ended_ms     bigint NULL,
        end_reason   text NULL,
        PRIMARY KEY (camera_id, epoch)
      );
      CREATE TABLE cluster_settings (
        key    text PRIMARY KEY,
        value  text NOT NULL
      );
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
