/** Login, then the forced password change of a first admin (or any account an admin reset). */
import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { errorMessage } from '../api/client';
import { useSession } from '../api/session';

export function LoginPage() {
  const { session, loading, login, changePassword } = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNext(params.get('next'));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (loading) return <p className="muted" role="status">Loading…</p>;
  if (session && !session.mustChangePassword) return <Navigate to={next} replace />;

  const run = (f: (form: FormData) => Promise<void>) => async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await f(new FormData(e.currentTarget));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  if (session?.mustChangePassword) {
    return (
      <main className="auth">
        <h1>Choose a new password</h1>
        <p>This account's password was set by someone else; choose your own before going on.</p>
        <form noValidate onSubmit={run(async (f) => {
          const next1 = String(f.get('newPassword'));
          if (next1 !== String(f.get('repeat'))) throw new Error('the two new passwords differ');
          await changePassword(String(f.get('currentPassword')), next1);
          navigate(next, { replace: true });
        })}>
          <label>Current password<input name="currentPassword" type="password" autoComplete="current-password" required /></label>
          <label>New password<input name="newPassword" type="password" autoComplete="new-password" minLength={10} required /></label>
          <label>New password again<input name="repeat" type="password" autoComplete="new-password" minLength={10} required /></label>
          {error ? <p className="error" role="alert">{error}</p> : null}
          <button type="submit" disabled={busy}>Change password</button>
        </form>
      </main>
    );
  }
  return (
    <main className="auth">
      <h1>Sightline</h1>
      <form onSubmit={run(async (f) => {
        await login(String(f.get('username')), String(f.get('password')));
      })}>
        <label>User name<input name="username" autoComplete="username" required /></label>
        <label>Password<input name="password" type="password" autoComplete="current-password" required /></label>
        {error ? <p className="error" role="alert">{error}</p> : null}
        <button type="submit" disabled={busy}>Log in</button>
      </form>
    </main>
  );
}

/** Only paths of this dashboard are followed after login (never another site). */
function safeNext(raw: string | null): string {
  return raw && raw.startsWith('/') && !raw.startsWith('//') && !raw.startsWith('/login') ? raw : '/live';
}
