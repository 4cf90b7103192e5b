// The route × role matrix, generated from the routes' own declarations (the table of docs/security.md): every route
// in the OpenAPI document is called by an anonymous caller, a revoked key, an ended session, and a session and a key
// of each role, and must answer exactly what the table says; every answer is checked against the route's schema in
// the document. Also: the document lists every registered route, camera-scoped keys, and both WebSockets at upgrade.
// Runs on PGlite and on PostgreSQL.
import { Ajv2020 } from 'ajv/dist/2020.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import WebSocket from 'ws';
import { renderOpenApiDocument } from '../src/api/openapi-doc.ts';
import { passes, renderSecurityDocs, routeTable } from '../src/api/security-doc.ts';
import { ROLES, type Role } from '../src/auth/roles.ts';
import { ERROR_CODES } from '../src/core/errors.ts';
import { TINY_JPEG } from './support/delivery-stack.ts';
import { asset } from './support/assets.ts';
import { openTestDatabase, startAuthServer, USER_PASSWORD, type AuthServer, type Credential } from './support/auth-server.ts';

interface Caller {
  readonly name: string;
  /** Null: anonymous. */
  readonly role: Role | null;
  readonly kind: 'session' | 'key' | 'none';
  readonly cred: Credential;
  /** 401 code the door answers for this caller when it is refused. */
  readonly code401?: string;
}

interface Call {
  path: string;
  body?: unknown;
  /** A body that is not JSON. */
  raw?: { type: string; data: Uint8Array };
  /** Status when the door opens; default 200. */
  ok?: number;
  /** Error code expected with a 4xx `ok`. */
  okCode?: string;
  /** Another credential to call with (a fresh session or key, for calls that end or change their own). */
  cred?: Credential;
}

let counter = 0;
const unique = (p: string) => `${p}${Date.now().toString(36)}${(counter++).toString(36)}`;

/** How to call each route so that an allowed caller gets its 2xx (or the named 4xx of the route itself). */
const EXAMPLES: Record<string, (s: AuthServer, c: Caller) => Promise<Call> | Call> = {
  'GET /': () => ({ path: '/' }),
  'GET /live-player.js': () => ({ path: '/live-player.js' }),
  'GET /api/health': () => ({ path: '/api/health' }),
  'GET /metrics': () => ({ path: '/metrics' }),
  'GET /api/openapi.json': () => ({ path: '/api/openapi.json' }),
  'GET /api/docs/json': () => ({ path: '/api/docs/json' }),
  'GET /api/docs/yaml': () => ({ path: '/api/docs/yaml' }),
  'POST /api/auth/login': () => ({ path: '/api/auth/login', body: { username: unique('nobody'), password: 'wrong password here' }, ok: 401, okCode: 'LOGIN_FAILED' }),
  'POST /api/auth/logout': async (s, c) => ({ path: '/api/auth/logout', ok: 204, ...(c.kind === 'session' ? { cred: await freshSession(s, c.role!) } : {}) }),
  'GET /api/auth/session': () => ({ path: '/api/auth/session' }),
  'POST /api/auth/password': async (s, c) => {
    const body = { currentPassword: USER_PASSWORD, newPassword: 'a brand new password' };
    return c.kind === 'session' ? { path: '/api/auth/password', body, cred: await freshSession(s, c.role!) } : { path: '/api/auth/password', body, ok: 403, okCode: 'FORBIDDEN' };
  },
  'GET /api/users': () => ({ path: '/api/users' }),
  'POST /api/users': () => ({ path: '/api/users', body: { username: unique('u'), password: 'long enough password', role: 'viewer' }, ok: 201 }),
  'GET /api/users/:id': (s) => ({ path: `/api/users/${s.userIds.viewer}` }),
  'PATCH /api/users/:id': async (s) => ({ path: `/api/users/${await throwawayUser(s)}`, body: { role: 'operator' } }),
  'DELETE /api/users/:id': async (s) => ({ path: `/api/users/${await throwawayUser(s)}`, ok: 204 }),
  'GET /api/keys': () => ({ path: '/api/keys' }),
  'POST /api/keys': (_s, c) => ({ path: '/api/keys', body: { name: 'matrix', role: 'viewer' }, ...(c.kind === 'key' ? { ok: 403, okCode: 'FORBIDDEN' } : { ok: 201 }) }),
  'DELETE /api/keys/:id': async (s, c) => {
    // A key revokes itself; a session revokes a key it made.
    if (c.kind !== 'session') {
      const { key, record } = await s.auth.createKey(null, { name: 'self-revoking', role: c.role ?? 'viewer' }, { address: null });
      return { path: `/api/keys/${record.id}`, cred: c.kind === 'key' ? { name: 'fresh key', headers: () => ({ authorization: `Bearer ${key}` }) } : c.cred };
    }
    const res = await fetch(`${s.url}/api/keys`, { method: 'POST', headers: { ...c.cred.headers(true), 'content-type': 'application/json' }, body: JSON.stringify({ name: 'to revoke', role: 'viewer' }) });
    return { path: `/api/keys/${((await res.json()) as { record: { id: string } }).record.id}` };
  },
  'GET /api/audit': () => ({ path: '/api/audit?limit=5' }),
  'GET /api/cameras': () => ({ path: '/api/cameras' }),
  'GET /api/cameras/:id': () => ({ path: '/api/cameras/cam1' }),
  'GET /api/cameras/:id/latest.jpg': () => ({ path: '/api/cameras/cam1/latest.jpg' }),
  'GET /api/cameras/:id/grid': () => ({ path: '/api/cameras/cam1/grid' }),
  'GET /api/cameras/:id/live.mjpeg': () => ({ path: '/api/cameras/cam1/live.mjpeg' }),
  'GET /api/schemas/event.json': () => ({ path: '/api/schemas/event.json' }),
  'GET /api/events': () => ({ path: '/api/events?camera=cam1' }),
  'GET /api/events/histogram': () => ({ path: '/api/events/histogram?camera=cam1&buckets=24' }),
  'GET /api/events/:id': (s) => ({ path: `/api/events/${s.eventIds[0]}` }),
  'PATCH /api/events/:id': (s) => ({ path: `/api/events/${s.eventIds[1]}`, body: { keep: true } }),
  'GET /api/events/:id/snapshot.jpg': (s) => ({ path: `/api/events/${s.eventIds[0]}/snapshot.jpg`, ok: 404, okCode: 'SNAPSHOT_NOT_FOUND' }),
  'GET /api/events/:id/clip.mp4': (s) => ({ path: `/api/events/${s.eventIds[0]}/clip.mp4`, ok: 404, okCode: 'RECORDING_NOT_FOUND' }),
  'GET /api/analytics/occupancy': () => ({ path: '/api/analytics/occupancy?camera=cam1&zone=yard' }),
  'GET /api/analytics/lines': () => ({ path: '/api/analytics/lines?camera=cam1' }),
  'GET /api/site': () => ({ path: '/api/site' }),
  'GET /api/cluster': () => ({ path: '/api/cluster' }),
  'POST /api/site/calibration': () => ({ path: '/api/site/calibration', body: { pointPairs: [{ imagePx: [0, 0], planM: [0, 0] }, { imagePx: [100, 0], planM: [5, 0] }, { imagePx: [100, 100], planM: [5, 5] }, { imagePx: [0, 100], planM: [0, 5] }] } }),
  'GET /api/tracks': () => ({ path: '/api/tracks?camera=cam1' }),
  'GET /api/areas/:id/occupancy': () => ({ path: '/api/areas/lobby/occupancy?bucket=5m' }),
  'GET /api/site/heatmap': () => ({ path: '/api/site/heatmap?plan=floor&cellM=1' }),
  'PUT /api/site': (s) => ({ path: '/api/site', body: s.configs.current().site }),
  'GET /api/site/plans/:id/image': () => ({ path: '/api/site/plans/floor/image' }),
  'PUT /api/site/plans/:id/image': () => ({ path: '/api/site/plans/floor/image', raw: { type: 'image/jpeg', data: TINY_JPEG } }),
  'GET /api/destinations': () => ({ path: '/api/destinations' }),
  'GET /api/destinations/:id': () => ({ path: '/api/destinations/hook' }),
  'POST /api/destinations/:id/test': () => ({ path: '/api/destinations/hook/test' }),
  'POST /api/destinations/:id/enable': () => ({ path: '/api/destinations/hook/enable' }),
  'GET /api/deliveries': () => ({ path: '/api/deliveries' }),
  'GET /api/deliveries/:id': () => ({ path: '/api/deliveries/1', ok: 404, okCode: 'DELIVERY_NOT_FOUND' }),
  'POST /api/deliveries/:id/retry': () => ({ path: '/api/deliveries/1/retry', ok: 404, okCode: 'DELIVERY_NOT_FOUND' }),
  'GET /api/recordings': () => ({ path: '/api/recordings?camera=cam1' }),
  'GET /api/recordings/status': () => ({ path: '/api/recordings/status' }),
  'GET /api/recordings/clip.mp4': () => ({ path: '/api/recordings/clip.mp4?camera=cam1&from=1767225600000&to=1767225660000', ok: 404, okCode: 'RECORDING_NOT_FOUND' }),
  'GET /api/recordings/*': () => ({ path: '/api/recordings/cam1/2026-01-01/1767225600000-1767225660000.mp4', ok: 404, okCode: 'RECORDING_NOT_FOUND' }),
  'POST /api/cameras/probe': () => ({ path: '/api/cameras/probe', body: { url: '/no/such/video.mp4', timeoutMs: 1000 } }),
  'POST /api/cameras': () => ({ path: '/api/cameras', body: { id: unique('c'), source: { url: 'rtsp://example/new' } }, ok: 201 }),
  'GET /api/cameras/:id/config': () => ({ path: '/api/cameras/cam1/config' }),
  'PUT /api/cameras/:id': async (s) => ({ path: `/api/cameras/${await throwawayCamera(s)}`, body: { source: { url: 'rtsp://example/changed' } } }),
  'PATCH /api/cameras/:id': async (s) => ({ path: `/api/cameras/${await throwawayCamera(s)}`, body: { enabled: false } }),
  'DELETE /api/cameras/:id': async (s) => ({ path: `/api/cameras/${await throwawayCamera(s)}` }),
  'POST /api/cameras/:id/grid/accept': () => ({ path: '/api/cameras/cam1/grid/accept', body: {}, ok: 400, okCode: 'CONFIG_REJECTED' }),
  ...geometryExamples('zones', () => ({ id: unique('z'), polygon: [[0, 0], [1, 0], [1, 1]] })),
  ...geometryExamples('lines', () => ({ id: unique('l'), points: [[0.5, 0], [0.5, 1]] })),
  ...geometryExamples('rules', () => ({ id: unique('r'), type: 'presence', zone: 'all' })),
  'GET /api/config': () => ({ path: '/api/config' }),
  'GET /api/config/export': () => ({ path: '/api/config/export?secrets=mask' }),
  'PUT /api/config': (s) => ({ path: '/api/config', body: s.configs.current() }),
  'GET /api/config/versions': () => ({ path: '/api/config/versions?limit=5' }),
  'GET /api/config/versions/:version': () => ({ path: '/api/config/versions/1' }),
  'POST /api/config/rollback': async (s) => {
    await throwawayCamera(s);
    return { path: '/api/config/rollback' };
  },
  'GET /api/settings': () => ({ path: '/api/settings' }),
  'PATCH /api/settings': () => ({ path: '/api/settings', body: { recording: { checkSeconds: 30 + (counter++ % 5) } } }),
  'POST /api/destinations': () => ({ path: '/api/destinations', body: { type: 'webhook', id: unique('d'), url: 'http://127.0.0.1:9/new', secret: SECRET }, ok: 201 }),
  'GET /api/destinations/:id/config': () => ({ path: '/api/destinations/hook/config' }),
  'PUT /api/destinations/:id': async (s) => ({ path: `/api/destinations/${await throwawayDestination(s)}`, body: { type: 'webhook', url: 'http://127.0.0.1:9/changed' } }),
  'DELETE /api/destinations/:id': async (s) => ({ path: `/api/destinations/${await throwawayDestination(s)}` }),
  'POST /api/infer/:model': () => ({ path: '/api/infer/yolox-nano', raw: { type: 'image/jpeg', data: TINY_JPEG } }),
  'POST /api/jobs': () => ({ path: '/api/jobs', body: { source: { url: 'http://127.0.0.1:9/v.mp4' } }, ok: 201 }),
  'POST /api/jobs/upload': () => ({ path: '/api/jobs/upload?name=pose.mp4', raw: { type: 'video/mp4', data: SMALL_VIDEO }, ok: 201 }),
  'GET /api/jobs': () => ({ path: '/api/jobs?limit=5' }),
  'GET /api/jobs/:id': async (s) => ({ path: `/api/jobs/${await queuedJob(s)}` }),
  'POST /api/jobs/:id/cancel': async (s) => ({ path: `/api/jobs/${await queuedJob(s)}/cancel` }),
  'DELETE /api/jobs/:id': async (s) => ({ path: `/api/jobs/${await queuedJob(s)}`, ok: 204 }),
  'GET /api/jobs/:id/events': async (s) => ({ path: `/api/jobs/${await queuedJob(s)}/events`, ok: 409, okCode: 'JOB_NOT_FINISHED' }),
  'GET /api/jobs/:id/annotated.mp4': async (s) => ({ path: `/api/jobs/${await queuedJob(s)}/annotated.mp4`, ok: 409, okCode: 'JOB_NOT_FINISHED' }),
  'GET /api/jobs/:id/tracks.txt': async (s) => ({ path: `/api/jobs/${await queuedJob(s)}/tracks.txt`, ok: 409, okCode: 'JOB_NOT_FINISHED' }),
  'GET /api/models': () => ({ path: '/api/models' }),
  'GET /api/models/:id': async (s) => ({ path: `/api/models/${(await uploaded(s, false)).id}` }),
  'POST /api/models': () => ({ path: `/api/models?id=${unique('m')}`, raw: { type: 'application/octet-stream', data: ONNX }, ok: 201 }),
  'POST /api/models/:id/versions/:version/confirm': async (s) => ({ path: `/api/models/${(await uploaded(s, false)).id}/versions/1/confirm`, body: {} }),
  'POST /api/models/:id/versions/:version/activate': async (s) => ({ path: `/api/models/${(await uploaded(s, true)).id}/versions/1/activate` }),
  'POST /api/models/:id/rollback': async (s) => {
    const { id } = await uploaded(s, true);
    await s.models.upload('test', id, 'm.onnx', Readable.from(ONNX), null);
    await s.models.confirm(id, 2, {}, true);
    return { path: `/api/models/${id}/rollback` };
  },
  'DELETE /api/models/:id/versions/:version': async (s) => ({ path: `/api/models/${(await uploaded(s, false)).id}/versions/1`, ok: 204 }),
  'WS /api/ws': () => ({ path: '/api/ws' }),
  'WS /api/cameras/:id/live': () => ({ path: '/api/cameras/cam1/live' }),
};

const SMALL_VIDEO = readFileSync(asset('videos/pose_1.mp4'));
const ONNX = readFileSync(asset('models/yolox_nano.onnx'));

/** A fresh uploaded model with one version, confirmed (and so active) when asked. */
async function uploaded(s: AuthServer, confirm: boolean): Promise<{ id: string }> {
  const id = unique('m');
  await s.models.upload('test', id, 'm.onnx', Readable.from(ONNX), null);
  if (confirm) await s.models.confirm(id, 1, {}, false);
  return { id };
}

async function queuedJob(s: AuthServer): Promise<string> {
  return (await s.jobs.create('test', { kind: 'url', url: 'http://127.0.0.1:9/v.mp4' }, {})).id;
}

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const TEST_ACTOR = { name: 'test' };

async function throwawayCamera(s: AuthServer): Promise<string> {
  const id = unique('tc');
  await s.configs.change(TEST_ACTOR, 'test', (d) => void d.cameras.push({ id, source: { url: 'rtsp://example/throwaway' } }));
  return id;
}

async function throwawayDestination(s: AuthServer): Promise<string> {
  const id = unique('td');
  await s.configs.change(TEST_ACTOR, 'test', (d) => void d.delivery.destinations.push({ type: 'webhook', id, url: 'http://127.0.0.1:9/t', secret: SECRET }));
  return id;
}

/** Examples of the list/add/replace/delete routes of a camera's zones, lines or rules (on camera cam2). */
function geometryExamples(kind: 'zones' | 'lines' | 'rules', item: () => Record<string, unknown>): Record<string, (s: AuthServer) => Promise<Call> | Call> {
  const base = `/api/cameras/:id/${kind}`;
  const existing = async (s: AuthServer) => {
    const it = item();
    await s.configs.change(TEST_ACTOR, 'test', (d) => {
      const cam = d.cameras.find((c) => c['id'] === 'cam2')!;
      cam[kind] = [...((cam[kind] as unknown[] | undefined) ?? []), it];
    });
    return it;
  };
  return {
    [`GET ${base}`]: () => ({ path: `/api/cameras/cam2/${kind}` }),
    [`PUT ${base}`]: (s) => ({ path: `/api/cameras/cam2/${kind}`, body: { items: (s.configs.current().cameras.find((c) => c.id === 'cam2')![kind] as unknown[]) } }),
    [`POST ${base}`]: () => ({ path: `/api/cameras/cam2/${kind}`, body: item(), ok: 201 }),
    [`PUT ${base}/:itemId`]: async (s) => {
      const it = await existing(s);
      return { path: `/api/cameras/cam2/${kind}/${String(it['id'])}`, body: it };
    },
    [`DELETE ${base}/:itemId`]: async (s) => ({ path: `/api/cameras/cam2/${kind}/${String((await existing(s))['id'])}` }),
  };
}

async function newUser(s: AuthServer, role: Role): Promise<{ id: string; username: string }> {
  const username = unique('t');
  const admin = { kind: 'session', role: 'admin', userId: s.userIds.admin, username: 'admin', actor: 'user:admin', cameraIds: null, mustChangePassword: false } as const;
  const user = await s.auth.createUser(admin, { username, password: USER_PASSWORD, role }, { address: null });
  return { id: user.id, username };
}

async function freshSession(s: AuthServer, role: Role): Promise<Credential> {
  return s.login((await newUser(s, role)).username, USER_PASSWORD);
}

async function throwawayUser(s: AuthServer): Promise<string> {
  return (await newUser(s, 'viewer')).id;
}

/** The answer of one call: status, JSON body (when JSON), or the WebSocket's upgrade result. */
async function call(s: AuthServer, method: string, websocket: boolean, c: Call, cred: Credential): Promise<{ status: number; body: unknown; type: string }> {
  const headers = cred.headers(method !== 'GET');
  if (websocket) {
    return new Promise((resolve) => {
      const ws = new WebSocket(`${s.url.replace('http', 'ws')}${c.path}`, { headers });
      ws.on('open', () => {
        ws.close();
        resolve({ status: 101, body: null, type: 'websocket' });
      });
      ws.on('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || 'null'), type: String(res.headers['content-type']) }));
      });
    });
  }
  const ac = new AbortController();
  const res = await fetch(`${s.url}${c.path}`, {
    method, signal: ac.signal,
    headers: { ...headers, ...(c.raw ? { 'content-type': c.raw.type } : c.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(c.raw ? { body: Buffer.from(c.raw.data) } : c.body !== undefined ? { body: JSON.stringify(c.body) } : {}),
  });
  const type = res.headers.get('content-type') ?? '';
  if (type.startsWith('multipart/')) {
    ac.abort();
    return { status: res.status, body: null, type };
  }
  const text = await res.text();
  return { status: res.status, body: type.includes('json') ? JSON.parse(text) : text, type };
}

for (const kind of ['pglite', 'postgres'] as const) {
  test(`every route answers each caller as docs/security.md says, with bodies matching the OpenAPI schemas (${kind})`, { timeout: 240_000 }, async (t) => {
    const database = await openTestDatabase(kind);
    if (!database) {
      if (process.env['CI'] === 'true') assert.fail('PG_TEST_URL is not set but CI=true');
      t.skip('PG_TEST_URL is not set');
      return;
    }
    const s = await startAuthServer(database.db);
    try {
      const doc = (await (await fetch(`${s.url}/api/openapi.json`, { headers: s.keys.admin.headers() })).json()) as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>> };
      const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
      const table = await routeTable();
      const toDoc = (url: string) => url.replace(/:(\w+)/g, '{$1}').replace(/\*$/, '{*}');
      const routes = table.filter((r) => r.access !== 'static' || r.url === '/' || r.url === '/live-player.js');

      // The document lists every registered route (but the page, its script and the reference's own files).
      const missing = table.filter((r) => r.access !== 'static' && !r.url.startsWith('/api/docs') && !doc.paths[toDoc(r.url)]?.[r.method.toLowerCase()]).map((r) => `${r.method} ${r.url}`);
      assert.deepEqual(missing, [], 'routes missing from /api/openapi.json');
      const noExample = routes.map((r) => `${r.websocket ? 'WS' : r.method} ${r.url}`).filter((k) => !EXAMPLES[k]);
      assert.deepEqual(noExample, [], 'routes without an example in EXAMPLES (add one: how an allowed caller gets its answer)');

      const callers: Caller[] = [
        { name: 'anonymous', role: null, kind: 'none', cred: s.anonymous, code401: 'AUTH_REQUIRED' },
        { name: 'revoked key', role: null, kind: 'none', cred: s.revokedKey, code401: 'AUTH_INVALID' },
        { name: 'ended session', role: null, kind: 'none', cred: s.endedSession, code401: 'SESSION_EXPIRED' },
        ...ROLES.flatMap((role): Caller[] => [
          { name: `${role} session`, role, kind: 'session', cred: s.sessions[role] },
          { name: `${role} key`, role, kind: 'key', cred: s.keys[role] },
        ]),
      ];
      let checked = 0;
      const problems: string[] = [];
      for (const route of routes) {
        const key = `${route.websocket ? 'WS' : route.method} ${route.url}`;
        const responses = doc.paths[toDoc(route.url)]?.[route.method.toLowerCase()]?.responses ?? {};
        for (const caller of callers) {
          const example = await EXAMPLES[key]!(s, caller);
          const allowed = passes(route.access, caller.role);
          const got = await call(s, route.method, route.websocket, example, example.cred ?? caller.cred);
          checked++;
          const want = allowed ? (route.websocket ? 101 : (example.ok ?? 200)) : caller.role === null ? 401 : 403;
          const where = `${key} as ${caller.name}`;
          if (got.status !== want) {
            problems.push(`${where}: expected ${want}, got ${got.status} ${JSON.stringify(got.body).slice(0, 200)}`);
            continue;
          }
          const code = (got.body as { error?: { code?: string } } | null)?.error?.code;
          if (!allowed) {
            const wantCode = caller.role === null ? caller.code401 : 'FORBIDDEN';
            if (code !== wantCode) problems.push(`${where}: expected code ${wantCode}, got ${code}`);
          } else if (example.okCode && code !== example.okCode) problems.push(`${where}: expected code ${example.okCode}, got ${code}`);
          if (got.status >= 400) {
            if (!code || !(code in ERROR_CODES)) problems.push(`${where}: error code ${code} is not in ERROR_CODES`);
          }
          // Every JSON answer matches the route's response schema in the document.
          const schema = responses[String(got.status)]?.content?.['application/json']?.schema;
          if (got.type.includes('json') && !route.url.startsWith('/api/docs') && route.url !== '/api/openapi.json') {
            if (!schema) problems.push(`${where}: no schema for status ${got.status} in the document`);
            else if (!ajv.validate(schema, got.body)) problems.push(`${where}: body does not match its schema: ${ajv.errorsText(ajv.errors).slice(0, 300)}`);
          }
        }
      }
      assert.deepEqual(problems, [], `${problems.length} of ${checked} calls answered otherwise`);
      assert.ok(checked >= routes.length * callers.length);
    } finally {
      await s.stop();
      await database.dispose();
    }
  });
}

test('docs/security.md is generated from the routes and up to date (run `npm run docs`)', async () => {
  assert.equal(readFileSync(new URL('../docs/security.md', import.meta.url), 'utf8'), await renderSecurityDocs());
});

test('docs/openapi.json (where the dashboard\'s payload types come from) is the served document and up to date (run `npm run docs`)', async () => {
  const written = readFileSync(new URL('../docs/openapi.json', import.meta.url), 'utf8');
  assert.equal(written, await renderOpenApiDocument());
  const doc = JSON.parse(written) as { openapi: string; paths: Record<string, unknown> };
  assert.equal(doc.openapi, '3.1.0');
  for (const r of await routeTable()) {
    if (r.access === 'static' || r.url.startsWith('/api/docs/') || r.websocket) continue;
    const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}').replace(/\*$/, '{*}');
    assert.ok(doc.paths[path], `${r.method} ${r.url} is in the document`);
  }
});

test('a camera-scoped key sees only its cameras: lists are filtered, other cameras and unscoped routes refused', { timeout: 60_000 }, async () => {
  const database = (await openTestDatabase('pglite'))!;
  const s = await startAuthServer(database.db);
  try {
    const { key } = await s.auth.createKey(null, { name: 'gate only', role: 'viewer', cameraIds: ['cam2'] }, { address: null });
    const get = async (path: string) => {
      const res = await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
      return { status: res.status, body: (await res.json()) as any };
    };
    assert.deepEqual((await get('/api/cameras')).body.cameras.map((c: { id: string }) => c.id), ['cam2']);
    assert.equal((await get('/api/cameras/cam2')).status, 200);
    assert.equal((await get('/api/cameras/cam1')).status, 403);
    assert.equal((await get('/api/events?camera=cam1')).status, 403);
    assert.match((await get('/api/events')).body.error.message, /limited to cameras cam2; name one with \?camera=/);
    assert.equal((await get('/api/events?camera=cam2')).status, 200);
    assert.equal((await get(`/api/events/${s.eventIds[0]}`)).status, 403, 'an event of cam1');
    assert.equal((await get('/api/recordings/status')).status, 403, 'a route about every camera');
    const hello = await new Promise<any>((resolve, reject) => {
      const ws = new WebSocket(`${s.url.replace('http', 'ws')}/api/ws`, { headers: { authorization: `Bearer ${key}` } });
      ws.on('message', (m) => {
        resolve(JSON.parse(String(m)));
        ws.close();
      });
      ws.on('error', reject);
    });
    assert.deepEqual(hello.cameras.map((c: { id: string }) => c.id), ['cam2']);
    // A scoped key makes only keys within its scope.
    const made = await fetch(`${s.url}/api/keys`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'wider', role: 'viewer' }) });
    assert.equal(made.status, 403);
  } finally {
    await s.stop();
    await database.dispose();
  }
});
