/** The live wall: 1, 4, 9 or 16 cameras with overlays, state and fps; one camera fullscreen. */
import { useQuery } from '@tanstack/react-query';
import { useRef } from 'react';
import { useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { LiveTile } from '../components/LiveTile';
import { parseWallSize, WALL_SIZES, wallCameras, wallColumns, type WallSize } from '../lib/wall';

export default function LivePage() {
  const cameras = useQuery({ queryKey: ['cameras'], queryFn: async () => unwrap(await api.GET('/api/cameras')), refetchInterval: 3000 });
  const [params, setParams] = useSearchParams();
  const all = cameras.data?.cameras ?? [];
  const size = parseWallSize(params.get('size'), all.length);
  const chosen = (params.get('cams') ?? '').split(',').filter(Boolean);
  const shown = wallCameras(size, all.map((c) => c.id), chosen);
  const tiles = useRef(new Map<string, HTMLElement>());
  const set = (k: string, v: string) => setParams((p) => { p.set(k, v); return p; }, { replace: true });

  if (cameras.isError) return <p className="error" role="alert">Cameras could not be read: {cameras.error.message}</p>;
  return (
    <section aria-labelledby="live-title">
      <div className="toolbar">
        <h1 id="live-title">Live</h1>
        <label>Tiles
          <select value={size} onChange={(e) => set('size', e.target.value)}>
            {WALL_SIZES.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </label>
        <details className="pick">
          <summary>Cameras</summary>
          <fieldset>
            <legend className="sr-only">Cameras on the wall</legend>
            {all.map((c) => (
              <label key={c.id}>
                <input type="checkbox" checked={shown.includes(c.id)} onChange={(e) => {
                  const next = e.target.checked ? [...shown.filter((id) => id !== c.id), c.id] : shown.filter((id) => id !== c.id);
                  set('cams', next.join(','));
                  if (next.length > size) set('size', String(WALL_SIZES.find((s) => s >= next.length) ?? 16));
                }} />
                {c.name || c.id}
              </label>
            ))}
          </fieldset>
        </details>
      </div>
      {cameras.isPending ? <p className="muted" role="status">Loading cameras…</p> : null}
      {!cameras.isPending && all.length === 0 ? <p>No cameras yet.</p> : null}
      <div className="wall" style={{ gridTemplateColumns: `repeat(${wallColumns(size as WallSize)}, minmax(0, 1fr))` }}>
        {shown.map((id) => {
          const c = all.find((x) => x.id === id)!;
          return (
            <figure key={id} className="tile" ref={(el) => { if (el) tiles.current.set(id, el); else tiles.current.delete(id); }}>
              <LiveTile cameraId={id} label={c.name || id} />
              <figcaption>
                <span className={`state state-${c.state}`}>{c.state}</span>
                <span>{c.name || id}</span>
                <span className="muted">{c.fpsMeasured ? `${c.fpsMeasured.toFixed(1)} fps` : ''}</span>
                <button type="button" onClick={() => void tiles.current.get(id)?.requestFullscreen()} aria-label={`Show ${c.name || id} fullscreen`}>
                  <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5" fill="none" stroke="currentColor" strokeWidth="2" /></svg>
                </button>
              </figcaption>
              {c.state !== 'online' ? <p className="offline" role="status">{c.state === 'starting' ? 'Connecting…' : `Offline${c.lastError ? `: ${c.lastError}` : ''} — reconnecting by itself`}</p> : null}
            </figure>
          );
        })}
      </div>
    </section>
  );
}
