import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, unwrap } from '../api/client';

/**
 * A page about one camera at a time (`/<base>/:id`): the title, a camera picker that changes the address, and the
 * body for the chosen camera (the first one when the address names none).
 */
export function PerCameraPage({ base, title, children }: { base: string; title: string; children: (cameraId: string) => ReactNode }) {
  const cameras = useQuery({ queryKey: ['cameras'], queryFn: async () => unwrap(await api.GET('/api/cameras')) });
  const { id } = useParams();
  const navigate = useNavigate();
  const cameraId = id ?? cameras.data?.cameras[0]?.id;
  const titleId = `${base}-title`;
  return (
    <section aria-labelledby={titleId}>
      <div className="toolbar">
        <h1 id={titleId}>{title}</h1>
        <label>Camera
          <select value={cameraId ?? ''} onChange={(e) => navigate(`/${base}/${encodeURIComponent(e.target.value)}`)}>
            {(cameras.data?.cameras ?? []).map((c) => <option key={c.id} value={c.id}>{c.name || c.id}</option>)}
          </select>
        </label>
      </div>
      {cameraId ? children(cameraId) : cameras.isPending ? <p role="status">Loading…</p> : <p>No cameras yet.</p>}
    </section>
  );
}
