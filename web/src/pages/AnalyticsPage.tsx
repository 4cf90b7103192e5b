/** Analytics: line crossings per direction and zone occupancy over time, per camera, as charts and CSV files. */
import { useQueries, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, unwrap } from '../api/client';
import { PerCameraPage } from '../components/PerCameraPage';
import { TimeChart } from '../components/TimeChart';
import { isoTime, toCsv } from '../lib/csv';

/** Ranges offered, with the line-count bucket for each (occupancy is per minute, at most 10,000 of them). */
const RANGES = [
  { id: '1h', label: 'Last hour', ms: 3_600_000, bucket: '1m' },
  { id: '6h', label: 'Last 6 hours', ms: 6 * 3_600_000, bucket: '5m' },
  { id: '24h', label: 'Last 24 hours', ms: 86_400_000, bucket: '1h' },
  { id: '3d', label: 'Last 3 days', ms: 3 * 86_400_000, bucket: '1h' },
] as const;

export default function Page() {
  return <PerCameraPage base="analytics" title="Analytics">{(cameraId) => <CameraAnalytics key={cameraId} cameraId={cameraId} />}</PerCameraPage>;
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function CameraAnalytics({ cameraId }: { cameraId: string }) {
  const [rangeId, setRangeId] = useState<(typeof RANGES)[number]['id']>('24h');
  const range = RANGES.find((r) => r.id === rangeId)!;
  // The range ends at the current minute, so refetches ask for the same buckets.
  const [toMs] = useState(() => Math.ceil(Date.now() / 60_000) * 60_000);
  const fromMs = toMs - range.ms;
  const path = { params: { path: { id: cameraId } } };
  const zones = useQuery({ queryKey: ['zones', cameraId], queryFn: async () => unwrap(await api.GET('/api/cameras/{id}/zones', path)) });
  const lines = useQuery({
    queryKey: ['analytics-lines', cameraId, fromMs, toMs, range.bucket],
    queryFn: async () => unwrap(await api.GET('/api/analytics/lines', { params: { query: { camera: cameraId, from: String(fromMs), to: String(toMs), bucket: range.bucket } } })),
  });
  const zoneIds = (zones.data?.items ?? []).map((z) => String((z as { id: string }).id));
  const occupancy = useQueries({
    queries: zoneIds.map((zone) => ({
      queryKey: ['analytics-occupancy', cameraId, zone, fromMs, toMs],
      queryFn: async () => unwrap(await api.GET('/api/analytics/occupancy', { params: { query: { camera: cameraId, zone, from: String(fromMs), to: String(toMs) } } })),
    })),
  });
  const lineCharts = useMemo(() => (lines.data?.lines ?? []).map((l) => ({
    id: l.lineId, x: l.points.map((p) => p.startMs),
    series: [{ label: 'in', values: l.points.map((p) => p.in), color: '#1b7f3b', bars: true }, { label: 'out', values: l.points.map((p) => p.out), color: '#b3261e', bars: true }],
    csv: () => toCsv(['bucket_start', 'in', 'out'], l.points.map((p) => [isoTime(p.startMs), p.in, p.out])),
  })), [lines.data]);
  const zoneCharts = useMemo(() => occupancy.map((q, i) => q.data ? ({
    id: zoneIds[i]!, x: q.data.points.map((p) => p.startMs),
    series: [{ label: 'mean', values: q.data.points.map((p) => p.mean), color: '#0b63ce' }, { label: 'max', values: q.data.points.map((p) => p.max), color: '#8a5a00' }],
    csv: () => toCsv(['minute_start', 'mean', 'min', 'max', 'samples'], q.data!.points.map((p) => [isoTime(p.startMs), p.mean, p.min, p.max, p.samples])),
  }) : null).filter((c) => c !== null), [occupancy.map((q) => q.dataUpdatedAt).join(','), zoneIds.join(',')]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <div className="analytics">
      <div className="toolbar">
        <label>Range<select value={rangeId} onChange={(e) => setRangeId(e.target.value as typeof rangeId)}>{RANGES.map((r) => <option key={r.id} value={r.id}>{r.label}</option>)}</select></label>
      </div>
      <h2>Line crossings (per {range.bucket})</h2>
      {lines.isError ? <p className="error" role="alert">{lines.error.message}</p> : null}
      {lines.data && lineCharts.length === 0 ? <p className="muted">This camera has no counting lines.</p> : null}
      {lineCharts.map((c) => (
        <div key={c.id}>
          <TimeChart title={`Line ${c.id}: crossings in and out`} xMs={c.x} series={c.series} fromMs={fromMs} toMs={toMs} />
          <button type="button" onClick={() => download(`${cameraId}-line-${c.id}.csv`, c.csv())}>Download CSV</button>
        </div>
      ))}
      <h2>Zone occupancy (per minute)</h2>
      {zones.data && zoneIds.length === 0 ? <p className="muted">This camera has no zones.</p> : null}
      {zoneCharts.map((c) => (
        <div key={c.id}>
          <TimeChart title={`Zone ${c.id}: objects present`} xMs={c.x} series={c.series} fromMs={fromMs} toMs={toMs} />
          <button type="button" onClick={() => download(`${cameraId}-zone-${c.id}.csv`, c.csv())}>Download CSV</button>
        </div>
      ))}
    </div>
  );
}
