/**
 * Pages, each its own chunk (loaded when first opened). Pages below the viewer's role are not in the menu, and opening
 * one by its address shows "not allowed" (the server refuses their calls anyway).
 */
import { lazy, Suspense, type ReactNode } from 'react';
import { createBrowserRouter, Navigate, RouterProvider, useLocation } from 'react-router';
import { endedByLogout, hasRole, useSession, type Role } from '../api/session';
import { Layout } from './Layout';
import { LoginPage } from '../pages/LoginPage';

const LivePage = lazy(() => import('../pages/LivePage'));
const EventsPage = lazy(() => import('../pages/EventsPage'));
const CamerasPage = lazy(() => import('../pages/CamerasPage'));
const KeysPage = lazy(() => import('../pages/KeysPage'));
const ZonesPage = lazy(() => import('../pages/ZonesPage'));
const RulesPage = lazy(() => import('../pages/RulesPage'));
const RecordingsPage = lazy(() => import('../pages/RecordingsPage'));
const AnalyticsPage = lazy(() => import('../pages/AnalyticsPage'));
const DeliveryPage = lazy(() => import('../pages/DeliveryPage'));
const UsersPage = lazy(() => import('../pages/UsersPage'));
const SystemPage = lazy(() => import('../pages/SystemPage'));

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
