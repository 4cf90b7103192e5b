// The model registry on a real server: ONNX files uploaded as versions of a model id, their manifests proposed from
// the file and confirmed, activated, rolled back; a camera naming the id runs its active version and swaps to the new
// one without restarting its stream; a version in use cannot be deleted; a file that is not ONNX or is over the limit is refused and nothing of it
// stays on disk.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { startApp, type RunningApp } from '../src/app.ts';
import { validateConfig } from '../src/config/load.ts';
import { asset, ASSETS } from './support/assets.ts';
import { waitFor } from './support/wait.ts';

interface Version {
  modelId: string;
  version: number;
  status: string;
  active: boolean;
  manifest: { task: string; family: string; inputWidth: number; labels: unknown };
  notes: string[];
}

test('upload, propose, confirm, activate, roll back and delete model versions; a camera follows the active version', { timeout: 240_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sightline-models-'));
  const registryDir = join(dataDir, 'models', 'registry');
  const filesIn = (id: string) => (existsSync(join(registryDir, id)) ? readdirSync(join(registryDir, id)) : []);
  let app: RunningApp | null = null;
  try {
    const r = validateConfig({
      server: { port: 0 }, auth: { enabled: false }, dataDir, assets: ASSETS, models: { download: false },
      cameras: [{ id: 'plaza', source: { url: asset('videos/vtest.avi') }, detect: { fps: 5, model: 'people' }, record: { mode: 'off' }, live: { enabled: false } }],
    });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
    app = await startApp(r.config, pino({ level: 'silent' }));
    const base = app.url;
    const status = async () => (await (await fetch(`${base}/api/cameras/plaza`)).json()) as { state: string; lastError: string | null; framesProcessed: number; model: string | null };
    await waitFor('the camera offline: model "people" does not exist yet', async () => (await status()).state === 'offline', 30_000, 100);
    assert.match((await status()).lastError!, /people/);

    const upload = (id: string, body: Buffer | string, headers: Record<string, string> = {}) =>
      fetch(`${base}/api/models?id=${id}&name=${id}.onnx`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...headers }, body: typeof body === 'string' ? body : new Uint8Array(body) });

    // Not ONNX: refused, nothing kept.
    const bad = await upload('people', 'certainly not a protobuf model file');
    assert.equal(bad.status, 400);
    const badBody = (await bad.json()) as { error: { code: string; message: string } };
    assert.equal(badBody.error.code, 'MODEL_INVALID');
    assert.match(badBody.error.message, /expected an ONNX model/);
    assert.deepEqual(filesIn('people'), []);
    // 2 GB declared: refused from the header.
    const huge = await new Promise<number>((resolve, reject) => {
      const req = request(`${base}/api/models?id=people`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'content-length': String(2 * 1024 ** 3) } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.write(Buffer.alloc(1 << 16));
      setTimeout(() => req.destroy(), 20_000).unref();
    });
    assert.equal(huge, 413);
    assert.deepEqual(filesIn('people'), []);
    // A catalog id cannot be taken.
    assert.equal((await upload('yolox-nano', readFileSync(asset('models/yolox_nano.onnx')))).status, 409);

    // Version 1: YOLOX-nano, proposed from the file, confirmed: active, and the camera starts on it.
    const v1res = await upload('people', readFileSync(asset('models/yolox_nano.onnx')));
    assert.equal(v1res.status, 201, await v1res.clone().text());
    const v1 = (await v1res.json()) as { version: Version; runnable: string | null };
    assert.deepEqual([v1.version.version, v1.version.status, v1.version.active], [1, 'proposed', false]);
    assert.deepEqual([v1.version.manifest.task, v1.version.manifest.family, v1.version.manifest.inputWidth], ['detect', 'yolox', 416]);
    assert.ok(v1.version.notes.length > 0, 'the proposal says what it guessed');
    assert.equal(v1.runnable, null);
    const confirmed = (await (await fetch(`${base}/api/models/people/versions/1/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ manifest: { defaultScoreThreshold: 0.35 } }) })).json()) as Version;
    assert.deepEqual([confirmed.status, confirmed.active], ['ready', true], 'the first confirmed version is active');
    await waitFor('the camera online on people@1', async () => {
      const s = await status();
      return s.state === 'online' && s.framesProcessed > 3;
    }, 60_000, 200);
    assert.equal((await status()).model, 'people@1');

    // Version 2: YOLOv8n int8, confirmed and activated: the camera restarts on it; inference follows.
    const v2 = (await (await upload('people', readFileSync(asset('models/yolov8n_int8_dynamic.onnx')))).json()) as { version: Version };
    assert.equal(v2.version.version, 2);
    await fetch(`${base}/api/models/people/versions/2/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(((await (await fetch(`${base}/api/models/people`)).json()) as { versions: Version[] }).versions.find((v) => v.active)!.version, 1, 'confirming does not activate a second version');
    const before = (await status()).framesProcessed;
    const activated = (await (await fetch(`${base}/api/models/people/versions/2/activate`, { method: 'POST' })).json()) as Version;
    assert.equal(activated.active, true);
    const swapped = await waitFor('the camera on people@2', async () => {
      const s = await status();
      return s.model === 'people@2' ? s : undefined;
    }, 60_000, 100);
    assert.equal(swapped.state, 'online');
    assert.ok(swapped.framesProcessed >= before, `the stream ran on: no restart (${before} frames before, ${swapped.framesProcessed} after)`);
    const jpeg = readFileSync(asset('mot/MOT17/train/MOT17-09-FRCNN/img1/000001.jpg'));
    const infer = async (model: string) => ((await (await fetch(`${base}/api/infer/${model}?labels=person&score=0.4`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: jpeg })).json()) as { results: { detections: unknown[] }[] }).results[0]!.detections;
    assert.deepEqual(await infer('people'), await infer('yolov8n-int8'), 'people is YOLOv8n now');
    assert.deepEqual(await infer('people@1'), await infer('yolox-nano'), 'people@1 pins version 1');

    // In use: not deleted; the list names the camera.
    const list = ((await (await fetch(`${base}/api/models`)).json()) as { models: { id: string; origin: string; activeVersion: number | null; usedBy: string[] }[] }).models;
    assert.deepEqual(list.find((m) => m.id === 'people'), { id: 'people', origin: 'uploaded', task: 'detect', activeVersion: 2, usedBy: ['plaza'] });
    const inUse = await fetch(`${base}/api/models/people/versions/2`, { method: 'DELETE' });
    assert.equal(inUse.status, 409);
    assert.match(((await inUse.json()) as { error: { message: string } }).error.message, /used by "plaza"/);

    // Roll back to version 1; version 2 is then free to delete, file and all.
    const back = (await (await fetch(`${base}/api/models/people/rollback`, { method: 'POST' })).json()) as Version;
    assert.deepEqual([back.version, back.active], [1, true]);
    assert.equal((await fetch(`${base}/api/models/people/versions/2`, { method: 'DELETE' })).status, 204);
    assert.deepEqual(filesIn('people'), ['v1.onnx']);
    await waitFor('the camera back on people@1', async () => (await status()).model === 'people@1', 60_000, 200);
    // Pinning a version through the camera's configuration swaps the model the same way.
    const framesBefore = (await status()).framesProcessed;
    const pinned = await fetch(`${base}/api/cameras/plaza`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ detect: { model: 'yolox-nano' } }) });
    assert.equal(pinned.status, 200);
    const after = await waitFor('the camera on yolox-nano', async () => {
      const s = await status();
      return s.model === 'yolox-nano' ? s : undefined;
    }, 60_000, 100);
    assert.ok(after.framesProcessed >= framesBefore, 'no restart');
  } finally {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
