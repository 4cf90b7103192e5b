/**
 * The one door events leave a camera through: each version is checked against the event schema, its snapshot (if it
 * brings one) written, the event stored, and only then handed to the subscribers (the live hub, recordings, the
 * delivery worker's wake-up), in that order. The version's outbox rows (one per destination whose filter takes it)
 * are written with the event, atomically, so a crash never stores an event without its deliveries. A version that
 * cannot be stored reaches no subscriber; a subscriber that throws never stops the others. The stores and the clock
 * are ports, so the bus itself does no I/O.
 */
import { AppError } from '../core/errors.ts';
import type { SightEvent } from '../core/types.ts';
import type { EventChange } from './event-book.ts';
import { toEventJson } from './event-json.ts';
import { eventProblems } from './event-schema.ts';

/** Where events are stored (the event repository). */
export interface EventStorePort {
  /**
   * Stores the version, with its outbox rows when destinations take it (one atomic write); resolves with the
   * version number (1, 2, ...).
   */
  upsert(event: SightEvent, outbox?: { kind: EventChange['kind']; destinationIds: readonly string[]; nowMs: number }): Promise<number | void>;
}

/** Where snapshots are stored; returns the path that goes into the event. */
export interface SnapshotStorePort {
  writeSnapshot(input: { cameraId: string; eventId: string; timeMs: number; jpeg: Uint8Array }): Promise<string>;
}

/** One event version as a camera hands it over. */
export interface EventWrite {
  readonly kind: EventChange['kind'];
  readonly event: SightEvent;
  /** The JPEG to keep as the event's snapshot, or null. */
  readonly snapshotJpeg: Uint8Array | null;
  /** Wall-clock capture time of the frame that produced it (ms); null when frames carry media time (offline). */
  readonly captureMs: number | null;
}

/** A stored event version, as subscribers receive it. */
export interface StoredEvent {
  readonly kind: EventChange['kind'];
  readonly event: SightEvent;
  /** Delivery destinations whose outbox rows were written with it (empty when none). */
  readonly destinationIds: readonly string[];
}

/** Which delivery destinations take an event version (their filters); the ids go into the outbox with the event. */
export type DeliveryRoute = (v: Omit<StoredEvent, 'destinationIds'>) => readonly string[];

/** What cameras hand their events to (implemented by `EventBus`; a remote worker would implement it over the wire). */
export interface EventSink {
  /** Stores the version and publishes it; resolves with the event as stored (snapshot path and latency filled in). */
  write(w: EventWrite): Promise<SightEvent>;
}

/** Reports a subscriber's failure (the composition root logs it). */
export type SubscriberErrorHandler = (err: unknown, event: SightEvent) => void;

/** Store-then-publish for every camera of this process. */
export class EventBus implements EventSink {
  private readonly subscribers = new Set<(e: StoredEvent) => void>();

  constructor(
    private readonly ports: {
      readonly store: EventStorePort;
      readonly snapshots: SnapshotStorePort;
      readonly now: () => number;
      readonly onSubscriberError?: SubscriberErrorHandler;
      /** Destinations for each version (absent: none; no outbox rows are written). */
      readonly route?: DeliveryRoute;
    },
  ) {}

  /** Calls `fn` with every stored version; returns the function that stops it. */
  subscribe(fn: (e: StoredEvent) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  async write(w: EventWrite): Promise<SightEvent> {
    let event = w.event;
    if (w.snapshotJpeg) {
      const path = await this.ports.snapshots.writeSnapshot({ cameraId: event.cameraId, eventId: event.id, timeMs: event.startMs, jpeg: w.snapshotJpeg });
      event = { ...event, snapshotPath: path };
    }
    if (w.captureMs !== null) event = { ...event, latencyMs: Math.max(0, Math.round(this.ports.now() - w.captureMs)) };
    const problems = eventProblems(toEventJson(event));
    if (problems.length > 0) {
      throw new AppError('INTERNAL', `event ${event.id} (${event.type}, rule ${event.ruleId}) does not match docs/event.schema.json: ${problems.join('; ')}`);
    }
    const destinationIds = this.ports.route?.({ kind: w.kind, event }) ?? [];
    await this.ports.store.upsert(event, destinationIds.length > 0 ? { kind: w.kind, destinationIds, nowMs: this.ports.now() } : undefined);
    for (const fn of this.subscribers) {
      try {
        fn({ kind: w.kind, event, destinationIds });
      } catch (err) {
        this.ports.onSubscriberError?.(err, event);
      }
    }
    return event;
  }
}
