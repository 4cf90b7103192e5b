/**
 * A worker's internal HTTP, for the other nodes of its cluster and for monitoring, on server.host:server.port (a worker
 * serves no public API):
 * - `GET /api/health` and `GET /metrics` (Prometheus, this node's cameras and deliveries), open like the API's own
 *   health check, for container health checks and scrapers;
 * - `GET /internal/cameras/:id/live.mp4`: the camera's fragmented MP4 as it comes (init segment, the fragments since
 *   the last keyframe, then every new fragment; a new init segment when its stream restarts), which an API node
 *   relays to its viewers;
 * - `GET /internal/cameras/:id/latest.jpg`: the newest analysed frame.
 * The internal routes need `Authorization: Bearer SECRET`, the secret the nodes share through the database.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { CameraHandle } from './camera-handle.ts';
import { formatMetrics } from './metrics.ts';

export interface InternalServerDeps {
  readonly cameras: () => readonly CameraHandle[];
  readonly metricsText: () => Promise<string>;
  readonly secret: string;
  readonly nodeId: string;
}

/** Most bytes waiting for a slow reader before fragments are skipped to the next keyframe. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

function authorised(header: string | undefined, secret: string): boolean {
  const want = Buffer.from(`Bearer ${secret}`);
  const got = Buffer.from(header ?? '');
  return got.length === want.length && timingSafeEqual(got, want);
}

/** Starts the server; resolves with it once it listens (port 0: any free port). */
export async function startInternalServer(deps: InternalServerDeps, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://internal');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method !== 'GET') return send(405, { error: { code: 'BAD_REQUEST', message: `expected GET, got ${req.method}` } });
    if (url.pathname === '/api/health') return send(200, { ok: true, node: deps.nodeId, role: 'worker', cameras: deps.cameras().length });
    if (url.pathname === '/metrics') {
      const cams = deps.cameras().map((c) => c.status());
      void deps.metricsText().then((extra) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(formatMetrics(cams) + extra), () => res.writeHead(500).end());
      return;
    }
    const m = /^\/internal\/cameras\/([^/]{1,64})\/(live\.mp4|latest\.jpg)$/.exec(url.pathname);
    if (!m) return send(404, { error: { code: 'BAD_REQUEST', message: `no route ${url.pathname} on this worker's internal HTTP` } });
    if (!authorised(req.headers.authorization, deps.secret)) return send(401, { error: { code: 'AUTH_INVALID', message: 'the cluster\'s internal secret is missing or wrong' } });
    const id = decodeURIComponent(m[1]!);
    const cam = deps.cameras().find((c) => c.id === id);
    if (!cam) return send(404, { error: { code: 'CAMERA_NOT_FOUND', message: `camera "${id}" does not run on node ${deps.nodeId}` } });
    if (m[2] === 'latest.jpg') {
      void cam.latestJpeg().then((jpeg) => {
        if (!jpeg) send(404, { error: { code: 'SNAPSHOT_NOT_FOUND', message: `camera "${id}" has no analysed frame yet` } });
        else res.writeHead(200, { 'content-type': 'image/jpeg', 'cache-control': 'no-store' }).end(jpeg);
      }, () => send(500, { error: { code: 'INTERNAL', message: 'the frame could not be drawn' } }));
      return;
    }
    let skipping = false;
    let started = false;
    const unsubscribe = cam.subscribeMedia({
      init(init) {
        if (!started) {
          res.writeHead(200, { 'content-type': 'video/mp4', 'cache-control': 'no-store' });
          res.flushHeaders();
          started = true;
        }
        skipping = false;
        res.write(init.data);
      },
      fragment(fragment) {
        if (!started || (skipping && !fragment.keyframe)) return;
        skipping = res.writableLength > MAX_BUFFERED_BYTES;
        if (!skipping) res.write(fragment.data);
      },
    });
    if (!unsubscribe) return send(404, { error: { code: 'LIVE_DISABLED', message: `camera "${id}" has no live video (live.enabled: false, or not running)` } });
    if (!started) {
      res.writeHead(200, { 'content-type': 'video/mp4', 'cache-control': 'no-store' });
      res.flushHeaders();
      started = true;
    }
    req.on('close', unsubscribe);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
