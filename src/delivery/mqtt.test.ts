/** The MQTT destination's pure parts: topics, retained state and its diff, event payloads, Home Assistant discovery. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CameraStatus } from '../core/camera-status.ts';
import { birthTopic, deviceId, discoveryMessages, type DiscoverySettings } from './ha-discovery.ts';
import { cameraStatus, FAKE_PUBLIC_URL, fakeMedia, outboxMessage } from './mqtt-fixtures.ts';
import { eventEnvelope } from './event-payload.ts';
import { cameraOnline, changedMessages, mqttTopics, publishesSnapshot, slug, stateMessages } from './mqtt-topics.ts';

const topics = mqttTopics('sightline');

describe('topics', () => {
  const rows: { name: string; got: string; want: string }[] = [
    { name: 'availability', got: topics.available, want: 'sightline/available' },
    { name: 'all events', got: topics.events, want: 'sightline/events' },
    { name: 'test messages', got: topics.test, want: 'sightline/test' },
    { name: "a camera's events", got: topics.cameraEvents('gate'), want: 'sightline/gate/events' },
    { name: "a camera's snapshot", got: topics.snapshot('gate'), want: 'sightline/gate/snapshot' },
    { name: "a camera's state", got: topics.cameraState('gate'), want: 'sightline/gate/state' },
    { name: 'a zone count', got: topics.zoneCount('gate', 'door'), want: 'sightline/gate/zones/door/count' },
    { name: 'a zone occupancy', got: topics.zoneOccupied('gate', 'door'), want: 'sightline/gate/zones/door/occupied' },
    { name: 'a zone label count', got: topics.zoneLabelCount('gate', 'door', 'Traffic light'), want: 'sightline/gate/zones/door/labels/traffic_light/count' },
    { name: 'a line direction', got: topics.lineCount('gate', 'road', 'out'), want: 'sightline/gate/lines/road/out' },
    { name: 'a prefix with levels and a trailing slash', got: mqttTopics('home/cams/').cameraState('gate'), want: 'home/cams/gate/state' },
  ];
  for (const r of rows) it(r.name, () => assert.equal(r.got, r.want));

  it('a label becomes a topic level and id part of lower-case letters, digits, _ and -', () => {
    assert.equal(slug('Traffic light/#+'), 'traffic_light___');
  });
});

describe('retained state', () => {
  it('per camera: state, then per zone its count, occupancy and per-label counts, then per line in and out', () => {
    const state = stateMessages(topics, [cameraStatus('gate')]);
    assert.deepEqual([...state], [
      ['sightline/gate/state', 'online'],
      ['sightline/gate/zones/door/count', '3'],
      ['sightline/gate/zones/door/occupied', 'ON'],
      ['sightline/gate/zones/door/labels/person/count', '2'],
      ['sightline/gate/zones/door/labels/dog/count', '1'],
      ['sightline/gate/lines/gate/in', '3'],
      ['sightline/gate/lines/gate/out', '1'],
    ]);
    const empty = stateMessages(topics, [cameraStatus('gate', { zones: [{ id: 'door', count: 0, labels: { person: 0 } }] })]);
    assert.equal(empty.get('sightline/gate/zones/door/occupied'), 'OFF');
  });

  const states: { state: CameraStatus['state']; online: boolean }[] = [
    { state: 'online', online: true }, { state: 'starting', online: false }, { state: 'stalled', online: false },
    { state: 'backoff', online: false }, { state: 'offline', online: false }, { state: 'ended', online: false },
    { state: 'stopped', online: false }, { state: 'disabled', online: false },
  ];
  for (const r of states) {
    it(`camera state ${r.state} is published as ${r.online ? 'online' : 'offline'}`, () => {
      assert.equal(cameraOnline({ state: r.state }), r.online);
      assert.equal(stateMessages(topics, [cameraStatus('gate', { state: r.state })]).get('sightline/gate/state'), r.online ? 'online' : 'offline');
    });
  }

  it('the diff publishes what changed or is new, in order, and leaves a vanished topic alone', () => {
    const before = stateMessages(topics, [cameraStatus('gate')]);
    const after = stateMessages(topics, [cameraStatus('gate', {
      zones: [{ id: 'door', count: 4, labels: { person: 3, dog: 1, cat: 0 } }], lines: [{ id: 'gate', in: 3, out: 2 }],
    })]);
    assert.deepEqual(changedMessages(before, after), [
      { topic: 'sightline/gate/zones/door/count', payload: '4' },
      { topic: 'sightline/gate/zones/door/labels/person/count', payload: '3' },
      { topic: 'sightline/gate/zones/door/labels/cat/count', payload: '0' },
      { topic: 'sightline/gate/lines/gate/out', payload: '2' },
    ]);
    assert.deepEqual(changedMessages(after, after), []);
    assert.deepEqual(changedMessages(after, new Map()), [], 'nothing is cleared');
    assert.equal(changedMessages(new Map(), after).length, after.size, 'from nothing: everything');
  });
});

describe('event payload', () => {
  it('type event.<kind>, the message id and version, the stored time in ISO 8601 and the event JSON with absolute links', () => {
    const m = outboxMessage('gate', { kind: 'update', version: 2 });
    const p = eventEnvelope(m, fakeMedia, 'plain');
    assert.equal(p.type, 'event.update');
    assert.equal(p.id, `msg_${m.eventId}_2`);
    assert.equal(p.version, 2);
    assert.equal(p.timestamp, '2023-11-14T22:13:20.000Z');
    assert.equal(p.data.id, m.eventId);
    assert.equal(p.data.snapshotUrl, `${FAKE_PUBLIC_URL}/api/events/${m.eventId}/snapshot.jpg`);
    assert.equal(p.data.clipUrl, `${FAKE_PUBLIC_URL}/api/events/${m.eventId}/clip.mp4`);
    assert.ok(!('snapshotPath' in p.data), 'the path on disk stays inside');
    assert.equal(eventEnvelope(outboxMessage('gate', { snapshotPath: null }), fakeMedia, 'plain').data.snapshotUrl, null);
  });

  const rows: { name: string; kind: 'start' | 'update' | 'end' | 'instant'; snapshot: boolean; publishes: boolean }[] = [
    { name: 'a start with a snapshot', kind: 'start', snapshot: true, publishes: true },
    { name: 'an instant event with a snapshot', kind: 'instant', snapshot: true, publishes: true },
    { name: 'an update with a snapshot (written after the start)', kind: 'update', snapshot: true, publishes: true },
    { name: 'an end (repeats an earlier picture)', kind: 'end', snapshot: true, publishes: false },
    { name: 'a start without a snapshot', kind: 'start', snapshot: false, publishes: false },
  ];
  for (const r of rows) {
    it(`snapshot published for ${r.name}: ${r.publishes}`, () => {
      assert.equal(publishesSnapshot(outboxMessage('gate', { kind: r.kind, snapshotPath: r.snapshot ? 'snapshots/a.jpg' : null })), r.publishes);
    });
  }
});

describe('Home Assistant discovery', () => {
  const settings: DiscoverySettings = { discoveryPrefix: 'homeassistant', topicPrefix: 'sightline', snapshots: true };
  const configs = discoveryMessages(settings, [cameraStatus('gate')]);
  const parsed = new Map([...configs].map(([t, json]) => [t, JSON.parse(json) as Record<string, unknown>]));
  const at = (component: string, objectId: string) => {
    const c = parsed.get(`homeassistant/${component}/sightline_gate/${objectId}/config`);
    assert.ok(c, `no ${component} ${objectId}; topics: ${[...parsed.keys()].join(', ')}`);
    return c;
  };

  it('one config per entity, at <prefix>/<component>/<node id>/<object id>/config, in camera order', () => {
    assert.deepEqual([...parsed.keys()], [
      'homeassistant/binary_sensor/sightline_gate/connectivity/config',
      'homeassistant/camera/sightline_gate/snapshot/config',
      'homeassistant/binary_sensor/sightline_gate/zone_door_occupancy/config',
      'homeassistant/sensor/sightline_gate/zone_door_count/config',
      'homeassistant/sensor/sightline_gate/zone_door_person_count/config',
      'homeassistant/sensor/sightline_gate/zone_door_dog_count/config',
      'homeassistant/sensor/sightline_gate/line_gate_in/config',
      'homeassistant/sensor/sightline_gate/line_gate_out/config',
    ]);
  });

  it('every entity: a unique, stable unique_id, the camera as device, Sightline availability', () => {
    const ids = [...parsed.values()].map((c) => c['unique_id']);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(discoveryMessages(settings, [cameraStatus('gate')]), configs, 'the same input gives the same configs');
    for (const c of parsed.values()) {
      assert.deepEqual(c['device'], { identifiers: ['sightline_gate'], name: 'Camera gate', manufacturer: 'Sightline', model: 'Camera analytics' });
      assert.equal(c['availability_topic'], 'sightline/available');
      assert.equal(c['payload_available'], 'online');
      assert.equal(c['payload_not_available'], 'offline');
    }
  });

  const rows: { name: string; component: string; objectId: string; want: Record<string, unknown> }[] = [
    { name: 'camera connectivity', component: 'binary_sensor', objectId: 'connectivity',
      want: { device_class: 'connectivity', state_topic: 'sightline/gate/state', payload_on: 'online', payload_off: 'offline', unique_id: 'sightline_gate_connectivity' } },
    { name: 'the last event snapshot', component: 'camera', objectId: 'snapshot', want: { topic: 'sightline/gate/snapshot' } },
    { name: 'zone occupancy', component: 'binary_sensor', objectId: 'zone_door_occupancy',
      want: { device_class: 'occupancy', state_topic: 'sightline/gate/zones/door/occupied', payload_on: 'ON', payload_off: 'OFF' } },
    { name: 'zone count', component: 'sensor', objectId: 'zone_door_count', want: { state_class: 'measurement', state_topic: 'sightline/gate/zones/door/count' } },
    { name: 'zone count of a label', component: 'sensor', objectId: 'zone_door_person_count',
      want: { name: 'door person', state_class: 'measurement', state_topic: 'sightline/gate/zones/door/labels/person/count' } },
    { name: 'line in', component: 'sensor', objectId: 'line_gate_in', want: { state_class: 'total_increasing', state_topic: 'sightline/gate/lines/gate/in' } },
    { name: 'line out', component: 'sensor', objectId: 'line_gate_out', want: { state_class: 'total_increasing', state_topic: 'sightline/gate/lines/gate/out' } },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const c = at(r.component, r.objectId);
      for (const [k, v] of Object.entries(r.want)) assert.deepEqual(c[k], v, `${r.objectId}.${k}`);
      assert.ok(!String(c['name']).includes('Camera gate'), 'the entity name does not repeat the device name');
    });
  }

  it('without snapshots no camera entity; a custom prefix moves topics and ids; the birth topic', () => {
    const custom = discoveryMessages({ discoveryPrefix: 'ha/', topicPrefix: 'home/cams', snapshots: false }, [cameraStatus('gate')]);
    assert.ok(![...custom.keys()].some((t) => t.includes('/camera/')));
    const first = [...custom][0]!;
    assert.equal(first[0], 'ha/binary_sensor/home_cams_gate/connectivity/config');
    assert.equal(JSON.parse(first[1]).state_topic, 'home/cams/gate/state');
    assert.equal(deviceId('home/cams', 'gate'), 'home_cams_gate');
    assert.equal(birthTopic('homeassistant'), 'homeassistant/status');
  });

  it('a label seen for the first time adds one config; the diff announces just that', () => {
    const more = discoveryMessages(settings, [cameraStatus('gate', { zones: [{ id: 'door', count: 1, labels: { person: 0, dog: 0, 'fire hydrant': 1 } }] })]);
    assert.deepEqual(changedMessages(configs, more).map((m) => m.topic), ['homeassistant/sensor/sightline_gate/zone_door_fire_hydrant_count/config']);
  });
});
