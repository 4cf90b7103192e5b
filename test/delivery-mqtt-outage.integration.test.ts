// MQTT through the outbox while the broker is down: mosquitto stopped for 30 s and started again. Every event version
// stored meanwhile reaches a subscriber with QoS 1 afterwards, in order per event; the retained state is correct;
// Home Assistant discovery is announced again on its birth message; the webhook destination beside it never waits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectAsync, type MqttClient } from 'mqtt';
import { cameraStatus } from '../src/delivery/mqtt-fixtures.ts';
import { newSecret, queueOf, startDeliveryStack, testEvent } from './support/delivery-stack.ts';
import { mosquittoInstalled, startMosquitto } from './support/mosquitto.ts';
import { sleep, waitFor } from './support/wait.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';

const missing = !mosquittoInstalled();

test('the MQTT broker stopped for 30 s: every version stored meanwhile is published with QoS 1 afterwards, state retained, discovery re-announced', { timeout: 180_000, skip: missing && process.env['CI'] !== 'true' ? 'mosquitto is not installed (scripts/test.sh installs it)' : false }, async () => {
  assert.ok(!missing, 'mosquitto must be installed under CI (scripts/test.sh installs it)');
  const broker = await startMosquitto({ persistence: true });
  const secret = newSecret();
  const hook = new WebhookReceiver(secret);
  await hook.start();
  let sub: MqttClient | null = null;
  // One camera whose zone count changes while the broker is down: the retained count must be the new one.
  let zoneCount = 1;
  const cameras = () => [cameraStatus('gate', { zones: [{ id: 'yard', count: zoneCount, labels: { person: zoneCount } }] })];
  const stack = await startDeliveryStack({
    cameras,
    destinations: [
      { type: 'mqtt', id: 'ha', url: broker.url, retry: { baseSeconds: 0.5, capSeconds: 2 } },
      { type: 'webhook', id: 'hook', url: hook.url, secret },
    ],
  });
  try {
    // A persistent QoS 1 session: what is published while it is away waits for it in the broker.
    const received: { topic: string; body: any; qos: number }[] = [];
    const discovery: string[] = [];
    sub = await connectAsync(broker.url, { clientId: 'outage-test', clean: false, reconnectPeriod: 200 });
    sub.on('message', (topic, payload, packet) => {
      if (topic === 'sightline/events') received.push({ topic, body: JSON.parse(payload.toString()), qos: packet.qos });
      if (topic.startsWith('homeassistant/') && topic.endsWith('/config')) discovery.push(topic);
    });
    await sub.subscribeAsync(['sightline/events', 'homeassistant/#'], { qos: 1 });
    const before = testEvent();
    await stack.write('start', before);
    await waitFor('the first version over MQTT', () => received.length === 1, 15_000);

    await broker.stop();
    const stoppedAt = performance.now();
    zoneCount = 3;
    const stored: string[] = [`msg_${before.id}_1`];
    for (let i = 0; i < 10; i++) {
      const e = await stack.write('start', testEvent());
      await stack.write('end', { ...e, endMs: e.startMs + 500, endReason: 'left' });
      stored.push(`msg_${e.id}_1`, `msg_${e.id}_2`);
      await sleep(2000);
    }
    await stack.write('end', { ...before, endMs: before.startMs + 25_000, endReason: 'left' });
    stored.push(`msg_${before.id}_2`);
    // The webhook destination never waited for the broker.
    await waitFor('the webhook got everything while the broker was down', () => hook.accepted.length === stored.length, 15_000);
    assert.equal((await queueOf(stack.outbox, 'ha')).waiting, stored.length - 1, 'the MQTT versions wait in the outbox');
    assert.equal(stack.delivery.worker.disabledReason('ha'), null);
    await sleep(Math.max(0, 30_000 - (performance.now() - stoppedAt)));
    await broker.start();

    await waitFor('every stored version received over MQTT', () => new Set(received.map((r) => r.body.id)).size === stored.length, 60_000);
    assert.deepEqual([...new Set(received.map((r) => r.body.id))].sort(), [...stored].sort());
    assert.ok(received.every((r) => r.qos === 1), 'QoS 1');
    for (const id of new Set(received.map((r) => r.body.data.id))) {
      const versions = received.filter((r) => r.body.data.id === id).map((r) => r.body.version);
      assert.deepEqual(versions, [...versions].sort((a, b) => a - b), `versions of ${id} in order`);
    }
    await waitFor('the outbox drained for ha', async () => {
      const ha = await queueOf(stack.outbox, 'ha');
      return ha.waiting + ha.dead === 0;
    }, 10_000).catch(async (err) => {
      const left = (await stack.outbox.list({ destinationId: 'ha' })).filter((d) => d.status !== 'delivered');
      throw new Error(`${err}: ${JSON.stringify(left.map((d) => [d.status, d.attempts, d.lastError]))}`);
    });

    // Retained state after the restart: availability online, for a subscriber that comes later.
    const late = await connectAsync(broker.url, { reconnectPeriod: 0 });
    try {
      const retained = new Map<string, string>();
      late.on('message', (topic, payload) => retained.set(topic, payload.toString()));
      await late.subscribeAsync(['sightline/available', 'sightline/gate/zones/yard/count', 'sightline/gate/zones/yard/occupied', 'sightline/gate/state'], { qos: 1 });
      await waitFor('retained state', () => retained.get('sightline/available') === 'online' && retained.get('sightline/gate/zones/yard/count') === '3', 10_000)
        .catch((err) => { throw new Error(`${err}: ${JSON.stringify([...retained])}`); });
      assert.equal(retained.get('sightline/gate/zones/yard/occupied'), 'ON');
      assert.equal(retained.get('sightline/gate/state'), 'online');
    } finally {
      await late.endAsync();
    }
    // Home Assistant comes back too: its birth message makes the sender announce discovery again.
    assert.ok(discovery.length > 0, 'discovery announced');
    const announced = discovery.length;
    await sub.publishAsync('homeassistant/status', 'online', { qos: 1 });
    await waitFor('discovery re-announced', () => discovery.length > announced, 10_000);
  } finally {
    await sub?.endAsync().catch(() => undefined);
    await stack.stop();
    await hook.close();
    await broker.close();
  }
});
