/**
 * The dashboard (web/, built to web/dist by the README's commands) at `/`: its index page for `/` and for every page
 * address the browser opens directly (`/events/...`, after a reload), its hashed assets cached for good. Without a
 * build, `/` serves the small built-in page, which stays at `/classic` either way.
 */
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { App } from './context.ts';

/** Where the build lands (the package's web/dist). */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** Whether `dir` holds a built dashboard. */
export function dashboardBuilt(dir: string): boolean {
  return existsSync(join(dir, 'index.html'));
}

/** Whether a request that matched no route is the browser opening a page of the dashboard (not an API call or a file). */
export function isPageRequest(method: string, url: string, accept: string | undefined): boolean {
  const path = url.split('?')[0]!;
  return (method === 'GET' || method === 'HEAD') && !path.startsWith('/api/') && !/\.[a-z0-9]+$/i.test(path) && (accept ?? '').includes('text/html');
}

/** Serves the built dashboard from `dir`; `page` is the built-in page (at `/classic`, and at `/` without a build). */
export async function dashboardRoutes(app: App, opts: { dir: string | null; page: string }): Promise<{ built: boolean }> {
  const sendPage = (_req: unknown, reply: { type(t: string): { send(b: string): unknown } }) => reply.type('text/html; charset=utf-8').send(opts.page);
  app.get('/classic', { config: { access: 'static' }, schema: { hide: true } }, sendPage);
  const dir = opts.dir;
  if (dir === null || !dashboardBuilt(dir)) {
    app.get('/', { config: { access: 'static' }, schema: { hide: true } }, sendPage);
    return { built: false };
  }
  await app.register(fastifyStatic, { root: dir, serve: false, index: false });
  app.get('/', { config: { access: 'static' }, schema: { hide: true } }, (_req, reply) =>
    reply.header('cache-control', 'no-cache').sendFile('index.html'));
  app.get('/favicon.svg', { config: { access: 'static' }, schema: { hide: true } }, (_req, reply) =>
    reply.header('cache-control', 'public, max-age=86400').sendFile('favicon.svg'));
  app.get('/assets/*', { config: { access: 'static' }, schema: { hide: true, params: z.object({ '*': z.string().max(300) }) } }, (req, reply) =>
    reply.header('cache-control', 'public, max-age=31536000, immutable').sendFile(`assets/${req.params['*']}`));
  return { built: true };
}
