/**
 * Live messages between the nodes of a cluster over Redis pub/sub (the one place `redis` is imported). A worker
 * publishes what its cameras say (tracks, events, status); an API node hands every message on to its WebSocket clients.
 * Live messages are for now: while Redis is away they are dropped, not queued (what matters is stored in PostgreSQL),
 * and they flow again when it is back, without a restart.
 */
import { createClient } from 'redis';
import { AppError, errorMessage } from '../core/errors.ts';
import type { LiveMessage } from '../pipeline/live-messages.ts';

/** The channel every live message goes through. */
export const LIVE_CHANNEL = 'sightline:live';

export interface LiveRelay {
  /** Sends a message to the other nodes (dropped while Redis is away). */
  publish(message: LiveMessage): void;
  /** Whether Redis is connected now. */
  readonly connected: boolean;
  /** Messages dropped because Redis was away. */
  readonly dropped: number;
  close(): Promise<void>;
}

export interface RelayOptions {
  readonly url: string;
  readonly nodeId: string;
  /** Messages of the other nodes; absent: this node only publishes. */
  readonly onMessage?: (message: LiveMessage, fromNode: string) => void;
  readonly log: { info(o: object, msg: string): void; warn(o: object, msg: string): void };
}

const redact = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@');

/** Connects (failing at once, with the fix, when Redis cannot be reached), then keeps reconnecting. */
export async function startRedisRelay(opts: RelayOptions): Promise<LiveRelay> {
  const where = redact(opts.url);
  const probe = createClient({ url: opts.url, socket: { reconnectStrategy: false, connectTimeout: 5000 } });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    throw new AppError('REDIS_UNAVAILABLE', `cannot reach Redis at ${where} (${errorMessage(err) || 'no answer'}); start redis-server there or fix cluster.redisUrl (env SIGHTLINE_CLUSTER__REDIS_URL)`);
  } finally {
    await probe.close().catch(() => undefined);
  }
  const reconnect = (retries: number) => Math.min(100 * 2 ** retries, 2000);
  const pub = createClient({ url: opts.url, disableOfflineQueue: true, socket: { reconnectStrategy: reconnect } });
  let down = false;
  let dropped = 0;
  pub.on('error', (err: unknown) => {
    if (!down) opts.log.warn({ redis: where, err: errorMessage(err) }, 'Redis is away; live messages between nodes are dropped until it is back (stored data is not affected)');
    down = true;
  });
  pub.on('ready', () => {
    if (down) opts.log.info({ redis: where }, 'Redis is back; live messages flow again');
    down = false;
  });
  await pub.connect();
  let sub: ReturnType<typeof createClient> | null = null;
  if (opts.onMessage) {
    const onMessage = opts.onMessage;
    sub = pub.duplicate({ disableOfflineQueue: false });
    sub.on('error', () => undefined);
    await sub.connect();
    await sub.subscribe(LIVE_CHANNEL, (raw: string) => {
      let parsed: { n?: unknown; m?: unknown };
      try {
        parsed = JSON.parse(raw) as { n?: unknown; m?: unknown };
      } catch {
        return;
      }
      if (typeof parsed.n !== 'string' || parsed.n === opts.nodeId || typeof parsed.m !== 'object' || parsed.m === null) return;
      onMessage(parsed.m as LiveMessage, parsed.n);
    });
  }
  return {
    publish(message) {
      if (!pub.isReady) {
        dropped++;
        return;
      }
      pub.publish(LIVE_CHANNEL, JSON.stringify({ n: opts.nodeId, m: message })).catch(() => {
        dropped++;
      });
    },
    get connected() {
      return pub.isReady;
    },
    get dropped() {
      return dropped;
    },
    async close() {
      await sub?.close().catch(() => undefined);
      await pub.close().catch(() => undefined);
    },
  };
}
