/**
 * The body a webhook receives: the Standard Webhooks envelope (`type`, `timestamp`, `data`) around the event in its
 * documented shape (docs/event.schema.json) with absolute links, plus the message id and version number (pure; the
 * snapshot bytes for `inline` come through the media port).
 */
import { toEventJson, type EventJson } from '../events/event-json.ts';
import type { MediaLinks, OutboxMessage } from './sender.ts';

/** What a webhook receives (README "Delivery"). */
export interface WebhookBody {
  /** `event.start`, `event.update`, `event.end`, or `event.instant` (a point event: start and end at once). */
  readonly type: string;
  /** When the version was stored, ISO 8601. */
  readonly timestamp: string;
  /** The message id, also sent as `webhook-id`: the same in every attempt of this version. */
  readonly id: string;
  /** 1 for the event's first version, then 2, 3 ... (a receiver keeps the highest it has seen). */
  readonly version: number;
  readonly data: EventJson;
  /** With `snapshot: inline`: the JPEG, base64. */
  readonly snapshot?: { readonly contentType: 'image/jpeg'; readonly base64: string };
}

/** How the snapshot travels. */
export type SnapshotMode = 'url' | 'inline' | 'none';

/**
 * The event JSON with absolute links: the snapshot as a signed link valid until `expiresMs` (mode `url`), as an
 * unsigned link (mode `inline`, the bytes travel alongside) or null (mode `none`).
 */
export function eventWithLinks(m: OutboxMessage, media: MediaLinks, mode: SnapshotMode, expiresMs: number): EventJson {
  const json = toEventJson(m.event);
  let snapshotUrl: string | null = null;
  if (json.snapshotUrl !== null && mode === 'url') snapshotUrl = media.signedSnapshotUrl(m.event, expiresMs);
  if (json.snapshotUrl !== null && mode === 'inline') snapshotUrl = media.absolute(json.snapshotUrl);
  return { ...json, snapshotUrl, clipUrl: media.absolute(json.clipUrl) };
}

/** The body for one message; reads the snapshot only for `inline`. */
export async function webhookBody(m: OutboxMessage, media: MediaLinks, mode: SnapshotMode, expiresMs: number): Promise<WebhookBody> {
  const body: WebhookBody = {
    type: `event.${m.kind}`,
    timestamp: new Date(m.createdMs).toISOString(),
    id: m.id,
    version: m.version,
    data: eventWithLinks(m, media, mode, expiresMs),
  };
  if (mode !== 'inline' || m.event.snapshotPath === null) return body;
  const jpeg = await media.snapshot(m.event);
  return jpeg ? { ...body, snapshot: { contentType: 'image/jpeg', base64: Buffer.from(jpeg).toString('base64') } } : body;
}
