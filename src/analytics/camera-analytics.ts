/**
 * A camera's counts as time series: line crossings per line, label and direction, and the number of objects in each
 * zone (mean, max, min of the per-frame counts), in buckets of one minute of frame time. Buckets are handed out as
 * deltas that add up (a bucket may come in several parts: every few seconds, and when it closes), so a store can merge
 * them with plain increments and nothing is lost when the camera stops mid-minute. Totals since start feed /metrics. Pure.
 */
import type { LineCountBucket, ZoneOccupancyBucket } from '../core/types.ts';
import type { Crossing } from '../rules/line-crossing.ts';

/** Length of a bucket in ms. */
export const BUCKET_MS = 60_000;
/** Deltas are handed out at least this often (ms of frame time), so the series is never more than this behind. */
export const DRAIN_EVERY_MS = 5000;

/** What `drain` hands out. */
export interface AnalyticsDelta {
  readonly lines: LineCountBucket[];
  readonly zones: ZoneOccupancyBucket[];
}

/** The series of one camera. */
export class CameraAnalytics {
  private lines = new Map<string, { lineId: string; label: string; startMs: number; in: number; out: number }>();
  private zones = new Map<string, { zoneId: string; startMs: number; samples: number; sum: number; max: number; min: number }>();
  private lastDrainMs = -Infinity;
  private readonly totals = new Map<string, { in: number; out: number }>();
  private readonly occupancy = new Map<string, number>();

  constructor(private readonly cameraId: string) {}

  /** Adds one frame's crossings and zone counts at `timeMs`. */
  add(timeMs: number, crossings: readonly Crossing[], zoneCounts: readonly { zoneId: string; count: number }[]): void {
    const startMs = Math.floor(timeMs / BUCKET_MS) * BUCKET_MS;
    for (const c of crossings) {
      const key = `${c.lineId}\u0000${c.label}\u0000${startMs}`;
      let b = this.lines.get(key);
      if (!b) this.lines.set(key, (b = { lineId: c.lineId, label: c.label, startMs, in: 0, out: 0 }));
      b[c.direction]++;
      const total = this.totals.get(c.lineId) ?? { in: 0, out: 0 };
      total[c.direction]++;
      this.totals.set(c.lineId, total);
    }
    for (const { zoneId, count } of zoneCounts) {
      this.occupancy.set(zoneId, count);
      const key = `${zoneId}\u0000${startMs}`;
      let b = this.zones.get(key);
      if (!b) this.zones.set(key, (b = { zoneId, startMs, samples: 0, sum: 0, max: count, min: count }));
      b.samples++;
      b.sum += count;
      b.max = Math.max(b.max, count);
      b.min = Math.min(b.min, count);
    }
  }

  /** The deltas gathered since the last drain when they are due (every `DRAIN_EVERY_MS`, or `force`), else null. */
  drain(timeMs: number, force = false): AnalyticsDelta | null {
    if (!force && timeMs - this.lastDrainMs < DRAIN_EVERY_MS) return null;
    this.lastDrainMs = timeMs;
    if (this.lines.size === 0 && this.zones.size === 0) return null;
    const delta: AnalyticsDelta = {
      lines: [...this.lines.values()].map((b) => ({ cameraId: this.cameraId, ...b })),
      zones: [...this.zones.values()].map((b) => ({ cameraId: this.cameraId, ...b })),
    };
    this.lines = new Map();
    this.zones = new Map();
    return delta;
  }

  /** Crossings per line since the camera started, by direction. */
  lineTotals(): ReadonlyMap<string, { readonly in: number; readonly out: number }> {
    return this.totals;
  }

  /** Objects in each zone in the newest frame. */
  zoneOccupancy(): ReadonlyMap<string, number> {
    return this.occupancy;
  }
}
