/**
 * Pages, each its own chunk, except Live (the landing page, in the first bundle: a lazy page suspends the first render,
 * and React reveals it at most every 300 ms, which cost the first screen 300 ms); the other chunks are fetched when the
 * browser is idle after the first render, so opening a page does not wait for the network. Pages below the viewer's
 * role are not in the menu, and opening one by its address shows "not allowed" (the server refuses their calls anyway).
 */
import { lazy, Suspense, type ReactNode } from 'react';
import { createBrowserRouter, Navigate, RouterProvider, useLocation } from 'react-router';
import { endedByLogout, hasRole, useSession, type Role } from '../api/session';
import { Layout } from './Layout';
import { LoginPage } from '../pages/LoginPage';
import LivePage from '../pages/LivePage';

const chunks = {
  map: () => import('../pages/MapPage'),
  calibrate: () => import('../pages/CalibrationPage'),
  events: () => import('../pages/EventsPage'),
  cameras: () => import('../pages/CamerasPage'),
  keys: () => import('../pages/KeysPage'),
  zones: () => import('../pages/ZonesPage'),
  rules: () => import('../pages/RulesPage'),
  recordings: () => import('../pages/RecordingsPage'),
  analytics: () => import('../pages/AnalyticsPage'),
  delivery: () => import('../pages/DeliveryPage'),
  users: () => import('../pages/UsersPage'),
  system: () => import('../pages/SystemPage'),
};
const MapPage = lazy(chunks.map);
const CalibrationPage = lazy(chunks.calibrate);
const EventsPage = lazy(chunks.events);
const CamerasPage = lazy(chunks.cameras);
const KeysPage = lazy(chunks.keys);
const ZonesPage = lazy(chunks.zones);
const RulesPage = lazy(chunks.rules);
const RecordingsPage = lazy(chunks.recordings);
const AnalyticsPage = lazy(chunks.analytics);
const DeliveryPage = lazy(chunks.delivery);
const UsersPage = lazy(chunks.users);
const SystemPage = lazy(chunks.system);

/** Fetches the page chunks one after another while the browser is idle (after the first screen). */
export function prefetchPages(): void {
  const idle = (f: () => void) => ('requestIdleCallback' in window ? requestIdleCallback(f, { timeout: 5000 }) : setTimeout(f, 1000));
  const next = (list: (() => Promise<unknown>)[]) => {
    const load = list.shift();
    if (load) idle(() => void load().catch(() => undefined).finally(() => next(list)));
  };
  // The page the address names first (it is being loaded anyway), then the others in menu order.
  const here = location.pathname.split('/')[1] as keyof typeof chunks;
  next(Object.entries(chunks).sort(([a], [b]) => Number(b === here) - Number(a === here)).map(([, load]) => load));
}

function Loading() {
  return <p className="muted" role="status">Loading…</p>;
}

/** Shows `children` to a logged-in user of `role` or above; sends others to login (coming back here after). */
function Guard({ role, children }: { role: Role; children: ReactNode }) {
  const { session, loading } = useSession();
  const here = useLocation();
  if (loading) return <Loading />;
  if (!session || session.mustChangePassword) {
    return <Navigate to={endedByLogout() ? '/login' : `/login?next=${encodeURIComponent(here.pathname + here.search)}`} replace />;
  }
  if (!hasRole(session.role, role)) {
    return (
      <section aria-labelledby="denied">
        <h1 id="denied">Not allowed</h1>
        <p>This page needs the {role} role; you are logged in as {session.role}.</p>
      </section>
    );
  }
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}

const router = createBrowserRouter([
  { path: '/login', element: <LoginPage /> },
  {
    path: '/',
    element: <Layout />,
    children: [
      { index: true, element: <Navigate to="/live" replace /> },
      { path: 'live', element: <Guard role="viewer"><LivePage /></Guard> },
      { path: 'map', element: <Guard role="viewer"><MapPage /></Guard> },
      { path: 'map/calibrate', element: <Guard role="operator"><CalibrationPage /></Guard> },
      { path: 'map/calibrate/:id', element: <Guard role="operator"><CalibrationPage /></Guard> },
      { path: 'events', element: <Guard role="viewer"><EventsPage /></Guard> },
      { path: 'events/:id', element: <Guard role="viewer"><EventsPage /></Guard> },
      { path: 'recordings', element: <Guard role="viewer"><RecordingsPage /></Guard> },
      { path: 'recordings/:id', element: <Guard role="viewer"><RecordingsPage /></Guard> },
      { path: 'analytics', element: <Guard role="viewer"><AnalyticsPage /></Guard> },
      { path: 'analytics/:id', element: <Guard role="viewer"><AnalyticsPage /></Guard> },
      { path: 'cameras', element: <Guard role="admin"><CamerasPage /></Guard> },
      { path: 'zones', element: <Guard role="operator"><ZonesPage /></Guard> },
      { path: 'zones/:id', element: <Guard role="operator"><ZonesPage /></Guard> },
      { path: 'rules', element: <Guard role="operator"><RulesPage /></Guard> },
      { path: 'rules/:id', element: <Guard role="operator"><RulesPage /></Guard> },
      { path: 'delivery', element: <Guard role="admin"><DeliveryPage /></Guard> },
      { path: 'keys', element: <Guard role="viewer"><KeysPage /></Guard> },
      { path: 'users', element: <Guard role="admin"><UsersPage /></Guard> },
      { path: 'system', element: <Guard role="viewer"><SystemPage /></Guard> },
      { path: '*', element: <section><h1>Not found</h1><p>There is no page at this address.</p></section> },
    ],
  },
]);

export function AppRouter() {
  return <RouterProvider router={router} />;
}
