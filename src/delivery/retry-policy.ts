/**
 * What one delivery attempt's outcome means and when to try again (pure; time comes in as an argument). 2xx:
 * delivered. 410 Gone: the receiver asks not to be called again, the destination is disabled. 408, 429, 5xx, a
 * timeout or a connection error: retried with exponential backoff and equal jitter (half the delay fixed, half
 * random, so retries of many deliveries spread out yet stay spaced; a `Retry-After` the receiver sends is honoured,
 * between the base delay and the cap), until the horizon after the first attempt; then dead-lettered. Any other answer (400,
 * 401, 404 ...) is the receiver refusing this message: retrying would not change it, so it is dead at once.
 */

/** How an attempt ended: an HTTP status with its Retry-After header, or no answer at all. */
export type AttemptOutcome =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string | null }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'network'; readonly error: string };

/** Backoff settings, in milliseconds. */
export interface RetryPolicy {
  /** Delay before the first retry (doubled each attempt, before jitter). */
  readonly baseMs: number;
  /** Longest delay between two attempts. */
  readonly capMs: number;
  /** No attempt later than this after the first one; then the delivery is dead. */
  readonly horizonMs: number;
}

/** Defaults: 5 s, doubling, at most an hour apart, for 24 hours. */
export const DEFAULT_RETRY: RetryPolicy = { baseMs: 5000, capMs: 3_600_000, horizonMs: 24 * 3_600_000 };

/** What to do after an attempt. */
export type Verdict =
  | { readonly action: 'delivered' }
  | { readonly action: 'disable'; readonly reason: string }
  | { readonly action: 'retry'; readonly atMs: number; readonly reason: string }
  | { readonly action: 'dead'; readonly reason: string };

/** Seconds or an HTTP date, as Retry-After may say; null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** Why an outcome failed, in words for the attempt log. */
function describe(o: AttemptOutcome): string {
  if (o.kind === 'status') return `HTTP ${o.status}`;
  if (o.kind === 'timeout') return 'timed out';
  return `connection failed: ${o.error}`;
}

/**
 * The verdict on attempt number `attempt` (1 = the first) made at `nowMs` of a delivery first tried at `firstMs`;
 * `random` in [0, 1) draws the jitter.
 */
export function judge(o: AttemptOutcome, attempt: number, firstMs: number, nowMs: number, policy: RetryPolicy, random: () => number): Verdict {
  if (o.kind === 'status' && o.status >= 200 && o.status < 300) return { action: 'delivered' };
  if (o.kind === 'status' && o.status === 410) return { action: 'disable', reason: 'the receiver answered 410 Gone: it asks not to be called again' };
  const retryable = o.kind !== 'status' || o.status === 408 || o.status === 429 || o.status >= 500;
  if (!retryable) return { action: 'dead', reason: `${describe(o)}: the receiver refused the message; retrying would not change that` };
  const exp = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  const asked = o.kind === 'status' ? parseRetryAfter(o.retryAfter, nowMs) : null;
  // Retry-After is honoured as asked, but never below the base delay: a 0 or a date in the past would otherwise
  // make every slot retry at once, again and again, until the horizon.
  const delay = asked === null ? jittered : Math.min(policy.capMs, Math.max(policy.baseMs, asked));
  const atMs = nowMs + delay;
  if (atMs - firstMs > policy.horizonMs) return { action: 'dead', reason: `${describe(o)}; still failing ${Math.round((nowMs - firstMs) / 60000)} min after the first attempt (horizon ${Math.round(policy.horizonMs / 3_600_000)} h)` };
  return { action: 'retry', atMs, reason: describe(o) };
}
