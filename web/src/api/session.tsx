/**
 * Who is logged in: the session from GET /api/auth/session (401: nobody), login, the forced password change, logout.
 * A 401 from any later call ends the session here; the router then shows the login page and returns to the page
 * that was open.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { api, onUnauthorized, setCsrfToken, unwrap, type Session } from './client';
import { feed } from './feed';

export type Role = 'viewer' | 'operator' | 'admin';
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether `role` includes `needed` (admin > operator > viewer). */
export function hasRole(role: Role | undefined, needed: Role): boolean {
  return role !== undefined && RANK[role] >= RANK[needed];
}

async function fetchSession(): Promise<Session | null> {
  const r = await api.GET('/api/auth/session');
  if (r.response.status === 401) return null;
  return unwrap(r);
}

interface SessionApi {
  readonly session: Session | null;
  readonly loading: boolean;
  login(username: string, password: string): Promise<void>;
  changePassword(currentPassword: string, newPassword: string): Promise<void>;
  logout(): Promise<void>;
}

let loggedOut = false;
/** Whether the session ended by the user's own logout (then the next login starts afresh, not at the last page). */
export const endedByLogout = (): boolean => loggedOut;

const SessionContext = createContext<SessionApi | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const q = useQuery({ queryKey: ['session'], queryFn: fetchSession, staleTime: 60_000, retry: 1 });
  const session = q.data ?? null;
  setCsrfToken(session?.csrfToken);
  useEffect(() => onUnauthorized(() => {
    feed.stop();
    client.setQueryData(['session'], null);
  }), [client]);
  useEffect(() => {
    if (session && !session.mustChangePassword) feed.start();
    else feed.stop();
  }, [session]);
  const value: SessionApi = {
    session,
    loading: q.isPending,
    async login(username, password) {
      const s = unwrap(await api.POST('/api/auth/login', { body: { username, password } }));
      loggedOut = false;
      setCsrfToken(s.csrfToken);
      client.setQueryData(['session'], s);
    },
    async changePassword(currentPassword, newPassword) {
      unwrap(await api.POST('/api/auth/password', { body: { currentPassword, newPassword } }));
      // The change ends every session of the user but this one; read it afresh (mustChangePassword is now false).
      await client.invalidateQueries({ queryKey: ['session'] });
    },
    async logout() {
      feed.stop(); // before the server closes it, so that it does not try to reconnect
      loggedOut = true;
      await api.POST('/api/auth/logout');
      setCsrfToken(null);
      client.setQueryData(['session'], null);
      // Nothing of this user stays cached for the next one (the session query stays observed, now empty).
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'session' });
    },
  };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
