/**
 * A camera's live video on an API node of a cluster, relayed from the worker that runs it: one connection to the
 * worker's internal HTTP per camera, however many viewers, split into init segment and fragments by the same
 * `CameraMediaStream` a worker uses, so a viewer who joins starts at the last keyframe at once. Connected while someone
 * watches (and 10 s after, for a quick reload); followed to the new worker when the camera moves; retried every
 * second while the worker cannot be reached.
 */
import type { MediaListener } from './media-stream.ts';
import { CameraMediaStream } from './media-stream.ts';

export interface RemoteMediaDeps {
  /** The internal URL of the worker running the camera now, or null. */
  readonly locate: (cameraId: string) => string | null;
  readonly secret: () => string | null;
  readonly now: () => number;
}

const LINGER_MS = 10_000;
const RETRY_MS = 1000;

class Relay {
  readonly stream = new CameraMediaStream();
  viewers = 0;
  private abort: AbortController | null = null;
  private from: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lingerTimer: NodeJS.Timeout | null = null;

  constructor(private readonly cameraId: string, private readonly deps: RemoteMediaDeps) {}

  watch(): void {
    this.viewers++;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    if (!this.timer) {
      this.timer = setInterval(() => this.check(), RETRY_MS);
      this.timer.unref();
      this.check();
    }
  }

  unwatch(): void {
    this.viewers--;
    if (this.viewers > 0) return;
    this.lingerTimer = setTimeout(() => {
      if (this.viewers > 0) return;
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      this.disconnect();
    }, LINGER_MS);
    this.lingerTimer.unref();
  }

  /** Ends the relay at once (the node stops). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.timer = null;
    this.lingerTimer = null;
    this.disconnect();
  }

  private disconnect(): void {
    this.abort?.abort();
    this.abort = null;
    this.from = null;
  }

  /** Connects when not connected, or to the new worker when the camera moved. */
  private check(): void {
    const url = this.deps.locate(this.cameraId);
    if (this.abort && url === this.from) return;
    this.disconnect();
    const secret = this.deps.secret();
    if (!url || !secret) return;
    const abort = new AbortController();
    this.abort = abort;
    this.from = url;
    void (async () => {
      try {
        const res = await fetch(`${url}/internal/cameras/${encodeURIComponent(this.cameraId)}/live.mp4`, { headers: { authorization: `Bearer ${secret}` }, signal: abort.signal });
        if (!res.ok || !res.body) throw new Error(`status ${res.status}`);
        this.stream.begin();
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) this.stream.data(Buffer.from(chunk), this.deps.now());
      } catch {
        // Ended or refused: the next check (each second) connects again.
      } finally {
        if (this.abort === abort) {
          this.abort = null;
          this.from = null;
        }
      }
    })();
  }
}

/** Relays per camera, made when first watched. */
export class RemoteMedia {
  private readonly relays = new Map<string, Relay>();

  constructor(private readonly deps: RemoteMediaDeps) {}

  subscribe(cameraId: string, listener: MediaListener): () => void {
    let relay = this.relays.get(cameraId);
    if (!relay) {
      relay = new Relay(cameraId, this.deps);
      this.relays.set(cameraId, relay);
    }
    const r = relay;
    r.watch();
    const off = r.stream.subscribe(listener, this.deps.now());
    let done = false;
    return () => {
      if (done) return;
      done = true;
      off();
      r.unwatch();
    };
  }

  /** Ends every relay (the node stops). */
  close(): void {
    for (const r of this.relays.values()) r.close();
    this.relays.clear();
  }

  /** The newest analysed frame from the worker, or null. */
  async latestJpeg(cameraId: string): Promise<Uint8Array | null> {
    const url = this.deps.locate(cameraId);
    const secret = this.deps.secret();
    if (!url || !secret) return null;
    try {
      const res = await fetch(`${url}/internal/cameras/${encodeURIComponent(cameraId)}/latest.jpg`, { headers: { authorization: `Bearer ${secret}` }, signal: AbortSignal.timeout(5000) });
      return res.ok ? new Uint8Array(await res.arrayBuffer()) : null;
    } catch {
      return null;
    }
  }
}
