/**
 * The Events page's timeline: events counted per bucket over the range the filters name (default the last 24 hours),
 * with the list's other filters; choosing a bar narrows the list (and the timeline) to that bucket.
 */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { formatTimeMs } from '../lib/format';
import { histogramBars, localHourTicks } from '../lib/timeline';

const WIDTH = 960;
const BARS_HEIGHT = 48;
const offset = (ms: number) => new Date(ms).getTimezoneOffset();

export function EventTimeline({ filters, onPick, onReset }: {
  filters: Record<string, string>;
  onPick: (fromMs: number, toMs: number) => void;
  onReset: () => void;
}) {
  const ranged = Boolean(filters['from'] || filters['to']);
  // The filters as the list sends them (empty ones left out); without from/to the server takes the last 24 hours.
  const query = Object.fromEntries(Object.entries(filters).filter(([, v]) => v));
  const histogram = useQuery({
    queryKey: ['events-histogram', query],
    queryFn: async () => unwrap(await api.GET('/api/events/histogram', { params: { query } })),
    refetchInterval: ranged ? false : 30_000,
  });
  const h = histogram.data;
  if (histogram.isError) return <p className="error" role="alert">The timeline could not be read: {histogram.error.message}</p>;
  if (!h) return <div className="event-timeline" aria-busy="true" />;
  const bars = histogramBars(h.counts, WIDTH, BARS_HEIGHT);
  const now = Date.now();
  const spanH = (h.toMs - h.fromMs) / 3_600_000;
  const ticks = localHourTicks(h.fromMs, h.toMs, WIDTH, spanH > 48 ? 24 : spanH > 12 ? 3 : 1, offset);
  return (
    <figure className="event-timeline">
      <figcaption>
        <span>{h.total} events from {formatTimeMs(h.fromMs, now)} to {formatTimeMs(h.toMs, now)}</span>
        {ranged ? <button type="button" onClick={onReset}>Last 24 hours</button> : null}
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${BARS_HEIGHT + 14}`} role="group" aria-label="Events over time; choose a bar to list its events">
        {bars.map((b, i) => {
          if (h.counts[i] === 0) return null;
          const fromMs = h.fromMs + i * h.bucketMs;
          const label = `${h.counts[i]} events from ${formatTimeMs(fromMs, now)} to ${formatTimeMs(fromMs + h.bucketMs, now)}`;
          return (
            <g key={i} role="button" tabIndex={0} aria-label={label} className="tl-bar"
              onClick={() => onPick(fromMs, fromMs + h.bucketMs)}
              onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onPick(fromMs, fromMs + h.bucketMs); } }}>
              <title>{label}</title>
              <rect x={b.x} y={0} width={b.w} height={BARS_HEIGHT} className="tl-hit" />
              <rect x={b.x} y={b.y} width={b.w} height={b.h} className="tl-count" />
            </g>
          );
        })}
        {ticks.map((t) => <text key={t.x} x={Math.min(WIDTH - 30, t.x)} y={BARS_HEIGHT + 12} className="tl-tick">{t.label}</text>)}
      </svg>
    </figure>
  );
}
