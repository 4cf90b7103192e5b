/**
 * The MQTT destination's topics and payloads under its `topicPrefix`, and which retained state messages changed since
 * the last publication (pure: statuses and the previous map in, messages out).
 *
 * | topic | payload | retained |
 * |---|---|---|
 * | `P/available` | `online` / `offline` (the last will) | yes |
 * | `P/events`, `P/CAMERA/events` | an event version as JSON (`eventEnvelope`, the webhook body), QoS 1 | no |
 * | `P/CAMERA/snapshot` | the latest event snapshot, JPEG bytes | yes |
 * | `P/CAMERA/state` | `online` / `offline` | yes |
 * | `P/CAMERA/zones/ZONE/count` | objects in the zone | yes |
 * | `P/CAMERA/zones/ZONE/occupied` | `ON` / `OFF` | yes |
 * | `P/CAMERA/zones/ZONE/labels/LABEL/count` | objects of that label in the zone | yes |
 * | `P/CAMERA/lines/LINE/in`, `.../out` | crossings since the camera started | yes |
 * | `P/test` | `{"type":"test"}` | no |
 */
import type { CameraStatus } from '../core/camera-status.ts';
import type { OutboxMessage } from './sender.ts';

/** The topic names of one destination. */
export interface MqttTopics {
  /** Availability of Sightline itself: `online` while connected, `offline` (the last will) otherwise. */
  readonly available: string;
  /** Every event version. */
  readonly events: string;
  /** Test messages (`POST /api/destinations/:id/test`). */
  readonly test: string;
  /** The event versions of one camera. */
  cameraEvents(cameraId: string): string;
  /** The latest event snapshot of one camera (JPEG). */
  snapshot(cameraId: string): string;
  /** `online` / `offline`. */
  cameraState(cameraId: string): string;
  zoneCount(cameraId: string, zoneId: string): string;
  zoneOccupied(cameraId: string, zoneId: string): string;
  zoneLabelCount(cameraId: string, zoneId: string, label: string): string;
  lineCount(cameraId: string, lineId: string, direction: 'in' | 'out'): string;
}

/** A label or prefix as a topic level or id part: lower case, anything but letters, digits, `_` and `-` becomes `_`. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]/g, '_');
}

/** The topics under `prefix` (a trailing `/` is ignored). */
export function mqttTopics(prefix: string): MqttTopics {
  const p = prefix.replace(/\/+$/, '');
  const cam = (c: string) => `${p}/${c}`;
  const zone = (c: string, z: string) => `${cam(c)}/zones/${z}`;
  return {
    available: `${p}/available`,
    events: `${p}/events`,
    test: `${p}/test`,
    cameraEvents: (c) => `${cam(c)}/events`,
    snapshot: (c) => `${cam(c)}/snapshot`,
    cameraState: (c) => `${cam(c)}/state`,
    zoneCount: (c, z) => `${zone(c, z)}/count`,
    zoneOccupied: (c, z) => `${zone(c, z)}/occupied`,
    zoneLabelCount: (c, z, label) => `${zone(c, z)}/labels/${slug(label)}/count`,
    lineCount: (c, l, d) => `${cam(c)}/lines/${l}/${d}`,
  };
}

/** Payload of `available` and of a camera's `state`. */
export const ONLINE = 'online';
/** See `ONLINE`. */
export const OFFLINE = 'offline';

/** A camera counts as online only in state `online`; starting, stalled, backoff, ended, disabled ... are offline. */
export function cameraOnline(status: Pick<CameraStatus, 'state'>): boolean {
  return status.state === 'online';
}

/** Topic -> payload of every retained state message, in publication order. */
export type RetainedState = ReadonlyMap<string, string>;

/** A message to publish retained. */
export interface RetainedMessage {
  readonly topic: string;
  readonly payload: string;
}

/** The retained state of every camera: its state, zone counts, occupancy, per-label counts and line totals. */
export function stateMessages(topics: MqttTopics, statuses: readonly CameraStatus[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of statuses) {
    out.set(topics.cameraState(s.id), cameraOnline(s) ? ONLINE : OFFLINE);
    for (const z of s.zones) {
      out.set(topics.zoneCount(s.id, z.id), String(z.count));
      out.set(topics.zoneOccupied(s.id, z.id), z.count > 0 ? 'ON' : 'OFF');
      for (const [label, n] of Object.entries(z.labels)) out.set(topics.zoneLabelCount(s.id, z.id, label), String(n));
    }
    for (const l of s.lines) {
      out.set(topics.lineCount(s.id, l.id, 'in'), String(l.in));
      out.set(topics.lineCount(s.id, l.id, 'out'), String(l.out));
    }
  }
  return out;
}

/**
 * What to publish to bring subscribers from `previous` to `current`: every topic whose payload differs or that is new,
 * in `current`'s order. A topic missing from `current` is left alone (its retained value stays; zones, lines and labels
 * never disappear while the server runs).
 */
export function changedMessages(previous: RetainedState, current: RetainedState): RetainedMessage[] {
  const out: RetainedMessage[] = [];
  for (const [topic, payload] of current) if (previous.get(topic) !== payload) out.push({ topic, payload });
  return out;
}

/**
 * Whether a version's snapshot goes to `P/CAMERA/snapshot`: every version that has one except `end`, which repeats
 * an earlier picture and, arriving late, would replace a newer event's.
 */
export function publishesSnapshot(message: OutboxMessage): boolean {
  return message.kind !== 'end' && message.event.snapshotPath !== null;
}
