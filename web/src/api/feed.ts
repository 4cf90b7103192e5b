/**
 * The live feed: one WebSocket to /api/ws for the whole page (events as they happen, camera status, job progress),
 * reconnecting with backoff when the server goes away. Pages subscribe to the message types they show.
 */
import { reconnectDelayMs } from '../lib/backoff';
import { connection } from './connection';
import type { CameraStatusJson, EventJson } from './client';

/** The messages pages use (the server sends more; unknown types are ignored). */
export type FeedMessage =
  | { type: 'hello'; cameras: CameraStatusJson[] }
  | { type: 'event'; event: EventJson }
  | { type: 'tracks'; cameraId: string } & Record<string, unknown>
  | { type: 'job' } & Record<string, unknown>;

type Listener = (m: FeedMessage) => void;

const listeners = new Set<Listener>();
let socket: WebSocket | null = null;
let attempt = 0;
let timer: ReturnType<typeof setTimeout> | null = null;
let wanted = false;

function open(): void {
  if (!wanted || socket) return;
  // Events and jobs only: each live tile takes its camera's tracks from the camera's own socket.
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/ws?types=event,job`);
  socket = ws;
  ws.onopen = () => {
    attempt = 0;
    connection.reachable();
  };
  ws.onmessage = (m) => {
    if (typeof m.data !== 'string') return;
    let msg: FeedMessage;
    try {
      msg = JSON.parse(m.data) as FeedMessage;
    } catch {
      return;
    }
    for (const f of listeners) f(msg);
  };
  ws.onclose = () => {
    socket = null;
    if (!wanted) return;
    if (attempt > 0) connection.unreachable('the live connection is closed');
    timer = setTimeout(open, reconnectDelayMs(attempt++, Math.random()));
  };
}

export const feed = {
  /** Connects (after login) and keeps reconnecting until `stop`. */
  start(): void {
    wanted = true;
    open();
  },
  stop(): void {
    wanted = false;
    if (timer) clearTimeout(timer);
    socket?.close();
    socket = null;
  },
  subscribe(f: Listener): () => void {
    listeners.add(f);
    return () => listeners.delete(f);
  },
};
