/**
 * Live view routes: the fragmented-MP4 WebSocket with its metadata channel, the MJPEG fallback and the player script.
 */
import type { FastifyInstance, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { readFileSync } from 'node:fs';
import type { MediaListener } from '../live/media-stream.ts';
import type { LiveMessage } from '../pipeline/live-messages.ts';
import type { CameraHandle } from './camera-handle.ts';

/** A viewer whose socket holds more than this is skipped until the next keyframe (a slow client never stalls others). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

const PLAYER = readFileSync(new URL('./live-player.js', import.meta.url), 'utf8');

/** What the live routes need. */
export interface LiveRouteDeps {
  readonly findCamera: (id: string) => CameraHandle;
  /** Subscribes to the pipelines' live messages; returns the function that unsubscribes. */
  readonly listen: (fn: (m: LiveMessage) => void) => () => void;
}

interface Socket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string | Buffer): void;
  close(code?: number, reason?: string): void;
  on(ev: 'close', cb: () => void): void;
}

/** Registers the live routes on `app`. */
export function registerLiveRoutes(app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>, deps: LiveRouteDeps): void {
  app.get('/live-player.js', (_req, reply) => reply.type('text/javascript; charset=utf-8').send(PLAYER));

  /*
   * Protocol: JSON text messages describe, binary messages carry video. `{"type":"init", "mime", "codec", "width",
   * "height"}` is followed by one binary message, the init segment; every later binary message is one fragment (one
   * frame). A new `init` means the stream restarted: start a new SourceBuffer. `{"type":"zones", "zones", "lines"}` comes first,
   * `{"type":"tracks", "pts", ...}` for each analysed frame (pts: seconds on the video's timeline), and `event`
   * messages for this camera's events.
   */
  app.get<{ Params: { id: string } }>('/api/cameras/:id/live', { websocket: true }, (raw, req) => {
    const socket = raw as unknown as Socket;
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
  app.get<{ Params: { id: string }; Querystring: { fps?: string } }>('/api/cameras/:id/live.mjpeg', async (req, reply) => {
    const cam = deps.findCamera(req.params.id);
    const fps = Math.min(30, Math.max(0.2, Number(req.query.fps ?? cam.status().fpsProcessed) || 5));
    const boundary = 'sightlineframe';
    reply.hijack();
    const res = reply.raw;
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
