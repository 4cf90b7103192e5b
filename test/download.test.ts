// Model download against a local HTTP server serving a real model file: success, wrong checksum, interruption, 404.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadCatalog } from '../src/assets/catalog.ts';
import { downloadFile } from '../src/assets/download.ts';
import { resolveCatalogModel } from '../src/assets/resolve-model.ts';
import { isAppError } from '../src/core/errors.ts';
import { asset } from './support/assets.ts';
import { startLocalServer, type LocalServer } from './support/http-server.ts';

const model = readFileSync(asset('models/yolox_nano.onnx'));
const sha = createHash('sha256').update(model).digest('hex');
let server: LocalServer;
let base: string;
const dir = mkdtempSync(join(tmpdir(), 'sightline-dl-'));

before(async () => {
  server = await startLocalServer((req, res) => {
    if (req.url === '/model.onnx') {
      res.writeHead(200, { 'content-length': model.length });
      // Send in chunks so progress is reported more than once.
      for (let i = 0; i < model.length; i += 256 * 1024) res.write(model.subarray(i, i + 256 * 1024));
      res.end();
    } else if (req.url === '/cut.onnx') {
      res.writeHead(200, { 'content-length': model.length });
      res.write(model.subarray(0, 1_000_000), () => res.destroy());
    } else {
      res.writeHead(404).end('not here');
    }
  });
  base = server.base;
});
after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a download with the right checksum lands whole and reports progress', async () => {
  const dest = join(dir, 'ok', 'model.onnx');
  const seen: number[] = [];
  await downloadFile(`${base}/model.onnx`, dest, { sha256: sha, onProgress: (r, total) => { seen.push(r); assert.equal(total, model.length); } });
  assert.ok(readFileSync(dest).equals(model));
  assert.ok(seen.length > 1 && seen.at(-1) === model.length);
  assert.ok(!existsSync(`${dest}.part`));
});

test('a wrong checksum is refused and leaves no file', async () => {
  const dest = join(dir, 'bad', 'model.onnx');
  await assert.rejects(downloadFile(`${base}/model.onnx`, dest, { sha256: '0'.repeat(64) }), (err) => {
    assert.ok(isAppError(err, 'CHECKSUM_MISMATCH'));
    assert.match(err.message, new RegExp(`expected sha256 0{64} .* got ${sha}`));
    return true;
  });
  assert.deepEqual(readdirSync(join(dir, 'bad')), []);
});

test('an interrupted download fails clearly and leaves no file; a retry succeeds', async () => {
  const dest = join(dir, 'cut', 'model.onnx');
  await assert.rejects(downloadFile(`${base}/cut.onnx`, dest, { sha256: sha }), (err) => {
    assert.ok(isAppError(err, 'DOWNLOAD_FAILED'));
    assert.match(err.message, /interrupted/);
    return true;
  });
  assert.deepEqual(readdirSync(join(dir, 'cut')), []);
  await downloadFile(`${base}/model.onnx`, dest, { sha256: sha });
  assert.ok(readFileSync(dest).equals(model));
});

test('HTTP errors name the status', async () => {
  await assert.rejects(downloadFile(`${base}/missing.onnx`, join(dir, 'x.onnx'), { sha256: sha }), /expected HTTP 200 from .*missing\.onnx, got 404/);
});

test('a missing catalog model is downloaded into the model folder by id', async () => {
  const real = loadCatalog();
  const catalog = { ...real, models: real.models.map((m) => (m.id === 'yolox-nano' ? { ...m, url: `${base}/model.onnx` } : m)) };
  const modelDir = join(dir, 'models');
  const { path, manifest } = await resolveCatalogModel('yolox-nano', { modelDir, searchDirs: [] }, catalog);
  assert.equal(path, join(modelDir, 'yolox_nano.onnx'));
  assert.equal(manifest.family, 'yolox');
  assert.ok(readFileSync(path).equals(model));
});

test('an unknown model id lists the known ones', async () => {
  await assert.rejects(resolveCatalogModel('yolo99', { modelDir: dir, searchDirs: [] }), /expected a catalog model id \(yolox-nano, .*\) or a path to an \.onnx file, got "yolo99"/);
});
