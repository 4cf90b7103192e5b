// The MQTT sender against a real mosquitto: retained state and Home Assistant discovery, events with QoS 1, check()
// and test(), a broker outage (ready() false, sends fail fast, reconnect with backoff, everything published again),
// Home Assistant's birth message, and the last will when the process dies. Camera statuses and media are fakes: no
// camera pipeline runs here.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connectAsync, type MqttClient } from 'mqtt';
import pino from 'pino';
import { MqttDestinationSchema } from '../src/config/delivery-schema.ts';
import type { CameraStatus } from '../src/core/camera-status.ts';
import { discoveryMessages } from '../src/delivery/ha-discovery.ts';
import { cameraStatus, FAKE_JPEG, FAKE_PUBLIC_URL, fakeMedia, outboxMessage } from '../src/delivery/mqtt-fixtures.ts';
import { mqttTopics, stateMessages } from '../src/delivery/mqtt-topics.ts';
import type { ClaimedDelivery, OutboxMessage } from '../src/delivery/sender.ts';
import { createMqttSender, type MqttTiming } from '../src/senders/mqtt-sender.ts';
import { mosquittoInstalled, startMosquitto, type Mosquitto } from './support/mosquitto.ts';
import { sleep, waitFor } from './support/wait.ts';

const skip = mosquittoInstalled() ? false : 'mosquitto is not installed (scripts/test.sh installs it)';

interface Received {
  readonly topic: string;
  readonly payload: Buffer;
  readonly retain: boolean;
  readonly qos: number;
}

/** A test client subscribed (QoS 1) to `filters`, keeping every message it receives. */
async function subscriber(url: string, filters: string[]): Promise<{ client: MqttClient; messages: Received[]; last(topic: string): string | undefined }> {
  const client = await connectAsync(url, { reconnectPeriod: 0 });
  const messages: Received[] = [];
  client.on('message', (topic, payload, packet) => messages.push({ topic, payload, retain: packet.retain, qos: packet.qos }));
  await client.subscribeAsync(filters, { qos: 1 });
  return { client, messages, last: (topic) => [...messages].reverse().find((m) => m.topic === topic)?.payload.toString() };
}

/** A sender for `broker` with a log kept in memory (shown when a wait fails), and the statuses it reads. */
function harness(broker: Mosquitto, statuses: CameraStatus[], timing: Partial<MqttTiming> = {}, extra: Record<string, unknown> = {}) {
  const logs: string[] = [];
  const config = MqttDestinationSchema.parse({ type: 'mqtt', id: 'ha', url: broker.url, stateSeconds: 0.2, ...extra });
  const sender = createMqttSender(config, {
    media: fakeMedia, cameras: () => statuses, now: () => performance.now(),
    log: pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) }),
  }, timing);
  let readyCount = 0;
  sender.onReady(() => readyCount++);
  /** Waits for `fn`; a timeout says what the sender logged and what the broker did. */
  const until = async <T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> => {
    try {
      return await waitFor(what, fn, timeoutMs);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n-- sender log:\n${logs.join('')}\n-- broker log:\n${(await broker.logText()).slice(-3000)}`);
    }
  };
  /** The delays (ms) the sender waited before each reconnect attempt, from its log. */
  const retryDelaysMs = () => logs.map((l) => JSON.parse(l) as { retryInMs?: number }).flatMap((l) => (l.retryInMs === undefined ? [] : [l.retryInMs]));
  return { config, sender, until, readyCount: () => readyCount, retryDelaysMs };
}

const claim = (message: OutboxMessage, n: number): ClaimedDelivery => ({ id: `dlv_${n}`, destinationId: 'ha', attempt: 1, firstAttemptMs: null, message });
const settings = { discoveryPrefix: 'homeassistant', topicPrefix: 'sightline', snapshots: true };

describe('MQTT sender with a real mosquitto', { skip }, () => {
  it('publishes availability, discovery and the retained state, then only what changes', async () => {
    const broker = await startMosquitto();
    const statuses = [cameraStatus('gate'), cameraStatus('yard', { state: 'backoff', lines: [], zones: [] })];
    const { sender, until } = harness(broker, statuses);
    try {
      sender.start();
      await until('the sender to connect', () => sender.ready());
      const configs = discoveryMessages(settings, statuses);
      const fresh = await subscriber(broker.url, ['sightline/#', 'homeassistant/#']);
      const expected = ['sightline/available', ...configs.keys(), ...stateMessages(mqttTopics('sightline'), statuses).keys()];
      await until('every discovery config and the state, retained', () => expected.every((t) => fresh.last(t) !== undefined));
      assert.equal(fresh.messages.length, expected.length, 'each once');
      assert.ok(fresh.messages.every((m) => m.retain), 'a new subscriber gets them as retained messages');
      assert.equal(fresh.last('sightline/available'), 'online');
      assert.equal(fresh.last('sightline/gate/state'), 'online');
      assert.equal(fresh.last('sightline/yard/state'), 'offline');
      assert.equal(fresh.last('sightline/gate/zones/door/occupied'), 'ON');
      assert.equal(fresh.last('sightline/gate/zones/door/labels/dog/count'), '1');
      for (const [topic, json] of configs) assert.deepEqual(JSON.parse(fresh.last(topic)!), JSON.parse(json), topic);

      // The dog leaves: three topics change and only those are published (the ticks run every 0.2 s).
      const seen = fresh.messages.length;
      statuses[0] = cameraStatus('gate', { zones: [{ id: 'door', count: 2, labels: { person: 2, dog: 0 } }] });
      await until('the new dog count', () => fresh.last('sightline/gate/zones/door/labels/dog/count') === '0');
      await sleep(1000);
      assert.deepEqual(fresh.messages.slice(seen).map((m) => m.topic).sort(), ['sightline/gate/zones/door/count', 'sightline/gate/zones/door/labels/dog/count']);
      await fresh.client.endAsync();
    } finally {
      await sender.close();
      await broker.close();
    }
  });

  it('send(): each event version with QoS 1 on both event topics with absolute links, the snapshot retained; test(); close() says offline', async () => {
    const broker = await startMosquitto();
    const { sender, until } = harness(broker, [cameraStatus('gate')]);
    try {
      sender.start();
      await until('the sender to connect', () => sender.ready());
      const sub = await subscriber(broker.url, ['sightline/events', 'sightline/gate/events', 'sightline/test']);
      const start = outboxMessage('gate', { kind: 'start' });
      const end = outboxMessage('gate', { kind: 'end', version: 2, createdMs: start.createdMs + 5000 });
      const results = await sender.send([claim(start, 1), claim(end, 2)], Date.now());
      assert.deepEqual(results.map((r) => [r.deliveryId, r.outcome, r.detail]).sort(), [
        ['dlv_1', { kind: 'status', status: 200 }, 'PUBACK'], ['dlv_2', { kind: 'status', status: 200 }, 'PUBACK'],
      ]);
      assert.ok(results.every((r) => r.latencyMs >= 0 && r.latencyMs < 10_000));
      await until('both versions on both topics', () => sub.messages.filter((m) => m.topic.endsWith('events')).length === 4);
      for (const topic of ['sightline/events', 'sightline/gate/events']) {
        const got = sub.messages.filter((m) => m.topic === topic);
        assert.ok(got.every((m) => m.qos === 1 && !m.retain), topic);
        const [a, b] = got.map((m) => JSON.parse(m.payload.toString()));
        assert.deepEqual([a.type, a.id, a.timestamp], ['event.start', start.id, new Date(start.createdMs).toISOString()]);
        assert.equal(b.type, 'event.end');
        assert.equal(a.data.snapshotUrl, `${FAKE_PUBLIC_URL}/api/events/${start.eventId}/snapshot.jpg`);
        assert.equal(a.data.clipUrl, `${FAKE_PUBLIC_URL}/api/events/${start.eventId}/clip.mp4`);
      }
      const late = await subscriber(broker.url, ['sightline/gate/snapshot']);
      await until('the retained snapshot', () => late.messages.length === 1);
      assert.deepEqual(new Uint8Array(late.messages[0]!.payload), FAKE_JPEG);
      assert.ok(late.messages[0]!.retain);

      const t = await sender.test();
      assert.equal(t.ok, true);
      assert.equal(t.answer, 'PUBACK');
      await until('the test message', () => sub.last('sightline/test'));
      assert.equal(JSON.parse(sub.last('sightline/test')!).type, 'test');

      await sender.close();
      const after = await subscriber(broker.url, ['sightline/available']);
      await until('availability offline after close()', () => after.last('sightline/available') === 'offline');
      await Promise.all([sub.client.endAsync(), late.client.endAsync(), after.client.endAsync()]);
    } finally {
      await sender.close();
      await broker.close();
    }
  });

  it('a broker that stops answering: the delivery times out; check() reports a refused connection and a refused login', async () => {
    const broker = await startMosquitto();
    const closed = await startMosquitto({ anonymous: false });
    const { sender, until } = harness(broker, [], { sendTimeoutMs: 1000 });
    const refused = harness(closed, [], {}, { url: closed.url.replace('mqtt://', 'mqtt://cam:hunter2@'), password: 'hunter2' });
    try {
      sender.start();
      await until('the sender to connect', () => sender.ready());
      broker.pause();
      try {
        const [r] = await sender.send([claim(outboxMessage('gate'), 1)], Date.now());
        assert.deepEqual(r!.outcome, { kind: 'timeout' });
        assert.ok(r!.latencyMs >= 900 && r!.latencyMs < 5000, `latency ${r!.latencyMs} ms`);
      } finally {
        broker.resume();
      }
      assert.equal(await sender.check(), null);
      const login = await refused.sender.check();
      assert.match(login ?? '', /^destination "ha": the broker at mqtt:\/\/cam:\*\*\*@127\.0\.0\.1:\d+ refused the login \(not authorized\); check username and password$/);
      await closed.stop();
      const down = await refused.sender.check();
      assert.match(down ?? '', /^destination "ha": cannot reach the MQTT broker at mqtt:\/\/cam:\*\*\*@127\.0\.0\.1:\d+ \(connection refused\); check delivery\.destinations\[\.\.\]\.url and that the broker runs$/);
      assert.ok(!`${login}${down}`.includes('hunter2'), 'the password is never shown');
      const noUser = await harness(broker, [], {}, { password: 'hunter2' }).sender.check();
      assert.equal(noUser, 'destination "ha": a password without a username; set username (or leave out password)');
    } finally {
      broker.resume();
      await sender.close();
      await Promise.all([broker.close(), closed.close()]);
    }
  });

  it('a broker outage: not ready and sends fail fast; back by itself, it publishes availability, discovery and the full state again; a Home Assistant birth message brings discovery again', async () => {
    const broker = await startMosquitto();
    const statuses = [cameraStatus('gate')];
    const { sender, until, readyCount, retryDelaysMs } = harness(broker, statuses);
    try {
      sender.start();
      await until('the sender to connect', () => readyCount() === 1 && sender.ready());
      await broker.stop();
      try {
        await until('ready() false while the broker is down', () => !sender.ready(), 10_000);
        const before = performance.now();
        const [r] = await sender.send([claim(outboxMessage('gate'), 1)], Date.now());
        assert.equal(r!.outcome.kind, 'network');
        assert.match((r!.outcome as { error: string }).error, /^not connected to the broker at mqtt:\/\/127\.0\.0\.1:\d+/);
        assert.ok(performance.now() - before < 500, 'fails at once');
        // The counts move on while the broker is away (its retained messages are lost: no persistence).
        statuses[0] = cameraStatus('gate', { lines: [{ id: 'gate', in: 9, out: 4 }] });
        await sleep(5000);
      } finally {
        await broker.start();
      }
      await until('the sender to reconnect by itself', () => readyCount() === 2 && sender.ready(), 45_000);
      const delays = retryDelaysMs();
      assert.deepEqual(delays.slice(0, 2), [1000, 2000], 'backoff from 1 s, doubling');
      assert.ok(delays.every((d, i) => d === Math.min(30_000, 1000 * 2 ** i)), delays.join(', '));
      const configs = discoveryMessages(settings, statuses);
      const fresh = await subscriber(broker.url, ['sightline/#', 'homeassistant/#']);
      await until('availability, discovery and the full state again', () =>
        fresh.last('sightline/available') === 'online' && [...configs.keys()].every((t) => fresh.last(t) !== undefined)
        && fresh.last('sightline/gate/lines/gate/in') === '9' && fresh.last('sightline/gate/zones/door/labels/person/count') === '2');
      assert.equal(fresh.last('sightline/gate/lines/gate/out'), '4');

      const seen = fresh.messages.length;
      await fresh.client.publishAsync('homeassistant/status', 'online', { qos: 1 });
      await until('discovery again after the birth message', () =>
        [...configs.keys()].every((t) => fresh.messages.slice(seen).some((m) => m.topic === t)));
      await fresh.client.endAsync();

      // A successful connect resets the backoff: the next outage starts again at 1 s.
      const before = retryDelaysMs().length;
      await broker.stop();
      await until('the next outage', () => retryDelaysMs().length > before, 10_000);
      assert.equal(retryDelaysMs()[before], 1000);
    } finally {
      await sender.close();
      await broker.close();
    }
  });

  it('the last will: when the process holding the connection dies, the broker says offline', async () => {
    const broker = await startMosquitto();
    const script = `
      const { createMqttSender } = await import(process.env.SENDER);
      const { MqttDestinationSchema } = await import(process.env.SCHEMA);
      const { default: pino } = await import('pino');
      const config = MqttDestinationSchema.parse({ type: 'mqtt', id: 'will', url: process.env.MQTT_URL });
      const media = { snapshot: async () => null, signedSnapshotUrl: () => null, absolute: (p) => p };
      const sender = createMqttSender(config, { media, cameras: () => [], log: pino({ level: 'silent' }), now: Date.now });
      sender.onReady(() => console.log('ready'));
      sender.start();`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: {
        ...process.env, MQTT_URL: broker.url,
        SENDER: new URL('../src/senders/mqtt-sender.ts', import.meta.url).href,
        SCHEMA: new URL('../src/config/delivery-schema.ts', import.meta.url).href,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor(`the child sender to connect (output: ${out})`, () => out.includes('ready'), 30_000);
      const sub = await subscriber(broker.url, ['sightline/available']);
      await waitFor('online', () => sub.last('sightline/available') === 'online');
      child.kill('SIGKILL');
      await waitFor('the last will', () => sub.last('sightline/available') === 'offline', 20_000);
      await sub.client.endAsync();
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await broker.close();
    }
  });
});
