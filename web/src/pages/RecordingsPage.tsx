/**
 * Recordings: a camera's day on a 24-hour timeline (recorded spans, event markers), click or drag to scrub and play
 * from there, jump to an event, download a range as one MP4.
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type PointerEvent } from 'react';
import { api, unwrap } from '../api/client';
import { PerCameraPage } from '../components/PerCameraPage';
import { formatTimeMs } from '../lib/format';
import { dayBounds, hourTicks, mergeSpans, segmentAt, timeOfX, xOfTime } from '../lib/timeline';

const WIDTH = 960;
const offset = (ms: number) => new Date(ms).getTimezoneOffset();
const today = () => new Date(Date.now() - offset(Date.now()) * 60_000).toISOString().slice(0, 10);
const clock = (ms: number) => new Date(ms).toLocaleTimeString('en-GB', { hourCycle: 'h23' });

export default function Page() {
  return <PerCameraPage base="recordings" title="Recordings">{(cameraId) => <Day key={cameraId} cameraId={cameraId} />}</PerCameraPage>;
}

function Day({ cameraId }: { cameraId: string }) {
  const [date, setDate] = useState(today());
  const { fromMs, toMs } = dayBounds(date, offset);
  const range = { camera: cameraId, from: String(fromMs), to: String(toMs) };
  const segments = useQuery({ queryKey: ['segments', range], queryFn: async () => unwrap(await api.GET('/api/recordings', { params: { query: range } })), refetchInterval: 30_000 });
  const events = useQuery({ queryKey: ['day-events', range], queryFn: async () => unwrap(await api.GET('/api/events', { params: { query: { ...range, limit: '500' } } })), refetchInterval: 30_000 });
  const [atMs, setAtMs] = useState<number | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const segs = segments.data?.segments ?? [];
  const playing = atMs === null ? null : segmentAt(segs, atMs);
  const [download, setDownload] = useState({ from: '', to: '' });

  // Start the chosen segment at the chosen offset; when it ends, go on with the next one.
  useEffect(() => {
    const v = video.current;
    if (!v || !playing) return;
    const src = playing.segment.url;
    if (!v.src.endsWith(src)) v.src = src;
    v.currentTime = playing.offsetS;
    void v.play().catch(() => undefined);
  }, [playing?.segment.url, atMs]); // eslint-disable-line react-hooks/exhaustive-deps
  const onEnded = () => {
    if (playing) setAtMs(playing.segment.endMs + 1);
  };
  const scrub = (e: PointerEvent<SVGSVGElement>) => {
    if (e.type === 'pointermove' && e.buttons !== 1) return;
    const r = e.currentTarget.getBoundingClientRect();
    setAtMs(timeOfX(((e.clientX - r.left) / r.width) * WIDTH, fromMs, toMs, WIDTH));
  };
  const spans = mergeSpans(segs, fromMs, toMs, ((toMs - fromMs) / WIDTH) * 2);
  const x = (ms: number) => xOfTime(ms, fromMs, toMs, WIDTH);
  const dl = (v: string) => (v ? new Date(`${date}T${v}`).getTime() : NaN);
  const dlFrom = dl(download.from);
  const dlTo = dl(download.to);
  const dlOk = Number.isFinite(dlFrom) && Number.isFinite(dlTo) && dlTo > dlFrom && dlTo - dlFrom <= 15 * 60_000;
  return (
    <div className="recordings">
      <div className="toolbar">
        <label>Day<input type="date" value={date} max={today()} onChange={(e) => { if (e.target.value) { setDate(e.target.value); setAtMs(null); } }} /></label>
        <span className="muted" role="status">{segments.isPending ? 'Loading…' : `${segs.length} segments, ${events.data?.events.length ?? 0} events`}</span>
      </div>
      <svg className="timeline" viewBox={`0 0 ${WIDTH} 56`} width="100%" role="slider" aria-label="Time of day to play" aria-valuemin={0} aria-valuemax={24}
        aria-valuenow={atMs === null ? 0 : Math.round(((atMs - fromMs) / 3_600_000) * 10) / 10} aria-valuetext={atMs === null ? 'nothing chosen' : clock(atMs)} tabIndex={0}
        onPointerDown={scrub} onPointerMove={scrub}
        onKeyDown={(e) => { const step = e.key === 'ArrowRight' ? 60_000 : e.key === 'ArrowLeft' ? -60_000 : 0; if (step) setAtMs(Math.min(toMs, Math.max(fromMs, (atMs ?? fromMs) + step))); }}>
        <rect x={0} y={14} width={WIDTH} height={24} className="tl-bg" />
        {spans.map((s) => <rect key={s.startMs} x={x(s.startMs)} y={14} width={Math.max(1, x(s.endMs) - x(s.startMs))} height={24} className="tl-rec" />)}
        {(events.data?.events ?? []).map((e) => <line key={e.id} x1={x(e.startMs)} x2={x(e.startMs)} y1={8} y2={44} className={`tl-event sev-${e.severity}`} />)}
        {hourTicks(fromMs, toMs, WIDTH, 3).map((t) => <text key={t.x} x={Math.min(WIDTH - 14, t.x)} y={54} className="tl-tick">{t.label}</text>)}
        {atMs !== null ? <line x1={x(atMs)} x2={x(atMs)} y1={4} y2={48} className="tl-cursor" /> : null}
      </svg>
      <div className="split">
        <div>
          <video ref={video} className="clip" controls muted onEnded={onEnded} aria-label={`Recording of ${cameraId}`} />
          <p className="muted">{playing ? `Playing from ${clock(playing.segment.startMs + playing.offsetS * 1000)}` : atMs !== null ? 'Nothing recorded after this time on this day.' : 'Click the timeline or an event to play.'}</p>
          <form className="inline" aria-label="Download a range" onSubmit={(e) => e.preventDefault()}>
            <label>From<input type="time" step={1} value={download.from} onChange={(e) => setDownload({ ...download, from: e.target.value })} /></label>
            <label>To<input type="time" step={1} value={download.to} onChange={(e) => setDownload({ ...download, to: e.target.value })} /></label>
            {dlOk ? <a className="button" href={`/api/recordings/clip.mp4?camera=${encodeURIComponent(cameraId)}&from=${dlFrom}&to=${dlTo}`} download>Download MP4</a>
              : <span className="muted">{download.from && download.to ? 'a range of up to 15 minutes' : ''}</span>}
          </form>
        </div>
        <ul className="day-events" aria-label="Events of the day">
          {(events.data?.events ?? []).map((e) => (
            <li key={e.id}><button type="button" onClick={() => setAtMs(e.startMs - 5000)}>{formatTimeMs(e.startMs, Date.now())} {e.type} {e.subjects.map((s) => s.label).join(', ')}</button></li>
          ))}
        </ul>
      </div>
    </div>
  );
}
