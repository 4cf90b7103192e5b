/**
 * The delivery outbox on SQL (PGlite or PostgreSQL, same SQL): claims with leases (`FOR UPDATE SKIP LOCKED`, so
 * several workers never take the same row), batched attempt records, the API's listing and retry, queue figures.
 * The rows are written with their event by `SqlEventStore.upsert`.
 */
import { AppError } from '../core/errors.ts';
import type { SightEvent } from '../core/types.ts';
import type {
  AttemptRecord,
  DeliveryListQuery,
  DeliveryRecord,
  DeliveryStatus,
  DeliveryUpdate,
  DestinationQueueStats,
  DestinationState,
  OutboxPort,
} from '../delivery/outbox.ts';
import type { ClaimedDelivery, VersionKind } from '../delivery/sender.ts';
import type { SqlDatabase } from './sql-database.ts';

type Int = number | string;

interface ClaimRow {
  id: Int;
  destination_id: string;
  attempts: number;
  first_attempt_ms: Int | null;
  message_id: string;
  event_id: string;
  version: number;
  kind: VersionKind;
  event: SightEvent;
  created_ms: Int;
}

interface DeliveryRow {
  id: Int;
  destination_id: string;
  message_id: string;
  event_id: string;
  version: number;
  kind: VersionKind;
  status: DeliveryStatus;
  attempts: number;
  created_ms: Int;
  next_attempt_ms: Int;
  last_attempt_ms: Int | null;
  delivered_ms: Int | null;
  last_status: number | null;
  last_error: string | null;
}

const DELIVERY_COLUMNS = `d.id, d.destination_id, d.message_id, d.event_id, d.version, m.kind, d.status, d.attempts, d.created_ms,
  d.next_attempt_ms, d.last_attempt_ms, d.delivered_ms, d.last_status, d.last_error`;

const num = (v: Int | null): number | null => (v === null ? null : Number(v));
const DEFAULT_LIST_LIMIT = 100;
const MAX_LIST_LIMIT = 1000;

/** `OutboxPort` on a `SqlDatabase` migrated with `MIGRATIONS`. */
export class SqlOutbox implements OutboxPort {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async claim(destinationId: string, limit: number, owner: string, nowMs: number, leaseUntilMs: number): Promise<ClaimedDelivery[]> {
    const rows = await this.#db.query<ClaimRow>(
      // The candidates are chosen once (MATERIALIZED): as `WHERE id IN (subquery)` PostgreSQL may run the subquery
      // again inside a join and so lease more rows than LIMIT.
      `WITH c AS MATERIALIZED (
         SELECT c.id FROM deliveries c
         WHERE c.destination_id = $1 AND c.status IN ('pending', 'failed') AND c.next_attempt_ms <= $4
           AND (c.lease_until_ms IS NULL OR c.lease_until_ms < $4)
           -- The event's earliest waiting version for this destination: later ones wait (in order). Written as a
           -- min() over the (destination, event, version) index, it costs a lookup per candidate; an anti-join
           -- here made PGlite scan the whole queue (1 s per claim at 10,000 waiting).
           AND c.version = (
             SELECT min(p.version) FROM deliveries p
             WHERE p.destination_id = c.destination_id AND p.event_id = c.event_id AND p.status IN ('pending', 'failed'))
         ORDER BY c.next_attempt_ms, c.id
         LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE deliveries d SET lease_owner = $3, lease_until_ms = $5
       FROM c, outbox_messages m
       WHERE d.id = c.id AND m.id = d.message_id
       RETURNING d.id, d.destination_id, d.attempts, d.first_attempt_ms, m.id AS message_id, m.event_id, m.version, m.kind, m.event, m.created_ms`,
      [destinationId, limit, owner, Math.round(nowMs), Math.round(leaseUntilMs)],
    );
    return rows
      .map((r) => ({
        id: String(r.id),
        destinationId: r.destination_id,
        attempt: r.attempts + 1,
        firstAttemptMs: num(r.first_attempt_ms),
        message: { id: r.message_id, eventId: r.event_id, version: r.version, kind: r.kind, event: r.event, createdMs: Number(r.created_ms) },
      }))
      .sort((a, b) => Number(a.id) - Number(b.id));
  }

  async record(owner: string, updates: readonly DeliveryUpdate[]): Promise<void> {
    const attempts = updates.filter((u) => u.kind === 'attempt');
    const defers = updates.filter((u) => u.kind === 'defer');
    if (attempts.length > 0) {
      // Only rows this owner still leases are updated (a lease that expired may have been claimed again), and only
      // their attempts are logged.
      await this.#db.query(
        `WITH r AS (
           SELECT * FROM unnest($2::bigint[], $3::integer[], $4::bigint[], $5::text[], $6::text[], $7::bigint[], $8::integer[], $9::text[], $10::double precision[])
             AS r(id, attempt, at_ms, verdict, status, next_ms, code, error, latency)
         ), u AS (
           UPDATE deliveries d SET status = r.status, attempts = r.attempt, first_attempt_ms = COALESCE(d.first_attempt_ms, r.at_ms),
             last_attempt_ms = r.at_ms, next_attempt_ms = COALESCE(r.next_ms, d.next_attempt_ms), last_status = r.code,
             last_error = r.error, delivered_ms = CASE WHEN r.status = 'delivered' THEN r.at_ms + round(r.latency)::bigint ELSE d.delivered_ms END,
             lease_owner = NULL, lease_until_ms = NULL
           FROM r WHERE d.id = r.id AND d.lease_owner = $1
           RETURNING d.id
         )
         INSERT INTO delivery_attempts (delivery_id, attempt, at_ms, verdict, status_code, error, latency_ms)
         SELECT r.id, r.attempt, r.at_ms, r.verdict, r.code, r.error, r.latency FROM r JOIN u ON u.id = r.id
         ON CONFLICT DO NOTHING`,
        [
          owner,
          attempts.map((a) => a.deliveryId),
          attempts.map((a) => a.attempt),
          attempts.map((a) => Math.round(a.atMs)),
          attempts.map((a) => a.verdict),
          attempts.map((a) => a.status),
          attempts.map((a) => (a.nextAttemptMs === null ? null : Math.round(a.nextAttemptMs))),
          attempts.map((a) => a.statusCode),
          attempts.map((a) => a.error),
          attempts.map((a) => a.latencyMs),
        ],
      );
    }
    if (defers.length > 0) {
      await this.#db.query(
        `UPDATE deliveries d SET next_attempt_ms = r.until_ms, last_error = r.reason, lease_owner = NULL, lease_until_ms = NULL
         FROM unnest($2::bigint[], $3::bigint[], $4::text[]) AS r(id, until_ms, reason)
         WHERE d.id = r.id AND d.lease_owner = $1`,
        [owner, defers.map((d) => d.deliveryId), defers.map((d) => Math.round(d.untilMs)), defers.map((d) => d.reason)],
      );
    }
  }

  async release(owner: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#db.query('UPDATE deliveries SET lease_owner = NULL, lease_until_ms = NULL WHERE lease_owner = $1 AND id = ANY($2::bigint[])', [owner, [...ids]]);
  }

  async releaseLeases(owner: string): Promise<number> {
    const rows = await this.#db.query<{ id: Int }>(
      'UPDATE deliveries SET lease_owner = NULL, lease_until_ms = NULL WHERE lease_owner = $1 RETURNING id',
      [owner],
    );
    return rows.length;
  }

  async nextDueMs(destinationId: string): Promise<number | null> {
    const rows = await this.#db.query<{ at: Int | null }>(
      `SELECT min(next_attempt_ms) AS at FROM deliveries
       WHERE destination_id = $1 AND status IN ('pending', 'failed') AND lease_until_ms IS NULL`,
      [destinationId],
    );
    return num(rows[0]?.at ?? null);
  }

  async list(query: DeliveryListQuery): Promise<DeliveryRecord[]> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      conditions.push(sql.replace('?', `$${params.length}`));
    };
    if (query.status !== undefined) add('d.status = ?', query.status);
    if (query.destinationId !== undefined) add('d.destination_id = ?', query.destinationId);
    if (query.eventId !== undefined) {
      if (!UUID.test(query.eventId)) return [];
      add('d.event_id = ?', query.eventId);
    }
    if (query.beforeId !== undefined) add('d.id < ?', Number(query.beforeId));
    const limit = Math.min(MAX_LIST_LIMIT, Math.max(1, Math.trunc(query.limit ?? DEFAULT_LIST_LIMIT) || DEFAULT_LIST_LIMIT));
    params.push(limit);
    const rows = await this.#db.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries d JOIN outbox_messages m ON m.id = d.message_id
       ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY d.id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(rowToRecord);
  }

  async get(id: string): Promise<DeliveryRecord | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const rows = await this.#db.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries d JOIN outbox_messages m ON m.id = d.message_id WHERE d.id = $1`,
      [Number(id)],
    );
    const row = rows[0];
    if (row === undefined) return null;
    const attempts = await this.#db.query<{ attempt: number; at_ms: Int; verdict: AttemptRecord['verdict']; status_code: number | null; error: string | null; latency_ms: number }>(
      'SELECT attempt, at_ms, verdict, status_code, error, latency_ms FROM delivery_attempts WHERE delivery_id = $1 ORDER BY attempt',
      [Number(id)],
    );
    return {
      ...rowToRecord(row),
      attemptLog: attempts.map((a) => ({ attempt: a.attempt, atMs: Number(a.at_ms), verdict: a.verdict, statusCode: a.status_code, error: a.error, latencyMs: a.latency_ms })),
    };
  }

  async retry(id: string, nowMs: number): Promise<DeliveryRecord | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    // A delivery leased by a live worker is being attempted right now: its own record would overwrite this.
    const rows = await this.#db.query<{ id: Int; leased: boolean }>(
      `UPDATE deliveries SET
         status = CASE WHEN lease_until_ms >= $2 THEN status WHEN attempts > 0 THEN 'failed' ELSE 'pending' END,
         next_attempt_ms = CASE WHEN lease_until_ms >= $2 THEN next_attempt_ms ELSE $2 END,
         first_attempt_ms = CASE WHEN lease_until_ms >= $2 THEN first_attempt_ms ELSE NULL END,
         lease_owner = CASE WHEN lease_until_ms >= $2 THEN lease_owner END,
         lease_until_ms = CASE WHEN lease_until_ms >= $2 THEN lease_until_ms END
       WHERE id = $1 RETURNING id, COALESCE(lease_until_ms >= $2, false) AS leased`,
      [Number(id), Math.round(nowMs)],
    );
    if (rows.length === 0) return null;
    if (rows[0]!.leased) throw new AppError('DELIVERY_BUSY', `delivery ${id} is being attempted right now; ask again when the attempt has ended`);
    return this.get(id);
  }

  async stats(): Promise<DestinationQueueStats[]> {
    // Delivered rows (the many) are not counted: a scrape reads the waiting and dead ones through their indexes.
    const rows = await this.#db.query<{ destination_id: string; status: DeliveryStatus; n: Int; oldest: Int | null }>(
      `SELECT destination_id, status, count(*) AS n,
         min(created_ms) FILTER (WHERE status IN ('pending', 'failed')) AS oldest
       FROM deliveries WHERE status IN ('pending', 'failed', 'dead') GROUP BY destination_id, status`,
    );
    const by = new Map<string, { pending: number; failed: number; dead: number; oldestWaitingMs: number | null }>();
    for (const r of rows) {
      let s = by.get(r.destination_id);
      if (!s) by.set(r.destination_id, (s = { pending: 0, failed: 0, dead: 0, oldestWaitingMs: null }));
      s[r.status as 'pending' | 'failed' | 'dead'] = Number(r.n);
      const oldest = num(r.oldest);
      if (oldest !== null) s.oldestWaitingMs = s.oldestWaitingMs === null ? oldest : Math.min(s.oldestWaitingMs, oldest);
    }
    return [...by].map(([destinationId, s]) => ({ destinationId, ...s })).sort((a, b) => a.destinationId.localeCompare(b.destinationId));
  }

  async destinationStates(): Promise<DestinationState[]> {
    const rows = await this.#db.query<{ destination_id: string; disabled: boolean; reason: string | null; changed_ms: Int }>(
      'SELECT destination_id, disabled, reason, changed_ms FROM destination_state ORDER BY destination_id',
    );
    return rows.map((r) => ({ destinationId: r.destination_id, disabled: r.disabled, reason: r.reason, changedMs: Number(r.changed_ms) }));
  }

  async setDestinationState(s: DestinationState): Promise<void> {
    await this.#db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO destination_state (destination_id, disabled, reason, changed_ms) VALUES ($1, $2, $3, $4)
         ON CONFLICT (destination_id) DO UPDATE SET disabled = EXCLUDED.disabled, reason = EXCLUDED.reason, changed_ms = EXCLUDED.changed_ms`,
        [s.destinationId, s.disabled, s.reason, Math.round(s.changedMs)],
      );
      // Turned back on: what waited is due now, with a fresh retry horizon (the time disabled does not count).
      if (!s.disabled) {
        await tx.query(
          `UPDATE deliveries SET first_attempt_ms = NULL, next_attempt_ms = LEAST(next_attempt_ms, $2)
           WHERE destination_id = $1 AND status IN ('pending', 'failed')`,
          [s.destinationId, Math.round(s.changedMs)],
        );
      }
    });
  }

  async prune(beforeMs: number): Promise<number> {
    return this.#db.transaction(async (tx) => {
      const gone = await tx.query<{ id: Int }>(
        `DELETE FROM deliveries WHERE status IN ('delivered', 'dead') AND created_ms < $1 RETURNING id`,
        [Math.round(beforeMs)],
      );
      await tx.query(
        'DELETE FROM outbox_messages m WHERE m.created_ms < $1 AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id)',
        [Math.round(beforeMs)],
      );
      return gone.length;
    });
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function rowToRecord(r: DeliveryRow): DeliveryRecord {
  return {
    id: String(r.id),
    destinationId: r.destination_id,
    messageId: r.message_id,
    eventId: r.event_id,
    version: r.version,
    kind: r.kind,
    status: r.status,
    attempts: r.attempts,
    createdMs: Number(r.created_ms),
    nextAttemptMs: r.status === 'pending' || r.status === 'failed' ? Number(r.next_attempt_ms) : null,
    lastAttemptMs: num(r.last_attempt_ms),
    deliveredMs: num(r.delivered_ms),
    lastStatusCode: r.last_status,
    lastError: r.last_error,
  };
}
