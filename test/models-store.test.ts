// `sightline models list|add|remove` through the real CLI, on a temp data folder, real model files and a local HTTP server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { asset, ASSETS } from './support/assets.ts';
import { startLocalServer, type LocalServer } from './support/http-server.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'sightline-models-'));
const dataDir = join(dir, 'data');
const modelDir = join(dataDir, 'models');
const cli = (args: string[]) =>
  run('node', ['bin/sightline.mjs', 'models', ...args], {
    env: { ...process.env, SIGHTLINE_DATA_DIR: dataDir, SIGHTLINE_ASSETS: ASSETS, SIGHTLINE_MODELS__DOWNLOAD: 'false' },
    maxBuffer: 1 << 24,
  });
/** Runs a command expected to fail and returns its stderr. */
const failing = async (args: string[]): Promise<string> => {
  try {
    await cli(args);
  } catch (err) {
    assert.equal((err as { code: number }).code, 1);
    return (err as { stderr: string }).stderr;
  }
  assert.fail(`expected sightline models ${args.join(' ')} to fail`);
};
const list = async (): Promise<any[]> => JSON.parse((await cli(['list', '--json'])).stdout).models;

const osnet = readFileSync(asset('models/osnet_x0_25_msmt17.onnx'));
const osnetSha = createHash('sha256').update(osnet).digest('hex');
let server: LocalServer;
let base: string;

before(async () => {
  server = await startLocalServer((req, res) => {
    if (req.url === '/reid.onnx') res.writeHead(200, { 'content-length': osnet.length }).end(osnet);
    else res.writeHead(404).end('not here');
  });
  base = server.base;
});
after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('list shows the catalog models found in the assets folder with a matching checksum', async () => {
  const rows = await list();
  for (const id of ['yolox-nano', 'yolov8n-int8', 'yolo11n-int8-320']) {
    const row = rows.find((r) => r.id === id);
    assert.ok(row, id);
    assert.equal(row.origin, 'catalog');
    assert.equal(row.task, 'detect');
    assert.equal(row.location, 'assets');
    assert.equal(row.checksum, 'ok', id);
    assert.ok(row.sizeBytes > 1e6);
  }
  assert.match((await cli(['list'])).stdout, /^yolox-nano\s+catalog\s+detect\s+416x416\s+Apache-2\.0\s+assets\s+3\.7 MB\s+sha256 ok$/m);
});

test('add a model file: copied, recorded, listed as an added embed model; adding it again is refused', async () => {
  const src = join(dir, 'osnet_x0_25_msmt17.onnx');
  copyFileSync(asset('models/osnet_x0_25_msmt17.onnx'), src);
  const { stdout } = await cli(['add', src]);
  assert.match(stdout, /^added osnet-x0-25-msmt17: embed \(embedder\)/);
  const dest = join(modelDir, 'osnet-x0-25-msmt17.onnx');
  assert.ok(readFileSync(dest).equals(osnet));
  const recorded = JSON.parse(readFileSync(join(modelDir, 'user-models.json'), 'utf8')).models;
  assert.equal(recorded.length, 1);
  assert.deepEqual([recorded[0].id, recorded[0].sha256, recorded[0].sizeBytes, recorded[0].source], ['osnet-x0-25-msmt17', osnetSha, osnet.length, src]);
  assert.ok(!readdirSync(modelDir).some((f) => f.endsWith('.tmp')));

  const row = (await list()).find((r) => r.id === 'osnet-x0-25-msmt17');
  assert.deepEqual(
    { origin: row.origin, task: row.task, location: row.location, checksum: row.checksum, sizeBytes: row.sizeBytes },
    { origin: 'user', task: 'embed', location: 'data', checksum: 'ok', sizeBytes: osnet.length },
  );

  assert.match(await failing(['add', src]), /expected a model id not already added, got "osnet-x0-25-msmt17".*\[MODEL_ID_TAKEN\]/);
  assert.match(await failing(['add', src, '--id', 'yolox-nano']), /expected a model id the catalog does not use, got "yolox-nano".*\[MODEL_ID_TAKEN\]/);
});

test('add a file that is not ONNX: MODEL_LOAD_FAILED, nothing recorded', async () => {
  const garbage = join(dir, 'garbage.onnx');
  writeFileSync(garbage, 'this is not a protobuf model\n'.repeat(20));
  assert.match(await failing(['add', garbage]), /garbage\.onnx: expected an ONNX model .*\[MODEL_LOAD_FAILED\]/);
  assert.ok(!existsSync(join(modelDir, 'garbage.onnx')));
  assert.ok(!(await list()).some((r) => r.id === 'garbage'));
});

test('add by URL: kept with the right sha256, refused with a wrong one', async () => {
  const wrong = '0'.repeat(64);
  assert.match(await failing(['add', `${base}/reid.onnx`, '--sha256', wrong, '--id', 'reid-bad']), new RegExp(`expected sha256 ${wrong} \\(given with --sha256\\) from .*, got sha256 ${osnetSha} \\(${osnet.length} bytes\\).*\\[CHECKSUM_MISMATCH\\]`));
  assert.ok(!readdirSync(modelDir).some((f) => f.includes('reid-bad') || f.startsWith('.incoming')));
  assert.match(await failing(['add', `${base}/reid.onnx`, '--id', 'reid-web']), /--sha256: expected the sha256 of .*, got none/);

  const { stdout } = await cli(['add', `${base}/reid.onnx`, '--sha256', osnetSha, '--id', 'reid-web']);
  assert.match(stdout, /^added reid-web: embed/);
  assert.match(stdout, new RegExp(`from ${base}/reid\\.onnx`));
  assert.ok(readFileSync(join(modelDir, 'reid-web.onnx')).equals(osnet));
  assert.ok(!readdirSync(modelDir).some((f) => f.startsWith('.incoming') || f.endsWith('.part')));
  const row = (await list()).find((r) => r.id === 'reid-web');
  assert.equal(row.checksum, 'ok');
});

test('remove deletes an added model and its entry; an unknown id lists the known ones; assets are never removed', async () => {
  assert.match((await cli(['remove', 'reid-web'])).stdout, /removed added model reid-web: deleted .*reid-web\.onnx/);
  assert.ok(!existsSync(join(modelDir, 'reid-web.onnx')));
  const ids = (await list()).map((r) => r.id);
  assert.ok(!ids.includes('reid-web') && ids.includes('osnet-x0-25-msmt17'));

  assert.match(await failing(['remove', 'nope']), /expected a catalog or added model id \(yolox-nano, yolov8n-int8, yolo11n-int8-320, osnet-x0\.25-msmt17, yolo11n-pose, osnet-x0-25-msmt17\), got "nope".*\[MODEL_NOT_FOUND\]/);
  assert.match(await failing(['remove', 'yolox-nano']), /files in the assets folder .* are never removed/);
  assert.ok(existsSync(asset('models/yolox_nano.onnx')));
});

test('remove deletes a downloaded catalog model from the data folder', async () => {
  copyFileSync(asset('models/yolox_nano.onnx'), join(modelDir, 'yolox_nano.onnx'));
  assert.equal((await list()).find((r) => r.id === 'yolox-nano').location, 'data');
  assert.match((await cli(['remove', 'yolox-nano'])).stdout, /removed downloaded catalog model yolox-nano/);
  assert.ok(!existsSync(join(modelDir, 'yolox_nano.onnx')));
  assert.equal((await list()).find((r) => r.id === 'yolox-nano').location, 'assets');
});
