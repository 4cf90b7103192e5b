/**
 * Stores `SightEvent`s: the `EventStore` port and its SQL implementation (PGlite or PostgreSQL, same SQL).
 */
import type { EndReason, EventAttributes, EventSubject, Severity, SightEvent } from '../core/types.ts';
import { AppError } from '../core/errors.ts';
import type { VersionKind } from '../delivery/sender.ts';
import type { SqlDatabase, SqlExecutor } from './sql-database.ts';
import { holdsLease } from './cluster-repository.ts';

/** Which events to count or list; every given field must match. */
export interface EventFilter {
  readonly cameraId?: string | undefined;
  /** Events with a subject of this label. */
  readonly label?: string | undefined;
  /** Events of this rule type. */
  readonly type?: string | undefined;
  readonly ruleId?: string | undefined;
  readonly severity?: Severity | undefined;
  /** Only events that started strictly before this time, in ms (the `startMs` of the last event of a previous page). */
  readonly beforeStartMs?: number | undefined;
  /** Only events that started at or after this time, in ms. */
  readonly fromStartMs?: number | undefined;
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

/** The outbox rows written with an event version: one message, one delivery per destination (none: nothing). */
export interface OutboxWrite {
  readonly kind: VersionKind;
  /** Destinations whose filter takes this version; empty = no message is written. */
  readonly destinationIds: readonly string[];
  /** Wall-clock time of the write (ms): the message's creation and the deliveries' first due time. */
  readonly nowMs: number;
}

/** Outbox rows for the end versions `closeOpen` writes: which destinations take each closed event. */
export interface CloseOutbox {
  route(event: SightEvent): readonly string[];
  readonly nowMs: number;
}

/** Persistent event storage, written by the event lifecycle and read by the API. */
export interface EventStore {
  /**
   * Inserts the event, or replaces the stored event with the same id (events are written at start, while they
   * change, and at end). Times are stored as whole milliseconds (rounded). Each write is a new version of the event
   * (1, 2, ...), returned; with `outbox`, the version's outbox message and deliveries are written by the same
   * statement, so either all of it is stored or none.
   */
  upsert(event: SightEvent, outbox?: OutboxWrite): Promise<number>;
  /** The event with this id, or null when there is none (also for an id that is not a UUID). */
  get(id: string): Promise<SightEvent | null>;
  /** Matching events, newest `startMs` first (ties by id, descending). */
  list(query?: EventListQuery): Promise<SightEvent[]>;
  /** Number of matching events. */
  count(filter?: EventFilter): Promise<number>;
  /**
   * Matching events counted by start time in `buckets` buckets of `bucketMs` from `fromMs` (bucket i holds the events
   * that started in [fromMs + i * bucketMs, fromMs + (i + 1) * bucketMs)); the filter's own time bounds are replaced.
   */
  histogram(filter: EventFilter, fromMs: number, bucketMs: number, buckets: number): Promise<number[]>;
  /**
   * Marks the event "keep" (its recordings are never deleted by retention) or clears the mark; `upsert` never changes
   * it. Returns the updated event, or null when there is none.
   */
  setKeep(id: string, keep: boolean): Promise<SightEvent | null>;
  /**
   * Closes the events left open by a process that died (of the given cameras, or all): end at their last sighting with
   * `endReason: 'restart'`. Returns how many were closed.
   */
  closeOpen(cameraIds?: readonly string[], outbox?: CloseOutbox): Promise<number>;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Columns of `events` that make up a `SightEvent`, in the order `SqlEventStore` reads them. */
const EVENT_COLUMNS = `id, schema_version, type, severity, camera_id, rule_id, start_ms, end_ms, end_reason, frame_index, latency_ms,
  last_seen_ms, subjects, attributes, snapshot_path, keep`;

/** One row of `events` as the adapters return it (int8 as number; string tolerated for safety; jsonb parsed). */
interface EventRow {
  id: string;
  schema_version: string;
  type: string;
  severity: Severity;
  camera_id: string;
  rule_id: string;
  start_ms: number | string;
  end_ms: number | string | null;
  end_reason: EndReason | null;
  frame_index: number | null;
  latency_ms: number | null;
  last_seen_ms: number | string;
  subjects: EventSubject[];
  attributes: EventAttributes;
  snapshot_path: string | null;
  keep: boolean;
}

/**
 * The fence of a cluster worker's event writes: the lease (owner and epoch) under which this process runs a camera,
 * or null when it does not hold the camera. A write is refused unless the stored lease still matches.
 */
export interface EventFence {
  lease(cameraId: string): { readonly owner: string; readonly epoch: number } | null;
}

/** `EventStore` on a `SqlDatabase` migrated with `MIGRATIONS`. */
export class SqlEventStore implements EventStore {
  readonly #db: SqlDatabase;
  readonly #fence: EventFence | null;

  /** With `fence` (a cluster worker), every write first checks, in its transaction, that the camera's lease is still this process's. */
  constructor(db: SqlDatabase, fence: EventFence | null = null) {
    this.#db = db;
    this.#fence = fence;
  }

  async upsert(event: SightEvent, outbox?: OutboxWrite): Promise<number> {
    checkEvent(event);
    const fence = this.#fence;
    if (!fence) return this.write(this.#db, event, outbox);
    const lease = fence.lease(event.cameraId);
    const refused = () => new AppError('LEASE_LOST', `event ${event.id} of camera "${event.cameraId}" was not stored: this worker no longer holds the camera's lease (another worker runs it now)`);
    if (!lease) throw refused();
    return this.#db.transaction(async (tx) => {
      if (!(await holdsLease(tx, event.cameraId, lease.owner, lease.epoch))) throw refused();
      return this.write(tx, event, outbox);
    });
  }

  private async write(db: SqlExecutor, event: SightEvent, outbox?: OutboxWrite): Promise<number> {
    const destinations = outbox?.destinationIds ?? [];
    // One statement: the event, then (only when destinations want it) its message and deliveries, from the version
    // the event write produced. A single statement is atomic on PGlite and PostgreSQL alike.
    const rows = await db.query<{ version: number }>(
      `WITH e AS (
         INSERT INTO events (id, schema_version, type, severity, camera_id, rule_id, start_ms, end_ms, end_reason, frame_index,
           latency_ms, last_seen_ms, subjects, attributes, snapshot_path, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14::jsonb, $15, now(), 1)
         ON CONFLICT (id) DO UPDATE SET
           schema_version = EXCLUDED.schema_version, type = EXCLUDED.type, severity = EXCLUDED.severity,
           camera_id = EXCLUDED.camera_id, rule_id = EXCLUDED.rule_id, start_ms = EXCLUDED.start_ms, end_ms = EXCLUDED.end_ms,
           end_reason = EXCLUDED.end_reason, frame_index = EXCLUDED.frame_index, latency_ms = EXCLUDED.latency_ms,
           last_seen_ms = EXCLUDED.last_seen_ms, subjects = EXCLUDED.subjects, attributes = EXCLUDED.attributes,
           snapshot_path = EXCLUDED.snapshot_path, updated_at = now(), version = events.version + 1
         RETURNING id, version, keep
       ), m AS (
         INSERT INTO outbox_messages (id, event_id, version, kind, event, created_ms)
         SELECT 'msg_' || e.id || '_' || e.version, e.id, e.version, $16, $17::jsonb || jsonb_build_object('keep', e.keep), $18
         FROM e WHERE cardinality($19::text[]) > 0
         RETURNING id, event_id, version
       ), d AS (
         INSERT INTO deliveries (message_id, destination_id, event_id, version, next_attempt_ms, created_ms)
         SELECT m.id, dest, m.event_id, m.version, $18, $18 FROM m, unnest($19::text[]) AS dest
       )
       SELECT version FROM e`,
      [
        ...eventParams(event),
        outbox?.kind ?? 'update',
        JSON.stringify(event),
        Math.round(outbox?.nowMs ?? 0),
        [...destinations],
      ],
    );
    return Number(rows[0]?.version ?? 0);
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

  async histogram(filter: EventFilter, fromMs: number, bucketMs: number, buckets: number): Promise<number[]> {
    const from = Math.ceil(fromMs);
    const size = Math.max(1, Math.round(bucketMs));
    const { where, params } = whereClause({ ...filter, fromStartMs: from, beforeStartMs: from + size * buckets });
    params.push(from, size);
    const rows = await this.#db.query<{ b: number | string; n: number | string }>(
      `SELECT (start_ms - $${params.length - 1}) / $${params.length} AS b, count(*) AS n FROM events ${where} GROUP BY b`,
      params,
    );
    const counts = new Array<number>(buckets).fill(0);
    for (const r of rows) {
      const i = Number(r.b);
      if (i >= 0 && i < buckets) counts[i] = Number(r.n);
    }
    return counts;
  }

  async closeOpen(cameraIds?: readonly string[], outbox?: CloseOutbox): Promise<number> {
    const params: unknown[] = [];
    let which = '';
    if (cameraIds !== undefined) {
      params.push([...cameraIds]);
      which = 'AND camera_id = ANY($1::text[])';
    }
    // The closing is a new version of each event; its outbox rows are written in the same transaction.
    return this.#db.transaction(async (tx) => {
      const rows = await tx.query<EventRow & { version: number }>(
        `UPDATE events SET end_ms = GREATEST(last_seen_ms, start_ms), end_reason = 'restart', updated_at = now(), version = version + 1
         WHERE end_ms IS NULL ${which} RETURNING ${EVENT_COLUMNS}, version`,
        params,
      );
      for (const row of rows) {
        const event = rowToEvent(row);
        const destinations = outbox?.route(event) ?? [];
        if (destinations.length === 0) continue;
        const messageId = `msg_${event.id}_${row.version}`;
        await tx.query(
          `INSERT INTO outbox_messages (id, event_id, version, kind, event, created_ms) VALUES ($1, $2, $3, 'end', $4::jsonb, $5)`,
          [messageId, event.id, row.version, JSON.stringify(event), Math.round(outbox!.nowMs)],
        );
        await tx.query(
          `INSERT INTO deliveries (message_id, destination_id, event_id, version, next_attempt_ms, created_ms)
           SELECT $1, dest, $2, $3, $4, $4 FROM unnest($5::text[]) AS dest`,
          [messageId, event.id, row.version, Math.round(outbox!.nowMs), [...destinations]],
        );
      }
      return rows.length;
    });
  }
}

/** The 15 parameters of an event row, in the order of `upsert`'s VALUES. */
function eventParams(event: SightEvent): unknown[] {
  return [
    event.id,
    event.schema,
    event.type,
    event.severity,
    event.cameraId,
    event.ruleId,
    Math.round(event.startMs),
    event.endMs === null ? null : Math.round(event.endMs),
    event.endReason,
    event.frameIndex,
    event.latencyMs,
    Math.round(event.lastSeenMs),
    JSON.stringify(event.subjects),
    JSON.stringify(event.attributes),
    event.snapshotPath,
  ];
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
    params.push(JSON.stringify([{ label: filter.label }]));
    conditions.push(`subjects @> $${params.length}::jsonb`);
  }
  for (const [value, column] of [[filter.type, 'type'], [filter.ruleId, 'rule_id'], [filter.severity, 'severity']] as const) {
    if (value === undefined) continue;
    params.push(value);
    conditions.push(`${column} = $${params.length}`);
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
  if (filter.fromStartMs !== undefined) {
    params.push(Math.ceil(filter.fromStartMs));
    conditions.push(`start_ms >= $${params.length}`);
  }
  return { where: conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`, params };
}

function rowToEvent(row: EventRow): SightEvent {
  return {
    schema: row.schema_version,
    id: row.id,
    type: row.type,
    severity: row.severity,
    cameraId: row.camera_id,
    ruleId: row.rule_id,
    startMs: Number(row.start_ms),
    endMs: row.end_ms === null ? null : Number(row.end_ms),
    endReason: row.end_reason,
    frameIndex: row.frame_index,
    latencyMs: row.latency_ms,
    lastSeenMs: Number(row.last_seen_ms),
    subjects: row.subjects,
    attributes: row.attributes,
    snapshotPath: row.snapshot_path,
    keep: row.keep,
  };
}

/** Rejects values the database would store wrongly (NaN, Infinity) or reject with a less helpful message. */
function checkEvent(event: SightEvent): void {
  const problems: string[] = [];
  if (!UUID_PATTERN.test(event.id)) problems.push(`id must be a UUID, got "${event.id}"`);
  if (event.frameIndex !== null && !Number.isInteger(event.frameIndex)) problems.push(`frameIndex must be an integer or null, got ${event.frameIndex}`);
  const finite: Array<[string, number | null]> = [
    ['startMs', event.startMs],
    ['endMs', event.endMs],
    ['lastSeenMs', event.lastSeenMs],
    ['latencyMs', event.latencyMs],
    ...event.subjects.flatMap((s, i): Array<[string, number]> => [
      [`subjects[${i}].score`, s.score],
      [`subjects[${i}].timeMs`, s.timeMs],
      ...s.boxXyxy.map((v, k): [string, number] => [`subjects[${i}].boxXyxy[${k}]`, v]),
    ]),
  ];
  for (const [name, value] of finite) {
    if (value !== null && !Number.isFinite(value)) problems.push(`${name} must be a finite number, got ${value}`);
  }
  for (const [k, v] of Object.entries(event.attributes)) {
    if (typeof v === 'number' && !Number.isFinite(v)) problems.push(`attributes.${k} must be a finite number, got ${v}`);
  }
  if (problems.length > 0) {
    throw new AppError('DATABASE_FAILED', `cannot store event ${event.id}: ${problems.join('; ')}`);
  }
}
