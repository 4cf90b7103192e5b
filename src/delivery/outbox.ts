/**
 * The outbox port: what the delivery worker and the API need of the stored deliveries (implemented on SQL by
 * `store/outbox-repository.ts`). Types only.
 */
import type { ClaimedDelivery, VersionKind } from './sender.ts';

/** pending: not tried yet; failed: tried, a retry is scheduled; delivered; dead: given up (see lastError). */
export const DELIVERY_STATUSES = ['pending', 'failed', 'delivered', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** How an attempt was judged, as logged. */
export type AttemptVerdict = 'delivered' | 'retry' | 'dead' | 'disable' | 'folded';

/** The worker's record of one finished attempt (or a deferral, which is not an attempt). */
export type DeliveryUpdate =
  | {
      readonly deliveryId: string;
      readonly kind: 'attempt';
      readonly attempt: number;
      readonly atMs: number;
      readonly verdict: AttemptVerdict;
      /** The status after the attempt. */
      readonly status: DeliveryStatus;
      /** Next attempt time when status is failed. */
      readonly nextAttemptMs: number | null;
      readonly statusCode: number | null;
      readonly error: string | null;
      readonly latencyMs: number;
    }
  | { readonly deliveryId: string; readonly kind: 'defer'; readonly untilMs: number; readonly reason: string };

/** One attempt as the API shows it. */
export interface AttemptRecord {
  readonly attempt: number;
  readonly atMs: number;
  readonly verdict: AttemptVerdict;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly latencyMs: number;
}

/** One delivery as the API shows it. */
export interface DeliveryRecord {
  readonly id: string;
  readonly destinationId: string;
  readonly messageId: string;
  readonly eventId: string;
  readonly version: number;
  readonly kind: VersionKind;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly createdMs: number;
  readonly nextAttemptMs: number | null;
  readonly lastAttemptMs: number | null;
  readonly deliveredMs: number | null;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  /** Every attempt, oldest first (only from `get`). */
  readonly attemptLog?: readonly AttemptRecord[];
}

/** Which deliveries to list, newest first. */
export interface DeliveryListQuery {
  readonly status?: DeliveryStatus | undefined;
  readonly destinationId?: string | undefined;
  readonly eventId?: string | undefined;
  /** Only deliveries with an id below this (the last id of the previous page). */
  readonly beforeId?: string | undefined;
  readonly limit?: number | undefined;
}

/** Queue figures of one destination (for /metrics and the API). */
export interface DestinationQueueStats {
  readonly destinationId: string;
  readonly pending: number;
  readonly failed: number;
  readonly dead: number;
  /** Creation time of the oldest pending or failed delivery (ms), or null when none waits. */
  readonly oldestWaitingMs: number | null;
}

/** A destination's stored switch (a 410 turns it off; the API turns it back on). */
export interface DestinationState {
  readonly destinationId: string;
  readonly disabled: boolean;
  readonly reason: string | null;
  readonly changedMs: number;
}

/** The outbox as the delivery worker and the API use it. */
export interface OutboxPort {
  /**
   * Claims up to `limit` due deliveries of one destination for `owner` until `leaseUntilMs`: pending or failed, due,
   * not leased by a live lease, and with no earlier version of the same event still waiting for that destination
   * (versions of one event are delivered in order). Safe with several workers (rows locked by one are skipped).
   */
  claim(destinationId: string, limit: number, owner: string, nowMs: number, leaseUntilMs: number): Promise<ClaimedDelivery[]>;
  /** Records finished attempts and deferrals (in one statement per kind), releasing their leases. */
  record(owner: string, updates: readonly DeliveryUpdate[]): Promise<void>;
  /** Releases `owner`'s leases of these deliveries (claimed but not attempted), so any worker may take them now. */
  release(owner: string, ids: readonly string[]): Promise<void>;
  /** Releases every lease `owner` holds (a restarted process owns no work in flight). Returns how many. */
  releaseLeases(owner: string): Promise<number>;
  /** Earliest next attempt time of a waiting, unleased delivery of the destination, or null. */
  nextDueMs(destinationId: string): Promise<number | null>;
  list(query: DeliveryListQuery): Promise<DeliveryRecord[]>;
  get(id: string): Promise<DeliveryRecord | null>;
  /**
   * Makes a delivery due now (a failed or dead one, or a delivered one again: a replay) with a fresh retry horizon;
   * null when unknown; throws DELIVERY_BUSY while a worker is attempting it.
   */
  retry(id: string, nowMs: number): Promise<DeliveryRecord | null>;
  stats(): Promise<DestinationQueueStats[]>;
  destinationStates(): Promise<DestinationState[]>;
  /** Stores the switch; turning a destination on makes its waiting deliveries due now with a fresh horizon. */
  setDestinationState(state: DestinationState): Promise<void>;
  /** Deletes delivered and dead deliveries (and messages left without deliveries) created before `beforeMs`. */
  prune(beforeMs: number): Promise<number>;
}
