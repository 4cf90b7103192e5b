/**
 * Test support: the HTTP API with authentication on, over a real database (PGlite or PostgreSQL), with a principal of
 * each kind ready: a session cookie (and its CSRF token) and an API key per role, a revoked key, an ended session,
 * stored events and a webhook destination. The cameras are stand-ins (a fixed JPEG, a 1x1 grid): these tests are about
 * the doors, and the camera routes on real video are covered by the server end-to-end tests.
 */
import { startSite } from '../../src/app-site.ts';
import { SqlTrajectoryStore } from '../../src/store/trajectory-repository.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { buildServer } from '../../src/api/server.ts';
import { joinCluster } from '../../src/app-cluster.ts';
import { effectiveCameras } from '../../src/app-cameras.ts';
import type { CameraHandle } from '../../src/api/camera-handle.ts';
import { LiveHub } from '../../src/api/live-hub.ts';
import { AuthService } from '../../src/auth/auth-service.ts';
import { digest, newToken } from '../../src/auth/tokens.ts';
import type { Role } from '../../src/auth/roles.ts';
import { DEFAULT_AUTH, type AuthConfig } from '../../src/config/auth-schema.ts';
import { validateConfig } from '../../src/config/load.ts';
import { Recordings } from '../../src/recording/recordings.ts';
import { RecordingStore } from '../../src/recording/recording-store.ts';
import { createDeliveryService } from '../../src/senders/delivery-service.ts';
import { SqlAnalyticsStore } from '../../src/store/analytics-repository.ts';
import { SqlAuthStore } from '../../src/store/auth-repository.ts';
import { SqlConfigStore } from '../../src/store/config-repository.ts';
import { ConfigService } from '../../src/manage/config-service.ts';
import { createJobs } from '../../src/app-jobs.ts';
import { modelsPort, openModelRegistry } from '../../src/app-models.ts';
import type { ModelsPort } from '../../src/api/routes/models.ts';
import type { JobsPort } from '../../src/api/routes/jobs.ts';
import { SqlJobStore } from '../../src/store/job-repository.ts';
import { SqlEventStore } from '../../src/store/event-repository.ts';
import { FileMediaStore } from '../../src/store/media-store.ts';
import { SqlOutbox } from '../../src/store/outbox-repository.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import type { SqlDatabase } from '../../src/store/sql-database.ts';
import { createScratchDatabase, PG_URL } from '../../src/store/test-databases.ts';
import { presenceEvent } from './events.ts';
import { TINY_JPEG } from './delivery-stack.ts';

export const ADMIN_PASSWORD = 'first-password-for-tests';
export const USER_PASSWORD = 'other-password-for-tests';

/** How a test signs in: cookie (+ CSRF token) or bearer key; `headers` gives what a request carries. */
export interface Credential {
  readonly name: string;
  headers(change?: boolean): Record<string, string>;
}

export interface AuthServer {
  readonly url: string;
  readonly auth: AuthService;
  readonly db: SqlDatabase;
  readonly events: SqlEventStore;
  /** The model registry over the real store and files (its activations restart no camera: they are stand-ins). */
  readonly models: ModelsPort;
  /** Batch jobs over the real queue (never run here: no runner is started). */
  readonly jobs: JobsPort;
  /** The runtime configuration (its changes are stored, not applied: the cameras are stand-ins). */
  readonly configs: ConfigService;
  /** Added to Date.now() by the server's clock (expire sessions without waiting). */
  clock: { offsetMs: number };
  readonly sessions: Readonly<Record<Role, Credential>>;
  readonly keys: Readonly<Record<Role, Credential & { readonly key: string; readonly id: string }>>;
  readonly revokedKey: Credential;
  readonly endedSession: Credential;
  readonly anonymous: Credential;
  /** Ids of stored events (camera cam1). */
  readonly eventIds: readonly string[];
  readonly userIds: Readonly<Record<Role, string>>;
  login(username: string, password: string): Promise<Credential & { csrf: string; cookie: string }>;
  stop(): Promise<void>;
}

export const camera = (id: string): CameraHandle => ({
  id,
  status: () => ({
    id, name: id, url: `rtsp://example/${id}`, enabled: true, state: 'online', model: 'yolox-nano', lastError: null, framesDecoded: 1, framesDropped: 0, restarts: 0,
    fpsMeasured: 5, width: 640, height: 480, fpsProcessed: 5, framesProcessed: 1, framesReplaced: 0, activeTracks: 0, openEvents: 0, framesWithMotion: 0,
    detectorCalls: 1, framesSkipped: 0, lines: [{ id: 'door', in: 0, out: 0 }], zones: [{ id: 'yard', count: 0, labels: {} }], eventLatency: null,
  }),
  latestJpeg: async () => new Uint8Array(TINY_JPEG),
  subscribeMedia: () => null,
  grid: () => ({ rows: 1, columns: 1, sure: true, confidence: 1, doubts: [], tiles: [{ row: 0, column: 0, rect: [0, 0, 1, 1], pixels: [0, 0, 640, 480] }], frames: 10, width: 640, height: 480 }),
  overlays: () => ({ zones: [{ id: 'yard', polygon: [[0, 0], [1, 0], [1, 1]] }], lines: [{ id: 'door', points: [[0.5, 0], [0.5, 1]], in: 'left' }] }),
});

/** Starts the API on `db` with authentication on; `auth` overrides settings (rate limits are lifted unless given). */
export async function startAuthServer(db: SqlDatabase, opts: { auth?: Partial<AuthConfig> } = {}): Promise<AuthServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-auth-'));
  const settings: AuthConfig = { ...DEFAULT_AUTH, rateLimit: { perSecond: 100_000, burst: 100_000 }, lockout: { ...DEFAULT_AUTH.lockout, addressPerMinute: 10_000 }, ...opts.auth };
  const clock = { offsetMs: 0 };
  const now = () => Date.now() + clock.offsetMs;
  const log = pino({ level: 'silent' });
  const store = new SqlAuthStore(db);
  const auth = new AuthService(settings, { store, now, newId: randomUUID, onBackgroundError: () => undefined });
  await auth.ensureFirstAdmin(ADMIN_PASSWORD);
  const events = new SqlEventStore(db);
  const config = validateConfig({
    dataDir: dir,
    cameras: [
      { id: 'cam1', source: { url: 'rtsp://example/cam1' }, calibration: { plan: 'floor', pointPairs: [{ imageNorm: [0.1, 0.9], planM: [1, 1] }, { imageNorm: [0.9, 0.9], planM: [9, 1] }, { imageNorm: [0.8, 0.5], planM: [8, 8] }, { imageNorm: [0.2, 0.5], planM: [2, 8] }] } },
      { id: 'cam2', source: { url: 'rtsp://example/cam2' } },
    ],
    site: { plans: [{ id: 'floor', widthPx: 1000, heightPx: 1000, metresPerPixel: 0.01, image: 'floor.jpg' }], areas: [{ id: 'lobby', plan: 'floor', polygonM: [[0, 0], [5, 0], [5, 5], [0, 5]] }] },
    delivery: { destinations: [{ type: 'webhook', id: 'hook', url: 'http://127.0.0.1:9/hook', secret: `whsec_${randomBytes(32).toString('base64')}` }] },
  });
  if (!config.ok) throw new Error(JSON.stringify(config.problems));
  const delivery = createDeliveryService(config.config, {
    outbox: new SqlOutbox(db), linkKey: randomBytes(32), publicUrl: () => 'http://127.0.0.1:9', readMedia: async () => TINY_JPEG, cameras: () => [], log, owner: 'test',
  });
  const recordings = new Recordings(config.config.recording, config.config.cameras, { store: new RecordingStore(join(dir, 'media')), events, log, now });
  const cams = [camera('cam1'), camera('cam2')];
  const { service: configs } = await ConfigService.open(new SqlConfigStore(db), config.config, now);
  const models = modelsPort(await openModelRegistry(db, dir), () => configs.current(), async () => undefined);
  const jobs = createJobs({
    config: () => configs.current(), log, recordings, store: new SqlJobStore(db), owner: 'test', onUpdate: () => undefined,
    detectorFor: () => Promise.reject(new Error('no models in the access tests')),
  });
  const site = startSite(config.config, config.config.cameras, { store: new SqlTrajectoryStore(db), publish: () => undefined, log, now });
  await site.savePlanImage('floor.jpg', TINY_JPEG);
  const cluster = await joinCluster({ config: config.config, db, nodeId: 'test-node', configs, effectiveCameras, log });
  await cluster.start({ run: async () => undefined, cameras: () => cams, publishHere: () => undefined, closeOpen: async () => undefined, metricsText: async () => '', releaseDeliveries: async () => undefined });
  const app = await buildServer({
    site, cluster,
    cameras: () => cams, events, analytics: new SqlAnalyticsStore(db), media: new FileMediaStore(join(dir, 'media')), log, now, recordings, delivery,
    linkKey: randomBytes(32), auth, configs, jobs: jobs.port, models,
    // A stand-in for the models (these tests are about the doors; test/infer-api.test.ts runs the real ones).
    infer: async (_model, pictures) => ({ task: 'detect', results: pictures.map(() => ({ width: 1, height: 1, detections: [], timings: { decodeMs: 0, inferMs: 0 } })) }),
    security: { ...settings, corsOrigins: [], bodyLimitKb: 64 },
  }, new LiveHub());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

  const eventIds: string[] = [];
  for (let i = 0; i < 3; i++) {
    const e = presenceEvent({ cameraId: 'cam1', startMs: now() - 60_000 + i * 1000, snapshotPath: null });
    await events.upsert(e);
    eventIds.push(e.id);
  }

  const login = async (username: string, password: string) => {
    const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { csrfToken: string };
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    return { name: `session:${username}`, csrf: body.csrfToken, cookie, headers: (change = false) => ({ cookie, ...(change ? { 'x-csrf-token': body.csrfToken } : {}) }) };
  };
  const userIds = { admin: (await store.getUserByName('admin'))!.id } as Record<Role, string>;
  const adminPrincipal = (await auth.sessionPrincipal((await login('admin', ADMIN_PASSWORD)).cookie.split('=')[1]!)) as Exclude<Awaited<ReturnType<AuthService['sessionPrincipal']>>, 'expired' | null>;
  for (const role of ['viewer', 'operator'] as const) {
    userIds[role] = (await auth.createUser(adminPrincipal, { username: `${role}1`, password: USER_PASSWORD, role }, { address: null })).id;
  }
  const sessions = {
    viewer: await login('viewer1', USER_PASSWORD), operator: await login('operator1', USER_PASSWORD), admin: await login('admin', ADMIN_PASSWORD),
  };
  const keyCredential = async (role: Role, name: string) => {
    const { key, record } = await auth.createKey(null, { name, role }, { address: null });
    return { name: `key:${name}`, key, id: record.id, headers: () => ({ authorization: `Bearer ${key}` }) };
  };
  const keys = { viewer: await keyCredential('viewer', 'viewer-key'), operator: await keyCredential('operator', 'operator-key'), admin: await keyCredential('admin', 'admin-key') };
  const revoked = await keyCredential('admin', 'revoked-key');
  await auth.revokeKey(adminPrincipal, revoked.id, { address: null });
  // A session whose absolute expiry has passed, stored as login would have stored it.
  const endedToken = newToken();
  await store.createSession({
    id: digest(endedToken), userId: userIds.admin, createdMs: now() - 10_000, lastSeenMs: now() - 10_000, expiresMs: now() - 1, csrfToken: 'x', revokedMs: null, address: null, userAgent: null,
  });
  return {
    url, auth, db, events, configs, jobs: jobs.port, models, clock, sessions, keys, eventIds, userIds, login,
    revokedKey: { name: 'revoked key', headers: () => ({ authorization: `Bearer ${revoked.key}` }) },
    endedSession: { name: 'ended session', headers: () => ({ cookie: `sightline_session=${endedToken}`, 'x-csrf-token': 'x' }) },
    anonymous: { name: 'anonymous', headers: () => ({}) },
    async stop() {
      await app.close();
      await jobs.stop();
      await site.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Migrated databases for the auth tests: PGlite in memory, and a scratch PostgreSQL database when PG_TEST_URL is set. */
export async function openTestDatabase(kind: 'pglite' | 'postgres'): Promise<{ db: SqlDatabase; dispose(): Promise<void> } | null> {
  if (kind === 'pglite') {
    const db = await openDatabase({});
    return { db, dispose: () => db.close() };
  }
  if (!PG_URL) return null;
  const scratch = await createScratchDatabase();
  const db = await openDatabase({ url: scratch.url });
  return { db, dispose: async () => { await db.close(); await scratch.drop(); } };
}
