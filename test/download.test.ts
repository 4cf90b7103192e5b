// Model and sample downloads against a local HTTP server serving real files: success, wrong checksum, interruption,
// 404, a mirror standing in for the catalog URLs; local files checked against the catalog (and its equivalents).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadCatalog } from '../src/assets/catalog.ts';
import { downloadFile, downloadUrl } from '../src/assets/download.ts';
import { resolveCatalogModel } from '../src/assets/resolve-model.ts';
import { resolveSampleUrl } from '../src/assets/resolve-sample.ts';
import { acceptedFiles } from '../src/assets/verify-file.ts';
import { isAppError } from '../src/core/errors.ts';
import { asset } from './support/assets.ts';
import { startLocalServer, type LocalServer } from './support/http-server.ts';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const model = readFileSync(asset('models/yolox_nano.onnx'));
const sha = sha256(model);
const accept = [{ sha256: sha, sizeBytes: model.length, note: 'test' }];
/** The assets model with one byte changed: same size, other sha256. */
const tampered = Buffer.from(model);
tampered.writeUInt8(tampered.readUInt8(tampered.length >> 1) ^ 0xff, tampered.length >> 1);
const catalog = loadCatalog();
const yolox = catalog.models.find((m) => m.id === 'yolox-nano')!;
const files: Record<string, Buffer> = {
  '/model.onnx': model,
  '/mirror/yolox_nano.onnx': model,
  '/mirror/yolov8n_int8_dynamic.onnx': readFileSync(asset('models/yolov8n_int8_dynamic.onnx')),
  '/mirror/vtest.avi': readFileSync(asset('videos/vtest.avi')),
  '/bad/yolox_nano.onnx': tampered,
  '/bad/vtest.avi': tampered,
};
let server: LocalServer;
let base: string;
const requested: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'sightline-dl-'));

before(async () => {
  server = await startLocalServer((req, res) => {
    requested.push(req.url!);
    const body = files[req.url!];
    if (body) {
      res.writeHead(200, { 'content-length': body.length });
      // Send in chunks so progress is reported more than once.
      for (let i = 0; i < body.length; i += 256 * 1024) res.write(body.subarray(i, i + 256 * 1024));
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
  await downloadFile(`${base}/model.onnx`, dest, { accept, onProgress: (r, total) => { seen.push(r); assert.equal(total, model.length); } });
  assert.ok(readFileSync(dest).equals(model));
  assert.ok(seen.length > 1 && seen.at(-1) === model.length);
  assert.ok(!existsSync(`${dest}.part`));
});

test('a wrong checksum is refused and leaves no file', async () => {
  const dest = join(dir, 'bad', 'model.onnx');
  await assert.rejects(downloadFile(`${base}/model.onnx`, dest, { accept: [{ sha256: '0'.repeat(64), sizeBytes: null, note: 'given' }] }), (err) => {
    assert.ok(isAppError(err, 'CHECKSUM_MISMATCH'));
    assert.match(err.message, new RegExp(`^expected sha256 0{64} \\(given\\) from ${base}/model\\.onnx, got sha256 ${sha} \\(${model.length} bytes\\); the file was not kept$`));
    return true;
  });
  assert.deepEqual(readdirSync(join(dir, 'bad')), []);
});

test('an interrupted download fails clearly and leaves no file; a retry succeeds', async () => {
  const dest = join(dir, 'cut', 'model.onnx');
  await assert.rejects(downloadFile(`${base}/cut.onnx`, dest, { accept }), (err) => {
    assert.ok(isAppError(err, 'DOWNLOAD_FAILED'));
    assert.match(err.message, /interrupted/);
    return true;
  });
  assert.deepEqual(readdirSync(join(dir, 'cut')), []);
  await downloadFile(`${base}/model.onnx`, dest, { accept });
  assert.ok(readFileSync(dest).equals(model));
});

test('HTTP errors name the status', async () => {
  await assert.rejects(downloadFile(`${base}/missing.onnx`, join(dir, 'x.onnx'), { accept }), /expected HTTP 200 from .*missing\.onnx, got 404/);
});

test('the catalog pins the release file at the yolox-nano URL and lists the assets copy as an equivalent', () => {
  assert.deepEqual(
    acceptedFiles(yolox).map((a) => [a.sha256, a.sizeBytes]),
    [
      ['c789161ed43c8269fcd4e67c67eeeb4e80c622da2eb296a20bc6007bd18a0b7d', 3_659_407],
      [sha, model.length],
    ],
  );
});

test('download URLs: the entry own URL, or the file name under a mirror', () => {
  assert.equal(downloadUrl(yolox, null), yolox.url);
  assert.equal(downloadUrl(yolox, 'http://mirror.lan/sightline'), 'http://mirror.lan/sightline/yolox_nano.onnx');
  assert.equal(downloadUrl(yolox, 'http://mirror.lan/sightline/'), 'http://mirror.lan/sightline/yolox_nano.onnx');
  assert.equal(downloadUrl({ file: 'a b.onnx', url: null }, 'http://m/'), 'http://m/a%20b.onnx');
  assert.equal(downloadUrl({ file: 'x.onnx', url: null }, null), null);
});

test('a missing catalog model is downloaded from the mirror into the model folder; an equivalent file is kept', async () => {
  const modelDir = join(dir, 'models');
  const { path, manifest } = await resolveCatalogModel('yolox-nano', { modelDir, searchDirs: [], mirror: `${base}/mirror` });
  assert.equal(path, join(modelDir, 'yolox_nano.onnx'));
  assert.equal(manifest.family, 'yolox');
  assert.ok(readFileSync(path).equals(model));
  assert.ok(requested.includes('/mirror/yolox_nano.onnx'));
});

test('a catalog model with no URL of its own is downloaded from a mirror, and refused without one', async () => {
  const modelDir = join(dir, 'no-url');
  await assert.rejects(resolveCatalogModel('yolov8n-int8', { modelDir, searchDirs: [] }), (err) => {
    assert.ok(isAppError(err, 'MODEL_NOT_FOUND'));
    assert.match(err.message, /has no download URL; place the file at .*yolov8n_int8_dynamic\.onnx, set assets .* or set models\.mirror/);
    return true;
  });
  const { path } = await resolveCatalogModel('yolov8n-int8', { modelDir, searchDirs: [], mirror: base + '/mirror/' });
  assert.ok(readFileSync(path).equals(files['/mirror/yolov8n_int8_dynamic.onnx']!));
});

test('a mirror serving other bytes: CHECKSUM_MISMATCH naming both accepted files and what came; nothing kept', async () => {
  const modelDir = join(dir, 'bad-mirror');
  await assert.rejects(resolveCatalogModel('yolox-nano', { modelDir, searchDirs: [], mirror: `${base}/bad` }), (err) => {
    assert.ok(isAppError(err, 'CHECKSUM_MISMATCH'));
    assert.match(err.message, new RegExp(
      `^model yolox-nano: expected sha256 c789161e\\w+ \\(3659407 bytes, the file at its URL\\) or sha256 ${sha} \\(${model.length} bytes, a re-export .*\\) ` +
        `from ${base}/bad/yolox_nano\\.onnx, got sha256 ${sha256(tampered)} \\(${tampered.length} bytes\\); the file was not kept$`,
    ));
    return true;
  });
  assert.deepEqual(readdirSync(modelDir), []);
});

test('a local model file of other bytes is refused naming the file, the expected and the found sha256; it is left alone', async () => {
  const modelDir = join(dir, 'local-bad');
  mkdirSync(modelDir);
  const path = join(modelDir, 'yolox_nano.onnx');
  writeFileSync(path, tampered);
  await assert.rejects(resolveCatalogModel('yolox-nano', { modelDir, searchDirs: [asset('models')], mirror: `${base}/mirror` }), (err) => {
    assert.ok(isAppError(err, 'CHECKSUM_MISMATCH'));
    assert.match(err.message, new RegExp(
      `^model yolox-nano: expected ${path} to have sha256 c789161e\\w+ \\(3659407 bytes, the file at its URL\\) or sha256 ${sha} \\(.*\\), ` +
        `got sha256 ${sha256(tampered)} \\(${tampered.length} bytes\\); delete it \\(it is then downloaded again\\) or replace it with the right file$`,
    ));
    return true;
  });
  assert.ok(readFileSync(path).equals(tampered));
});

test('a local file that was checked and then replaced in place is checked again', async () => {
  const modelDir = join(dir, 'replaced');
  mkdirSync(modelDir);
  const path = join(modelDir, 'yolox_nano.onnx');
  copyFileSync(asset('models/yolox_nano.onnx'), path);
  // Whole seconds, so the modification time can be set back exactly.
  const wholeSeconds = Math.floor(Date.now() / 1000) - 60;
  utimesSync(path, wholeSeconds, wholeSeconds);
  assert.equal((await resolveCatalogModel('yolox-nano', { modelDir, searchDirs: [], download: false })).path, path);
  const old = statSync(path);
  writeFileSync(path, tampered);
  utimesSync(path, wholeSeconds, wholeSeconds);
  const now = statSync(path);
  // Same inode, size and modification time: only the content and the change time differ.
  assert.deepEqual([now.ino, now.size, now.mtimeMs], [old.ino, old.size, old.mtimeMs]);
  await assert.rejects(resolveCatalogModel('yolox-nano', { modelDir, searchDirs: [], download: false }), (err) => isAppError(err, 'CHECKSUM_MISMATCH'));
});

test('the assets copy (an equivalent) is accepted where it is, without a download', async () => {
  const before = requested.length;
  const { path } = await resolveCatalogModel('yolox-nano', { modelDir: join(dir, 'empty'), searchDirs: [asset('models')], mirror: `${base}/bad` });
  assert.equal(path, asset('models/yolox_nano.onnx'));
  assert.equal(requested.length, before);
});

test('samples: downloaded from the mirror and checked; a local clip of other bytes is refused', async () => {
  const samplesDir = join(dir, 'samples');
  const path = await resolveSampleUrl('sample:vtest', { samplesDir, download: true, mirror: `${base}/mirror` });
  assert.equal(path, join(samplesDir, 'vtest.avi'));
  assert.ok(readFileSync(path).equals(files['/mirror/vtest.avi']!));

  const badDir = join(dir, 'samples-bad');
  await assert.rejects(resolveSampleUrl('sample:vtest', { samplesDir: badDir, download: true, mirror: `${base}/bad` }), (err) => {
    assert.ok(isAppError(err, 'CHECKSUM_MISMATCH'));
    assert.match(err.message, new RegExp(`^sample vtest: expected sha256 ${catalog.samples[0]!.sha256} \\(8131690 bytes, the file at its URL\\) from ${base}/bad/vtest\\.avi`));
    return true;
  });
  mkdirSync(badDir, { recursive: true });
  writeFileSync(join(badDir, 'vtest.avi'), tampered);
  await assert.rejects(resolveSampleUrl('sample:vtest', { samplesDir: badDir, download: false }), (err) => {
    assert.ok(isAppError(err, 'CHECKSUM_MISMATCH'));
    assert.match(err.message, new RegExp(`^sample vtest: expected ${join(badDir, 'vtest.avi')} to have sha256 ${catalog.samples[0]!.sha256} .*, got sha256 ${sha256(tampered)}`));
    return true;
  });
});

test('an unknown model id lists the known ones', async () => {
  await assert.rejects(resolveCatalogModel('yolo99', { modelDir: dir, searchDirs: [] }), /expected a catalog model id \(yolox-nano, .*\) or a path to an \.onnx file, got "yolo99"/);
});
