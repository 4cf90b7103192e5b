/** Measures an event rate (per second) over a sliding time window (pure: times come in as arguments). */
export class RateMeter {
  private readonly windowMs: number;
  private readonly times: number[] = [];

  constructor(windowMs = 5000) {
    this.windowMs = windowMs;
  }

  /** Records one event at `timeMs`. */
  tick(timeMs: number): void {
    this.times.push(timeMs);
    while (this.times.length > 0 && this.times[0]! < timeMs - this.windowMs) this.times.shift();
  }

  /** Events per second over the window ending at `nowMs`; 0 with fewer than two events. */
  rate(nowMs: number): number {
    const recent = this.times.filter((t) => t >= nowMs - this.windowMs);
    if (recent.length < 2) return 0;
    const span = recent[recent.length - 1]! - recent[0]!;
    return span > 0 ? ((recent.length - 1) * 1000) / span : 0;
  }
}
