/** Exponential backoff settings, in milliseconds. */
export interface BackoffOptions {
  readonly baseMs: number;
  readonly capMs: number;
}

/** Delay before retry number `attempt` (0-based): base * 2^attempt capped, with +-20 % jitter from `random` in [0, 1) (pure). */
export function backoffDelayMs(attempt: number, opts: BackoffOptions, random: number): number {
  const raw = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(Math.min(opts.capMs, raw * (0.8 + 0.4 * random)));
}
