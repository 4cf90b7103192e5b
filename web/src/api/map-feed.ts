/**
 * The live map: its own WebSocket to /api/ws?types=map while a page shows the map (the page-wide feed carries events
 * and jobs only), reconnecting with backoff. The server sends a message a few times a second when someone moved.
 */
import { useEffect, useState } from 'react';
import { reconnectDelayMs } from '../lib/backoff';
import { Trails } from '../lib/plan-geometry';
import { connection } from './connection';
import type { MapPersonJson } from './site';

/** How long a person's trail is, in milliseconds. */
export const TRAIL_MS = 10_000;

/** The last map message, and the trails of everyone on it. */
export interface LiveMap {
  readonly timeMs: number;
  readonly people: readonly MapPersonJson[];
  readonly occupancy: Readonly<Record<string, number>>;
  readonly trails: Trails;
}

interface MapMessage { type: 'map'; timeMs: number; people: MapPersonJson[]; occupancy: Record<string, number> }

/** The live map while the calling component is shown; null until the first message. */
export function useLiveMap(): LiveMap | null {
  const [map, setMap] = useState<LiveMap | null>(null);
  useEffect(() => {
    const trails = new Trails(TRAIL_MS);
    let socket: WebSocket | null = null;
    let stopped = false;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const open = () => {
      const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/ws?types=map`);
      socket = ws;
      ws.onopen = () => {
        attempt = 0;
        connection.reachable();
      };
      ws.onmessage = (m) => {
        if (typeof m.data !== 'string') return;
        let msg: MapMessage;
        try {
          msg = JSON.parse(m.data) as MapMessage;
        } catch {
          return;
        }
        if (msg.type !== 'map') return;
        trails.update(msg.timeMs, msg.people);
        setMap({ timeMs: msg.timeMs, people: msg.people, occupancy: msg.occupancy, trails });
      };
      ws.onclose = () => {
        socket = null;
        if (!stopped) timer = setTimeout(open, reconnectDelayMs(attempt++, Math.random()));
      };
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      socket?.close();
    };
  }, []);
  return map;
}
