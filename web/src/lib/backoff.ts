/** Reconnect delays: 0.5 s doubling to `maxMs`, with up to 20 % jitter so that many tabs do not reconnect together. */
export function reconnectDelayMs(attempt: number, random: number, maxMs = 10_000): number {
  const base = Math.min(maxMs, 500 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.8 + 0.2 * Math.min(1, Math.max(0, random))));
}
