/** Display formatting of times, durations and sizes (pure; the locale and time zone are arguments). */

/** A duration in milliseconds as `850 ms`, `12.3 s`, `4 min 05 s`, `2 h 03 min`. */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const totalS = Math.round(s);
  const m = Math.floor(totalS / 60);
  if (m < 60) return `${m} min ${String(totalS % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** A byte count as `512 B`, `1.5 KB`, `20 MB`, `1.25 GB` (powers of 1024). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** Date and time formatters per locale and time zone: making one costs far more than using it (a list formats many). */
const formatters = new Map<string, { day: Intl.DateTimeFormat; time: Intl.DateTimeFormat }>();
function formattersFor(locale: string, timeZone: string | undefined) {
  const key = `${locale}|${timeZone ?? ''}`;
  let f = formatters.get(key);
  if (!f) {
    f = {
      day: new Intl.DateTimeFormat(locale, { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
      time: new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }),
    };
    formatters.set(key, f);
  }
  return f;
}

/** A time of day (`14:03:07`) when `ms` is today (in `timeZone`), else date and time. */
export function formatTimeMs(ms: number, nowMs: number, locale = 'en-GB', timeZone?: string): string {
  const { day, time } = formattersFor(locale, timeZone);
  const d = day.format(ms);
  return d === day.format(nowMs) ? time.format(ms) : `${d} ${time.format(ms)}`;
}

/** How long ago, coarse: `just now`, `42 s ago`, `5 min ago`, `3 h ago`, `2 d ago`. */
export function formatAgoMs(ms: number, nowMs: number): string {
  const d = Math.max(0, nowMs - ms) / 1000;
  if (d < 5) return 'just now';
  if (d < 60) return `${Math.round(d)} s ago`;
  if (d < 3600) return `${Math.round(d / 60)} min ago`;
  if (d < 86_400) return `${Math.round(d / 3600)} h ago`;
  return `${Math.round(d / 86_400)} d ago`;
}
