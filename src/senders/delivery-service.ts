/**
 * Delivery, composed: the configured destinations' senders, the links they send (signed snapshot URLs), the outbox
 * worker and its metrics. The composition root builds one and hands its `route` to the event bus; the API reads its
 * deliveries, tests destinations and turns them back on through it.
 */
import type { Logger } from 'pino';
import type { DestinationConfig } from '../config/delivery-schema.ts';
import type { Config } from '../config/schema.ts';
import { errorMessage } from '../core/errors.ts';
import type { CameraStatus } from '../core/camera-status.ts';
import type { SightEvent } from '../core/types.ts';
import { DeliveryMetrics, formatDeliveryMetrics } from '../delivery/delivery-metrics.ts';
import { DeliveryWorker, type WorkerDestination } from '../delivery/delivery-worker.ts';
import type { FilteredVersion } from '../delivery/filter.ts';
import type { OutboxPort } from '../delivery/outbox.ts';
import type { RetryPolicy } from '../delivery/retry-policy.ts';
import type { MediaLinks, Sender } from '../delivery/sender.ts';
import { signPath } from '../delivery/signed-url.ts';
import { createEmailSender } from './email-sender.ts';
import { createMqttSender } from './mqtt-sender.ts';
import { createWebhookSender } from './webhook-sender.ts';

/** What delivery needs from the rest of the server. */
export interface DeliveryServicePorts {
  readonly outbox: OutboxPort;
  /** Reads a media file (the event's snapshot) by its relative path. */
  readonly readMedia: (relativePath: string) => Promise<Uint8Array | null>;
  /** Key for signed snapshot links. */
  readonly linkKey: Uint8Array;
  /** Base of absolute links, e.g. `http://127.0.0.1:8080` (read when a link is made: known once the server listens). */
  readonly publicUrl: () => string;
  readonly cameras: () => readonly CameraStatus[];
  readonly log: Logger;
  /** Lease owner name of this process. */
  readonly owner: string;
  readonly now?: () => number;
  readonly random?: () => number;
}

/** A destination as the API lists it: never its secret or password. */
export interface DestinationView {
  readonly id: string;
  readonly type: DestinationConfig['type'];
  readonly enabled: boolean;
  /** Where it sends, with credentials removed. */
  readonly target: string;
  readonly disabled: boolean;
  readonly disabledReason: string | null;
  readonly filter: DestinationConfig['filter'];
}

/** Delivery of one process. */
export interface DeliveryService {
  readonly worker: DeliveryWorker;
  readonly outbox: OutboxPort;
  /** Destinations that take this version (the bus writes them into the outbox with the event). */
  route(v: FilteredVersion): string[];
  destinations(): DestinationView[];
  /**
   * Runs the destinations of `delivery` from now on: unchanged ones keep their connection and their loop, changed and
   * new ones get a new sender (checked once, like at start), removed ones stop.
   */
  reconfigure(delivery: Config['delivery']): Promise<void>;
  /** Prometheus text of the delivery metrics. */
  metricsText(): Promise<string>;
  stop(): Promise<void>;
}

/** Links in deliveries: absolute, the snapshot's signed and expiring. */
export function mediaLinks(publicUrl: () => string, linkKey: Uint8Array, readMedia: (p: string) => Promise<Uint8Array | null>): MediaLinks {
  const base = () => publicUrl().replace(/\/+$/, '');
  return {
    snapshot: (e: SightEvent) => (e.snapshotPath ? readMedia(e.snapshotPath) : Promise.resolve(null)),
    signedSnapshotUrl: (e: SightEvent, expiresMs: number) => (e.snapshotPath ? `${base()}${signPath(linkKey, `/api/events/${e.id}/snapshot.jpg`, expiresMs)}` : null),
    absolute: (p: string) => `${base()}${p}`,
  };
}

/** The retry policy of a destination's settings. */
function retryPolicy(d: DestinationConfig): RetryPolicy {
  return { baseMs: d.retry.baseSeconds * 1000, capMs: d.retry.capSeconds * 1000, horizonMs: d.retry.horizonHours * 3_600_000 };
}

/** The destination's target without credentials. */
function target(d: DestinationConfig): string {
  if (d.type === 'email') return `smtp://${d.smtp.host}:${d.smtp.port} → ${d.to.join(', ')}`;
  const u = new URL(d.url);
  u.username = '';
  u.password = '';
  u.search = '';
  return u.toString();
}

/** Builds the senders and the worker for the enabled destinations; `start` claims nothing before it is called. */
export function createDeliveryService(config: Config, ports: DeliveryServicePorts): DeliveryService & { loadStates(): Promise<void>; start(): Promise<void> } {
  const now = ports.now ?? Date.now;
  const media = mediaLinks(ports.publicUrl, ports.linkKey, ports.readMedia);
  const metrics = new DeliveryMetrics();
  let all = config.delivery.destinations;
  let configured = all.filter((d) => d.enabled);
  /** Each running destination with the configuration it was built from. */
  const running = new Map<string, { config: DestinationConfig; destination: WorkerDestination }>();
  const build = (d: DestinationConfig): WorkerDestination => {
    const log = ports.log.child({ component: 'delivery', destination: d.id });
    return { id: d.id, filter: d.filter, retry: retryPolicy(d), sender: senderFor(d, { media, now, log, cameras: ports.cameras }) };
  };
  for (const d of configured) running.set(d.id, { config: d, destination: build(d) });
  const worker = new DeliveryWorker({
    outbox: ports.outbox,
    owner: ports.owner,
    now,
    random: ports.random ?? Math.random,
    log: ports.log.child({ component: 'delivery' }),
    metrics,
    pollMs: config.delivery.pollSeconds * 1000,
    destinations: configured.map((d) => running.get(d.id)!.destination),
  });
  let started = false;
  const check = (id: string, s: Sender) =>
    s.check().then(
      (problem) => (problem ? ports.log.error({ destination: id }, problem) : ports.log.info({ destination: id }, `destination "${id}" ready`)),
      (err: unknown) => ports.log.error({ destination: id, err: errorMessage(err) }, 'destination check failed'),
    );
  let pruneTimer: NodeJS.Timeout | undefined;
  return {
    worker,
    outbox: ports.outbox,
    route: (v) => worker.route(v),
    destinations: () =>
      all.map((d) => {
        const reason = worker.disabledReason(d.id);
        return { id: d.id, type: d.type, enabled: d.enabled, target: target(d), disabled: reason !== null, disabledReason: reason, filter: d.filter };
      }),
    async metricsText() {
      const ids = configured.map((d) => d.id);
      return formatDeliveryMetrics(metrics, ids, await ports.outbox.stats(), worker.disabledIds(), now());
    },
    loadStates: () => worker.loadStates(),
    async reconfigure(delivery) {
      const next = delivery.destinations.filter((d) => d.enabled);
      const fresh: WorkerDestination[] = [];
      for (const [id, r] of running) if (!next.some((d) => d.id === id && JSON.stringify(d) === JSON.stringify(r.config))) running.delete(id);
      for (const d of next) {
        if (running.has(d.id)) continue;
        const destination = build(d);
        running.set(d.id, { config: d, destination });
        fresh.push(destination);
      }
      all = delivery.destinations;
      configured = next;
      if (started) for (const d of fresh) d.sender.start?.();
      await worker.replaceDestinations(next.map((d) => running.get(d.id)!.destination));
      if (started) for (const d of fresh) void check(d.id, d.sender);
    },
    async start() {
      for (const r of running.values()) r.destination.sender.start?.();
      await worker.start();
      started = true;
      // Problems a user must fix (a login the SMTP server refuses, a broker that is not there) are said once, at start
      // (and when a destination is changed); the destination keeps retrying and the cameras run on.
      for (const [id, r] of running) void check(id, r.destination.sender);
      const keepMs = config.delivery.keepDays * 86_400_000;
      const prune = () => ports.outbox.prune(now() - keepMs).catch((err: unknown) => ports.log.warn({ err: errorMessage(err) }, 'could not prune the outbox'));
      pruneTimer = setInterval(prune, 3_600_000);
      pruneTimer.unref();
      void prune();
    },
    async stop() {
      clearInterval(pruneTimer);
      await worker.stop();
    },
  };
}

/**
 * Connects to every enabled destination once (`config check`): the problems a user must fix, each naming its
 * destination and the fix. Nothing is sent.
 */
export async function checkDestinations(config: Config, log: Logger): Promise<string[]> {
  const media = mediaLinks(() => 'http://localhost', new Uint8Array(32), async () => null);
  const problems: string[] = [];
  for (const d of config.delivery.destinations.filter((x) => x.enabled)) {
    const sender = senderFor(d, { media, now: Date.now, log, cameras: () => [] });
    try {
      const problem = await sender.check();
      if (problem) problems.push(problem);
    } finally {
      await sender.close().catch(() => undefined);
    }
  }
  return problems;
}

/** The sender of one destination, by type. */
function senderFor(d: DestinationConfig, p: { media: MediaLinks; now: () => number; log: Logger; cameras: () => readonly CameraStatus[] }): Sender {
  switch (d.type) {
    case 'webhook':
      return createWebhookSender(d, p);
    case 'email':
      return createEmailSender(d, p);
    case 'mqtt':
      return createMqttSender(d, p);
  }
}

