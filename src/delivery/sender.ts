/**
 * The port every destination adapter implements (webhook, MQTT, e-mail), and what it is handed: one stored event
 * version (an outbox message) per delivery. The delivery worker claims due deliveries from the outbox, hands each
 * destination's batch to its sender, and records what the sender reports. Types only; no I/O.
 */
import type { SightEvent } from '../core/types.ts';
import type { AttemptOutcome } from './retry-policy.ts';

/** Which version of an event a message carries (`instant`: a point event, start and end at once). */
export type VersionKind = 'start' | 'update' | 'end' | 'instant';

/** One stored event version, as written to the outbox in the same transaction as the event. */
export interface OutboxMessage {
  /**
   * The message id: `msg_` + event id + `_` + version number. Stable for one event version, the same in every
   * attempt and after a restart: the receiver's idempotency key (`webhook-id`).
   */
  readonly id: string;
  readonly eventId: string;
  /** 1 for the first stored version of the event, then 2, 3 ... */
  readonly version: number;
  readonly kind: VersionKind;
  /** The event as stored in this version (snapshotPath is a media path, not a URL). */
  readonly event: SightEvent;
  /** When the version was stored (wall clock, ms). */
  readonly createdMs: number;
}

/** A delivery a worker holds: one message to one destination, and which attempt this is. */
export interface ClaimedDelivery {
  /** The delivery's id (GET /api/deliveries). */
  readonly id: string;
  readonly destinationId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Wall-clock time of the first attempt (ms), or null when this is the first. */
  readonly firstAttemptMs: number | null;
  readonly message: OutboxMessage;
}

/**
 * How one attempt ended: an HTTP-like outcome the retry policy judges, or `deferred` (not attempted, no attempt counted:
 * e.g. an e-mail throttle window is full; try again at `untilMs`), or `folded` (delivered inside a digest sent for
 * another delivery: counts as delivered).
 */
export type SendOutcome =
  | AttemptOutcome
  | { readonly kind: 'deferred'; readonly untilMs: number; readonly reason: string }
  | { readonly kind: 'folded'; readonly intoDeliveryId: string };

/** What a sender reports for one delivery of its batch. */
export interface SendResult {
  readonly deliveryId: string;
  readonly outcome: SendOutcome;
  /** Time from the start of the attempt to its end (ms). */
  readonly latencyMs: number;
  /** A short excerpt of the receiver's answer for the attempt log (at most 500 characters; never a secret). */
  readonly detail?: string;
}

/** What `test()` (POST /api/destinations/:id/test) reports. */
export interface TestResult {
  readonly ok: boolean;
  /** The receiver's answer in words: `HTTP 204`, `PUBACK`, `250 OK: queued as ...`, or the error. */
  readonly answer: string;
  readonly latencyMs: number;
}

/** Reads what a message's event points to (the snapshot) and builds links receivers can follow. */
export interface MediaLinks {
  /** The snapshot JPEG of the event, or null when it has none or it was deleted. */
  snapshot(event: SightEvent): Promise<Uint8Array | null>;
  /** Absolute URL of the event's snapshot, signed, valid until `expiresMs`; null when the event has no snapshot. */
  signedSnapshotUrl(event: SightEvent, expiresMs: number): string | null;
  /** Absolute URL of a server path such as `/api/events/ID/clip.mp4`. */
  absolute(path: string): string;
}

/** One destination's adapter. */
export interface Sender {
  readonly destinationId: string;
  /**
   * False while the destination cannot take messages for a reason that is not the message's (the MQTT broker is
   * unreachable): the worker then claims nothing for it, so no attempt is spent, and resumes when `onReady` fires.
   */
  ready(): boolean;
  /** Registers the callback fired when the destination becomes ready again. */
  onReady(fn: () => void): void;
  /** Most deliveries to hand over in one `send` call. */
  readonly batchSize: number;
  /** Most deliveries in the air at once (default: `batchSize`). */
  readonly maxInFlight?: number;
  /** How long a claimed delivery is leased: longer than the longest `send` can take (default 2 minutes). */
  readonly leaseMs?: number;
  /**
   * Attempts every delivery of the batch and resolves with one result per delivery (any order), never rejects:
   * a failure is an outcome. Must respect its own timeout, so one stuck receiver never holds the batch forever.
   */
  send(batch: readonly ClaimedDelivery[], nowMs: number): Promise<SendResult[]>;
  /**
   * Connects and reports a problem the user must fix (login rejected, broker or host unreachable), as one message
   * that names the destination and the fix; null when fine. Run at `config check` and at start; never throws.
   */
  check(): Promise<string | null>;
  /** Opens what the sender keeps open (the MQTT connection), when it keeps something; the others connect per attempt. */
  start?(): void;
  /** Sends a test message and reports the receiver's answer. */
  test(): Promise<TestResult>;
  /** Closes connections; pending sends end with a network outcome. */
  close(): Promise<void>;
}

/** A short, single-line excerpt for the attempt log. */
export function excerpt(text: string, max = 500): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 3)}...` : one;
}
