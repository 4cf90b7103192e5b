/**
 * The MQTT destination: event versions published with QoS 1 (delivered on PUBACK), Sightline's availability as a
 * retained message with a last will, the cameras' counts, occupancy and state as retained messages updated when they
 * change, and Home Assistant discovery. The only file that imports the `mqtt` package.
 *
 * Connections are driven here, not by mqtt.js: every attempt is a fresh client with `reconnectPeriod: 0`, retried after
 * 1 s, 2 s, 4 s ... at most 30 s apart (reset by a successful connect). So mqtt.js never holds an offline queue: while
 * disconnected `ready()` is false and `send` fails at once; a connection lost mid-send fails its pending publishes.
 */
import { connect, type IClientOptions, type IClientPublishOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { MqttDestinationConfig } from '../config/delivery-schema.ts';
import type { CameraStatus } from '../core/camera-status.ts';
import { birthTopic, discoveryMessages } from '../delivery/ha-discovery.ts';
import { eventEnvelope } from '../delivery/event-payload.ts';
import { changedMessages, mqttTopics, OFFLINE, ONLINE, publishesSnapshot, stateMessages, type MqttTopics } from '../delivery/mqtt-topics.ts';
import type { AttemptOutcome } from '../delivery/retry-policy.ts';
import type { ClaimedDelivery, MediaLinks, OutboxMessage, Sender, SendResult, TestResult } from '../delivery/sender.ts';
import { excerpt } from '../delivery/sender.ts';
import { redactUrl } from '../ingest/redact.ts';

/** What the MQTT sender is handed by the composition root. */
export interface MqttSenderPorts {
  /** Snapshot bytes and absolute links of an event. */
  readonly media: MediaLinks;
  /** The cameras' current statuses (counts, occupancy, state). */
  readonly cameras: () => readonly CameraStatus[];
  readonly log: Logger;
  /** Wall clock (ms): attempt latencies. */
  readonly now: () => number;
}

/** Timeouts and reconnect delays (ms); the defaults suit a server, tests shorten them. */
export interface MqttTiming {
  /** Each delivery (its publishes and their PUBACKs) is cut after this long. */
  readonly sendTimeoutMs: number;
  /** A connection attempt (TCP, TLS, CONNACK) is cut after this long. */
  readonly connectTimeoutMs: number;
  /** Delay before the first reconnect, doubled after each failed attempt ... */
  readonly backoffFirstMs: number;
  /** ... up to this. */
  readonly backoffMaxMs: number;
}

/** The defaults: 10 s per delivery, 5 s per connection attempt, reconnects 1 s doubling to 30 s apart. */
export const MQTT_TIMING: MqttTiming = { sendTimeoutMs: 10_000, connectTimeoutMs: 5000, backoffFirstMs: 1000, backoffMaxMs: 30_000 };

/** Most deliveries handed to one `send`. */
export const MQTT_BATCH_SIZE = 100;

/** An MQTT destination's sender; `start()` opens the connection and keeps it open until `close()`. */
export function createMqttSender(config: MqttDestinationConfig, ports: MqttSenderPorts, timing: Partial<MqttTiming> = {}): Sender & { start(): void } {
  return new MqttSender(config, ports, { ...MQTT_TIMING, ...timing });
}

const RETAINED: IClientPublishOptions = { qos: 1, retain: true };
const LOGIN_CODES = new Set([4, 5, 134, 135]);
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused', ENOTFOUND: 'host not found', EAI_AGAIN: 'host not found', ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable', ENETUNREACH: 'network unreachable', ECONNRESET: 'connection reset',
};

/** Why a connection failed, in words, and whether the broker refused the login. */
function describeError(err: Error & { code?: string | number }): { reason: string; login: boolean } {
  if (typeof err.code === 'number') return { reason: err.message.replace(/^Connection refused: /, '').toLowerCase(), login: LOGIN_CODES.has(err.code) };
  if (err.message === 'connack timeout') return { reason: 'no answer to the MQTT handshake in time; is it an MQTT broker?', login: false };
  return { reason: (err.code && NETWORK_REASONS[err.code]) || err.message, login: false };
}

class MqttSender implements Sender {
  readonly destinationId: string;
  readonly batchSize = MQTT_BATCH_SIZE;
  private readonly topics: MqttTopics;
  private readonly clientId: string;
  private readonly url: string;
  private readonly log: Logger;
  private readonly readyCallbacks: (() => void)[] = [];
  private client: MqttClient | null = null;
  private connected = false;
  private started = false;
  private closed = false;
  private lastError: string | null = null;
  private backoffMs: number;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private stateTimer: NodeJS.Timeout | null = null;
  /** Retained messages (discovery and state) as last published on this connection. */
  private published = new Map<string, string>();

  constructor(
    private readonly config: MqttDestinationConfig,
    private readonly ports: MqttSenderPorts,
    private readonly timing: MqttTiming,
  ) {
    this.destinationId = config.id;
    this.topics = mqttTopics(config.topicPrefix);
    this.clientId = config.clientId ?? `sightline-${config.id}`;
    this.url = redactUrl(config.url);
    this.log = ports.log.child({ component: 'mqtt', destination: config.id });
    this.backoffMs = timing.backoffFirstMs;
  }

  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.connectNow();
  }

  ready(): boolean {
    return this.connected;
  }

  onReady(fn: () => void): void {
    this.readyCallbacks.push(fn);
  }

  async send(batch: readonly ClaimedDelivery[]): Promise<SendResult[]> {
    const startMs = this.ports.now();
    const result = (d: ClaimedDelivery, outcome: AttemptOutcome): SendResult =>
      ({ deliveryId: d.id, outcome, latencyMs: this.ports.now() - startMs, detail: excerpt(this.answer(outcome)) });
    const connection = this.connectedClient();
    if (!('client' in connection)) return batch.map((d) => result(d, connection.outcome));
    const { client } = connection;
    // Snapshots are read first, then every version is published in batch order (a start before its end).
    const published = Promise.all(batch.map((d) => this.snapshotOf(d.message)))
      .then((jpegs) => batch.map((d, i) => this.publishEvent(client, d.message, jpegs[i]!)));
    return Promise.all(batch.map(async (d, i) => result(d, await this.settle(published.then((all) => all[i])))));
  }

  async check(): Promise<string | null> {
    // mqtt.js would drop such a connection without saying why.
    if (this.config.password !== undefined && this.config.username === undefined && !new URL(this.config.url).username) {
      return `destination "${this.destinationId}": a password without a username; set username (or leave out password)`;
    }
    const probe = connect(this.config.url, this.options(`${this.clientId}-check`));
    let failure: Error | null = null;
    const problem = await new Promise<string | null>((resolve) => {
      const timer = setTimeout(() => resolve(this.problem(new Error(`no answer within ${this.timing.connectTimeoutMs / 1000} s`))), this.timing.connectTimeoutMs + 1000);
      const done = (value: string | null) => {
        clearTimeout(timer);
        resolve(value);
      };
      probe.on('connect', () => done(null));
      probe.on('error', (err) => {
        failure = err;
        done(this.problem(err));
      });
      probe.on('close', () => done(this.problem(failure ?? new Error('the broker closed the connection'))));
    });
    await probe.endAsync(!probe.connected).catch(() => undefined);
    return problem;
  }

  async test(): Promise<TestResult> {
    const startMs = this.ports.now();
    const connection = this.connectedClient();
    const outcome = 'client' in connection
      ? await this.settle(this.publish(connection.client, this.topics.test, JSON.stringify({ type: 'test', timestamp: new Date(startMs).toISOString() }), { qos: 1 }))
      : connection.outcome;
    return { ok: outcome.kind === 'status', answer: this.answer(outcome), latencyMs: this.ports.now() - startMs };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopTimers();
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (this.connected) {
      this.connected = false;
      await withTimeout(client.publishAsync(this.topics.available, OFFLINE, RETAINED), 2000).catch(() => undefined);
    }
    // Forced: pending publishes fail at once (their deliveries end with a network outcome) instead of being waited for;
    // without a DISCONNECT the broker also publishes the will, the same retained `offline`.
    await client.endAsync(true).catch(() => undefined);
    this.log.info({ url: this.url }, 'disconnected from the MQTT broker');
  }

  private options(clientId: string, extra: IClientOptions = {}): IClientOptions {
    return {
      clientId,
      username: this.config.username,
      password: this.config.password,
      reconnectPeriod: 0,
      connectTimeout: this.timing.connectTimeoutMs,
      keepalive: 30,
      clean: true,
      queueQoSZero: false,
      resubscribe: false,
      ...extra,
    };
  }

  /** A problem with the broker, as `check()` reports it: the destination, what failed and what to check. */
  private problem(err: Error): string {
    const { reason, login } = describeError(err);
    const where = `destination "${this.destinationId}": `;
    if (login) return `${where}the broker at ${this.url} refused the login (${reason}); check username and password`;
    if (typeof (err as { code?: unknown }).code === 'number') return `${where}the broker at ${this.url} refused the connection (${reason}); check clientId and the broker's settings`;
    return `${where}cannot reach the MQTT broker at ${this.url} (${reason}); check delivery.destinations[..].url and that the broker runs`;
  }

  private connectNow(): void {
    this.reconnectTimer = null;
    if (this.closed) return;
    const client = connect(this.config.url, this.options(this.clientId, { will: { topic: this.topics.available, payload: Buffer.from(OFFLINE), qos: 1, retain: true } }));
    this.client = client;
    client.on('connect', () => this.onConnect(client));
    client.on('message', (topic, payload, packet) => {
      if (topic === birthTopic(this.config.discovery.prefix) && payload.toString() === ONLINE && !packet.retain) {
        this.log.info('Home Assistant started: publishing discovery and state again');
        this.publishRetained(client, true);
      }
    });
    client.on('error', (err) => {
      this.lastError = describeError(err).reason;
      if (!client.connected) client.end(true);
    });
    client.on('close', () => this.onClose(client));
  }

  private onConnect(client: MqttClient): void {
    if (client !== this.client) return;
    this.log.info({ url: this.url, afterError: this.lastError }, 'connected to the MQTT broker');
    this.connected = true;
    this.lastError = null;
    this.backoffMs = this.timing.backoffFirstMs;
    if (this.config.discovery.enabled) client.subscribe(birthTopic(this.config.discovery.prefix), { qos: 1 }, () => undefined);
    client.publish(this.topics.available, ONLINE, RETAINED, () => undefined);
    this.publishRetained(client, true);
    this.stateTimer = setInterval(() => this.publishRetained(client, false), this.config.stateSeconds * 1000);
    for (const fn of this.readyCallbacks) {
      try {
        fn();
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'an onReady callback failed');
      }
    }
  }

  private onClose(client: MqttClient): void {
    if (client !== this.client) return;
    const wasConnected = this.connected;
    this.client = null;
    this.connected = false;
    this.stopTimers();
    client.end(true); // fails the publishes still waiting for a PUBACK
    if (this.closed) return;
    const fields = { url: this.url, error: this.lastError, retryInMs: this.backoffMs };
    // Warn once per outage (lost, or never reached since start); the attempts that follow are debug.
    if (wasConnected) this.log.warn(fields, 'lost the MQTT broker; reconnecting');
    else if (this.backoffMs === this.timing.backoffFirstMs) this.log.warn(fields, 'cannot connect to the MQTT broker; retrying');
    else this.log.debug(fields, 'MQTT connection attempt failed');
    this.reconnectTimer = setTimeout(() => this.connectNow(), this.backoffMs);
    this.backoffMs = Math.min(this.timing.backoffMaxMs, this.backoffMs * 2);
  }

  private stopTimers(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.stateTimer) clearInterval(this.stateTimer);
    this.reconnectTimer = this.stateTimer = null;
  }

  /** Publishes the discovery configs and state that changed since the last time (`all`: everything), retained. */
  private publishRetained(client: MqttClient, all: boolean): void {
    if (client !== this.client || !this.connected) return;
    if (all) this.published = new Map();
    let statuses: readonly CameraStatus[];
    try {
      statuses = this.ports.cameras();
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'could not read the camera statuses');
      return;
    }
    const { discovery, topicPrefix, snapshots } = this.config;
    const current = new Map([
      ...(discovery.enabled ? discoveryMessages({ discoveryPrefix: discovery.prefix, topicPrefix, snapshots }, statuses) : []),
      ...stateMessages(this.topics, statuses),
    ]);
    for (const m of changedMessages(this.published, current)) {
      client.publish(m.topic, m.payload, RETAINED, () => undefined);
      this.published.set(m.topic, m.payload);
    }
  }

  /** The connected client, or null with the outcome every attempt gets meanwhile. */
  private connectedClient(): { client: MqttClient } | { outcome: AttemptOutcome } {
    if (this.connected && this.client) return { client: this.client };
    return { outcome: { kind: 'network', error: `not connected to the broker at ${this.url}${this.lastError ? ` (${this.lastError})` : ''}; reconnecting` } };
  }

  /** The broker's answer in words: `PUBACK`, no answer in time, or why nothing was sent. */
  private answer(outcome: AttemptOutcome): string {
    if (outcome.kind === 'status') return 'PUBACK';
    return outcome.kind === 'timeout' ? `no PUBACK within ${this.timing.sendTimeoutMs / 1000} s` : outcome.error;
  }

  /** `status 200` when `work` resolves (its PUBACKs arrived), `network` when it fails, `timeout` after the send timeout. */
  private settle(work: Promise<void>): Promise<AttemptOutcome> {
    const done = work.then(
      (): AttemptOutcome => ({ kind: 'status', status: 200 }),
      (err: Error): AttemptOutcome => ({ kind: 'network', error: err.message }),
    );
    return withTimeout(done, this.timing.sendTimeoutMs).catch((): AttemptOutcome => ({ kind: 'timeout' }));
  }

  /** The snapshot of a version that publishes one (`publishesSnapshot`), or null; a read failure is logged. */
  private async snapshotOf(message: OutboxMessage): Promise<Uint8Array | null> {
    if (!this.config.snapshots || !publishesSnapshot(message)) return null;
    return Promise.resolve().then(() => this.ports.media.snapshot(message.event)).catch((err: Error) => {
      this.log.warn({ event: message.eventId, err: err.message }, 'could not read the event snapshot; publishing the event without it');
      return null;
    });
  }

  /**
   * Publishes one version (its snapshot first, then both event topics) synchronously, so versions leave in the order
   * this is called; resolves on the events' PUBACKs. A snapshot that fails is logged, not retried: the event itself is
   * what the delivery is about.
   */
  private publishEvent(client: MqttClient, message: OutboxMessage, jpeg: Uint8Array | null): Promise<void> {
    const payload = JSON.stringify(eventEnvelope(message, this.ports.media, 'plain'));
    const snapshot = jpeg
      ? this.publish(client, this.topics.snapshot(message.event.cameraId), Buffer.from(jpeg), RETAINED).catch((err: Error) => {
        this.log.warn({ event: message.eventId, err: err.message }, 'could not publish the event snapshot');
      })
      : Promise.resolve();
    return Promise.all([
      this.publish(client, this.topics.events, payload, { qos: 1 }),
      this.publish(client, this.topics.cameraEvents(message.event.cameraId), payload, { qos: 1 }),
      snapshot,
    ]).then(() => undefined);
  }

  /** Publishes on `client` if it is still the connected one (never into mqtt.js's offline queue); resolves on PUBACK. */
  private publish(client: MqttClient, topic: string, payload: string | Buffer, opts: IClientPublishOptions): Promise<void> {
    if (client !== this.client || !this.connected) return Promise.reject(new Error(`connection to the broker at ${this.url} lost`));
    return new Promise((resolve, reject) => client.publish(topic, payload, opts, (err) => (err ? reject(err) : resolve())));
  }
}

/** `p`, or a rejection after `ms`. */
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, expired]).finally(() => clearTimeout(timer));
}
