import type { Role } from '../api/session';

/** The menu: path, title, the role it needs. */
export const PAGES: readonly { path: string; title: string; role: Role }[] = [
  { path: '/live', title: 'Live', role: 'viewer' },
  { path: '/map', title: 'Map', role: 'viewer' },
  { path: '/events', title: 'Events', role: 'viewer' },
  { path: '/recordings', title: 'Recordings', role: 'viewer' },
  { path: '/analytics', title: 'Analytics', role: 'viewer' },
  { path: '/cameras', title: 'Cameras', role: 'admin' },
  { path: '/zones', title: 'Zones and lines', role: 'operator' },
  { path: '/rules', title: 'Rules', role: 'operator' },
  { path: '/delivery', title: 'Delivery', role: 'admin' },
  { path: '/keys', title: 'API keys', role: 'viewer' },
  { path: '/users', title: 'Users', role: 'admin' },
  { path: '/system', title: 'System', role: 'viewer' },
];
