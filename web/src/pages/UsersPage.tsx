/** Users (admin): create with a role, change role, disable, remove. */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, errorMessage, unwrap } from '../api/client';
import type { Role } from '../api/session';

export default function UsersPage() {
  const client = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: async () => unwrap(await api.GET('/api/users')) });
  const [error, setError] = useState<string | null>(null);
  const run = async (f: () => Promise<unknown>) => {
    setError(null);
    try {
      await f();
      await client.invalidateQueries({ queryKey: ['users'] });
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const create = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    void run(async () => {
      unwrap(await api.POST('/api/users', { body: { username: String(f.get('username')), password: String(f.get('password')), role: String(f.get('role')) as Role } }));
      form.reset();
    });
  };
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <form className="inline" onSubmit={create} aria-label="New user">
        <label>User name<input name="username" required autoComplete="off" /></label>
        <label>Password<input name="password" type="password" required minLength={10} autoComplete="new-password" /></label>
        <label>Role<select name="role" defaultValue="viewer"><option>viewer</option><option>operator</option><option>admin</option></select></label>
        <button type="submit">Create user</button>
      </form>
      {error ? <p className="error" role="alert">{error}</p> : null}
      <table>
        <thead><tr><th scope="col">User</th><th scope="col">Role</th><th scope="col">State</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {(users.data?.users ?? []).map((u) => (
            <tr key={u.id}>
              <td>{u.username}</td>
              <td>
                <label><span className="sr-only">Role of {u.username}</span>
                  <select value={u.role} onChange={(e) => void run(async () => unwrap(await api.PATCH('/api/users/{id}', { params: { path: { id: u.id } }, body: { role: e.target.value as Role } })))}>
                    <option>viewer</option><option>operator</option><option>admin</option>
                  </select>
                </label>
              </td>
              <td>{u.disabled ? 'disabled' : u.mustChangePassword ? 'must change password' : 'active'}</td>
              <td className="actions">
                <button type="button" onClick={() => void run(async () => unwrap(await api.PATCH('/api/users/{id}', { params: { path: { id: u.id } }, body: { disabled: !u.disabled } })))}>{u.disabled ? 'Enable' : 'Disable'}</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
