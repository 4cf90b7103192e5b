/**
 * The typed HTTP client: every path, parameter and payload type comes from the server's OpenAPI document
 * (docs/openapi.json -> schema.d.ts by `npm run api-types`), through openapi-fetch. Changes carry the session's CSRF
 * token; a network failure marks the server unreachable (the banner), a 401 ends the session (back to login).
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { connection } from './connection';

/** The JSON a route answers with 200 (or 201), from the OpenAPI document. */
export type Answer<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer R }
  ? R extends { 200: { content: { 'application/json': infer T } } } ? T
  : R extends { 201: { content: { 'application/json': infer T } } } ? T
  : never
  : never;

export type Session = Answer<'/api/auth/session', 'get'>;
export type EventJson = Answer<'/api/events/{id}', 'get'>;
export type CameraStatusJson = Answer<'/api/cameras/{id}', 'get'>;

let csrfToken = '';
/** Set from the session: the token every change must carry (`x-csrf-token`). */
export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? '';
}

const listeners = new Set<() => void>();
/** Calls `f` when a call answers 401 (the session ended or expired). */
export function onUnauthorized(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

const middleware: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && request.method !== 'HEAD' && csrfToken) request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
  onResponse({ response, request }) {
    connection.reachable();
    if (response.status === 401 && !new URL(request.url).pathname.startsWith('/api/auth/')) for (const f of listeners) f();
    return response;
  },
  onError({ error }) {
    connection.unreachable(error instanceof Error ? error.message : String(error));
  },
};

export const api = createClient<paths>({ baseUrl: location.origin, credentials: 'same-origin' });
api.use(middleware);

/** The error body every route answers with (docs/errors.md). */
export interface ApiError {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
}

/** The message of an error answer (or of a failed call), for showing next to what caused it. */
export function errorMessage(e: unknown): string {
  if (e && typeof e === 'object' && 'error' in e) {
    const inner = (e as ApiError).error;
    if (inner && typeof inner === 'object' && 'message' in inner) return inner.message;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Unwraps an openapi-fetch answer: the data, or throws the error body (so react-query sees a failure). */
export function unwrap<T>(r: { data?: T; error?: unknown; response: Response }): T {
  if (r.error !== undefined || r.data === undefined) {
    throw Object.assign(new Error(errorMessage(r.error ?? `HTTP ${r.response.status}`)), { status: r.response.status, body: r.error });
  }
  return r.data;
}
