/** The live message fan-out: what the cameras publish goes to every WebSocket client and in-process listener. */
import type { LiveMessage } from '../pipeline/live-messages.ts';

/** A WebSocket fan-out for live messages; `publish` is handed to the camera workers and the event bus. */
export class LiveHub {
  private readonly clients = new Set<{ send(data: string): void; readyState: number }>();
  private readonly listeners = new Set<(m: LiveMessage) => void>();

  /** Sends a message to every open client and every listener. */
  publish = (message: LiveMessage): void => {
    for (const l of this.listeners) l(message);
    if (this.clients.size === 0) return;
    const data = JSON.stringify(message);
    for (const c of this.clients) if (c.readyState === 1) c.send(data);
  };

  /** Adds a WebSocket client until it closes. */
  add(client: { send(data: string): void; readyState: number; on(ev: 'close', cb: () => void): void }): void {
    this.clients.add(client);
    client.on('close', () => this.clients.delete(client));
  }

  /** Calls `fn` with every message; returns the function that stops it. */
  listen = (fn: (m: LiveMessage) => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  /** Open WebSocket clients. */
  get size(): number {
    return this.clients.size;
  }
}
