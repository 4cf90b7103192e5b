/**
 * Trajectories on the floor plans in SQL: points written in batches by the site, read back as tracks, as
 * de-duplicated area counts over time (distinct people per bucket: a person seen by three cameras counts once) and as
 * heatmaps; old points deleted by retention.
 */
import type { Point } from '../core/types.ts';
import type { TrajectoryPoint } from '../fusion/site-fusion.ts';
import { areaContains } from '../mapping/areas.ts';
import type { SqlDatabase } from './sql-database.ts';

/** One stored track with its points, oldest first. */
export interface StoredTrack {
  readonly cameraId: string;
  readonly trackId: number;
  readonly globalId: number | null;
  readonly label: string;
  readonly plan: string;
  readonly points: readonly { readonly timeMs: number; readonly positionM: Point; readonly speedMps: number }[];
}

/** One bucket of an area's occupancy. */
export interface AreaOccupancyPoint {
  readonly startMs: number;
  /** Distinct people (global ids; tracks without one count on their own) seen in the area during the bucket. */
  readonly distinct: number;
  /** Mean over the bucket's sample slots of the distinct people in the area at once. */
  readonly mean: number;
  /** Most distinct people in the area at once (per sample slot). */
  readonly max: number;
}

/** Seconds spent per plan cell. */
export interface Heatmap {
  readonly plan: string;
  readonly cellM: number;
  readonly columns: number;
  readonly rows: number;
  /** Row-major, `rows` x `columns`: points counted in each cell. */
  readonly counts: number[];
  readonly maxCount: number;
}

/** Reads and writes trajectories. */
export interface TrajectoryStore {
  add(points: readonly TrajectoryPoint[]): Promise<void>;
  tracks(q: { cameraId?: string | undefined; plan?: string | undefined; area?: { plan: string; polygonM: readonly Point[] } | undefined; fromMs: number; toMs: number; limit: number }): Promise<StoredTrack[]>;
  occupancy(q: { plan: string; polygonM: readonly Point[]; fromMs: number; toMs: number; bucketMs: number; sampleMs: number }): Promise<AreaOccupancyPoint[]>;
  heatmap(q: { plan: string; widthM: number; heightM: number; cellM: number; fromMs: number; toMs: number; sampleMs: number; area?: readonly Point[] | undefined }): Promise<Heatmap>;
  deleteBefore(ms: number): Promise<number>;
}

interface PointRow {
  camera_id: string;
  track_id: number;
  global_id: number | string | null;
  label: string;
  plan_id: string;
  t_ms: number | string;
  x_m: number;
  y_m: number;
  speed_mps: number;
}

/** Rows read for one query at most (about 28 hours of one person at a point a second). */
const MAX_ROWS = 100_000;
/** Rows written per INSERT statement. */
const BATCH = 200;

/** `TrajectoryStore` on a `SqlDatabase` migrated with `MIGRATIONS`. */
export class SqlTrajectoryStore implements TrajectoryStore {
  constructor(private readonly db: SqlDatabase) {}

  async add(points: readonly TrajectoryPoint[]): Promise<void> {
    // One transaction: a batch is stored whole or not at all (it is tried again whole).
    await this.db.transaction(async (tx) => {
    for (let i = 0; i < points.length; i += BATCH) {
      const part = points.slice(i, i + BATCH);
      const params: unknown[] = [];
      const rows = part.map((p) => {
        const base = params.length;
        params.push(p.cameraId, p.trackId, p.globalId, p.label, p.plan, Math.round(p.timeMs), p.positionM[0], p.positionM[1], p.speedMps);
        return `(${Array.from({ length: 9 }, (_, k) => `$${base + k + 1}`).join(', ')})`;
      });
      await tx.query(`INSERT INTO track_points (camera_id, track_id, global_id, label, plan_id, t_ms, x_m, y_m, speed_mps) VALUES ${rows.join(', ')}`, params);
    }
    });
  }

  async tracks(q: { cameraId?: string | undefined; plan?: string | undefined; area?: { plan: string; polygonM: readonly Point[] } | undefined; fromMs: number; toMs: number; limit: number }): Promise<StoredTrack[]> {
    const where = ['t_ms >= $1', 't_ms < $2'];
    const params: unknown[] = [q.fromMs, q.toMs];
    if (q.cameraId !== undefined) where.push(`camera_id = $${params.push(q.cameraId)}`);
    const plan = q.area?.plan ?? q.plan;
    if (plan !== undefined) where.push(`plan_id = $${params.push(plan)}`);
    // The tracks first (the earliest `limit` of them, more when an area filters them afterwards), then their points.
    const keys = q.area === undefined ? q.limit : Math.min(q.limit * 20, 20_000);
    const rows = await this.db.query<PointRow>(
      `WITH keys AS (SELECT camera_id, track_id, min(t_ms) AS first_ms FROM track_points WHERE ${where.join(' AND ')} GROUP BY camera_id, track_id ORDER BY first_ms LIMIT ${keys})
       SELECT p.* FROM track_points p JOIN keys k ON p.camera_id = k.camera_id AND p.track_id = k.track_id
       WHERE ${where.map((w) => `p.${w}`).join(' AND ')} ORDER BY p.camera_id, p.track_id, p.t_ms LIMIT ${MAX_ROWS}`,
      params,
    );
    const byTrack = new Map<string, { track: Omit<StoredTrack, 'points'>; points: StoredTrack['points'][number][] }>();
    for (const r of rows) {
      const key = `${r.camera_id}\u0000${r.track_id}`;
      let t = byTrack.get(key);
      if (t === undefined) {
        t = { track: { cameraId: r.camera_id, trackId: r.track_id, globalId: null, label: r.label, plan: r.plan_id }, points: [] };
        byTrack.set(key, t);
      }
      // The newest global id a track had is its person (links are corrected as evidence comes in).
      if (r.global_id !== null) t.track = { ...t.track, globalId: Number(r.global_id) };
      t.points.push({ timeMs: Number(r.t_ms), positionM: [r.x_m, r.y_m], speedMps: r.speed_mps });
    }
    let out = [...byTrack.values()].map((t) => ({ ...t.track, points: t.points }));
    if (q.area !== undefined) {
      const poly = q.area.polygonM;
      out = out.filter((t) => t.points.some((p) => areaContains(poly, p.positionM)));
    }
    return out.sort((a, b) => a.points[0]!.timeMs - b.points[0]!.timeMs).slice(0, q.limit);
  }

  async occupancy(q: { plan: string; polygonM: readonly Point[]; fromMs: number; toMs: number; bucketMs: number; sampleMs: number }): Promise<AreaOccupancyPoint[]> {
    const rows = await this.db.query<PointRow>(
      `SELECT camera_id, track_id, global_id, t_ms, x_m, y_m FROM track_points WHERE plan_id = $1 AND t_ms >= $2 AND t_ms < $3 ORDER BY t_ms LIMIT ${MAX_ROWS * 10}`,
      [q.plan, q.fromMs, q.toMs],
    );
    const buckets = Math.max(0, Math.ceil((q.toMs - q.fromMs) / q.bucketMs));
    const distinct = Array.from({ length: buckets }, () => new Set<string>());
    const slots = new Map<number, Set<string>>();
    for (const r of rows) {
      if (!areaContains(q.polygonM, [r.x_m, r.y_m])) continue;
      const t = Number(r.t_ms);
      const who = r.global_id !== null ? `g${r.global_id}` : `t${r.camera_id}\u0000${r.track_id}`;
      distinct[Math.floor((t - q.fromMs) / q.bucketMs)]?.add(who);
      const slot = Math.floor((t - q.fromMs) / q.sampleMs);
      let set = slots.get(slot);
      if (set === undefined) slots.set(slot, (set = new Set()));
      set.add(who);
    }
    const slotsPerBucket = Math.max(1, Math.round(q.bucketMs / q.sampleMs));
    return distinct.map((set, b) => {
      let sum = 0, max = 0;
      const first = Math.floor((b * q.bucketMs) / q.sampleMs);
      for (let s = first; s < first + slotsPerBucket; s++) {
        const n = slots.get(s)?.size ?? 0;
        sum += n;
        if (n > max) max = n;
      }
      return { startMs: q.fromMs + b * q.bucketMs, distinct: set.size, mean: sum / slotsPerBucket, max };
    });
  }

  async heatmap(q: { plan: string; widthM: number; heightM: number; cellM: number; fromMs: number; toMs: number; sampleMs: number; area?: readonly Point[] | undefined }): Promise<Heatmap> {
    const columns = Math.max(1, Math.ceil(q.widthM / q.cellM));
    const rowsN = Math.max(1, Math.ceil(q.heightM / q.cellM));
    const counts = new Array<number>(columns * rowsN).fill(0);
    const rows = await this.db.query<PointRow>(
      `SELECT camera_id, track_id, global_id, t_ms, x_m, y_m FROM track_points WHERE plan_id = $1 AND t_ms >= $2 AND t_ms < $3 ORDER BY t_ms LIMIT ${MAX_ROWS * 10}`,
      [q.plan, q.fromMs, q.toMs],
    );
    // A person seen by several cameras counts once per sample slot.
    const counted = new Set<string>();
    for (const r of rows) {
      const who = `${r.global_id !== null ? `g${r.global_id}` : `t${r.camera_id}\u0000${r.track_id}`}@${Math.floor(Number(r.t_ms) / q.sampleMs)}`;
      if (counted.has(who)) continue;
      counted.add(who);
      if (q.area !== undefined && !areaContains(q.area, [r.x_m, r.y_m])) continue;
      const c = Math.floor(r.x_m / q.cellM), rr = Math.floor(r.y_m / q.cellM);
      if (c < 0 || rr < 0 || c >= columns || rr >= rowsN) continue;
      counts[rr * columns + c]!++;
    }
    return { plan: q.plan, cellM: q.cellM, columns, rows: rowsN, counts, maxCount: counts.reduce((m, v) => Math.max(m, v), 0) };
  }

  async deleteBefore(ms: number): Promise<number> {
    const r = await this.db.query<{ n: number | string }>('WITH d AS (DELETE FROM track_points WHERE t_ms < $1 RETURNING 1) SELECT count(*) AS n FROM d', [ms]);
    return Number(r[0]?.n ?? 0);
  }
}
