/**
 * The one event shape that leaves Sightline (REST, WebSocket, and later webhooks, MQTT and e-mail): the stored event
 * with the URLs of its snapshot and clip instead of the snapshot's path on disk. Pure.
 */
import type { SightEvent } from '../core/types.ts';

/** An event as sent to clients (`docs/event.schema.json`). */
export type EventJson = Omit<SightEvent, 'snapshotPath'> & {
  /** `/api/events/ID/snapshot.jpg`, or null before a snapshot exists. */
  readonly snapshotUrl: string | null;
  /** `/api/events/ID/clip.mp4` (404 while nothing of the event is recorded). */
  readonly clipUrl: string;
};

/** The event as clients receive it; fields in a stable order. */
export function toEventJson(e: SightEvent): EventJson {
  return {
    schema: e.schema,
    id: e.id,
    type: e.type,
    severity: e.severity,
    cameraId: e.cameraId,
    ruleId: e.ruleId,
    startMs: e.startMs,
    endMs: e.endMs,
    endReason: e.endReason,
    frameIndex: e.frameIndex,
    latencyMs: e.latencyMs,
    lastSeenMs: e.lastSeenMs,
    subjects: e.subjects,
    attributes: e.attributes,
    snapshotUrl: e.snapshotPath ? `/api/events/${e.id}/snapshot.jpg` : null,
    clipUrl: `/api/events/${e.id}/clip.mp4`,
    keep: e.keep,
  };
}
