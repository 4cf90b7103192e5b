// Benchmark: event delivery through the outbox on PGlite, into a local webhook receiver and into mosquitto.
//   node --import tsx bench/delivery.ts [--events 10000] [--rate 200] [--rounds 3]
// Per round: (1) the outbox's write overhead: event writes with their outbox rows (two destinations) against plain
// event writes, interleaved in blocks, p50/p95 per write; (2) the baseline a user's own script gets without a
// database: signed POSTs straight to the receiver (Node's http client, keep-alive, 16 in flight) and QoS 1 publishes
// straight to the broker (100 in flight);
// (3) the product, both destinations: a backlog of EVENTS events stored while delivery is paused (as after an
// outage), then delivered: deliveries per second; and events stored at RATE per second while delivery runs
// (RATE x 20 s, at most EVENTS): latency stored → received, p50/p95; and the backlog again with the webhook alone.
// The receiver and the MQTT subscriber run in a child process. Medians over the rounds; the machine is recorded.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { connectAsync } from 'mqtt';
import { formatMachine, machineInfo } from '../src/bench/machine.ts';
import { signWebhook } from '../src/delivery/webhook-signature.ts';
import { SqlEventStore } from '../src/store/event-repository.ts';
import { openDatabase } from '../src/store/open-database.ts';
import { newSecret, startDeliveryStack, testEvent } from '../test/support/delivery-stack.ts';
import { startMosquitto } from '../test/support/mosquitto.ts';

const { values } = parseArgs({ options: { events: { type: 'string', default: '10000' }, rate: { type: 'string', default: '200' }, rounds: { type: 'string', default: '3' } } });
const EVENTS = Number(values.events);
const RATE = Number(values.rate);
const ROUNDS = Number(values.rounds);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const median = (xs: number[]) => quantile(xs, 0.5);

const broker = await startMosquitto();
const receiver = spawn(process.execPath, ['--import', 'tsx', new URL('./delivery-receiver.ts', import.meta.url).pathname, broker.url], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines: string[] = [];
let partial = '';
receiver.stdout!.on('data', (d: Buffer) => {
  const parts = (partial + d.toString()).split('\n');
  partial = parts.pop()!;
  lines.push(...parts);
});
const nextLine = async (prefix: string) => {
  for (;;) {
    const i = lines.findIndex((l) => l.startsWith(prefix));
    if (i >= 0) return lines.splice(i, 1)[0]!.slice(prefix.length).trim();
    await sleep(20);
  }
};
const port = Number(await nextLine('ready'));
const hookUrl = `http://127.0.0.1:${port}/hook`;
const report = async (): Promise<{ webhook: Record<string, number>; mqtt: Record<string, number> }> => {
  receiver.stdin!.write('report\n');
  return JSON.parse(await nextLine('report'));
};
const reset = async () => {
  receiver.stdin!.write('reset\n');
  await nextLine('reset');
};

/** (1) p50/p95 ms of plain event writes and of writes with outbox rows, interleaved in blocks of 100. */
async function writeOverhead(n: number) {
  const db = await openDatabase({});
  const store = new SqlEventStore(db);
  const plain: number[] = [];
  const outbox: number[] = [];
  for (let i = 0; i < 50; i++) await store.upsert(testEvent()); // warm up
  for (let block = 0; block < n / 100; block++) {
    const withOutbox = block % 2 === 1;
    for (let i = 0; i < 100; i++) {
      const e = testEvent();
      const t = performance.now();
      await store.upsert(e, withOutbox ? { kind: 'start', destinationIds: ['hook', 'ha'], nowMs: Date.now() } : undefined);
      (withOutbox ? outbox : plain).push(performance.now() - t);
    }
  }
  await db.close();
  return { plainP50: median(plain), plainP95: quantile(plain, 0.95), outboxP50: median(outbox), outboxP95: quantile(outbox, 0.95) };
}

/** (2) What a script gets without an outbox: signed POSTs (16 in flight), QoS 1 publishes (100 in flight), per second. */
async function baseline(n: number) {
  const secret = newSecret();
  const body = JSON.stringify({ type: 'event.start', data: testEvent() });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const post = (id: string) =>
    new Promise<void>((resolve, reject) => {
      const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...signWebhook(secret, id, Date.now(), body) };
      const req = http.request(hookUrl, { method: 'POST', agent, headers }, (res) => res.resume().on('end', resolve));
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < n) await post(`base_${next++}`);
  }));
  const postPerS = n / ((performance.now() - t0) / 1000);
  agent.destroy();
  const client = await connectAsync(broker.url, { reconnectPeriod: 0 });
  next = 0;
  const t1 = performance.now();
  await Promise.all(Array.from({ length: 100 }, async () => {
    while (next < n) await client.publishAsync('sightline/bench', JSON.stringify({ id: `base_${next++}`, data: body }), { qos: 1 });
  }));
  const publishPerS = n / ((performance.now() - t1) / 1000);
  await client.endAsync();
  return { postPerS, publishPerS };
}

/** Deliveries per second and latency stored → received, per destination, from arrival times. */
function figures(storedAt: Map<string, number>, arrivals: Record<string, number>, fromMs: number) {
  const lat = [...storedAt].filter(([id]) => arrivals[id] !== undefined).map(([id, t]) => arrivals[id]! - t);
  const last = Math.max(...Object.values(arrivals));
  return { perS: lat.length / ((last - fromMs) / 1000), p50: median(lat), p95: quantile(lat, 0.95), received: lat.length };
}

/**
 * (3) The product, both destinations: `backlog` events stored while delivery is paused, then delivered (the drain
 * rate, from resume to the last arrival); or events stored at `rate` per second while delivery runs (the latency).
 */
async function product(mode: ({ backlog: number } | { rate: number; events: number }) & { webhookOnly?: boolean }) {
  await reset();
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const stack = await startDeliveryStack({
    pollSeconds: 1,
    paused: 'backlog' in mode,
    destinations: [
      { type: 'webhook', id: 'hook', url: hookUrl, secret },
      ...(mode.webhookOnly ? [] : [{ type: 'mqtt', id: 'ha', url: broker.url, discovery: { enabled: false } }]),
    ],
  });
  const storedAt = new Map<string, number>();
  const n = 'backlog' in mode ? mode.backlog : mode.events;
  if ('rate' in mode) await sleep(1000); // the MQTT connection
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    if ('rate' in mode) {
      const wait = t0 + (i / mode.rate) * 1000 - performance.now();
      if (wait > 1) await sleep(wait);
    }
    const e = await stack.write('instant', testEvent({ id: randomUUID() }));
    storedAt.set(`msg_${e.id}_1`, Date.now());
  }
  const writeSeconds = (performance.now() - t0) / 1000;
  const fromMs = 'backlog' in mode ? Date.now() : Math.min(...storedAt.values());
  await stack.resume();
  const deadline = performance.now() + 600_000;
  for (;;) {
    const waiting = (await stack.outbox.stats()).reduce((k, s) => k + s.pending + s.failed, 0);
    if (waiting === 0 || performance.now() > deadline) break;
    await sleep(200);
  }
  await sleep(500);
  const got = await report();
  await stack.stop();
  const none = { perS: 0, p50: 0, p95: 0, received: 0 };
  return { writeSeconds, webhook: figures(storedAt, got.webhook, fromMs), mqtt: mode.webhookOnly ? none : figures(storedAt, got.mqtt, fromMs) };
}

console.log(formatMachine(machineInfo('cpu', 0)));
console.log(`backlog ${EVENTS} events, live ${RATE} events/s, ${ROUNDS} rounds, PGlite in memory, webhook receiver and MQTT subscriber in a child process`);
type Result = Awaited<ReturnType<typeof product>>;
const rows: { overhead: Awaited<ReturnType<typeof writeOverhead>>; base: Awaited<ReturnType<typeof baseline>>; drain: Result; drainHook: Result; live: Result }[] = [];
const f = (x: number) => x.toFixed(2);
const line = (name: string, r: Result) =>
  `${name}: webhook ${Math.round(r.webhook.perS)}/s p50 ${Math.round(r.webhook.p50)} p95 ${Math.round(r.webhook.p95)} ms (${r.webhook.received}), ` +
  `mqtt ${Math.round(r.mqtt.perS)}/s p50 ${Math.round(r.mqtt.p50)} p95 ${Math.round(r.mqtt.p95)} ms (${r.mqtt.received})`;
try {
  for (let r = 1; r <= ROUNDS; r++) {
    const overhead = await writeOverhead(2000);
    const base = await baseline(2000);
    const drain = await product({ backlog: EVENTS });
    const drainHook = await product({ backlog: EVENTS, webhookOnly: true });
    const live = await product({ rate: RATE, events: Math.min(EVENTS, RATE * 20) });
    rows.push({ overhead, base, drain, drainHook, live });
    console.log(
      `round ${r}: write p95 ${f(overhead.plainP95)} ms plain, ${f(overhead.outboxP95)} ms with outbox (+${f(overhead.outboxP95 - overhead.plainP95)}); ` +
        `baseline ${Math.round(base.postPerS)} POST/s, ${Math.round(base.publishPerS)} publish/s; ${line(`backlog of ${EVENTS}`, drain)}; ` +
        `webhook alone ${Math.round(drainHook.webhook.perS)}/s; ` +
        `${line(`live at ${RATE}/s`, live)} (writing took ${live.writeSeconds.toFixed(1)} s)`,
    );
  }
  const m = (fn: (r: (typeof rows)[number]) => number) => median(rows.map(fn));
  console.log('\nmedians over rounds');
  console.log(`outbox write overhead: p50 ${f(m((r) => r.overhead.outboxP50 - r.overhead.plainP50))} ms, p95 ${f(m((r) => r.overhead.outboxP95 - r.overhead.plainP95))} ms (plain p95 ${f(m((r) => r.overhead.plainP95))} ms, with outbox ${f(m((r) => r.overhead.outboxP95))} ms, ratio ${f(m((r) => r.overhead.outboxP95 / r.overhead.plainP95))})`);
  console.log(`backlog of ${EVENTS}: webhook ${Math.round(m((r) => r.drain.webhook.perS))} deliveries/s = ${f(m((r) => r.drain.webhook.perS / r.base.postPerS))} x the baseline's ${Math.round(m((r) => r.base.postPerS))} POST/s; mqtt ${Math.round(m((r) => r.drain.mqtt.perS))} deliveries/s = ${f(m((r) => r.drain.mqtt.perS / r.base.publishPerS))} x the baseline's ${Math.round(m((r) => r.base.publishPerS))} publish/s`);
  console.log(`backlog of ${EVENTS}, webhook alone: ${Math.round(m((r) => r.drainHook.webhook.perS))} deliveries/s = ${f(m((r) => r.drainHook.webhook.perS / r.base.postPerS))} x the baseline's POST/s`);
  console.log(`live at ${RATE} events/s: webhook latency p50 ${Math.round(m((r) => r.live.webhook.p50))} ms, p95 ${Math.round(m((r) => r.live.webhook.p95))} ms; mqtt p50 ${Math.round(m((r) => r.live.mqtt.p50))} ms, p95 ${Math.round(m((r) => r.live.mqtt.p95))} ms`);
} finally {
  receiver.kill();
  await broker.close();
}
