import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import Fastify, { LogController } from 'fastify';
import { jsonSchemaTransform, serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { AuthService } from '../auth/auth-service.ts';
import { describeIssues } from '../config/load.ts';
import { AppError, isAppError } from '../core/errors.ts';
import type { SightEvent } from '../core/types.ts';
import { checkSignedPath } from '../delivery/signed-url.ts';
import type { Recordings } from '../recording/recordings.ts';
import type { DeliveryService } from '../senders/delivery-service.ts';
import type { AnalyticsStore } from '../store/analytics-repository.ts';
import type { EventStore } from '../store/event-repository.ts';
import type { MediaStore } from '../store/media-store.ts';
import { installAccess, type RouteEntry } from './access.ts';
import type { CameraHandle } from './camera-handle.ts';
import type { LiveHub } from './live-hub.ts';
import { analyticsRoutes } from './routes/analytics.ts';
import { siteRoutes } from './routes/site.ts';
import { clusterRoutes, type ClusterPort } from './routes/cluster.ts';
import type { SiteHandle } from '../app-site.ts';
import { auditRoutes } from './routes/audit.ts';
import { authRoutes } from './routes/auth.ts';
import { cameraRoutes } from './routes/cameras.ts';
import type { RouteContext, ZodRequestTypes } from './routes/context.ts';
import { cameraConfigRoutes } from './routes/camera-config.ts';
import { inferRoutes, type InferPort } from './routes/infer.ts';
import { jobRoutes, type JobsPort } from './routes/jobs.ts';
import { modelRoutes, type ModelsPort } from './routes/models.ts';
import { configRoutes } from './routes/config.ts';
import { geometryRoutes } from './routes/geometry.ts';
import type { ConfigService } from '../manage/config-service.ts';
import { deliveryRoutes } from './routes/delivery.ts';
import { eventRoutes } from './routes/events.ts';
import { keyRoutes } from './routes/keys.ts';
import { liveRoutes } from './routes/live.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { recordingRoutes } from './routes/recordings.ts';
import { userRoutes } from './routes/users.ts';
import { dashboardRoutes, isPageRequest } from './routes/dashboard.ts';

/** What the HTTP API reads from (ports; built by the composition root). */
export interface ApiDeps {
  /** The cluster view (GET /api/cluster); absent: no route. */
  readonly cluster?: ClusterPort;
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
  /** The runtime configuration; absent: no configuration routes. */
  readonly configs?: ConfigService;
  /** The frame a camera's last zone/line/rule change took effect at. */
  readonly appliedAt?: (cameraId: string) => Promise<number | null>;
  /** The model registry; absent: no model routes. */
  readonly models?: ModelsPort;
  /** Batch video jobs; absent: no job routes. */
  readonly jobs?: JobsPort;
  /** The inference API; absent: no such route. */
  readonly infer?: InferPort;
  /** Accounts and sessions; null: authentication is off (allowed on loopback only). */
  readonly auth: AuthService | null;
  /** The built dashboard served at `/` (web/dist); null or absent: the built-in page. */
  readonly dashboardDir?: string | null;
  /** Floor plans, people on them, trajectories; absent: no site routes. */
  readonly site?: SiteHandle;
  readonly security: {
    readonly openMetrics: boolean;
    readonly rateLimit: { readonly perSecond: number; readonly burst: number };
    readonly session: { readonly idleMinutes: number; readonly maxHours: number };
    readonly corsOrigins: readonly string[];
    readonly bodyLimitKb: number;
    /** Reverse proxies whose X-Forwarded-For names the client (server.trustProxy); empty: none. */
    readonly trustProxy?: readonly string[] | undefined;
    /** PEM certificate and key: HTTPS, and Secure cookies. */
    readonly tls?: { readonly cert: Buffer; readonly key: Buffer } | undefined;
  };
}

const PAGE = readFileSync(new URL('./page.html', import.meta.url), 'utf8');
/** The page's one inline script is allowed by its hash, nothing else inline. */
const PAGE_SCRIPT_HASHES = [...PAGE.matchAll(/<script type="module">([\s\S]*?)<\/script>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`);

const PART_NAMES: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

/** Request validation with the API's zod schemas; a failure names the part, the path, what was expected and what came. */
function validatorCompiler({ schema, httpPart }: { schema: z.ZodType; httpPart?: string }) {
  const part = PART_NAMES[httpPart ?? 'body'] ?? httpPart ?? 'body';
  return (data: unknown) => {
    const r = schema.safeParse(data);
    if (r.success) return { value: r.data };
    const problems = describeIssues(r.error.issues, data).map((p) => `${part}${p.path ? `.${p.path}` : ''}: ${p.message}`);
    return { error: new AppError('BAD_REQUEST', problems.slice(0, 5).join('; ')) };
  };
}

/** Builds the Fastify app with every route plugin behind the access hooks; the caller listens. */
export async function buildServer(deps: ApiDeps, hub: LiveHub) {
  const sec = deps.security;
  // Requests are not logged one by one (the live routes would flood the log); errors are.
  const app = Fastify({
    loggerInstance: deps.log.child({ component: 'http' }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: sec.bodyLimitKb * 1024,
    // Ids may be up to 200 characters (schemas.ts IdParam); longer ones are refused by the schema with its message.
    routerOptions: { maxParamLength: 500 },
    trustProxy: sec.trustProxy && sec.trustProxy.length > 0 ? [...sec.trustProxy] : false,
    // Fastify's own refusals (a malformed URL, an unreadable body) answer in the API's error shape too.
    frameworkErrors: (err, _req, reply) => {
      const status = (err as { statusCode?: number }).statusCode ?? 400;
      void (reply as unknown as { status(n: number): { send(b: unknown): void } }).status(status < 500 ? status : 400)
        .send({ error: { code: 'BAD_REQUEST', message: `${(err as Error).message}; expected a well-formed URL and request` } });
    },
    ...(sec.tls ? { https: { cert: sec.tls.cert, key: sec.tls.key } } : {}),
  }).withTypeProvider<ZodRequestTypes>();
  app.setValidatorCompiler(validatorCompiler as never);
  // Responses are written as they are; with SIGHTLINE_CHECK_RESPONSES=1 (set by the test command) every JSON answer is
  // first checked against its route's schema, and one that does not match fails with a 500 and a log line.
  if (process.env['SIGHTLINE_CHECK_RESPONSES'] === '1') app.setSerializerCompiler(zodSerializerCompiler as never);
  else app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.setErrorHandler((err, req, reply) => {
    // A refused WebSocket upgrade ends its connection: nothing else would close that socket (not even the server's close).
    if (req.headers.upgrade) {
      reply.header('connection', 'close');
      reply.raw.once('finish', () => req.raw.socket?.destroy());
    }
    if (isAppError(err) && err.httpStatus < 500) return reply.status(err.httpStatus).send({ error: { code: err.code, message: err.message } });
    // Server-side failures keep their code, but their details (SQL, paths) stay in the log.
    if (isAppError(err)) {
      req.log.error({ err }, 'request failed');
      return reply.status(err.httpStatus).send({ error: { code: err.code, message: 'the server could not answer; see its log' } });
    }
    const e = err as { statusCode?: number; code?: string; message?: string };
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.status(413).send({ error: { code: 'PAYLOAD_TOO_LARGE', message: `the body is larger than ${sec.bodyLimitKb} KiB (server.bodyLimitKb)` } });
    if (e.statusCode && e.statusCode < 500) return reply.status(e.statusCode).send({ error: { code: 'BAD_REQUEST', message: e.message ?? 'bad request' } });
    req.log.error({ err }, 'request failed');
    return reply.status(500).send({ error: { code: 'INTERNAL', message: 'internal error; see the server log' } });
  });
  // A page address of the dashboard opened directly (a bookmark, a reload) gets the dashboard, which routes it itself.
  let dashboardBuiltHere = false;
  app.setNotFoundHandler((req, reply) => {
    if (dashboardBuiltHere && isPageRequest(req.method, req.url, req.headers.accept)) return reply.header('cache-control', 'no-cache').sendFile('index.html');
    return reply.status(404).send({ error: { code: 'ROUTE_NOT_FOUND', message: `no route for ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}` } });
  });

  // The API reference's own routes (static files and the document) get their access here; every other route declares it.
  app.addHook('onRoute', (route) => {
    // CORS preflight (only with server.corsOrigins): answers with headers, never data.
    if (route.method === 'OPTIONS' && route.url === '*') route.config = { ...route.config, access: 'static' } as typeof route.config;
    if (route.url.startsWith('/api/docs')) {
      route.config = { ...route.config, access: /\/(json|yaml)$/.test(route.url) ? 'viewer' : 'static', helmet: { contentSecurityPolicy: false } } as typeof route.config;
      route.schema = { ...route.schema, hide: true };
    }
  });
  await app.register(cookie);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        'default-src': ["'self'"], 'script-src': ["'self'", ...PAGE_SCRIPT_HASHES], 'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'blob:'], 'media-src': ["'self'", 'blob:'], 'connect-src': ["'self'"], 'frame-ancestors': ["'none'"],
        'upgrade-insecure-requests': sec.tls ? [] : null,
      },
    },
    strictTransportSecurity: sec.tls ? { maxAge: 15_552_000 } : false,
    crossOriginEmbedderPolicy: false,
  });
  const now = deps.now ?? Date.now;
  const routeTable = installAccess(app, {
    auth: deps.auth, openMetrics: sec.openMetrics, rateLimit: sec.rateLimit, now, corsOrigins: sec.corsOrigins,
    ...(deps.linkKey ? { checkLink: (path: string, expires: unknown, sig: unknown, nowMs: number) => checkSignedPath(deps.linkKey!, path, expires, sig, nowMs) } : {}),
  });

  if (sec.corsOrigins.length > 0) await app.register(cors, { origin: [...sec.corsOrigins], credentials: true });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Sightline API', version: '1', description: 'Video analytics: cameras, events, recordings, live video, analytics, delivery, accounts. Sign in with a session cookie (POST /api/auth/login) or an API key (Authorization: Bearer KEY); docs/security.md has the route × role table.' },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (slk_...).' },
          session: { type: 'apiKey', in: 'cookie', name: 'sightline_session', description: 'Browser session from POST /api/auth/login; changes also need x-csrf-token.' },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: (args) => {
      const out = jsonSchemaTransform(args as never) as { schema: Record<string, unknown>; url: string };
      const access = (args as { route?: { config?: { access?: string } } }).route?.config?.access;
      if (access) out.schema = { ...out.schema, 'x-access': access, ...(access === 'open' || access === 'static' ? { security: [] } : {}) };
      return out as never;
    },
  });
  // @fastify/websocket hides its routes from the document; both WebSockets are part of the API and are listed.
  app.addHook('onRoute', (route) => {
    if ((route as { websocket?: boolean }).websocket && route.schema) route.schema = { ...route.schema, hide: false, description: 'WebSocket: GET with Upgrade: websocket; the session or key is checked at the upgrade.' } as typeof route.schema;
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    transformStaticCSP: (header) => header.replace('upgrade-insecure-requests;', ''),
  });

  const findCamera = (id: string): CameraHandle => {
    const cam = deps.cameras().find((c) => c.id === id);
    if (!cam) throw new AppError('CAMERA_NOT_FOUND', `no camera with id "${id}"; GET /api/cameras lists them`);
    return cam;
  };
  const findEvent = async (id: string): Promise<SightEvent> => {
    const e = await deps.events.get(id);
    if (!e) throw new AppError('EVENT_NOT_FOUND', `no event with id "${id}"`);
    return e;
  };
  const ctx: RouteContext = {
    cameras: deps.cameras, findCamera, findEvent, events: deps.events, analytics: deps.analytics, media: deps.media, hub, now,
    recordings: deps.recordings, delivery: deps.delivery, linkKey: deps.linkKey, auth: deps.auth, secureCookies: !!sec.tls, session: sec.session,
  };

  dashboardBuiltHere = (await dashboardRoutes(app, { dir: deps.dashboardDir ?? null, page: PAGE })).built;
  app.get('/api/openapi.json', { config: { access: 'viewer', camera: 'handler' }, schema: { tags: ['metrics'], summary: 'This API\'s OpenAPI 3.1 document' } }, () => app.swagger());
  await app.register(metricsRoutes, ctx);
  await app.register(authRoutes, ctx);
  await app.register(userRoutes, ctx);
  await app.register(keyRoutes, ctx);
  await app.register(auditRoutes, ctx);
  await app.register(cameraRoutes, ctx);
  await app.register(eventRoutes, ctx);
  await app.register(liveRoutes, ctx);
  await app.register(analyticsRoutes, ctx);
  if (deps.cluster) await app.register(clusterRoutes, { ...ctx, cluster: deps.cluster });
  if (deps.site) await app.register(siteRoutes, { ...ctx, configs: deps.configs, site: deps.site });
  if (deps.delivery) await app.register(deliveryRoutes, { ...ctx, delivery: deps.delivery });
  if (deps.infer) await app.register(inferRoutes, { ...ctx, infer: deps.infer });
  if (deps.jobs) await app.register(jobRoutes, { ...ctx, jobs: deps.jobs });
  if (deps.models) await app.register(modelRoutes, { ...ctx, models: deps.models });
  if (deps.configs) {
    const managed = { ...ctx, configs: deps.configs, appliedAt: deps.appliedAt ?? (async () => null) };
    await app.register(cameraConfigRoutes, managed);
    await app.register(geometryRoutes, managed);
    await app.register(configRoutes, managed);
  }
  if (deps.recordings) await app.register(recordingRoutes, { ...ctx, recordings: deps.recordings });
  return Object.assign(app, { routeTable: routeTable as readonly RouteEntry[] });
}

export type SightlineServer = Awaited<ReturnType<typeof buildServer>>;
