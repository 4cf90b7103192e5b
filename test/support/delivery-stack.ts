/**
 * Test support: delivery as the server composes it (event store and outbox on a real database, the delivery service
 * with its real senders, the event bus routing versions into the outbox), without cameras, so tests and the
 * benchmark can write event versions at will.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { ConfigSchema } from '../../src/config/schema.ts';
import type { CameraStatus } from '../../src/core/camera-status.ts';
import type { SightEvent } from '../../src/core/types.ts';
import type { EventChange } from '../../src/events/event-book.ts';
import { EventBus } from '../../src/events/event-bus.ts';
import { createDeliveryService, type DeliveryService } from '../../src/senders/delivery-service.ts';
import { SqlEventStore } from '../../src/store/event-repository.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { SqlOutbox } from '../../src/store/outbox-repository.ts';
import type { SqlDatabase } from '../../src/store/sql-database.ts';

/** A secret in the Standard Webhooks format. */
export const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** A small real JPEG (1x1, grey) for snapshots. */
export const TINY_JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==',
  'base64',
);

export interface DeliveryStack {
  readonly db: SqlDatabase;
  readonly events: SqlEventStore;
  readonly outbox: SqlOutbox;
  readonly delivery: DeliveryService;
  readonly bus: EventBus;
  /** Stores one version through the bus (outbox rows included); resolves with the stored event. */
  write(kind: EventChange['kind'], event: SightEvent): Promise<SightEvent>;
  /** Starts delivery when the stack was started `paused`. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** A destination's waiting (pending, failed) and dead deliveries; zeros when the outbox holds none. */
export async function queueOf(outbox: SqlOutbox, destinationId: string): Promise<{ pending: number; failed: number; dead: number; waiting: number }> {
  const s = (await outbox.stats()).find((x) => x.destinationId === destinationId);
  const q = { pending: s?.pending ?? 0, failed: s?.failed ?? 0, dead: s?.dead ?? 0 };
  return { ...q, waiting: q.pending + q.failed };
}

/** A presence event at `startMs` (now by default), with a snapshot path when `snapshot`. */
export function testEvent(overrides: Partial<SightEvent> = {}): SightEvent {
  const t = overrides.startMs ?? Date.now();
  return {
    schema: 'sightline.event/1', id: randomUUID(), type: 'presence', severity: 'warning', cameraId: 'gate', ruleId: 'yard',
    startMs: t, endMs: null, endReason: null, frameIndex: 1, latencyMs: null, lastSeenMs: t,
    subjects: [{ trackId: 1, label: 'person', score: 0.9, boxXyxy: [10, 20, 30, 40], timeMs: t }], attributes: { zoneId: 'yard' },
    snapshotPath: null, keep: false, ...overrides,
  };
}

/**
 * Starts the stack on PGlite in `dataDir` (in memory when absent) or on `databaseUrl`, with `destinations` as in
 * the configuration file.
 */
export async function startDeliveryStack(opts: {
  destinations: unknown[];
  dataDir?: string;
  databaseUrl?: string;
  pollSeconds?: number;
  log?: Logger;
  publicUrl?: string;
  owner?: string;
  /** Camera statuses the MQTT sender publishes (state, counts, discovery). */
  cameras?: () => readonly CameraStatus[];
  /** Store only; delivery starts at `resume()` (a backlog, as after an outage). */
  paused?: boolean;
}): Promise<DeliveryStack> {
  const config = ConfigSchema.parse({ delivery: { destinations: opts.destinations, pollSeconds: opts.pollSeconds ?? 0.2 } });
  const db = await openDatabase(opts.databaseUrl ? { url: opts.databaseUrl } : { dataDir: opts.dataDir });
  const events = new SqlEventStore(db);
  const outbox = new SqlOutbox(db);
  const log = opts.log ?? pino({ level: 'silent' });
  const delivery = createDeliveryService(config, {
    outbox, linkKey: randomBytes(32), publicUrl: () => opts.publicUrl ?? 'http://127.0.0.1:9', readMedia: async () => TINY_JPEG,
    cameras: opts.cameras ?? (() => []), log, owner: opts.owner ?? 'test-node',
  });
  await events.closeOpen(undefined, { route: (event) => delivery.route({ kind: 'end', event }), nowMs: Date.now() });
  const bus = new EventBus({
    store: events,
    snapshots: { writeSnapshot: async ({ cameraId, eventId }) => `snapshots/${cameraId}/${eventId}.jpg` },
    now: Date.now,
    route: (v) => delivery.route(v),
  });
  bus.subscribe(() => delivery.worker.wake());
  let started = false;
  const resume = async () => {
    if (started) return;
    started = true;
    await delivery.start();
  };
  if (!opts.paused) await resume();
  return {
    db, events, outbox, delivery, bus, resume,
    write: (kind, event) => bus.write({ kind, event, snapshotJpeg: null, captureMs: null }),
    async stop() {
      if (started) await delivery.stop();
      await db.close();
    },
  };
}
