/**
 * Small factories shared by the MQTT tests (unit and integration): a camera status, an outbox message, media links.
 * Test support only: pure, no I/O, no clocks.
 */
import type { CameraStatus } from '../core/camera-status.ts';
import { EVENT_SCHEMA_VERSION, type SightEvent } from '../core/types.ts';
import type { MediaLinks, OutboxMessage, VersionKind } from './sender.ts';

/** The public base URL the fake media links put in front of a path. */
export const FAKE_PUBLIC_URL = 'https://cams.example.com';
/** The bytes of every fake snapshot (a JPEG's first and last markers around "snap"). */
export const FAKE_JPEG = Uint8Array.from([0xff, 0xd8, 0x73, 0x6e, 0x61, 0x70, 0xff, 0xd9]);

/** An online camera `id` with zone `door` (2 people, 1 dog) and line `gate` (3 in, 1 out); fields can be overridden. */
export function cameraStatus(id: string, over: Partial<CameraStatus> = {}): CameraStatus {
  return {
    id, name: `Camera ${id}`, url: 'rtsp://u:***@h/s', enabled: true, state: 'online', lastError: null, framesDecoded: 100, framesDropped: 0,
    restarts: 0, fpsMeasured: 5, width: 640, height: 360, model: 'yolox-nano', fpsProcessed: 5, framesProcessed: 100, framesReplaced: 0,
    activeTracks: 3, openEvents: 1, framesWithMotion: 50, detectorCalls: 60, framesSkipped: 40,
    lines: [{ id: 'gate', in: 3, out: 1 }],
    zones: [{ id: 'door', count: 3, labels: { person: 2, dog: 1 } }],
    eventLatency: null,
    ...over,
  };
}

/** Version `version` of a presence event on `cameraId`, stored at `createdMs`, with a snapshot unless `snapshotPath` is null. */
export function outboxMessage(
  cameraId: string,
  over: { kind?: VersionKind; version?: number; createdMs?: number; eventId?: string; snapshotPath?: string | null } = {},
): OutboxMessage {
  const eventId = over.eventId ?? '00000000-0000-4000-8000-000000000001';
  const version = over.version ?? 1;
  const createdMs = over.createdMs ?? 1_700_000_000_000;
  const event: SightEvent = {
    schema: EVENT_SCHEMA_VERSION, id: eventId, type: 'presence', severity: 'info', cameraId, ruleId: 'door', startMs: createdMs,
    endMs: null, endReason: null, frameIndex: 7, latencyMs: 120, lastSeenMs: createdMs, attributes: { zoneId: 'door' },
    snapshotPath: over.snapshotPath === undefined ? `snapshots/${eventId}.jpg` : over.snapshotPath, keep: false,
    subjects: [{ trackId: 1, label: 'person', score: 0.9, boxXyxy: [0, 0, 10, 10], timeMs: createdMs }],
  };
  return { id: `msg_${eventId}_${version}`, eventId, version, kind: over.kind ?? 'start', event, createdMs };
}

/** Media links under `FAKE_PUBLIC_URL`; every event with a snapshot path has the `FAKE_JPEG` snapshot. */
export const fakeMedia: MediaLinks = {
  snapshot: async (e) => (e.snapshotPath ? FAKE_JPEG : null),
  signedSnapshotUrl: (e, expiresMs) => (e.snapshotPath ? `${FAKE_PUBLIC_URL}/api/events/${e.id}/snapshot.jpg?expires=${expiresMs}` : null),
  absolute: (path) => `${FAKE_PUBLIC_URL}${path}`,
};
