/**
 * Stores `SightEvent`s: the `EventStore` port and its SQL implementation (PGlite or PostgreSQL, same SQL).
 */
import type { BoxXyxy, SightEvent } from '../core/types.ts';
import { AppError } from '../core/errors.ts';
import type { SqlDatabase } from './sql-database.ts';

/** Which events to count or list; every given field must match. */
export interface EventFilter {
  readonly cameraId?: string | undefined;
  readonly label?: string | undefined;
  /** Only events that started strictly before this time, in ms (the `startMs` of the last event of a previous page). */
  readonly beforeStartMs?: number | undefined;
  /** Only events marked (true) or not marked (false) "keep". */
  readonly keep?: boolean | undefined;
}

/** A page of events, newest `startMs` first. */
export interface EventListQuery extends EventFilter {
  /** Most events to return, 1..`MAX_EVENT_LIST_LIMIT`; default `DEFAULT_EVENT_LIST_LIMIT`; values outside are clamped. */
  readonly limit?: number | undefined;
}

/** Number of events `list` returns when no limit is given. */
export const DEFAULT_EVENT_LIST_LIMIT = 50;
/** Largest page `list` returns. */
export const MAX_EVENT_LIST_LIMIT = 500;

/** Persistent event storage, written by the event lifecycle and read by the API. */
export interface EventStore {
  /**
   * Inserts the event, or replaces the stored event with the same id (events are written at start, while they
   * change, and at end). Times are stored as whole milliseconds (rounded).
   */
  upsert(event: SightEvent): Promise<void>;
  /** The event with this id, or null when there is none (also for an id that is not a UUID). */
  get(id: string): Promise<SightEvent | null>;
  /** Matching events, newest `startMs` first (ties by id, descending). */
  list(query?: EventListQuery): Promise<SightEvent[]>;
  /** Number of matching events. */
  count(filter?: EventFilter): Promise<number>;
  /**
   * Marks the event "keep" (its recordings are never deleted by retention) or clears the mark; `upsert` never changes
   * it. Returns the updated event, or null when there is none.
   */
  setKeep(id: string, keep: boolean): Promise<SightEvent | null>;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Columns of `events` that make up a `SightEvent`, in the order `SqlEventStore` reads them. */
const EVENT_COLUMNS = `id, camera_id, zone_id, track_id, label, start_ms, end_ms, best_score,
  best_box_x1, best_box_y1, best_box_x2, best_box_y2, best_time_ms, snapshot_path, keep`;

/** One row of `events` as the adapters return it (int8 as number; string tolerated for safety). */
interface EventRow {
  id: string;
  camera_id: string;
  zone_id: string;
  track_id: number;
  label: string;
  start_ms: number | string;
  end_ms: number | string | null;
  best_score: number;
  best_box_x1: number;
  best_box_y1: number;
  best_box_x2: number;
  best_box_y2: number;
  best_time_ms: number | string;
  snapshot_path: string | null;
  keep: boolean;
}

/** `EventStore` on a `SqlDatabase` migrated with `MIGRATIONS`. */
export class SqlEventStore implements EventStore {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async upsert(event: SightEvent): Promise<void> {
    checkEvent(event);
    const [x1, y1, x2, y2] = event.bestBoxXyxy;
    await this.#db.query(
      `INSERT INTO events (id, camera_id, zone_id, track_id, label, start_ms, end_ms, best_score,
         best_box_x1, best_box_y1, best_box_x2, best_box_y2, best_time_ms, snapshot_path, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, now())
       ON CONFLICT (id) DO UPDATE SET
         camera_id = EXCLUDED.camera_id, zone_id = EXCLUDED.zone_id, track_id = EXCLUDED.track_id,
         label = EXCLUDED.label, start_ms = EXCLUDED.start_ms, end_ms = EXCLUDED.end_ms,
         best_score = EXCLUDED.best_score, best_box_x1 = EXCLUDED.best_box_x1, best_box_y1 = EXCLUDED.best_box_y1,
         best_box_x2 = EXCLUDED.best_box_x2, best_box_y2 = EXCLUDED.best_box_y2,
         best_time_ms = EXCLUDED.best_time_ms, snapshot_path = EXCLUDED.snapshot_path, updated_at = now()`,
      [
        event.id,
        event.cameraId,
        event.zoneId,
        event.trackId,
        event.label,
        Math.round(event.startMs),
        event.endMs === null ? null : Math.round(event.endMs),
        event.bestScore,
        x1,
        y1,
        x2,
        y2,
        Math.round(event.bestTimeMs),
        event.snapshotPath,
      ],
    );
  }

  async get(id: string): Promise<SightEvent | null> {
    // A malformed id cannot match, and would make PostgreSQL raise a uuid syntax error.
    if (!UUID_PATTERN.test(id)) return null;
    const rows = await this.#db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = $1`, [id]);
    const row = rows[0];
    return row === undefined ? null : rowToEvent(row);
  }

  async list(query: EventListQuery = {}): Promise<SightEvent[]> {
    const { where, params } = whereClause(query);
    params.push(clampLimit(query.limit));
    const rows = await this.#db.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events ${where} ORDER BY start_ms DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(rowToEvent);
  }

  async setKeep(id: string, keep: boolean): Promise<SightEvent | null> {
    if (!UUID_PATTERN.test(id)) return null;
    const rows = await this.#db.query<EventRow>(`UPDATE events SET keep = $2, updated_at = now() WHERE id = $1 RETURNING ${EVENT_COLUMNS}`, [id, keep]);
    const row = rows[0];
    return row === undefined ? null : rowToEvent(row);
  }

  async count(filter: EventFilter = {}): Promise<number> {
    const { where, params } = whereClause(filter);
    const rows = await this.#db.query<{ n: number | string }>(`SELECT count(*) AS n FROM events ${where}`, params);
    return Number(rows[0]?.n ?? 0);
  }
}

/** Limit for `list`: an integer in 1..MAX_EVENT_LIST_LIMIT, default when missing or not a number. */
function clampLimit(limit: number | undefined): number {
  if (limit === undefined || Number.isNaN(limit)) return DEFAULT_EVENT_LIST_LIMIT;
  return Math.min(MAX_EVENT_LIST_LIMIT, Math.max(1, Math.trunc(limit)));
}

function whereClause(filter: EventFilter): { where: string; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (filter.cameraId !== undefined) {
    params.push(filter.cameraId);
    conditions.push(`camera_id = $${params.length}`);
  }
  if (filter.label !== undefined) {
    params.push(filter.label);
    conditions.push(`label = $${params.length}`);
  }
  if (filter.keep !== undefined) {
    params.push(filter.keep);
    conditions.push(`keep = $${params.length}`);
  }
  if (filter.beforeStartMs !== undefined) {
    // start_ms is a whole number, so `< x` equals `< ceil(x)`, which a bigint parameter accepts.
    params.push(Math.ceil(filter.beforeStartMs));
    conditions.push(`start_ms < $${params.length}`);
  }
  return { where: conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`, params };
}

function rowToEvent(row: EventRow): SightEvent {
  const bestBoxXyxy: BoxXyxy = [row.best_box_x1, row.best_box_y1, row.best_box_x2, row.best_box_y2];
  return {
    id: row.id,
    cameraId: row.camera_id,
    zoneId: row.zone_id,
    trackId: row.track_id,
    label: row.label,
    startMs: Number(row.start_ms),
    endMs: row.end_ms === null ? null : Number(row.end_ms),
    bestScore: row.best_score,
    bestBoxXyxy,
    bestTimeMs: Number(row.best_time_ms),
    snapshotPath: row.snapshot_path,
    ...(row.keep ? { keep: true } : {}),
  };
}

/** Rejects values the database would store wrongly (NaN, Infinity) or reject with a less helpful message. */
function checkEvent(event: SightEvent): void {
  const problems: string[] = [];
  if (!UUID_PATTERN.test(event.id)) problems.push(`id must be a UUID, got "${event.id}"`);
  if (!Number.isInteger(event.trackId)) problems.push(`trackId must be an integer, got ${event.trackId}`);
  const finite: Array<[string, number | null]> = [
    ['startMs', event.startMs],
    ['endMs', event.endMs],
    ['bestScore', event.bestScore],
    ['bestTimeMs', event.bestTimeMs],
    ...event.bestBoxXyxy.map((value, i): [string, number] => [`bestBoxXyxy[${i}]`, value]),
  ];
  for (const [name, value] of finite) {
    if (value !== null && !Number.isFinite(value)) problems.push(`${name} must be a finite number, got ${value}`);
  }
  if (event.bestBoxXyxy.length !== 4) problems.push(`bestBoxXyxy must have 4 numbers, got ${event.bestBoxXyxy.length}`);
  if (problems.length > 0) {
    throw new AppError('DATABASE_FAILED', `cannot store event ${event.id}: ${problems.join('; ')}`);
  }
}
