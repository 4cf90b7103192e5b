/** Latency of recent events: the last `size` values in a ring, summarised as quantiles on demand. Pure. */

/** Quantiles of recent latencies (ms) and totals since start. */
export interface LatencySummary {
  readonly p50Ms: number;
  readonly p95Ms: number;
  /** Values since start. */
  readonly count: number;
  /** Sum of values since start (ms). */
  readonly sumMs: number;
}

/** The last `size` latencies of one camera. */
export class LatencyWindow {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;
  private count = 0;
  private sum = 0;

  constructor(size = 1000) {
    this.values = new Float64Array(size);
  }

  /** Adds one latency (ms). */
  add(ms: number): void {
    this.values[this.next] = ms;
    this.next = (this.next + 1) % this.values.length;
    this.filled = Math.min(this.filled + 1, this.values.length);
    this.count++;
    this.sum += ms;
  }

  /** Median and 95th percentile of the window (nearest rank), count and sum since start; null when empty. */
  summary(): LatencySummary | null {
    if (this.filled === 0) return null;
    const sorted = Array.from(this.values.subarray(0, this.filled)).sort((a, b) => a - b);
    const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
    return { p50Ms: q(0.5), p95Ms: q(0.95), count: this.count, sumMs: this.sum };
  }
}
