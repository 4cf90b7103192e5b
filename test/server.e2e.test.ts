// The whole server on a real clip: events with snapshots (every one matching the event schema, on REST and the
// WebSocket alike), camera status, latest frame, WebSocket, metrics with event latency, error bodies, a broken camera
// beside a working one, and events surviving a restart. Runs on PGlite and on PostgreSQL.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import WebSocket from 'ws';
import { startApp, type RunningApp } from '../src/app.ts';
import { validateConfig } from '../src/config/load.ts';
import { ASSETS } from './support/assets.ts';
import { assertEventsMatchSchema, EVENT_SCHEMA } from './support/event-schema.ts';
import { postgresUrlForTests } from './support/postgres.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const json = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as any };
};

function configFor(dataDir: string, databaseUrl?: string) {
  const r = validateConfig({
    server: { port: 0 },
    auth: { enabled: false },
    dataDir,
    assets: ASSETS,
    database: databaseUrl ? { url: databaseUrl } : {},
    log: { level: 'silent' },
    models: { download: false },
    cameras: [
      // The road line of the hand-labelled crossings (test/fixtures/line-crossings.ts): people cross it every few seconds.
      { id: 'demo', source: { url: 'sample:vtest' }, detect: { fps: 5 }, lines: [{ id: 'road', points: [[0.4, 0.28], [0.4, 0.72]] }] },
      { id: 'broken', source: { url: 'sample:vtest' }, detect: { model: join(ASSETS, 'models/osnet_x0_25_msmt17.onnx') } },
    ],
  });
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.problems));
  return r.config;
}

async function waitForEvents(base: string, timeoutMs: number): Promise<any[]> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const { body } = await json(`${base}/api/events?camera=demo`);
    const withSnapshots = body.events.filter((e: any) => e.snapshotUrl);
    if (withSnapshots.length >= 2) return withSnapshots;
    if (performance.now() > end) throw new Error(`no events with snapshots after ${timeoutMs} ms: ${JSON.stringify(body)}`);
    await sleep(500);
  }
}

for (const db of ['pglite', 'postgres'] as const) {
  test(`server end to end on ${db}`, async (t) => {
    const pgUrl = db === 'postgres' ? await postgresUrlForTests(t) : undefined;
    if (db === 'postgres' && !pgUrl) return;
    const dataDir = mkdtempSync(join(tmpdir(), `sightline-e2e-${db}-`));
    // Errors the server logs are kept: a version the event bus refuses (schema) or cannot store fails the test.
    const logged: string[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void logged.push(line) });
    let app: RunningApp | null = await startApp(configFor(dataDir, pgUrl), log);
    const ws = new WebSocket(`${app.url.replace('http', 'ws')}/api/ws`);
    const messages: any[] = [];
    ws.on('message', (m) => messages.push(JSON.parse(String(m))));
    // A client that asks for events only (the dashboard's feed: tiles take tracks from their camera's socket).
    const eventsOnly = new WebSocket(`${app.url.replace('http', 'ws')}/api/ws?types=event`);
    const eventMessages: any[] = [];
    eventsOnly.on('message', (m) => eventMessages.push(JSON.parse(String(m))));
    try {
      const base = app.url;
      const events = await waitForEvents(base, 60_000);

      await t.test('person events with a JPEG snapshot', async () => {
        const e = events[0];
        assert.equal(e.type, 'presence');
        assert.equal(e.subjects[0].label, 'person');
        assert.equal(e.cameraId, 'demo');
        assert.equal(e.ruleId, 'all');
        assert.deepEqual(e.attributes, { zoneId: 'all' });
        assert.ok(e.latencyMs >= 0 && e.latencyMs < 10_000, `capture-to-stored latency ${e.latencyMs} ms`);
        assertEventsMatchSchema(events, 'GET /api/events');
        const res = await fetch(`${base}${e.snapshotUrl}`);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'image/jpeg');
        const bytes = new Uint8Array(await res.arrayBuffer());
        assert.deepEqual([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff]);
        assert.ok(bytes.length > 10_000);
        const one = await json(`${base}/api/events/${e.id}`);
        assert.equal(one.body.id, e.id);
      });

      await t.test('cameras show state and measured fps; the broken one says why', async () => {
        const { body } = await json(`${base}/api/cameras`);
        const demo = body.cameras.find((c: any) => c.id === 'demo');
        assert.equal(demo.state, 'online');
        assert.ok(demo.fpsMeasured > 2 && demo.fpsMeasured < 8, `fps ${demo.fpsMeasured}`);
        assert.equal(demo.model, 'yolox-nano');
        const broken = body.cameras.find((c: any) => c.id === 'broken');
        assert.equal(broken.state, 'offline');
        assert.match(broken.lastError, /osnet_x0_25_msmt17\.onnx is a re-identification embedder; expected an object detector or a pose model here/);
        // vtest has people walking the whole time: motion on most frames, the detector on every processed one.
        assert.ok(demo.detectorCalls > 0 && demo.framesWithMotion > 0, `motion ${demo.framesWithMotion}, detector calls ${demo.detectorCalls}`);
      });

      await t.test('/metrics shows the same state and counters in the Prometheus text format', async () => {
        const res = await fetch(`${base}/metrics`);
        assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
        const text = await res.text();
        assert.match(text, /^sightline_camera_up\{camera="demo"\} 1$/m);
        assert.match(text, /^sightline_camera_state\{camera="broken",state="offline"\} 1$/m);
        assert.match(text, /^sightline_camera_detector_calls_total\{camera="demo"\} [1-9]\d*$/m);
        assert.match(text, /^sightline_event_latency_ms\{camera="demo",quantile="0\.95"\} \d+(\.\d+)?$/m);
        assert.match(text, /^sightline_zone_objects\{camera="demo",zone="all"\} \d+$/m);
      });

      await t.test('latest.jpg is the newest frame', async () => {
        const res = await fetch(`${base}/api/cameras/demo/latest.jpg`);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'image/jpeg');
      });

      await t.test('the WebSocket pushes tracks and events', async () => {
        const end = performance.now() + 15_000;
        while (!(messages.some((m) => m.type === 'tracks' && m.tracks.length > 0) && messages.some((m) => m.type === 'event')) && performance.now() < end) await sleep(200);
        assert.equal(messages[0].type, 'hello');
        const tracks = messages.find((m) => m.type === 'tracks' && m.tracks.length > 0);
        assert.ok(tracks, 'a tracks message with tracks');
        assert.equal(tracks.cameraId, 'demo');
        assert.ok(tracks.tracks[0].id > 0 && tracks.tracks[0].boxXyxy.length === 4);
        const pushed = messages.filter((m) => m.type === 'event');
        assert.ok(pushed.some((m) => m.event.subjects[0].label === 'person'));
        assertEventsMatchSchema(pushed.map((m) => m.event), 'WebSocket event');
        // The WebSocket sends the same shape as the REST API: the stored version of the same event, field for field.
        const last = pushed.at(-1).event;
        const stored = (await json(`${base}/api/events/${last.id}`)).body;
        assert.deepEqual(Object.keys(last).sort(), Object.keys(stored).sort());
        // ?types=event: the hello, then events and nothing else; an unknown type is refused before the upgrade.
        assert.equal(eventMessages[0]?.type, 'hello');
        assert.ok(eventMessages.some((m) => m.type === 'event'), 'events arrive');
        assert.deepEqual([...new Set(eventMessages.slice(1).map((m) => m.type))], ['event']);
        const refused = await new Promise<number>((resolve) => {
          const bad = new WebSocket(`${base.replace('http', 'ws')}/api/ws?types=event,frames`);
          bad.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
          bad.on('open', () => resolve(101));
          bad.on('error', () => undefined);
        });
        assert.equal(refused, 400);
      });

      await t.test('analytics: line crossings and zone occupancy per minute, read back from the database', async () => {
        const end = performance.now() + 45_000;
        const range = `from=${Date.now() - 3_600_000}&to=${Date.now() + 3_600_000}`;
        let lines: any;
        for (;;) {
          lines = (await json(`${base}/api/analytics/lines?camera=demo&${range}`)).body;
          if (lines.lines?.[0]?.in + lines.lines?.[0]?.out >= 1) break;
          if (performance.now() > end) throw new Error(`no crossing of the road line stored after 45 s: ${JSON.stringify(lines)}`);
          await sleep(1000);
        }
        assert.equal(lines.bucketMs, 60_000);
        assert.equal(lines.lines[0].lineId, 'road');
        const live = (await json(`${base}/api/cameras/demo`)).body.lines.find((l: any) => l.id === 'road');
        assert.ok(lines.lines[0].in <= live.in && lines.lines[0].out <= live.out, `stored ${JSON.stringify(lines.lines[0])} within the live totals ${JSON.stringify(live)}`);
        assert.ok(lines.lines[0].points.every((p: any) => p.startMs % 60_000 === 0));
        const [minutes, hourly] = await Promise.all([
          json(`${base}/api/analytics/lines?camera=demo&line=road&${range}`),
          json(`${base}/api/analytics/lines?camera=demo&line=road&${range}&bucket=1h`),
        ]);
        assert.ok(hourly.body.lines[0].points.every((p: any) => p.startMs % 3_600_000 === 0));
        // Both read in one go; a delta stored between the two reads would show as a difference of a few crossings.
        assert.ok(Math.abs(hourly.body.lines[0].in - minutes.body.lines[0].in) <= 2, 'regrouping into hours keeps the totals');
        const occupancy = (await json(`${base}/api/analytics/occupancy?camera=demo&zone=all&${range}`)).body;
        assert.ok(occupancy.points.length >= 1, JSON.stringify(occupancy));
        for (const p of occupancy.points) assert.ok(p.samples > 0 && p.min <= p.mean && p.mean <= p.max && p.max > 0, JSON.stringify(p));
        assert.deepEqual(await json(`${base}/api/analytics/occupancy?camera=demo&zone=lobby`), {
          status: 400, body: { error: { code: 'BAD_REQUEST', message: 'camera "demo" has no zone "lobby"; its zones: all' } },
        });
        assert.deepEqual(await json(`${base}/api/analytics/lines?camera=demo&bucket=2m`), {
          status: 400, body: { error: { code: 'BAD_REQUEST', message: 'bucket: expected one of 1m, 5m, 15m, 1h, 1d, got "2m"' } },
        });
        assert.equal((await json(`${base}/api/analytics/lines`)).body.error.code, 'BAD_REQUEST');
        assert.equal((await json(`${base}/api/analytics/lines?camera=nope`)).body.error.code, 'CAMERA_NOT_FOUND');
        const text = await (await fetch(`${base}/metrics`)).text();
        assert.match(text, /^sightline_line_crossings_total\{camera="demo",line="road",direction="in"\} \d+$/m);
      });

      await t.test('the event schema is served, the same document as docs/event.schema.json', async () => {
        const res = await fetch(`${base}/api/schemas/event.json`);
        assert.match(res.headers.get('content-type') ?? '', /^application\/schema\+json/);
        assert.deepEqual(await res.json(), EVENT_SCHEMA);
      });

      await t.test('the page is served', async () => {
        const res = await fetch(`${base}/`);
        assert.equal(res.status, 200);
        assert.match(await res.text(), /<title>Sightline<\/title>/);
      });

      await t.test('errors have stable codes and clear messages', async () => {
        assert.deepEqual(await json(`${base}/api/events/00000000-0000-4000-8000-000000000000`), {
          status: 404, body: { error: { code: 'EVENT_NOT_FOUND', message: 'no event with id "00000000-0000-4000-8000-000000000000"' } },
        });
        assert.deepEqual(await json(`${base}/api/cameras/nope`), {
          status: 404, body: { error: { code: 'CAMERA_NOT_FOUND', message: 'no camera with id "nope"; GET /api/cameras lists them' } },
        });
        assert.deepEqual(await json(`${base}/api/events?limit=abc`), {
          status: 400, body: { error: { code: 'BAD_REQUEST', message: 'limit: expected a whole number between 1 and 500, got "abc"' } },
        });
        assert.equal((await json(`${base}/api/nothing`)).body.error.code, 'ROUTE_NOT_FOUND');
      });

      await t.test('events survive a restart', async () => {
        const before = (await json(`${base}/api/events?limit=500`)).body.total;
        ws.close();
        eventsOnly.close();
        await app!.stop();
        app = null;
        app = await startApp(configFor(dataDir, pgUrl), log);
        const after = (await json(`${app.url}/api/events?limit=500`)).body;
        assert.ok(after.total >= before, `${after.total} >= ${before}`);
        const ended = after.events.filter((e: any) => e.endMs !== null);
        assert.ok(ended.length > 0, 'events open at the stop were ended');
        assert.ok(after.events.filter((e: any) => e.endReason === 'stopped').length > 0, 'a clean stop ends open events as "stopped"');
        assert.ok(after.events.every((e: any) => e.endReason !== 'restart'), 'a clean stop leaves nothing for the restart to close');
        assertEventsMatchSchema(after.events, 'after restart');
        assert.deepEqual(logged.filter((l) => /storing event failed|event subscriber failed|frame processing failed/.test(l)), []);
      });
    } finally {
      ws.close();
      eventsOnly.close();
      await app?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
