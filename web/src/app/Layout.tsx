import { useState, useSyncExternalStore } from 'react';
import { NavLink, Outlet } from 'react-router';
import { connection } from '../api/connection';
import { hasRole, useSession } from '../api/session';
import { formatAgoMs } from '../lib/format';
import { PAGES } from './menu';
import { applyTheme, storedTheme, type Theme } from './theme';

/** The frame of every page: the menu (only what the role may open), the server-down banner, the theme switch. */
export function Layout() {
  const { session, logout } = useSession();
  const link = useSyncExternalStore(connection.subscribe, connection.get);
  const [theme, setTheme] = useState<Theme>(storedTheme());
  return (
    <div className="shell">
      <header className="top">
        <a className="brand" href="/live">Sightline</a>
        <nav aria-label="Pages">
          {PAGES.filter((p) => hasRole(session?.role, p.role)).map((p) => (
            <NavLink key={p.path} to={p.path}>{p.title}</NavLink>
          ))}
        </nav>
        <div className="right">
          <label className="theme">
            <span className="sr-only">Theme</span>
            <select value={theme} onChange={(e) => { const t = e.target.value as Theme; setTheme(t); applyTheme(t); }}>
              <option value="system">System theme</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
          {session?.user ? (
            <button type="button" onClick={() => void logout()}>Log out {session.user.username}</button>
          ) : null}
        </div>
      </header>
      {!link.up ? (
        <div className="banner" role="alert">
          The server does not answer ({link.reason}) since {formatAgoMs(link.sinceMs, Date.now())}; reconnecting…
        </div>
      ) : null}
      <main>
        <Outlet />
      </main>
    </div>
  );
}
