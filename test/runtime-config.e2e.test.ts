// Runtime configuration on a real server with real cameras (ffmpeg on real clips, the real detector): a camera added
// through the API starts while the two others keep their streams, counters and open events; deleting it stops its
// ffmpeg and keeps its events; a rule change is in force at the next frame without a restart; bad changes are refused
// with the path and change nothing; versions, rollback, secrets write-only; export, wipe, start from the export: the
// same installation.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import pino from 'pino';
import { parse } from 'yaml';
import { startApp, type RunningApp } from '../src/app.ts';
import { loadConfig, validateConfig } from '../src/config/load.ts';
import { asset, ASSETS } from './support/assets.ts';
import { waitFor } from './support/wait.ts';

const BIN = new URL('../bin/sightline.mjs', import.meta.url).pathname;
const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

interface Status {
  id: string;
  state: string;
  framesProcessed: number;
  restarts: number;
  openEvents: number;
}

interface EventJson {
  id: string;
  cameraId: string;
  ruleId: string;
  endMs: number | null;
  endReason: string | null;
}

async function json<T>(res: Response | Promise<Response>): Promise<{ status: number; body: T }> {
  const r = await res;
  return { status: r.status, body: (await r.json()) as T };
}

function send(base: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${base}${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
}

/** ffmpeg processes of this test whose command line names `clip`. */
function ffmpegOf(clip: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', `ffmpeg.*${clip}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Polls every camera's status until stopped, keeping each camera's counters over time. */
function watchCameras(base: string) {
  const samples = new Map<string, { t: number; frames: number; restarts: number; state: string }[]>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const { body } = await json<{ cameras: Status[] }>(fetch(`${base}/api/cameras`)).catch(() => ({ body: { cameras: [] as Status[] } }));
      for (const c of body.cameras) {
        const list = samples.get(c.id) ?? [];
        list.push({ t: Date.now(), frames: c.framesProcessed, restarts: c.restarts, state: c.state });
        samples.set(c.id, list);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    samples,
    async stop() {
      running = false;
      await loop;
    },
  };
}

test('cameras, rules and destinations change at runtime; only what changed restarts; versions, rollback, export and a fresh start from it', { timeout: 300_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sightline-runtime-'));
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
  let app: RunningApp | null = null;
  try {
    const r = validateConfig({
      server: { port: 0 }, auth: { enabled: false }, dataDir, assets: ASSETS, models: { download: false },
      recording: { checkSeconds: 30 },
      cameras: [
        { id: 'a', source: { url: asset('videos/vtest.avi') }, detect: { fps: 5 }, record: { mode: 'off' } },
        { id: 'b', source: { url: asset('videos/cars-street-720p.mp4') }, detect: { fps: 5 }, record: { mode: 'off' }, objects: { track: ['car', 'person'] } },
      ],
    });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
    app = await startApp(r.config, log);
    const base = app.url;
    await waitFor('cameras a and b analyse frames', async () => {
      const { body } = await json<{ cameras: Status[] }>(fetch(`${base}/api/cameras`));
      return body.cameras.length === 2 && body.cameras.every((c) => c.state === 'online' && c.framesProcessed > 10);
    }, 90_000, 200);
    const v1 = (await json<{ version: number }>(fetch(`${base}/api/config`))).body.version;
    assert.equal(v1, 1, 'the file seeded version 1');

    // --- Add a camera while the two others run, then delete it.
    const watch = watchCameras(base);
    await new Promise((res) => setTimeout(res, 1000));
    const clip = 'people-walking-street-720p';
    const added = await json<{ version: number; camera: { id: string } }>(send(base, 'POST', '/api/cameras', { id: 'c', source: { url: asset(`videos/${clip}.mp4`) }, detect: { fps: 5 }, record: { mode: 'off' }, events: { minDurationMs: 0 } }));
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.equal(added.body.version, 2);
    await waitFor('camera c online with an event', async () => {
      const events = await json<{ events: EventJson[] }>(fetch(`${base}/api/events?camera=c`));
      return events.body.events.length > 0;
    }, 90_000, 200);
    assert.ok(ffmpegOf(clip).length > 0, 'camera c runs its ffmpeg');
    const eventsOfC = (await json<{ events: EventJson[] }>(fetch(`${base}/api/events?camera=c`))).body.events;
    const deleted = await send(base, 'DELETE', '/api/cameras/c');
    assert.equal(deleted.status, 200, await deleted.clone().text());
    assert.deepEqual(ffmpegOf(clip), [], 'camera c\'s ffmpeg is gone when the delete answers');
    const afterDelete = (await json<{ events: EventJson[] }>(fetch(`${base}/api/events?camera=c`))).body.events;
    assert.ok(afterDelete.length >= eventsOfC.length, 'its events stay');
    assert.ok(afterDelete.every((e) => e.endMs !== null), 'its open events ended with it');
    assert.equal((await fetch(`${base}/api/cameras/c`)).status, 404);
    await new Promise((res) => setTimeout(res, 1000));
    await watch.stop();
    for (const id of ['a', 'b']) {
      const s = watch.samples.get(id)!;
      assert.ok(s.length > 20, `${id} was watched`);
      assert.ok(s.every((x) => x.state === 'online'), `${id} stayed online: ${[...new Set(s.map((x) => x.state))].join(', ')}`);
      assert.equal(s.at(-1)!.restarts, s[0]!.restarts, `${id} did not restart`);
      for (let i = 1; i < s.length; i++) assert.ok(s[i]!.frames >= s[i - 1]!.frames, `${id}'s frame counter never went back`);
      // No gap: at 5 fps the counter moves in every 3 s of the run, also on a busy machine (a restart would also reset it).
      for (let i = 0; i < s.length; i++) {
        const later = s.find((x) => x.t >= s[i]!.t + 3000);
        if (later) assert.ok(later.frames > s[i]!.frames, `${id} analysed frames in every 3 s window (stalled at ${s[i]!.frames})`);
      }
    }
    const stoppedAB = (await json<{ events: EventJson[] }>(fetch(`${base}/api/events?limit=500`))).body.events.filter((e) => e.cameraId !== 'c' && e.endReason === 'stopped');
    assert.deepEqual(stoppedAB, [], 'no event of a or b was ended by the change');

    // --- A rule change is in force at the next frame, without a restart.
    const before = (await json<Status>(fetch(`${base}/api/cameras/a`))).body;
    const ruled = await json<{ version: number; appliedAtFrame: number | null }>(send(base, 'PUT', '/api/cameras/a/rules', { items: [{ id: 'everyone', type: 'presence', zone: 'all', minDurationMs: 0 }] }));
    assert.equal(ruled.status, 200, JSON.stringify(ruled.body));
    assert.equal(typeof ruled.body.appliedAtFrame, 'number', 'the answer names the frame the rule took effect at');
    const event = await waitFor('an event of the new rule', async () => {
      const { body } = await json<{ events: EventJson[] }>(fetch(`${base}/api/events?camera=a&limit=50`));
      return body.events.find((e) => e.ruleId === 'everyone');
    }, 30_000, 100);
    assert.equal(event.cameraId, 'a');
    const after = (await json<Status>(fetch(`${base}/api/cameras/a`))).body;
    assert.equal(after.restarts, before.restarts, 'the camera did not restart');
    assert.ok(after.framesProcessed > before.framesProcessed);
    const rules = (await json<{ items: { id: string }[] }>(fetch(`${base}/api/cameras/a/rules`))).body.items;
    assert.deepEqual(rules.map((x) => x.id), ['everyone']);

    // --- Bad changes are refused with the path, and change nothing.
    const version = (await json<{ version: number }>(fetch(`${base}/api/config`))).body.version;
    const badRule = await json<{ error: { code: string; message: string } }>(send(base, 'POST', '/api/cameras/a/rules', { id: 'x', type: 'presence', zone: 'nowhere' }));
    assert.equal(badRule.status, 400);
    assert.equal(badRule.body.error.code, 'CONFIG_REJECTED');
    assert.match(badRule.body.error.message, /cameras\[0\]\.rules\[1\]\.zone: .*nowhere/);
    const badFps = await json<{ error: { message: string } }>(send(base, 'PATCH', '/api/cameras/b', { detect: { fps: 'fast' } }));
    assert.equal(badFps.status, 400);
    assert.match(badFps.body.error.message, /body\.detect\.fps: expected a number between 1 and 30, got "fast"/);
    const dup = await send(base, 'POST', '/api/cameras', { id: 'b', source: { url: 'rtsp://example/b' } });
    assert.equal(dup.status, 409);
    assert.equal((await json<{ version: number }>(fetch(`${base}/api/config`))).body.version, version, 'no version for refused changes');

    // --- Destinations: secrets write-only.
    const dest = await send(base, 'POST', '/api/destinations', { type: 'webhook', id: 'hook', url: 'http://127.0.0.1:9/hook', secret: SECRET });
    assert.equal(dest.status, 201, await dest.clone().text());
    const shown = await (await fetch(`${base}/api/destinations/hook/config`)).text();
    assert.ok(!shown.includes(SECRET) && shown.includes('********'), 'the secret is never shown');
    assert.deepEqual((await json<{ destinations: { id: string }[] }>(fetch(`${base}/api/destinations`))).body.destinations.map((d) => d.id), ['hook'], 'the new destination runs');
    const changedDest = await send(base, 'PUT', '/api/destinations/hook', { type: 'webhook', url: 'http://127.0.0.1:9/other' });
    assert.equal(changedDest.status, 200, await changedDest.clone().text());

    // --- Versions and rollback.
    const versions = (await json<{ current: number; versions: { version: number; actor: string; action: string; changes: { path: string }[] }[] }>(fetch(`${base}/api/config/versions`))).body;
    assert.equal(versions.current, versions.versions[0]!.version);
    assert.deepEqual(versions.versions.map((v) => v.action).slice(0, 5), ['destination.update', 'destination.create', 'rule.replace-all', 'camera.delete', 'camera.create']);
    assert.ok(versions.versions.every((v) => v.actor === 'open' || v.actor === 'config file'));
    assert.ok(!JSON.stringify(versions).includes(SECRET), 'no secret in the history');
    assert.ok(versions.versions[0]!.changes.some((c) => c.path === 'delivery.destinations[hook].url'));
    const rolled = await json<{ version: number }>(send(base, 'POST', '/api/config/rollback'));
    assert.equal(rolled.status, 200);
    const urlNow = (await json<{ url: string }>(fetch(`${base}/api/destinations/hook/config`))).body.url;
    assert.equal(urlNow, 'http://127.0.0.1:9/hook', 'rollback restored the previous destination');

    // --- Export: config check accepts it; wipe; a fresh start from it is the same installation.
    const exported = await (await fetch(`${base}/api/config/export`)).text();
    assert.ok(exported.includes(SECRET), 'the export carries the secrets (it recreates the installation)');
    const documentBefore = (await json<{ document: unknown }>(fetch(`${base}/api/config`))).body.document;
    const file = join(mkdtempSync(join(tmpdir(), 'sightline-export-')), 'sightline.yaml');
    writeFileSync(file, exported);
    const check = await promisify(execFile)(process.execPath, [BIN, 'config', 'check', file, '--offline'], { env: { ...process.env, SIGHTLINE_ASSETS: ASSETS } });
    assert.match(check.stdout, /ok|valid/i, check.stdout);
    assert.equal(parse(exported).dataDir, dataDir);
    await app.stop();
    app = null;
    rmSync(dataDir, { recursive: true, force: true });
    const reloaded = await loadConfig(file, {});
    assert.ok(reloaded.ok, JSON.stringify(!reloaded.ok && reloaded.problems));
    app = await startApp(reloaded.config, log);
    const fresh = (await json<{ version: number; document: unknown }>(fetch(`${app.url}/api/config`))).body;
    assert.equal(fresh.version, 1, 'a new installation, seeded from the export');
    assert.deepEqual(fresh.document, documentBefore, 'the same cameras, rules, destinations and settings');
    assert.equal(await (await fetch(`${app.url}/api/config/export`)).text().then((t) => t.split('\n').slice(1).join('\n')), exported.split('\n').slice(1).join('\n'));
  } finally {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
