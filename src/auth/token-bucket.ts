/**
 * Token buckets keyed by who is asking (a key, a session, an address) (pure; time passed in). Written here rather
 * than taken from @fastify/rate-limit, which counts fixed windows and knows only the address: these buckets are
 * keyed after authentication and refill continuously, so a burst is allowed and the average rate holds.
 */
export interface BucketVerdict {
  readonly ok: boolean;
  /** When not ok: milliseconds until one token is back. */
  readonly retryAfterMs: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

/** Most buckets kept; beyond it the fullest (least recently drained) ones are forgotten, which only forgives. */
const MAX_BUCKETS = 50_000;

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}

  /** Takes one token for `key` at `nowMs`. */
  take(key: string, nowMs: number): BucketVerdict {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= MAX_BUCKETS) this.evict(nowMs);
      b = { tokens: this.burst, atMs: nowMs };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + (Math.max(0, nowMs - b.atMs) * this.perSecond) / 1000);
    b.atMs = nowMs;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true, retryAfterMs: 0 };
    }
    return { ok: false, retryAfterMs: Math.ceil(((1 - b.tokens) * 1000) / this.perSecond) };
  }

  private evict(nowMs: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((nowMs - b.atMs) * this.perSecond) / 1000 >= this.burst) this.buckets.delete(key);
    }
    // Everyone is draining: drop the oldest half (Map order is insertion order).
    if (this.buckets.size >= MAX_BUCKETS) for (const key of [...this.buckets.keys()].slice(0, MAX_BUCKETS / 2)) this.buckets.delete(key);
  }
}
