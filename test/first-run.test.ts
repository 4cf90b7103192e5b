// A new user's first run: an empty data folder, no assets folder, the default configuration (the demo camera on
// sample:vtest, the yolox-nano detector). Only the internet is replaced: `models.mirror` (the setting a site without
// internet access uses) points downloads at a local HTTP server. Everything else is the product path: resolve the
// model and the clip, download, check the sha256 against the catalog, load, and the demo camera produces events.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { startApp, type RunningApp } from '../src/app.ts';
import { validateConfig } from '../src/config/load.ts';
import { asset } from './support/assets.ts';
import { assertEventsMatchSchema } from './support/event-schema.ts';
import { startLocalServer, type LocalServer } from './support/http-server.ts';
import { waitFor } from './support/wait.ts';

const model = readFileSync(asset('models/yolox_nano.onnx'));
/** The model with one byte changed: what a broken mirror or a truncated-then-padded copy would serve. */
const tampered = Buffer.from(model);
tampered.writeUInt8(tampered.readUInt8(1000) ^ 0xff, 1000);
const files: Record<string, Buffer> = {
  '/good/yolox_nano.onnx': model,
  '/good/vtest.avi': readFileSync(asset('videos/vtest.avi')),
  '/bad/yolox_nano.onnx': tampered,
  '/bad/vtest.avi': readFileSync(asset('videos/vtest.avi')),
};
const requested: string[] = [];
let server: LocalServer;
const dataDir = mkdtempSync(join(tmpdir(), 'sightline-first-run-'));

before(async () => {
  server = await startLocalServer((req, res) => {
    requested.push(req.url!);
    const body = files[req.url!];
    if (body) res.writeHead(200, { 'content-length': body.length }).end(body);
    else res.writeHead(404).end('not here');
  });
});
after(() => {
  server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The default configuration on a fresh data folder, no assets folder, downloads from `mirror`. */
function firstRunConfig(mirror: string) {
  const r = validateConfig({ server: { port: 0 }, auth: { enabled: false }, dataDir, log: { level: 'silent' }, models: { mirror } });
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.problems));
  assert.equal(r.config.assets, undefined);
  assert.deepEqual(r.config.cameras, []);
  return r.config;
}

const demoCamera = async (app: RunningApp) => {
  const body = (await (await fetch(`${app.url}/api/cameras`)).json()) as { cameras: { id: string; state: string; lastError: string | null; model: string }[] };
  return body.cameras.find((c) => c.id === 'demo')!;
};

test('first run without an assets folder: a model of other bytes is refused and not kept; the right one starts the demo', async () => {
  const log = pino({ level: 'silent' });
  const modelDir = join(dataDir, 'models');

  const broken = await startApp(firstRunConfig(`${server.base}/bad/`), log);
  try {
    const demo = await waitFor('the demo camera to give up on the model', async () => {
      const c = await demoCamera(broken);
      return c.state === 'offline' && c.lastError ? c : false;
    }, 60_000);
    assert.match(demo.lastError!, new RegExp(
      `^model yolox-nano: expected sha256 c789161ed43c8269\\w+ \\(3659407 bytes, the file at its URL\\) or sha256 e8af074932d4ed7e\\w+ ` +
        `\\(3678356 bytes, .*\\) from ${server.base}/bad/yolox_nano\\.onnx, got sha256 [0-9a-f]{64} \\(3678356 bytes\\); the file was not kept$`,
    ));
  } finally {
    await broken.stop();
  }
  assert.deepEqual(existsSync(modelDir) ? readdirSync(modelDir) : [], [], 'nothing kept of the refused model');
  assert.ok(existsSync(join(dataDir, 'samples', 'vtest.avi')), 'the clip, which matched, was kept');

  requested.length = 0;
  const app = await startApp(firstRunConfig(`${server.base}/good`), log);
  try {
    const events = await waitFor('person events from the demo camera', async () => {
      const body = (await (await fetch(`${app.url}/api/events?camera=demo`)).json()) as { events: { subjects: { label: string }[] }[] };
      return body.events.some((e) => e.subjects[0]?.label === 'person') ? body.events : false;
    }, 90_000);
    assert.ok(events.length > 0);
    assertEventsMatchSchema(events, 'first-run events');
    const demo = await demoCamera(app);
    assert.deepEqual([demo.state, demo.model, demo.lastError], ['online', 'yolox-nano', null]);
    assert.deepEqual(requested, ['/good/yolox_nano.onnx'], 'only the model is downloaded again; the kept clip is checked and reused');
    assert.ok(readFileSync(join(modelDir, 'yolox_nano.onnx')).equals(model));
  } finally {
    await app.stop();
  }
});
