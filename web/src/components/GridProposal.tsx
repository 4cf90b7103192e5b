/** A camera's mosaic grid proposal drawn over its picture, with its doubts, accepted in one click (admin). */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage, unwrap } from '../api/client';

export function GridProposal({ cameraId, onClose }: { cameraId: string; onClose: () => void }) {
  const client = useQueryClient();
  const path = { params: { path: { id: cameraId } } };
  const grid = useQuery({ queryKey: ['grid', cameraId], queryFn: async () => unwrap(await api.GET('/api/cameras/{id}/grid', path)), refetchInterval: 5000 });
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const g = grid.data;
  const accept = async () => {
    setError(null);
    try {
      const r = unwrap(await api.POST('/api/cameras/{id}/grid/accept', { ...path, body: g && !g.sure ? { confirm: true } : {} })) as { cameras?: unknown[] };
      setDone(`Added ${r.cameras?.length ?? g!.rows * g!.columns} tile cameras.`);
      await client.invalidateQueries({ queryKey: ['cameras'] });
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const tiles = g ? g.rows * g.columns : 0;
  return (
    <section className="grid-proposal" aria-labelledby="grid-title">
      <h2 id="grid-title">Mosaic grid of {cameraId}</h2>
      {grid.isError ? <p className="error" role="alert">{grid.error.message}</p> : null}
      {g ? (
        <>
          <p role="status">{tiles <= 1 ? (g.sure ? 'One picture: this camera is not a mosaic.' : 'One picture so far, not sure.') : `${g.rows} x ${g.columns} tiles, ${g.sure ? 'sure' : 'not sure'} (confidence ${g.confidence.toFixed(2)}, from ${g.frames} frames).`}</p>
          {g.doubts.length > 0 ? <ul className="muted">{g.doubts.map((d) => <li key={d}>{d}</li>)}</ul> : null}
          <div className="grid-picture">
            {g.frames > 0 ? <img src={`/api/cameras/${encodeURIComponent(cameraId)}/latest.jpg?t=${grid.dataUpdatedAt}`} alt={`The latest frame of ${cameraId}`} /> : null}
            <svg viewBox="0 0 1 1" preserveAspectRatio="none" aria-hidden="true">
              {g.tiles.map((t) => <rect key={`${t.row}-${t.column}`} x={t.rect[0]} y={t.rect[1]} width={t.rect[2]} height={t.rect[3]} className={g.sure ? 'tile-sure' : 'tile-doubt'} vectorEffect="non-scaling-stroke" />)}
            </svg>
          </div>
          {done ? <p role="status">{done}</p> : null}
          {error ? <p className="error" role="alert">{error}</p> : null}
          <div className="actions">
            {tiles > 1 && !done ? <button type="submit" onClick={() => void accept()}>{g.sure ? `Add the ${tiles} tile cameras` : `Add the ${tiles} tile cameras anyway`}</button> : null}
            <button type="button" onClick={onClose}>Close</button>
          </div>
        </>
      ) : <p role="status" className="muted">Looking at the recent frames…</p>}
    </section>
  );
}
