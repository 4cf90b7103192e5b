/** The recordings timeline (pure): a day's bounds, time <-> position, spans to draw, the segment playing a time. */

export const DAY_MS = 86_400_000;

/** Start and end (ms) of the local day `date` (YYYY-MM-DD) with the zone offset of that day (minutes, Date's sign). */
export function dayBounds(date: string, offsetMinutes: (ms: number) => number): { fromMs: number; toMs: number } {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const utcMidnight = Date.UTC(y, m - 1, d);
  const fromMs = utcMidnight + offsetMinutes(utcMidnight) * 60_000;
  const next = Date.UTC(y, m - 1, d + 1);
  return { fromMs, toMs: next + offsetMinutes(next) * 60_000 };
}

/** Position (0..width) of `ms` on a timeline of [fromMs, toMs), clamped. */
export function xOfTime(ms: number, fromMs: number, toMs: number, width: number): number {
  return Math.min(width, Math.max(0, ((ms - fromMs) / (toMs - fromMs)) * width));
}

/** Time at position `x` of the timeline. */
export function timeOfX(x: number, fromMs: number, toMs: number, width: number): number {
  return fromMs + (Math.min(width, Math.max(0, x)) / width) * (toMs - fromMs);
}

/** Recorded spans merged where the gap between them is under `gapMs` (one rectangle each), clipped to the range. */
export function mergeSpans(spans: readonly { startMs: number; endMs: number }[], fromMs: number, toMs: number, gapMs: number): { startMs: number; endMs: number }[] {
  const sorted = spans.filter((s) => s.endMs > fromMs && s.startMs < toMs).map((s) => ({ startMs: Math.max(fromMs, s.startMs), endMs: Math.min(toMs, s.endMs) })).sort((a, b) => a.startMs - b.startMs);
  const out: { startMs: number; endMs: number }[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s.startMs - last.endMs < gapMs) last.endMs = Math.max(last.endMs, s.endMs);
    else out.push({ ...s });
  }
  return out;
}

/** The segment that holds `ms` and the offset into it (s); else the next segment after `ms` from its start; else null. */
export function segmentAt<S extends { startMs: number; endMs: number }>(segments: readonly S[], ms: number): { segment: S; offsetS: number } | null {
  const sorted = [...segments].sort((a, b) => a.startMs - b.startMs);
  const inside = sorted.find((s) => s.startMs <= ms && ms < s.endMs);
  if (inside) return { segment: inside, offsetS: (ms - inside.startMs) / 1000 };
  const next = sorted.find((s) => s.startMs > ms);
  return next ? { segment: next, offsetS: 0 } : null;
}

/** Hour ticks of a day timeline: position and label (`00`, `03`, ... every `everyHours`). */
export function hourTicks(fromMs: number, toMs: number, width: number, everyHours: number): { x: number; label: string }[] {
  const ticks: { x: number; label: string }[] = [];
  const hours = Math.round((toMs - fromMs) / 3_600_000);
  for (let h = 0; h <= hours; h += everyHours) ticks.push({ x: (h / hours) * width, label: String(h % 24).padStart(2, '0') });
  return ticks;
}

/** Bars of a histogram drawn `width` x `height`: one per count, scaled to the largest (a count of 1 is at least 2 px). */
export function histogramBars(counts: readonly number[], width: number, height: number): { x: number; y: number; w: number; h: number }[] {
  const max = Math.max(1, ...counts);
  const w = width / Math.max(1, counts.length);
  return counts.map((n, i) => {
    const h = n === 0 ? 0 : Math.max(2, (n / max) * height);
    return { x: i * w, y: height - h, w: Math.max(1, w - 1), h };
  });
}

/**
 * Ticks at every `everyHours` hours of local time inside [fromMs, toMs) on a `width`-wide axis, labelled `HH` (or the
 * day, `DD/MM`, at local midnight); `offsetMinutes(ms)` is the local offset (Date's getTimezoneOffset) at a time.
 */
export function localHourTicks(fromMs: number, toMs: number, width: number, everyHours: number, offsetMinutes: (ms: number) => number): { x: number; label: string }[] {
  const ticks: { x: number; label: string }[] = [];
  const stepMs = everyHours * 3_600_000;
  const local = (ms: number) => ms - offsetMinutes(ms) * 60_000;
  // The first local whole `everyHours` hour at or after fromMs.
  let t = fromMs + (stepMs - (((local(fromMs) % stepMs) + stepMs) % stepMs)) % stepMs;
  for (; t < toMs; t += stepMs) {
    const l = local(t);
    const hour = Math.floor((((l % DAY_MS) + DAY_MS) % DAY_MS) / 3_600_000);
    const date = new Date(l);
    const label = hour === 0 ? `${String(date.getUTCDate()).padStart(2, '0')}/${String(date.getUTCMonth() + 1).padStart(2, '0')}` : String(hour).padStart(2, '0');
    ticks.push({ x: xOfTime(t, fromMs, toMs, width), label });
  }
  return ticks;
}
