/**
 * Live view routes: the fragmented-MP4 WebSocket with its metadata channel, the MJPEG fallback and the player script.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import { canSeeCamera, type Principal } from '../../auth/principal.ts';
import { AppError } from '../../core/errors.ts';
import type { MediaListener } from '../../live/media-stream.ts';
import type { LiveMessage } from '../../pipeline/live-messages.ts';
import type { CameraHandle } from '../camera-handle.ts';
import { ERRORS, IdParams } from '../schemas.ts';
import type { App, RouteContext } from './context.ts';

/** A viewer whose socket holds more than this is skipped until the next keyframe (a slow client never stalls others). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

const PLAYER = readFileSync(new URL('../live-player.js', import.meta.url), 'utf8');
/** How often open sockets' sessions and keys are checked again (expiry; revocations close them at once). */
const RECHECK_MS = 10_000;
const tags = ['live'];


interface Socket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string | Buffer): void;
  close(code?: number, reason?: string): void;
  on(ev: 'close', cb: () => void): void;
}

/**
 * A plain GET of a WebSocket route (no `Upgrade: websocket`) gets the API's error answer after the access checks,
 * instead of @fastify/websocket's empty 404.
 */
async function upgradeOnly(req: FastifyRequest): Promise<void> {
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') {
    throw new AppError('BAD_REQUEST', `${req.url.split('?')[0]!.slice(0, 200)} is a WebSocket: send GET with "Connection: Upgrade" and "Upgrade: websocket"`);
  }
}

/**
 * Open sockets by principal: a revoked session or key closes its sockets at once (code 4401), an expired one within
 * RECHECK_MS.
 */
function socketGuard(ctx: RouteContext) {
  const open = new Map<Socket, Principal>();
  const closeWhere = (match: (p: Principal) => boolean) => {
    for (const [socket, p] of open) if (match(p)) socket.close(4401, 'session or key revoked');
  };
  ctx.auth?.onRevoke((r) => closeWhere((p) => ('keyId' in r ? p.keyId === r.keyId : p.sessionId !== undefined && r.sessionIds.includes(p.sessionId))));
  const timer = setInterval(() => {
    for (const [socket, p] of open) {
      void ctx.auth?.stillValid(p).then((ok) => ok || socket.close(4401, 'session or key expired'), () => undefined);
    }
  }, RECHECK_MS);
  timer.unref();
  return {
    add(socket: Pick<Socket, 'close' | 'on'>, p: Principal) {
      if (ctx.auth === null) return;
      open.set(socket as Socket, p);
      socket.on('close', () => open.delete(socket as Socket));
    },
    stop: () => clearInterval(timer),
  };
}

const MESSAGE_TYPES = ['tracks', 'event', 'job', 'map'] as const;

/**
 * The message types a `/api/ws` client asks for (`?types=event,job`), null for all; an unknown one is a 400 naming the
 * known ones. A dashboard that draws tracks from each camera's own socket need not parse every camera's tracks twice.
 */
function parseMessageTypes(raw: string | undefined): Set<string> | null {
  if (raw === undefined || raw === '') return null;
  const types = raw.split(',').map((t) => t.trim()).filter(Boolean);
  const unknown = types.filter((t) => !(MESSAGE_TYPES as readonly string[]).includes(t));
  if (unknown.length > 0) throw new AppError('BAD_REQUEST', `types: unknown message type "${unknown[0]}"; expected a comma-separated list of ${MESSAGE_TYPES.join(', ')}`);
  return new Set(types);
}

/** The live routes: the fMP4 WebSocket per camera, the event/track WebSocket, MJPEG and the player script. */
export async function liveRoutes(app: App, ctx: RouteContext): Promise<void> {
  const deps = { findCamera: ctx.findCamera, listen: ctx.hub.listen };
  const guard = socketGuard(ctx);
  app.addHook('onClose', async () => guard.stop());
  app.get('/live-player.js', { config: { access: 'static' }, schema: { hide: true } }, (_req, reply) => reply.type('text/javascript; charset=utf-8').send(PLAYER));

  app.get('/api/ws', {
    websocket: true, config: { access: 'viewer', camera: 'handler' },
    // Checked before the upgrade, so a wrong `types` is a 400 with its reason rather than a socket that closes.
    preHandler: [upgradeOnly, async (req: FastifyRequest) => void parseMessageTypes((req.query as { types?: string }).types)],
    schema: {
      tags, summary: 'WebSocket: hello, then every event version and the tracks of each analysed frame (of the cameras the principal may see)',
      querystring: z.object({ types: z.string().max(100).optional().describe('Only these message types, comma-separated: tracks, event, job, map (default all).') }).strict(),
      response: { 101: z.any(), ...ERRORS },
    },
  }, (raw, req) => {
    const socket = raw as unknown as Socket & { send(d: string): void };
    const p = req.principal;
    const types = parseMessageTypes((req.query as { types?: string }).types);
    guard.add(socket, p);
    // Camera-scoped keys get their cameras' messages only (jobs and the site's map belong to no camera).
    const visible = (m: LiveMessage) => p.cameraIds === null || (m.type !== 'job' && m.type !== 'map' && canSeeCamera(p, m.type === 'event' ? m.event.cameraId : m.cameraId));
    ctx.hub.add(socket, types === null && p.cameraIds === null ? undefined : (m) => (types === null || types.has(m.type)) && visible(m));
    socket.send(JSON.stringify({ type: 'hello', cameras: ctx.cameras().filter((c) => canSeeCamera(p, c.id)).map((c) => c.status()) }));
  });

  /*
   * Protocol: JSON text messages describe, binary messages carry video. `{"type":"init", "mime", "codec", "width",
   * "height"}` is followed by one binary message, the init segment; every later binary message is one fragment (one
   * frame). A new `init` means the stream restarted: start a new SourceBuffer. `{"type":"zones", "zones", "lines"}` comes first,
   * `{"type":"tracks", "pts", ...}` for each analysed frame (pts: seconds on the video's timeline), and `event`
   * messages for this camera's events.
   */
  app.get('/api/cameras/:id/live', {
    websocket: true, config: { access: 'viewer', camera: 'param' }, preHandler: upgradeOnly,
    schema: { tags, summary: 'WebSocket: the camera\'s live fragmented MP4 with zones, tracks and events as JSON messages', params: IdParams, response: { 101: z.any(), ...ERRORS } },
  }, (raw, req) => {
    const socket = raw as unknown as Socket;
    guard.add(socket, req.principal);
    let cam: CameraHandle;
    try {
      cam = deps.findCamera(req.params.id);
    } catch (err) {
      socket.send(JSON.stringify({ type: 'error', error: { code: 'CAMERA_NOT_FOUND', message: (err as Error).message } }));
      socket.close(1008, 'camera not found');
      return;
    }
    const status = cam.status();
    const { zones, lines } = cam.overlays();
    socket.send(JSON.stringify({ type: 'zones', cameraId: status.id, zones, lines }));
    const open = () => socket.readyState === 1;
    let skipping = false;
    const listener: MediaListener = {
      init(init) {
        if (!open()) return;
        skipping = false;
        socket.send(JSON.stringify({ type: 'init', codec: init.codec, mime: `video/mp4; codecs="${init.codec ?? 'avc1.42e01e'}"`, width: init.width, height: init.height }));
        socket.send(init.data);
      },
      fragment(fragment) {
        if (!open()) return;
        if (skipping && !fragment.keyframe) return;
        skipping = socket.bufferedAmount > MAX_BUFFERED_BYTES;
        if (!skipping) socket.send(fragment.data);
      },
    };
    const unsubscribeMedia = cam.subscribeMedia(listener);
    if (!unsubscribeMedia) {
      socket.send(JSON.stringify({ type: 'error', error: { code: 'LIVE_DISABLED', message: `camera "${status.id}" has no live video (live.enabled: false, or it is not running: ${status.state}); use /api/cameras/${status.id}/live.mjpeg` } }));
    }
    const unsubscribeMessages = deps.listen((m) => {
      if (!open()) return;
      if ((m.type === 'tracks' && m.cameraId === status.id) || (m.type === 'event' && m.event.cameraId === status.id)) socket.send(JSON.stringify(m));
    });
    socket.on('close', () => {
      unsubscribeMedia?.();
      unsubscribeMessages();
    });
  });

  /** MJPEG fallback for clients without Media Source Extensions: the analysed frames with their boxes drawn. */
  app.get('/api/cameras/:id/live.mjpeg', {
    config: { access: 'viewer', camera: 'param' },
    schema: {
      tags, summary: 'MJPEG of the analysed frames with boxes drawn (for clients without Media Source Extensions)', params: IdParams,
      querystring: z.object({ fps: z.string().max(20).optional() }).strict(), response: { 200: z.any().describe('multipart/x-mixed-replace'), ...ERRORS },
    },
  }, async (req, reply) => {
    const cam = deps.findCamera(req.params.id);
    const fps = Math.min(30, Math.max(0.2, Number(req.query.fps ?? cam.status().fpsProcessed) || 5));
    const boundary = 'sightlineframe';
    reply.hijack();
    const res = reply.raw;
    // Revoking the session or key ends the stream, as it closes a WebSocket.
    guard.add({ close: () => res.destroy(), on: (_ev, cb) => req.raw.on('close', cb) }, req.principal);
    res.writeHead(200, { 'content-type': `multipart/x-mixed-replace; boundary=${boundary}`, 'cache-control': 'no-store', connection: 'close' });
    let closed = false;
    req.raw.on('close', () => (closed = true));
    let last: Uint8Array | null = null;
    while (!closed) {
      const jpeg = await cam.latestJpeg();
      if (jpeg && jpeg !== last && res.writableLength < MAX_BUFFERED_BYTES) {
        last = jpeg;
        res.write(`--${boundary}\r\ncontent-type: image/jpeg\r\ncontent-length: ${jpeg.length}\r\n\r\n`);
        res.write(jpeg);
        res.write('\r\n');
      }
      await new Promise((r) => setTimeout(r, 1000 / fps));
    }
    res.end();
  });
}
