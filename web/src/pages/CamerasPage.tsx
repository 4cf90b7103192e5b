/** Cameras (admin): add by URL with a probe and a preview first, enable/disable, remove, open a camera's calibration to a floor plan. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, errorMessage, unwrap, type Answer } from '../api/client';
import { GridProposal } from '../components/GridProposal';

type Probe = Answer<'/api/cameras/probe', 'post'>;

export default function CamerasPage() {
  const client = useQueryClient();
  const cameras = useQuery({ queryKey: ['cameras'], queryFn: async () => unwrap(await api.GET('/api/cameras')), refetchInterval: 3000 });
  const [error, setError] = useState<string | null>(null);
  const [grid, setGrid] = useState<string | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: ['cameras'] });
  const toggle = useMutation({
    mutationFn: async ({ id, enabled }: { id: string; enabled: boolean }) => unwrap(await api.PATCH('/api/cameras/{id}', { params: { path: { id } }, body: { enabled } })),
    onSuccess: refresh,
    onError: (e) => setError(errorMessage(e)),
  });
  const remove = useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/cameras/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
    onError: (e) => setError(errorMessage(e)),
  });
  return (
    <section aria-labelledby="cameras-title">
      <h1 id="cameras-title">Cameras</h1>
      {error ? <p className="error" role="alert">{error}</p> : null}
      <table>
        <thead><tr><th scope="col">Camera</th><th scope="col">Source</th><th scope="col">State</th><th scope="col">fps</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {(cameras.data?.cameras ?? []).map((c) => (
            <tr key={c.id}>
              <td>{c.name || c.id}<div className="muted">{c.id}</div></td>
              <td className="url">{c.url}</td>
              <td><span className={`state state-${c.state}`}>{c.state}</span>{c.lastError ? <div className="muted">{c.lastError}</div> : null}</td>
              <td>{c.fpsMeasured.toFixed(1)}</td>
              <td className="actions">
                <button type="button" onClick={() => setGrid(c.id)} disabled={c.state !== 'online' || c.framesProcessed === 0}>Mosaic grid</button>
                <Link to={`/map/calibrate/${encodeURIComponent(c.id)}`} aria-label={`Calibrate ${c.id} to a floor plan`}>Calibrate</Link>
                <button type="button" onClick={() => toggle.mutate({ id: c.id, enabled: !c.enabled })}>{c.enabled ? 'Disable' : 'Enable'}</button>
                <button type="button" className="danger" onClick={() => { if (confirm(`Remove camera ${c.id}? Its events stay.`)) remove.mutate(c.id); }}>Remove</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {grid ? <GridProposal key={grid} cameraId={grid} onClose={() => setGrid(null)} /> : null}
      <AddCamera onAdded={refresh} />
    </section>
  );
}

function AddCamera({ onAdded }: { onAdded: () => void }) {
  const [url, setUrl] = useState('');
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [probe, setProbe] = useState<Probe | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const runProbe = async () => {
    setBusy(true);
    setError(null);
    setProbe(null);
    try {
      setProbe(unwrap(await api.POST('/api/cameras/probe', { body: { url } })));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      unwrap(await api.POST('/api/cameras', { body: { id, ...(name ? { name } : {}), source: { url } } }));
      setUrl('');
      setId('');
      setName('');
      setProbe(null);
      onAdded();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="add-camera" onSubmit={save} aria-labelledby="add-title">
      <h2 id="add-title">Add a camera</h2>
      <label>Source URL
        <input value={url} onChange={(e) => { setUrl(e.target.value); setProbe(null); }} placeholder="rtsp://user:pass@host/stream" required
          aria-invalid={probe ? !probe.ok : undefined} aria-describedby="probe-result" />
      </label>
      <button type="button" onClick={() => void runProbe()} disabled={busy || !url}>Probe</button>
      <p id="probe-result" role="status" className={probe && !probe.ok ? 'error' : 'muted'}>
        {probe ? (probe.ok ? `${probe.codec ?? '?'} ${probe.width}x${probe.height}${probe.fps ? ` at ${probe.fps.toFixed(1)} fps` : ''} (${Math.round(probe.elapsedMs)} ms)` : `${probe.reason}: ${probe.message}`) : busy ? 'Probing…' : ''}
      </p>
      {probe?.snapshot ? <img className="preview" src={probe.snapshot} alt={`Preview of ${probe.url}`} /> : null}
      <label>Id<input value={id} onChange={(e) => setId(e.target.value)} pattern="[A-Za-z0-9_\-]+" required placeholder="front-door" /></label>
      <label>Name<input value={name} onChange={(e) => setName(e.target.value)} placeholder="Front door" /></label>
      {error ? <p className="error" role="alert">{error}</p> : null}
      <button type="submit" disabled={busy || !probe?.ok}>Add camera</button>
    </form>
  );
}
