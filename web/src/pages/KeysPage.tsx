/** API keys: each user their own (an admin sees every key); a new key is shown once; revoke. */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, errorMessage, unwrap } from '../api/client';
import { hasRole, useSession, type Role } from '../api/session';
import { formatTimeMs } from '../lib/format';

export default function KeysPage() {
  const client = useQueryClient();
  const { session } = useSession();
  const keys = useQuery({ queryKey: ['keys'], queryFn: async () => unwrap(await api.GET('/api/keys')) });
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const roles = (['viewer', 'operator', 'admin'] as Role[]).filter((r) => hasRole(session?.role, r));
  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setError(null);
    try {
      const r = unwrap(await api.POST('/api/keys', { body: { name: String(f.get('name')), role: String(f.get('role')) as Role } }));
      setCreated(r.key);
      e.currentTarget?.reset();
      await client.invalidateQueries({ queryKey: ['keys'] });
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const revoke = async (id: string) => {
    setError(null);
    try {
      unwrap(await api.DELETE('/api/keys/{id}', { params: { path: { id } } }));
      await client.invalidateQueries({ queryKey: ['keys'] });
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const now = Date.now();
  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">API keys</h1>
      <form className="inline" onSubmit={create} aria-label="New API key">
        <label>Name<input name="name" required maxLength={100} placeholder="home-assistant" /></label>
        <label>Role<select name="role" defaultValue="viewer">{roles.map((r) => <option key={r}>{r}</option>)}</select></label>
        <button type="submit">Create key</button>
      </form>
      {created ? (
        <div className="once" role="status">
          <p>The new key, shown only now — copy it:</p>
          <code data-testid="new-key">{created}</code>
          <button type="button" onClick={() => void navigator.clipboard?.writeText(created)}>Copy</button>
          <button type="button" onClick={() => setCreated(null)}>Done</button>
        </div>
      ) : null}
      {error ? <p className="error" role="alert">{error}</p> : null}
      <table>
        <thead><tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">Role</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {(keys.data?.keys ?? []).map((k) => (
            <tr key={k.id} className={k.revokedMs ? 'revoked' : ''}>
              <td>{k.name}</td><td><code>{k.prefix}…</code></td><td>{k.role}</td><td>{formatTimeMs(k.createdMs, now)}</td>
              <td>{k.lastUsedMs ? formatTimeMs(k.lastUsedMs, now) : 'never'}</td>
              <td>{k.revokedMs ? 'revoked' : <button type="button" className="danger" onClick={() => void revoke(k.id)}>Revoke</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
