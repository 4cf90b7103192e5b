import websocket from '@fastify/websocket';
import Fastify, { LogController } from 'fastify';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { AppError, isAppError } from '../core/errors.ts';
import type { SightEvent } from '../core/types.ts';
import { toEventJson } from '../events/event-json.ts';
import { eventJsonSchema } from '../events/event-schema.ts';
import type { Recordings } from '../recording/recordings.ts';
import type { AnalyticsStore } from '../store/analytics-repository.ts';
import type { EventStore } from '../store/event-repository.ts';
import type { MediaStore } from '../store/media-store.ts';
import { checkSignedPath } from '../delivery/signed-url.ts';
import type { DeliveryService } from '../senders/delivery-service.ts';
import { registerAnalyticsRoutes } from './analytics-routes.ts';
import { registerDeliveryRoutes } from './delivery-routes.ts';
import type { CameraHandle } from './camera-handle.ts';
import type { LiveHub } from './live-hub.ts';
import { registerLiveRoutes } from './live-routes.ts';
import { formatMetrics } from './metrics.ts';
import { parseEventQuery } from './query.ts';
import { registerRecordingRoutes } from './recording-routes.ts';

/** What the HTTP API reads from (ports; built by the composition root). */
export interface ApiDeps {
  readonly cameras: () => readonly CameraHandle[];
  readonly events: EventStore;
  readonly analytics: AnalyticsStore;
  readonly media: MediaStore;
  readonly log: Logger;
  readonly now?: () => number;
  /** Recording index, retention and clips; absent: no recording routes. */
  readonly recordings?: Recordings;
  /** Delivery destinations and the outbox; absent: no delivery routes. */
  readonly delivery?: DeliveryService;
  /** Key of signed snapshot links (`?expires=..&sig=..`); absent: such links are refused. */
  readonly linkKey?: Uint8Array;
}

const PAGE = readFileSync(new URL('./page.html', import.meta.url), 'utf8');

/** Builds the Fastify app with every route; the caller listens. */
export async function buildServer(deps: ApiDeps, hub: LiveHub) {
  // Requests are not logged one by one (the live routes would flood the log); errors are.
  const app = Fastify({ loggerInstance: deps.log.child({ component: 'http' }), logController: new LogController({ disableRequestLogging: true }) });
  await app.register(websocket);

  app.setErrorHandler((err, req, reply) => {
    if (isAppError(err)) return reply.status(err.httpStatus).send({ error: { code: err.code, message: err.message } });
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status < 500) return reply.status(status).send({ error: { code: 'BAD_REQUEST', message: (err as Error).message } });
    req.log.error({ err }, 'request failed');
    return reply.status(500).send({ error: { code: 'INTERNAL', message: 'internal error; see the server log' } });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ error: { code: 'ROUTE_NOT_FOUND', message: `no route for ${req.method} ${req.url.split('?')[0]}` } }),
  );

  const now = deps.now ?? Date.now;
  const findCamera = (id: string): CameraHandle => {
    const cam = deps.cameras().find((c) => c.id === id);
    if (!cam) throw new AppError('CAMERA_NOT_FOUND', `no camera with id "${id}"; GET /api/cameras lists them`);
    return cam;
  };

  app.get('/', (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  app.get('/api/health', () => ({ ok: true, cameras: deps.cameras().length }));
  app.get('/metrics', async (_req, reply) => {
    const text = formatMetrics(deps.cameras().map((c) => c.status())) + (deps.delivery ? await deps.delivery.metricsText() : '');
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text);
  });
  app.get('/api/cameras', () => ({ cameras: deps.cameras().map((c) => c.status()) }));
  app.get<{ Params: { id: string } }>('/api/cameras/:id', (req) => findCamera(req.params.id).status());
  app.get<{ Params: { id: string } }>('/api/cameras/:id/latest.jpg', async (req, reply) => {
    const jpeg = await findCamera(req.params.id).latestJpeg();
    if (!jpeg) throw new AppError('SNAPSHOT_NOT_FOUND', `camera "${req.params.id}" has not processed a frame yet`);
    return reply.type('image/jpeg').header('cache-control', 'no-store').send(Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength));
  });

  // The grid of a DVR mosaic, and the tile cameras to add to the configuration (confirm or correct the crops first).
  app.get<{ Params: { id: string } }>('/api/cameras/:id/grid', (req) => {
    const cam = findCamera(req.params.id);
    const grid = cam.grid();
    const id = req.params.id;
    const round = (v: number) => Math.round(v * 10_000) / 10_000;
    return {
      ...grid,
      suggestedCameras: grid.tiles.map((t) => ({
        id: `${id}-${t.row + 1}-${t.column + 1}`.slice(0, 64),
        source: { url: `tile:${id}`, crop: t.rect.map(round) },
      })),
    };
  });

  registerLiveRoutes(app, { findCamera, listen: hub.listen });
  registerAnalyticsRoutes(app, { analytics: deps.analytics, findCamera, now });

  const schema = eventJsonSchema();
  app.get('/api/schemas/event.json', (_req, reply) => reply.type('application/schema+json; charset=utf-8').send(schema));

  app.get('/api/events', async (req) => {
    const q = parseEventQuery(req.query as Record<string, unknown>);
    const [events, total] = await Promise.all([deps.events.list(q), deps.events.count(q)]);
    return { events: events.map(toEventJson), total };
  });
  const findEvent = async (id: string): Promise<SightEvent> => {
    const e = await deps.events.get(id);
    if (!e) throw new AppError('EVENT_NOT_FOUND', `no event with id "${id}"`);
    return e;
  };
  app.get<{ Params: { id: string } }>('/api/events/:id', async (req) => toEventJson(await findEvent(req.params.id)));
  app.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>('/api/events/:id/snapshot.jpg', async (req, reply) => {
    // A signed link (sent in webhooks and e-mails) must be valid; it is what lets a receiver in once routes need a login.
    if (req.query['sig'] !== undefined || req.query['expires'] !== undefined) {
      const problem = deps.linkKey
        ? checkSignedPath(deps.linkKey, `/api/events/${req.params.id}/snapshot.jpg`, req.query['expires'], req.query['sig'], now())
        : 'this server signs no links';
      if (problem) throw new AppError('LINK_INVALID', `snapshot link refused: ${problem}`);
    }
    const e = await findEvent(req.params.id);
    const jpeg = e.snapshotPath ? await deps.media.readFile(e.snapshotPath) : null;
    if (!jpeg) throw new AppError('SNAPSHOT_NOT_FOUND', `event "${e.id}" has no snapshot`);
    return reply.type('image/jpeg').header('cache-control', 'max-age=3600').send(jpeg);
  });

  if (deps.delivery) registerDeliveryRoutes(app, deps.delivery, now);
  if (deps.recordings) registerRecordingRoutes(app, { recordings: deps.recordings, events: deps.events, findEvent, eventJson: toEventJson });

  app.get('/api/ws', { websocket: true }, (socket) => {
    hub.add(socket);
    socket.send(JSON.stringify({ type: 'hello', cameras: deps.cameras().map((c) => c.status()) }));
  });
  return app;
}
