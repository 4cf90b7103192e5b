/**
 * Home Assistant MQTT discovery: the retained config messages that make each camera a device with its entities, at
 * `<discovery prefix>/<component>/<node id>/<object id>/config` (Home Assistant's documented layout). Pure: statuses
 * in, topic -> JSON out, so the sender can diff it like the state and announce a zone or label when it first appears.
 *
 * Per camera, device `<prefix>_<camera>` (`sightline_gate` with the default topic prefix):
 *
 * | component | object id | from topic | kind |
 * |---|---|---|---|
 * | `binary_sensor` | `connectivity` | `P/CAMERA/state` | connectivity, `online` / `offline` |
 * | `camera` | `snapshot` | `P/CAMERA/snapshot` | the latest event snapshot (only with `snapshots` on) |
 * | `binary_sensor` | `zone_ZONE_occupancy` | `P/CAMERA/zones/ZONE/occupied` | occupancy, `ON` / `OFF` |
 * | `sensor` | `zone_ZONE_count` | `P/CAMERA/zones/ZONE/count` | objects, measurement |
 * | `sensor` | `zone_ZONE_LABEL_count` | `P/CAMERA/zones/ZONE/labels/LABEL/count` | objects of a label, measurement |
 * | `sensor` | `line_LINE_in`, `line_LINE_out` | `P/CAMERA/lines/LINE/in`, `.../out` | crossings, total_increasing |
 *
 * Every entity is unavailable while `P/available` says `offline` (Sightline's last will).
 */
import type { CameraStatus } from '../core/camera-status.ts';
import { mqttTopics, OFFLINE, ONLINE, slug } from './mqtt-topics.ts';

/** What discovery needs of the destination's settings. */
export interface DiscoverySettings {
  /** Home Assistant's discovery prefix (`homeassistant`). */
  readonly discoveryPrefix: string;
  /** The destination's `topicPrefix`. */
  readonly topicPrefix: string;
  /** Whether event snapshots are published (then each camera gets a camera entity). */
  readonly snapshots: boolean;
}

/** Where Home Assistant announces itself (`online` after it starts): time to publish discovery and state again. */
export function birthTopic(discoveryPrefix: string): string {
  return `${discoveryPrefix.replace(/\/+$/, '')}/status`;
}

/** The device id of a camera, also the node id of its discovery topics and the start of its entities' unique ids. */
export function deviceId(topicPrefix: string, cameraId: string): string {
  return `${slug(topicPrefix.replace(/\/+$/, ''))}_${cameraId}`;
}

type EntityConfig = Record<string, unknown>;

/** Topic -> JSON of every discovery config for these cameras, camera by camera. */
export function discoveryMessages(settings: DiscoverySettings, statuses: readonly CameraStatus[]): Map<string, string> {
  const topics = mqttTopics(settings.topicPrefix);
  const root = settings.discoveryPrefix.replace(/\/+$/, '');
  const out = new Map<string, string>();
  for (const s of statuses) {
    const node = deviceId(settings.topicPrefix, s.id);
    const common = {
      availability_topic: topics.available,
      payload_available: ONLINE,
      payload_not_available: OFFLINE,
      device: { identifiers: [node], name: s.name, manufacturer: 'Sightline', model: 'Camera analytics' },
      origin: { name: 'Sightline' },
    };
    const add = (component: string, objectId: string, entity: EntityConfig) => {
      out.set(`${root}/${component}/${node}/${objectId}/config`, JSON.stringify({ ...entity, unique_id: `${node}_${objectId}`, ...common }));
    };
    add('binary_sensor', 'connectivity', {
      name: 'Connectivity', device_class: 'connectivity', entity_category: 'diagnostic',
      state_topic: topics.cameraState(s.id), payload_on: ONLINE, payload_off: OFFLINE,
    });
    if (settings.snapshots) add('camera', 'snapshot', { name: 'Last event', topic: topics.snapshot(s.id) });
    for (const z of s.zones) {
      add('binary_sensor', `zone_${z.id}_occupancy`, {
        name: `${z.id} occupancy`, device_class: 'occupancy', state_topic: topics.zoneOccupied(s.id, z.id), payload_on: 'ON', payload_off: 'OFF',
      });
      add('sensor', `zone_${z.id}_count`, { name: `${z.id} objects`, state_class: 'measurement', state_topic: topics.zoneCount(s.id, z.id) });
      for (const label of Object.keys(z.labels)) {
        add('sensor', `zone_${z.id}_${slug(label)}_count`, {
          name: `${z.id} ${label}`, state_class: 'measurement', state_topic: topics.zoneLabelCount(s.id, z.id, label),
        });
      }
    }
    for (const l of s.lines) {
      for (const direction of ['in', 'out'] as const) {
        add('sensor', `line_${l.id}_${direction}`, {
          name: `${l.id} ${direction}`, state_class: 'total_increasing', state_topic: topics.lineCount(s.id, l.id, direction),
        });
      }
    }
  }
  return out;
}
