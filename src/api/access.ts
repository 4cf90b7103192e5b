/**
 * The door of every route, as Fastify hooks (no handler checks a role itself): each route declares who may use it
 * (`config.access`) and which camera it is about (`config.camera`); a route without a declaration cannot be
 * registered. Per request: the rate limit, the session cookie or API key, the role, the camera scope, CSRF for changes
 * made through a cookie, and the audit entry of every change.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.ts';
import type { AuthService } from '../auth/auth-service.ts';
import { canSeeCamera, LINK_PRINCIPAL, OPEN_PRINCIPAL, type Principal } from '../auth/principal.ts';
import { includesRole, type Role } from '../auth/roles.ts';
import { TokenBuckets } from '../auth/token-bucket.ts';

/**
 * Who may call a route. `open`: anyone (health, login); `static`: anyone, and it serves no data (the page, scripts,
 * the API reference's files); `self`: any signed-in principal, even one that must still change its password;
 * `metrics`: viewer, or anyone with auth.openMetrics; a role: that role or a higher one.
 */
export type Access = 'open' | 'static' | 'self' | 'metrics' | Role;

/**
 * What a camera-scoped key may see on the route. `param`/`query`: the camera named by the `id` path parameter or the
 * `camera` query parameter must be in scope (and the query parameter present); `handler`: the handler filters or checks
 * by camera itself; absent: scoped keys are refused (the route shows data of every camera).
 */
export type CameraBinding = 'param' | 'query' | 'handler';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    camera?: CameraBinding;
    /** Audit action of a change (default: method and route). */
    audit?: string;
    /** A request with `?expires=&sig=` is let in by a valid signed link instead of a session (snapshots in deliveries). */
    signedLink?: boolean;
  }
  interface FastifyRequest {
    principal: Principal;
    /** Set by a handler: the audit entry's target and before/after states (secrets left out). */
    auditDetail?: { target?: string | null; before?: unknown; after?: unknown; actor?: string; skip?: boolean };
  }
}

export interface AccessOptions {
  /** Null when authentication is off (loopback only): every request is the open principal. */
  readonly auth: AuthService | null;
  readonly openMetrics: boolean;
  readonly rateLimit: { readonly perSecond: number; readonly burst: number };
  readonly now: () => number;
  /** Origins other than the server's own that may call it (server.corsOrigins); also those whose pages may open WebSockets. */
  readonly corsOrigins: readonly string[];
  /** Checks a signed link of `path`; null when valid, otherwise why not. Absent: no links are signed. */
  readonly checkLink?: (path: string, expires: unknown, sig: unknown, nowMs: number) => string | null;
}

export const SESSION_COOKIE = 'sightline_session';
const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const NEEDS_NOTHING: readonly Access[] = ['open', 'static'];

/** Parses `Authorization: Bearer KEY`; null when absent (or malformed and `lenient`); otherwise a malformed one is AUTH_INVALID. */
function bearer(req: FastifyRequest, lenient: boolean): string | null {
  const header = req.headers.authorization;
  if (header === undefined) return null;
  const m = /^Bearer ([\x21-\x7e]{1,200})$/.exec(header);
  if (m) return m[1]!;
  if (lenient) return null;
  throw new AppError('AUTH_INVALID', 'expected an "Authorization: Bearer KEY" header with an API key (slk_...); got a malformed one');
}

/** The camera a request is about, for camera-scoped keys. */
function cameraOf(req: FastifyRequest, binding: CameraBinding): string | null {
  if (binding === 'param') return (req.params as Record<string, string | undefined>)['id'] ?? null;
  if (binding === 'query') {
    const v = (req.query as Record<string, unknown>)['camera'];
    return typeof v === 'string' ? v : null;
  }
  return null;
}

function denyRateLimited(reply: FastifyReply, retryAfterMs: number): never {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  reply.header('retry-after', String(seconds));
  throw new AppError('RATE_LIMITED', `too many requests; retry in ${seconds} s (auth.rateLimit)`);
}

/** One registered route and its door: the table of docs/security.md and of the route × role tests. */
export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  readonly access: Access;
  readonly camera: CameraBinding | null;
  readonly websocket: boolean;
}

/**
 * Installs the access hooks on the root instance; call before the route plugins are registered. Returns the route
 * table, filled as routes are registered.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any server, logger and type provider
export function installAccess(app: FastifyInstance<any, any, any, any, any>, opts: AccessOptions): RouteEntry[] {
  const buckets = new TokenBuckets(opts.rateLimit.perSecond, opts.rateLimit.burst);
  const table: RouteEntry[] = [];
  app.decorateRequest('principal', null as unknown as Principal);

  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (access === undefined) throw new Error(`route ${String(route.method)} ${route.url} declares no config.access; every route must say who may call it`);
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      table.push({ method, url: route.url, access, camera: route.config?.camera ?? null, websocket: !!(route as { websocket?: boolean }).websocket });
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    const config = req.routeOptions.config;
    const access = config.access;
    // Unmatched requests (404) carry no access; they reveal nothing and are answered by the not-found handler.
    if (access === undefined) return;
    // Browsers let any page open a WebSocket anywhere, with the cookies of the target's site: only this server's own
    // pages (and the configured origins) may. Without authentication, only loopback host names are answered, so a
    // web page cannot reach the server through a DNS name rebound to 127.0.0.1.
    const origin = req.headers.origin;
    if (req.headers.upgrade && origin !== undefined && !sameOrigin(origin, req.headers.host) && !opts.corsOrigins.includes(origin)) {
      throw new AppError('FORBIDDEN', `a WebSocket from the page of ${origin.slice(0, 100)} is refused; add that origin to server.corsOrigins to allow it`);
    }
    if (opts.auth === null && !isLoopbackHostHeader(req.headers.host)) {
      throw new AppError('FORBIDDEN', `with authentication off (auth.enabled: false) only loopback addresses are answered, not Host "${String(req.headers.host).slice(0, 100)}"`);
    }
    const nowMs = opts.now();
    const q = req.query as Record<string, unknown>;
    if (config.signedLink && (q['sig'] !== undefined || q['expires'] !== undefined)) {
      const problem = opts.checkLink ? opts.checkLink(req.url.split('?')[0]!, q['expires'], q['sig'], nowMs) : 'this server signs no links';
      if (problem) throw new AppError('LINK_INVALID', `link refused: ${problem}`);
      req.principal = LINK_PRINCIPAL;
      return;
    }
    if (opts.auth === null) {
      req.principal = OPEN_PRINCIPAL;
      return;
    }
    // A malformed header on an open route (health, login) is ignored rather than refused.
    const key = bearer(req, NEEDS_NOTHING.includes(access));
    const token = key === null ? (req.cookies?.[SESSION_COOKIE] ?? null) : null;
    let principal: Principal | null = null;
    let failure: AppError | null = null;
    if (key !== null) {
      principal = await opts.auth.keyPrincipal(key);
      if (!principal) failure = new AppError('AUTH_INVALID', 'the API key is unknown, revoked or expired');
    } else if (token !== null && token !== '') {
      const found = /^[A-Za-z0-9_-]{43}$/.test(token) ? await opts.auth.sessionPrincipal(token) : null;
      if (found === 'expired') failure = new AppError('SESSION_EXPIRED', 'the session has ended; log in again (POST /api/auth/login)');
      else if (found === null) failure = new AppError('AUTH_INVALID', 'the session cookie is not one this server issued; log in again (POST /api/auth/login)');
      else principal = found;
    }
    // One bucket per key or session; anonymous and failed requests share their address's.
    const verdict = buckets.take(principal?.sessionId ?? principal?.keyId ?? `ip:${req.ip}`, nowMs);
    if (!verdict.ok) denyRateLimited(reply, verdict.retryAfterMs);
    if (NEEDS_NOTHING.includes(access) || (access === 'metrics' && opts.openMetrics)) {
      if (principal) req.principal = principal;
      return;
    }
    if (failure) throw failure;
    if (!principal) throw new AppError('AUTH_REQUIRED', 'sign in first: a session cookie from POST /api/auth/login, or an API key as "Authorization: Bearer KEY"');
    req.principal = principal;
    if (principal.kind === 'session' && CHANGES.has(req.method)) {
      const site = req.headers['sec-fetch-site'];
      if ((site !== undefined && site !== 'same-origin' && site !== 'none') || req.headers['x-csrf-token'] !== principal.csrfToken) {
        throw new AppError('CSRF_FAILED', 'a change made with a session cookie must come from this site and carry the session\'s x-csrf-token header (GET /api/auth/session gives it)');
      }
    }
    if (access === 'self') return;
    if (principal.mustChangePassword) throw new AppError('PASSWORD_CHANGE_REQUIRED', 'change the generated password first: POST /api/auth/password');
    const needed: Role = access === 'metrics' ? 'viewer' : (access as Role);
    if (!includesRole(principal.role, needed)) throw new AppError('FORBIDDEN', `this route needs role ${needed}; ${principal.actor} has role ${principal.role}`);
    if (principal.cameraIds !== null) {
      if (config.camera === undefined) throw new AppError('FORBIDDEN', `${principal.actor} is limited to cameras ${principal.cameraIds.join(', ')}; this route shows data of every camera`);
      if (config.camera !== 'handler') {
        const cameraId = cameraOf(req, config.camera);
        if (cameraId === null) throw new AppError('FORBIDDEN', `${principal.actor} is limited to cameras ${principal.cameraIds.join(', ')}; name one with ?camera=`);
        if (!canSeeCamera(principal, cameraId)) throw new AppError('FORBIDDEN', `${principal.actor} is limited to cameras ${principal.cameraIds.join(', ')}, not "${cameraId}"`);
      }
    }
  });

  // Every change is audited once it is answered: who, what, the outcome, and the states the handler named.
  app.addHook('onResponse', async (req, reply) => {
    const config = req.routeOptions.config;
    // `skip`: the service wrote its own entry (it does for what it completes); a refusal is always written here.
    if (opts.auth === null || config.access === undefined || !CHANGES.has(req.method) || (req.auditDetail?.skip && reply.statusCode < 400)) return;
    const principal = req.principal as Principal | null;
    const detail = req.auditDetail;
    if (!principal && !detail?.actor) return; // refused before anyone was known: counted by the rate limit, not logged
    const status = reply.statusCode;
    const params = req.params as Record<string, string> | undefined;
    await opts.auth
      .audit({
        actor: detail?.actor ?? principal!.actor,
        action: config.audit ?? `${req.method} ${req.routeOptions.url}`,
        target: detail?.target !== undefined ? detail.target : (params?.['id'] ?? null),
        address: req.ip,
        outcome: status < 400 ? 'ok' : status === 401 || status === 403 || status === 429 ? 'denied' : 'failed',
        before: detail?.before ?? null,
        after: detail?.after ?? null,
      })
      .catch((err) => req.log.error({ err }, 'audit entry could not be written'));
  });
  return table;
}

/** True when `origin` (`https://host:port`) names the host the request was sent to. */
function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** True for a Host header naming this machine's loopback (127.x, localhost, [::1]), with or without a port. */
function isLoopbackHostHeader(host: string | undefined): boolean {
  if (host === undefined) return true; // HTTP/1.0 without Host: no name was resolved to reach us
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.split(':')[0]!;
  return name === 'localhost' || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** Throws FORBIDDEN unless the request's principal may see `cameraId` (for routes with `camera: 'handler'`). */
export function assertCamera(req: FastifyRequest, cameraId: string): void {
  const p = req.principal;
  if (p && !canSeeCamera(p, cameraId)) throw new AppError('FORBIDDEN', `${p.actor} is limited to cameras ${p.cameraIds!.join(', ')}, not "${cameraId}"`);
}
