/** System: health, each camera's fps, drops and state, the models. */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';

export default function SystemPage() {
  const health = useQuery({ queryKey: ['health'], queryFn: async () => unwrap(await api.GET('/api/health')), refetchInterval: 5000 });
  const cameras = useQuery({ queryKey: ['cameras'], queryFn: async () => unwrap(await api.GET('/api/cameras')), refetchInterval: 3000 });
  const models = useQuery({ queryKey: ['models'], queryFn: async () => unwrap(await api.GET('/api/models')) });
  return (
    <section aria-labelledby="system-title">
      <h1 id="system-title">System</h1>
      <h2>Health</h2>
      <pre className="json" tabIndex={0}>{health.data ? JSON.stringify(health.data, null, 2) : health.isError ? health.error.message : 'Loading…'}</pre>
      <h2>Cameras</h2>
      <table>
        <thead><tr><th scope="col">Camera</th><th scope="col">State</th><th scope="col">Decoded fps</th><th scope="col">Analysed fps</th><th scope="col">Frames dropped</th><th scope="col">Replaced at the detector</th><th scope="col">Tracks</th></tr></thead>
        <tbody>
          {(cameras.data?.cameras ?? []).map((c) => {
            const x = c as typeof c & { framesDropped?: number; framesReplaced?: number };
            return (
              <tr key={c.id}><td>{c.name || c.id}</td><td>{c.state}</td><td>{c.fpsMeasured.toFixed(1)}</td><td>{c.fpsProcessed.toFixed(1)}</td>
                <td>{x.framesDropped ?? '–'}</td><td>{x.framesReplaced ?? '–'}</td><td>{c.activeTracks}</td></tr>
            );
          })}
        </tbody>
      </table>
      <h2>Models</h2>
      <pre className="json" tabIndex={0}>{models.data ? JSON.stringify(models.data, null, 2) : models.isError ? models.error.message : 'Loading…'}</pre>
    </section>
  );
}
