/** The live message fan-out: what the cameras publish goes to every WebSocket client and in-process listener. */
import type { LiveMessage } from '../pipeline/live-messages.ts';

/** A WebSocket fan-out for live messages; `publish` is handed to the camera workers and the event bus. */
export class LiveHub {
  private readonly clients = new Map<{ send(data: string): void; readyState: number }, ((m: LiveMessage) => boolean) | undefined>();
  private readonly listeners = new Set<(m: LiveMessage) => void>();

  /** Sends a message to every open client and every listener. */
  publish = (message: LiveMessage): void => {
    for (const l of this.listeners) l(message);
    if (this.clients.size === 0) return;
    let data: string | undefined;
    for (const [c, only] of this.clients) {
      if (c.readyState !== 1 || (only && !only(message))) continue;
      data ??= JSON.stringify(message);
      c.send(data);
    }
  };

  /** Adds a WebSocket client until it closes; `only` picks the messages it gets (a camera-scoped key's cameras). */
  add(client: { send(data: string): void; readyState: number; on(ev: 'close', cb: () => void): void }, only?: (m: LiveMessage) => boolean): void {
    this.clients.set(client, only);
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
