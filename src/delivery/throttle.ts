/**
 * A sliding-window mail throttle (pure; time comes in as an argument): at most `maxMails` mails in any `windowMs`.
 * A batch that fits in what is left of the quota goes out mail by mail; a larger one sends all but one of the
 * remaining mails individually and folds the rest into one digest mail (which counts as one mail); when nothing is
 * left, everything waits until the oldest mail leaves the window.
 */

/** The throttle's limit: at most `maxMails` mails in any `windowMs` milliseconds. */
export interface ThrottleLimit {
  readonly maxMails: number;
  readonly windowMs: number;
}

/**
 * What to do with a batch: send the first `individual` versions one mail each and fold the next `folded` into one
 * digest mail (0: no digest); or send nothing before `untilMs`.
 */
export type ThrottleDecision =
  | { readonly action: 'send'; readonly individual: number; readonly folded: number }
  | { readonly action: 'defer'; readonly untilMs: number };

/** The send times (ms) still inside the window at `nowMs`: a mail sent at `t` counts while `nowMs - t < windowMs`. */
export function inWindow(sentMs: readonly number[], windowMs: number, nowMs: number): number[] {
  return sentMs.filter((t) => nowMs - t < windowMs);
}

/**
 * How a batch of `batchSize` versions goes out at `nowMs` given the send times (ms) of earlier mails: all
 * individually when they fit in the remaining quota; else (remaining − 1) individually and the rest in one digest;
 * with no quota left, deferred until the oldest mail of the window leaves it.
 */
export function decideThrottle(sentMs: readonly number[], limit: ThrottleLimit, batchSize: number, nowMs: number): ThrottleDecision {
  if (batchSize <= 0) return { action: 'send', individual: 0, folded: 0 };
  const live = inWindow(sentMs, limit.windowMs, nowMs);
  const remaining = Math.max(0, limit.maxMails - live.length);
  if (remaining === 0) return { action: 'defer', untilMs: Math.min(...live) + limit.windowMs };
  if (batchSize <= remaining) return { action: 'send', individual: batchSize, folded: 0 };
  return { action: 'send', individual: remaining - 1, folded: batchSize - (remaining - 1) };
}
