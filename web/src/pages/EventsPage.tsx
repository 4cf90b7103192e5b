/**
 * Events: filters, a virtualised list over every page of results (fetched as it scrolls), new events arriving live
 * over the feed, and the detail (snapshot, clip, attributes, keep).
 */
import { useInfiniteQuery, useQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, errorMessage, unwrap, type Answer, type EventJson } from '../api/client';
import { feed } from '../api/feed';
import { hasRole, useSession } from '../api/session';
import { EventTimeline } from '../components/EventTimeline';
import { formatDurationMs, formatTimeMs } from '../lib/format';

type EventPage = Answer<'/api/events', 'get'>;
const PAGE = 100;
const FILTERS = ['camera', 'type', 'label', 'severity', 'keep', 'from', 'to'] as const;

/** Whether a live event belongs in the list the filters show. */
function matches(e: EventJson, f: Partial<Record<(typeof FILTERS)[number], string>>): boolean {
  return (!f.camera || e.cameraId === f.camera) && (!f.type || e.type === f.type) && (!f.severity || e.severity === f.severity)
    && (!f.label || e.subjects.some((s) => s.label === f.label)) && (!f.keep || String(e.keep) === f.keep)
    && (!f.from || e.startMs >= Number(f.from)) && (!f.to || e.startMs < Number(f.to));
}

/** A `datetime-local` input's value (local time) for ms since the epoch, and back. */
function toLocalInput(ms: string): string {
  if (!ms) return '';
  const d = new Date(Number(ms));
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}
function fromLocalInput(v: string): string {
  return v ? String(new Date(v).getTime()) : '';
}

export default function EventsPage() {
  const [params, setParams] = useSearchParams();
  const filters = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? ''])) as Record<(typeof FILTERS)[number], string>;
  const query = Object.fromEntries(Object.entries(filters).filter(([, v]) => v));
  const key = ['events', query];
  const client = useQueryClient();
  const cameras = useQuery({ queryKey: ['cameras'], queryFn: async () => unwrap(await api.GET('/api/cameras')) });
  const list = useInfiniteQuery({
    queryKey: key,
    initialPageParam: undefined as number | undefined,
    queryFn: async ({ pageParam }) => unwrap(await api.GET('/api/events', { params: { query: { ...query, limit: String(PAGE), ...(pageParam === undefined ? {} : { before: String(pageParam) }) } } })),
    // The next page starts at the last event's own millisecond (`before` is exclusive, so + 1): events sharing it are
    // not skipped; the overlap is removed below.
    getNextPageParam: (last) => (last.events.length < PAGE ? undefined : last.events.at(-1)!.startMs + 1),
    // Pages are never refetched in place, so comparing the whole list with the previous one on every new page (the
    // default, to keep unchanged objects) only costs time: tens of milliseconds once the list holds thousands.
    structuralSharing: false,
  });
  // Live arrival: a new event goes on top, a new version of a listed one replaces it.
  useEffect(() => feed.subscribe((m) => {
    if (m.type !== 'event' || !matches(m.event, filters)) return;
    client.setQueryData<InfiniteData<EventPage, number | undefined>>(key, (data) => {
      if (!data) return data;
      let found = false;
      const pages = data.pages.map((p) => ({ ...p, events: p.events.map((e) => (e.id === m.event.id ? ((found = true), m.event) : e)) }));
      if (!found && pages[0]) pages[0] = { ...pages[0], events: [m.event, ...pages[0].events], total: pages[0].total + 1 };
      return { ...data, pages };
    });
  }), [client, JSON.stringify(query)]); // eslint-disable-line react-hooks/exhaustive-deps

  const events = useMemo(() => {
    const seen = new Set<string>();
    return (list.data?.pages.flatMap((p) => p.events) ?? []).filter((e) => !seen.has(e.id) && (seen.add(e.id), true));
  }, [list.data]);
  const total = list.data?.pages[0]?.total ?? 0;
  const scroller = useRef<HTMLDivElement>(null);
  const rows = useVirtualizer({ count: events.length, getScrollElement: () => scroller.current, estimateSize: () => 64, overscan: 8 });
  const items = rows.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (lastIndex >= events.length - 20 && list.hasNextPage && !list.isFetchingNextPage) void list.fetchNextPage();
  }, [lastIndex, events.length, list.hasNextPage, list.isFetchingNextPage]); // eslint-disable-line react-hooks/exhaustive-deps
  const { id } = useParams();
  const set = (k: string, v: string) => setParams((p) => { if (v) p.set(k, v); else p.delete(k); return p; }, { replace: true });
  const setRange = (from: string, to: string) => setParams((p) => {
    for (const [k, v] of [['from', from], ['to', to]] as const) if (v) p.set(k, v); else p.delete(k);
    return p;
  }, { replace: true });
  const now = Date.now();

  return (
    <section className="events" aria-labelledby="events-title">
      <div className="toolbar">
        <h1 id="events-title">Events</h1>
        <label>Camera
          <select value={filters.camera} onChange={(e) => set('camera', e.target.value)}>
            <option value="">All</option>
            {(cameras.data?.cameras ?? []).map((c) => <option key={c.id} value={c.id}>{c.name || c.id}</option>)}
          </select>
        </label>
        <label>Type
          <select value={filters.type} onChange={(e) => set('type', e.target.value)}>
            <option value="">All</option>
            {['presence', 'line', 'dwell', 'occupancy', 'fall', 'animal', 'violence'].map((t) => <option key={t}>{t}</option>)}
          </select>
        </label>
        <label>Label<input value={filters.label} onChange={(e) => set('label', e.target.value.trim())} placeholder="person" size={8} /></label>
        <label>Severity
          <select value={filters.severity} onChange={(e) => set('severity', e.target.value)}>
            <option value="">All</option>
            {['info', 'warning', 'critical'].map((t) => <option key={t}>{t}</option>)}
          </select>
        </label>
        <label>From<input type="datetime-local" value={toLocalInput(filters.from)} onChange={(e) => set('from', fromLocalInput(e.target.value))} /></label>
        <label>To<input type="datetime-local" value={toLocalInput(filters.to)} onChange={(e) => set('to', fromLocalInput(e.target.value))} /></label>
        <label>Kept
          <select value={filters.keep} onChange={(e) => set('keep', e.target.value)}>
            <option value="">All</option>
            <option value="true">Kept only</option>
            <option value="false">Not kept</option>
          </select>
        </label>
        <span className="muted" aria-live="polite">{list.isPending ? 'Loading…' : `${total} events`}</span>
      </div>
      <EventTimeline filters={filters} onPick={(fromMs, toMs) => setRange(String(fromMs), String(toMs))} onReset={() => setRange('', '')} />
      {list.isError ? <p className="error" role="alert">Events could not be read: {list.error.message}</p> : null}
      <div className="split">
        <div ref={scroller} className="list" role="list" aria-label="Events, newest first" tabIndex={0}>
          <div style={{ height: rows.getTotalSize(), position: 'relative' }}>
            {items.map((row) => {
              const e = events[row.index]!;
              return (
                <Link key={e.id} data-index={row.index} role="listitem" to={`/events/${e.id}?${params.toString()}`} className={`event-row sev-${e.severity}${e.id === id ? ' selected' : ''}`}
                  style={{ position: 'absolute', top: 0, left: 0, right: 0, height: row.size, transform: `translateY(${row.start}px)` }}>
                  {e.snapshotUrl ? <img src={e.snapshotUrl} alt="" loading="lazy" width={80} height={45} /> : <span className="thumb" />}
                  <span className="what"><strong>{e.type}</strong> {e.subjects.map((s) => s.label).join(', ')} <span className="muted">on {e.cameraId}</span></span>
                  <span className="when">{formatTimeMs(e.startMs, now)}{e.endMs === null ? ' · ongoing' : ''}</span>
                </Link>
              );
            })}
          </div>
        </div>
        {id ? <EventDetail id={id} /> : <p className="muted detail">Choose an event to see its snapshot and clip.</p>}
      </div>
    </section>
  );
}

/** The event's clip when its camera recorded any of it (asked of the recordings index first, so no failed load). */
function Clip({ event }: { event: EventJson }) {
  const fromMs = event.startMs;
  const toMs = event.endMs ?? Math.max(event.lastSeenMs, event.startMs);
  const recorded = useQuery({
    queryKey: ['recorded', event.cameraId, fromMs, toMs],
    queryFn: async () => unwrap(await api.GET('/api/recordings', { params: { query: { camera: event.cameraId, from: String(fromMs), to: String(toMs) } } })).segments.length > 0,
    // A recent event's first segment is written when it is complete: look again for a couple of minutes.
    refetchInterval: (q) => (q.state.data === false && Date.now() - event.startMs < 120_000 ? 3000 : false),
  });
  if (recorded.isPending) return <p className="muted" role="status">Looking for the recording…</p>;
  if (!recorded.data) return <p className="muted">Nothing of this event is recorded yet (the camera's recording mode decides; a segment appears when it is complete).</p>;
  return <video className="clip" controls preload="metadata" src={event.clipUrl} aria-label="Clip of the event" />;
}

function EventDetail({ id }: { id: string }) {
  const client = useQueryClient();
  const { session } = useSession();
  const navigate = useNavigate();
  const q = useQuery({ queryKey: ['event', id], queryFn: async () => unwrap(await api.GET('/api/events/{id}', { params: { path: { id } } })) });
  const [error, setError] = useState<string | null>(null);
  if (q.isPending) return <p className="muted detail" role="status">Loading the event…</p>;
  if (q.isError) return <p className="error detail" role="alert">{q.error.message}</p>;
  const e = q.data;
  const toggleKeep = async () => {
    setError(null);
    try {
      const r = unwrap(await api.PATCH('/api/events/{id}', { params: { path: { id } }, body: { keep: !e.keep } }));
      client.setQueryData(['event', id], r);
      await client.invalidateQueries({ queryKey: ['events'] });
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <article className="detail" aria-labelledby="event-title">
      <h2 id="event-title">{e.type} on {e.cameraId} <span className={`badge sev-${e.severity}`}>{e.severity}</span></h2>
      <button type="button" className="close" onClick={() => navigate({ pathname: '/events', search: location.search })} aria-label="Close the event">×</button>
      <p>{formatTimeMs(e.startMs, Date.now())} · {e.endMs === null ? 'ongoing' : `lasted ${formatDurationMs(e.endMs - e.startMs)} (${e.endReason})`}</p>
      {e.snapshotUrl ? <img className="snapshot" src={e.snapshotUrl} alt={`Snapshot of the ${e.type} event with its box drawn`} /> : <p className="muted">No snapshot yet.</p>}
      <h3>Clip</h3>
      <Clip event={e} />
      <h3>Details</h3>
      <dl>
        <dt>Rule</dt><dd>{e.ruleId}</dd>
        {Object.entries(e.attributes as Record<string, unknown>).map(([k, v]) => <div key={k}><dt>{k}</dt><dd>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd></div>)}
        {e.subjects.map((s) => <div key={s.trackId}><dt>{s.label} #{s.trackId}</dt><dd>score {s.score.toFixed(2)}</dd></div>)}
      </dl>
      {hasRole(session?.role, 'operator') ? (
        <label className="keep"><input type="checkbox" checked={e.keep} onChange={() => void toggleKeep()} /> Keep (retention never deletes its recordings)</label>
      ) : null}
      {error ? <p className="error" role="alert">{error}</p> : null}
    </article>
  );
}
