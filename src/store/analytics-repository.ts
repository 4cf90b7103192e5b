/**
 * Per-minute analytics series in SQL: line crossings by line, label and direction, and zone occupancy (samples, sum,
 * max and min of per-frame counts). Writers add deltas (increments, greatest, least), so a minute written in several
 * parts, or by a camera that restarted within it, adds up; readers regroup minutes into larger buckets.
 */
import type { LineCountBucket, ZoneOccupancyBucket } from '../core/types.ts';
import type { SqlDatabase } from './sql-database.ts';

/** One bucket of a line series. */
export interface LinePoint {
  readonly startMs: number;
  readonly in: number;
  readonly out: number;
}

/** One minute of a zone's occupancy. */
export interface OccupancyPoint {
  readonly startMs: number;
  /** Mean of the per-frame counts. */
  readonly mean: number;
  readonly max: number;
  readonly min: number;
  /** Frames counted. */
  readonly samples: number;
}

/** Reads and writes the analytics series. */
export interface AnalyticsStore {
  /** Adds deltas to the series (one transaction). */
  add(delta: { readonly lines: readonly LineCountBucket[]; readonly zones: readonly ZoneOccupancyBucket[] }): Promise<void>;
  /** Crossings of each line of a camera (or the one line) per `bucketMs` in [fromMs, toMs), oldest first; labels summed unless one is given. */
  lineSeries(q: { cameraId: string; lineId?: string | undefined; label?: string | undefined; fromMs: number; toMs: number; bucketMs: number }): Promise<Map<string, LinePoint[]>>;
  /** A zone's occupancy per minute in [fromMs, toMs), oldest first. */
  occupancySeries(q: { cameraId: string; zoneId: string; fromMs: number; toMs: number }): Promise<OccupancyPoint[]>;
}

interface LineRow {
  line_id: string;
  bucket: number | string;
  in_sum: number | string;
  out_sum: number | string;
}

interface ZoneRow {
  start_ms: number | string;
  samples: number;
  sum_count: number;
  max_count: number;
  min_count: number;
}

/** `AnalyticsStore` on a `SqlDatabase` migrated with `MIGRATIONS`. */
export class SqlAnalyticsStore implements AnalyticsStore {
  constructor(private readonly db: SqlDatabase) {}

  async add(delta: { readonly lines: readonly LineCountBucket[]; readonly zones: readonly ZoneOccupancyBucket[] }): Promise<void> {
    if (delta.lines.length === 0 && delta.zones.length === 0) return;
    await this.db.transaction(async (tx) => {
      for (const l of delta.lines) {
        await tx.query(
          `INSERT INTO line_counts (camera_id, line_id, label, start_ms, in_count, out_count) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (camera_id, line_id, label, start_ms) DO UPDATE SET
             in_count = line_counts.in_count + EXCLUDED.in_count, out_count = line_counts.out_count + EXCLUDED.out_count`,
          [l.cameraId, l.lineId, l.label, Math.round(l.startMs), l.in, l.out],
        );
      }
      for (const z of delta.zones) {
        await tx.query(
          `INSERT INTO zone_occupancy (camera_id, zone_id, start_ms, samples, sum_count, max_count, min_count) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (camera_id, zone_id, start_ms) DO UPDATE SET
             samples = zone_occupancy.samples + EXCLUDED.samples, sum_count = zone_occupancy.sum_count + EXCLUDED.sum_count,
             max_count = GREATEST(zone_occupancy.max_count, EXCLUDED.max_count), min_count = LEAST(zone_occupancy.min_count, EXCLUDED.min_count)`,
          [z.cameraId, z.zoneId, Math.round(z.startMs), z.samples, z.sum, z.max, z.min],
        );
      }
    });
  }

  async lineSeries(q: { cameraId: string; lineId?: string | undefined; label?: string | undefined; fromMs: number; toMs: number; bucketMs: number }): Promise<Map<string, LinePoint[]>> {
    const params: unknown[] = [q.cameraId, Math.floor(q.fromMs), Math.ceil(q.toMs), q.bucketMs];
    let extra = '';
    if (q.lineId !== undefined) {
      params.push(q.lineId);
      extra += ` AND line_id = $${params.length}`;
    }
    if (q.label !== undefined) {
      params.push(q.label);
      extra += ` AND label = $${params.length}`;
    }
    const rows = await this.db.query<LineRow>(
      `SELECT line_id, (start_ms - mod(start_ms, $4::bigint)) AS bucket, sum(in_count) AS in_sum, sum(out_count) AS out_sum
       FROM line_counts WHERE camera_id = $1 AND start_ms >= $2 AND start_ms < $3${extra}
       GROUP BY line_id, bucket ORDER BY line_id, bucket`,
      params,
    );
    const out = new Map<string, LinePoint[]>();
    for (const r of rows) {
      let series = out.get(r.line_id);
      if (!series) out.set(r.line_id, (series = []));
      series.push({ startMs: Number(r.bucket), in: Number(r.in_sum), out: Number(r.out_sum) });
    }
    return out;
  }

  async occupancySeries(q: { cameraId: string; zoneId: string; fromMs: number; toMs: number }): Promise<OccupancyPoint[]> {
    const rows = await this.db.query<ZoneRow>(
      `SELECT start_ms, samples, sum_count, max_count, min_count FROM zone_occupancy
       WHERE camera_id = $1 AND zone_id = $2 AND start_ms >= $3 AND start_ms < $4 ORDER BY start_ms`,
      [q.cameraId, q.zoneId, Math.floor(q.fromMs), Math.ceil(q.toMs)],
    );
    return rows.map((r) => ({
      startMs: Number(r.start_ms),
      mean: r.samples > 0 ? Math.round((r.sum_count / r.samples) * 1000) / 1000 : 0,
      max: r.max_count,
      min: r.min_count,
      samples: r.samples,
    }));
  }
}
