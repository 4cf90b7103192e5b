/**
 * What webhooks and MQTT receive for one event version: the Standard Webhooks envelope (`type`, `timestamp`, `data`)
 * around the event in its documented shape (docs/event.schema.json) with absolute links, plus the message id and the
 * version number (pure; the snapshot bytes for a webhook's `inline` come through the media port).
 */
import { toEventJson, type EventJson } from '../events/event-json.ts';
import type { MediaLinks, OutboxMessage } from './sender.ts';

/** One event version as sent (README "Delivery"). */
export interface EventEnvelope {
  /** `event.start`, `event.update`, `event.end`, or `event.instant` (a point event: start and end at once). */
  readonly type: string;
  /** When the version was stored, ISO 8601. */
  readonly timestamp: string;
  /** The message id (a webhook's `webhook-id`): the same in every attempt of this version. */
  readonly id: string;
  /** 1 for the event's first version, then 2, 3 ... (a receiver keeps the highest it has seen). */
  readonly version: number;
  readonly data: EventJson;
}

/** What a webhook receives: the envelope, and with `snapshot: inline` the JPEG, base64. */
export interface WebhookBody extends EventEnvelope {
  readonly snapshot?: { readonly contentType: 'image/jpeg'; readonly base64: string };
}

/**
 * How the snapshot link travels: `url` signed and valid until the given time (webhooks, for receivers that cannot
 * log in), `plain` unsigned (MQTT, and beside inline bytes), `none` left out.
 */
export type LinkMode = 'url' | 'plain' | 'none';

/** The envelope of `m` with the event's links made absolute; the snapshot's as `mode` says. */
export function eventEnvelope(m: OutboxMessage, media: Pick<MediaLinks, 'absolute' | 'signedSnapshotUrl'>, mode: LinkMode, expiresMs = 0): EventEnvelope {
  const json = toEventJson(m.event);
  let snapshotUrl: string | null = null;
  if (json.snapshotUrl !== null && mode === 'url') snapshotUrl = media.signedSnapshotUrl(m.event, expiresMs);
  if (json.snapshotUrl !== null && mode === 'plain') snapshotUrl = media.absolute(json.snapshotUrl);
  return {
    type: `event.${m.kind}`,
    timestamp: new Date(m.createdMs).toISOString(),
    id: m.id,
    version: m.version,
    data: { ...json, snapshotUrl, clipUrl: media.absolute(json.clipUrl) },
  };
}

/** A webhook's body for one message (`snapshot` as configured); reads the snapshot only for `inline`. */
export async function webhookBody(m: OutboxMessage, media: MediaLinks, snapshot: 'url' | 'inline' | 'none', expiresMs: number): Promise<WebhookBody> {
  const body = eventEnvelope(m, media, snapshot === 'inline' ? 'plain' : snapshot, expiresMs);
  if (snapshot !== 'inline' || m.event.snapshotPath === null) return body;
  const jpeg = await media.snapshot(m.event);
  return jpeg ? { ...body, snapshot: { contentType: 'image/jpeg', base64: Buffer.from(jpeg).toString('base64') } } : body;
}
