/**
 * The cluster's heartbeats and camera leases on SQL (PostgreSQL in a cluster; PGlite runs it too, for the contract
 * tests). Every time comparison uses the database's clock (`clock_timestamp()`), so nodes whose clocks disagree still
 * agree on who holds a lease. An acquisition locks the lease row, so two workers never both win it; an event write
 * fenced by a lease locks the same row for share (`event-repository.ts`).
 */
import type { ClusterStore, HeldLease, LeaseInterval, LeaseRecord, NodeRecord, NodeReport } from '../cluster/cluster-store.ts';
import type { ClusterRole } from '../config/cluster-schema.ts';
import type { SqlDatabase, SqlExecutor } from './sql-database.ts';

/** The database's clock in milliseconds. */
export const DB_NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

type Int = number | string;

interface NodeRow {
  id: string; instance: string; role: string; version: string; host: string; pid: number; capacity: number; draining: boolean;
  started_ms: Int; heartbeat_ms: Int; age_ms: Int; status: NodeReport['status'];
}

export class SqlClusterStore implements ClusterStore {
  constructor(private readonly db: SqlDatabase) {}

  async heartbeat(node: NodeReport, staleMs: number): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>(
      `INSERT INTO cluster_nodes (id, instance, role, version, host, pid, capacity, draining, started_ms, heartbeat_ms, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ${DB_NOW_MS}, ${DB_NOW_MS}, $9::jsonb)
       ON CONFLICT (id) DO UPDATE SET instance = EXCLUDED.instance, role = EXCLUDED.role, version = EXCLUDED.version,
         host = EXCLUDED.host, pid = EXCLUDED.pid, capacity = EXCLUDED.capacity, draining = EXCLUDED.draining,
         started_ms = CASE WHEN cluster_nodes.instance = EXCLUDED.instance THEN cluster_nodes.started_ms ELSE EXCLUDED.started_ms END,
         heartbeat_ms = EXCLUDED.heartbeat_ms, status = EXCLUDED.status
       WHERE cluster_nodes.instance = EXCLUDED.instance OR cluster_nodes.heartbeat_ms < ${DB_NOW_MS} - $10
       RETURNING id`,
      [node.id, node.instance, node.role, node.version, node.host, node.pid, node.capacity, node.draining, JSON.stringify(node.status), Math.round(staleMs)],
    );
    return rows.length === 1;
  }

  async nodes(maxAgeMs?: number): Promise<NodeRecord[]> {
    const rows = await this.db.query<NodeRow>(
      `SELECT *, ${DB_NOW_MS} - heartbeat_ms AS age_ms FROM cluster_nodes
       WHERE $1::bigint IS NULL OR heartbeat_ms >= ${DB_NOW_MS} - $1::bigint ORDER BY id`,
      [maxAgeMs === undefined ? null : Math.round(maxAgeMs)],
    );
    return rows.map((r) => ({
      id: r.id, instance: r.instance, role: r.role as ClusterRole, version: r.version, host: r.host, pid: Number(r.pid), capacity: Number(r.capacity),
      draining: r.draining, status: r.status, startedMs: Number(r.started_ms), heartbeatMs: Number(r.heartbeat_ms), ageMs: Number(r.age_ms),
    }));
  }

  async leave(nodeId: string, instance: string): Promise<void> {
    await this.db.query('DELETE FROM cluster_nodes WHERE id = $1 AND instance = $2', [nodeId, instance]);
  }

  async leases(): Promise<LeaseRecord[]> {
    const rows = await this.db.query<{ camera_id: string; owner: string | null; epoch: Int; live: boolean; lease_until_ms: Int; acquired_ms: Int }>(
      `SELECT camera_id, owner, epoch, (owner IS NOT NULL AND lease_until_ms > ${DB_NOW_MS}) AS live, lease_until_ms, acquired_ms
       FROM camera_leases ORDER BY camera_id`,
    );
    return rows.map((r) => ({ cameraId: r.camera_id, owner: r.owner, epoch: Number(r.epoch), live: r.live, leaseUntilMs: Number(r.lease_until_ms), acquiredMs: Number(r.acquired_ms) }));
  }

  async renew(owner: string, ttlMs: number, cameraIds: readonly string[]): Promise<HeldLease[]> {
    if (cameraIds.length === 0) return [];
    const rows = await this.db.query<{ camera_id: string; epoch: Int }>(
      `UPDATE camera_leases SET lease_until_ms = ${DB_NOW_MS} + $2
       WHERE owner = $1 AND camera_id = ANY($3::text[]) AND lease_until_ms > ${DB_NOW_MS} RETURNING camera_id, epoch`,
      [owner, Math.round(ttlMs), [...cameraIds]],
    );
    return rows.map((r) => ({ cameraId: r.camera_id, epoch: Number(r.epoch) })).sort((a, b) => (a.cameraId < b.cameraId ? -1 : 1));
  }

  acquire(cameraId: string, owner: string, ttlMs: number): Promise<HeldLease | null> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query<{ owner: string | null; epoch: Int; live: boolean; lease_until_ms: Int }>(
        `SELECT owner, epoch, (owner IS NOT NULL AND lease_until_ms > ${DB_NOW_MS}) AS live, lease_until_ms FROM camera_leases WHERE camera_id = $1 FOR UPDATE`,
        [cameraId],
      );
      if (row?.live) {
        if (row.owner !== owner) return null;
        await tx.query(`UPDATE camera_leases SET lease_until_ms = ${DB_NOW_MS} + $2 WHERE camera_id = $1`, [cameraId, Math.round(ttlMs)]);
        return { cameraId, epoch: Number(row.epoch) };
      }
      if (!row) {
        const inserted = await tx.query<{ epoch: Int }>(
          `INSERT INTO camera_leases (camera_id, owner, epoch, lease_until_ms, acquired_ms) VALUES ($1, $2, 1, ${DB_NOW_MS} + $3, ${DB_NOW_MS})
           ON CONFLICT (camera_id) DO NOTHING RETURNING epoch`,
          [cameraId, owner, Math.round(ttlMs)],
        );
        if (inserted.length === 0) return null;
        await this.opened(tx, cameraId, 1, owner);
        return { cameraId, epoch: 1 };
      }
      // Expired or released: the previous holder's interval ends where its lease ran out.
      await tx.query(
        `UPDATE camera_lease_history SET ended_ms = $3, end_reason = 'expired' WHERE camera_id = $1 AND epoch = $2 AND ended_ms IS NULL`,
        [cameraId, Number(row.epoch), Number(row.lease_until_ms)],
      );
      const epoch = Number(row.epoch) + 1;
      await tx.query(
        `UPDATE camera_leases SET owner = $2, epoch = $3, lease_until_ms = ${DB_NOW_MS} + $4, acquired_ms = ${DB_NOW_MS} WHERE camera_id = $1`,
        [cameraId, owner, epoch, Math.round(ttlMs)],
      );
      await this.opened(tx, cameraId, epoch, owner);
      return { cameraId, epoch };
    });
  }

  private async opened(tx: SqlExecutor, cameraId: string, epoch: number, owner: string): Promise<void> {
    await tx.query(`INSERT INTO camera_lease_history (camera_id, epoch, owner, acquired_ms) VALUES ($1, $2, $3, ${DB_NOW_MS})`, [cameraId, epoch, owner]);
  }

  async release(owner: string, cameraIds: readonly string[]): Promise<void> {
    if (cameraIds.length === 0) return;
    await this.db.transaction(async (tx) => {
      const rows = await tx.query<{ camera_id: string; epoch: Int }>(
        `UPDATE camera_leases SET owner = NULL, lease_until_ms = 0 WHERE owner = $1 AND camera_id = ANY($2::text[]) AND lease_until_ms > ${DB_NOW_MS}
         RETURNING camera_id, epoch`,
        [owner, [...cameraIds]],
      );
      for (const r of rows) {
        await tx.query(
          `UPDATE camera_lease_history SET ended_ms = ${DB_NOW_MS}, end_reason = 'released' WHERE camera_id = $1 AND epoch = $2 AND ended_ms IS NULL`,
          [r.camera_id, Number(r.epoch)],
        );
      }
    });
  }

  async sharedSecret(name: 'internal_secret' | 'link_signing_key', generate: () => string): Promise<string> {
    await this.db.query(`INSERT INTO cluster_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [name, generate()]);
    const [row] = await this.db.query<{ value: string }>(`SELECT value FROM cluster_settings WHERE key = $1`, [name]);
    return row!.value;
  }

  async history(cameraIds?: readonly string[]): Promise<LeaseInterval[]> {
    const rows = await this.db.query<{ camera_id: string; epoch: Int; owner: string; acquired_ms: Int; ended_ms: Int | null; end_reason: string | null }>(
      `SELECT camera_id, epoch, owner, acquired_ms, ended_ms, end_reason FROM camera_lease_history
       WHERE $1::text[] IS NULL OR camera_id = ANY($1::text[]) ORDER BY camera_id, epoch`,
      [cameraIds ? [...cameraIds] : null],
    );
    return rows.map((r) => ({
      cameraId: r.camera_id, epoch: Number(r.epoch), owner: r.owner, acquiredMs: Number(r.acquired_ms),
      endedMs: r.ended_ms === null ? null : Number(r.ended_ms), endReason: r.end_reason as LeaseInterval['endReason'],
    }));
  }
}

/**
 * Whether `owner` holds `cameraId`'s lease at `epoch` now; locks the lease row for share, so inside a transaction no
 * other worker can take the lease before the transaction ends (the fence of event writes).
 */
export async function holdsLease(tx: SqlExecutor, cameraId: string, owner: string, epoch: number): Promise<boolean> {
  const rows = await tx.query<{ ok: number }>(
    `SELECT 1 AS ok FROM camera_leases WHERE camera_id = $1 AND owner = $2 AND epoch = $3 AND lease_until_ms > ${DB_NOW_MS} FOR SHARE`,
    [cameraId, owner, epoch],
  );
  return rows.length === 1;
}
