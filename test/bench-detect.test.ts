// `sightline bench detect --json` through the real CLI on a real model and real frames of the demo clip (a short run:
// this checks the command and the shape of its answer, not the machine's speed).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ASSETS } from './support/assets.ts';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'sightline-bench-'));

test('bench detect --json reports bare and full latency, their ratio, camera throughput and the machine', async () => {
  const { stdout, stderr } = await run(
    'node',
    ['bin/sightline.mjs', 'bench', 'detect', '--model', 'yolo11n-int8-320', '--cameras', '2', '--iterations', '6', '--rounds', '2', '--json'],
    { env: { ...process.env, SIGHTLINE_ASSETS: ASSETS, SIGHTLINE_DATA_DIR: dataDir, SIGHTLINE_MODELS__DOWNLOAD: 'false' }, maxBuffer: 1 << 24 },
  );
  const out = JSON.parse(stdout) as { models: Record<string, unknown>[]; machine: Record<string, unknown> };
  assert.equal(out.models.length, 1);
  const m = out.models[0]!;
  assert.equal(m['model'], 'yolo11n-int8-320');
  for (const k of ['bareRunP50Ms', 'bareRunP95Ms', 'bareRunFps', 'detectP50Ms', 'detectP95Ms', 'ratio', 'detectFullFrameP50Ms', 'fullFrameRatio', 'camerasThroughputFps', 'camerasVsBare']) {
    assert.ok(typeof m[k] === 'number' && (m[k] as number) > 0, `${k}: ${String(m[k])}`);
  }
  assert.ok((m['bareRunP95Ms'] as number) >= (m['bareRunP50Ms'] as number));
  assert.ok(Math.abs((m['ratio'] as number) - (m['detectP50Ms'] as number) / (m['bareRunP50Ms'] as number)) < 1e-9);
  assert.ok(Math.abs((m['fullFrameRatio'] as number) - (m['detectFullFrameP50Ms'] as number) / (m['bareRunP50Ms'] as number)) < 1e-9);
  assert.equal(m['rounds'], 2);
  assert.equal(m['provider'], 'cpu');
  assert.equal(out.machine['cores'], (await import('node:os')).cpus().length);
  assert.match(stderr, /2 cameras through the scheduler \(round 2 of 2\)/);
});

test('bench cameras --json runs real RTSP cameras through the live chain and reports capacity and CPU per camera', async () => {
  const { stdout, stderr } = await run(
    'node',
    ['bin/sightline.mjs', 'bench', 'cameras', '--source', 'rtsp', '--max', '2', '--step', '2', '--seconds', '3', '--warmup', '8', '--json'],
    { env: { ...process.env, SIGHTLINE_ASSETS: ASSETS, SIGHTLINE_DATA_DIR: dataDir, SIGHTLINE_MODELS__DOWNLOAD: 'false' }, maxBuffer: 1 << 24 },
  );
  const out = JSON.parse(stdout) as { sustainedCameras: number; perCamera: Record<string, number>; trials: Record<string, unknown>[]; machine: Record<string, unknown> };
  assert.equal(out.sustainedCameras, 2, stderr);
  for (const k of ['ffmpegCpuPct', 'nodeCpuPct', 'inferenceCpuPct']) assert.ok(out.perCamera[k]! > 0, `${k}: ${out.perCamera[k]}`);
  const t = out.trials[0]!;
  assert.equal(t['cameras'], 2);
  assert.ok((t['minDecodedFps'] as number) >= 4.5, `slowest camera ${String(t['minDecodedFps'])} frames/s`);
  assert.equal(out.machine['cores'], (await import('node:os')).cpus().length);
  assert.match(stderr, /2 cameras \(1 moving\): [\d.]+ frames\/s per camera/);
});

test('bench with a wrong subcommand or count is refused with the usage or a clear message', async () => {
  await assert.rejects(run('node', ['bin/sightline.mjs', 'bench', 'disks']), (e: { code: number; stderr: string }) => e.code === 2 && /usage: sightline bench detect\|cameras/.test(e.stderr));
  await assert.rejects(run('node', ['bin/sightline.mjs', 'bench', 'cameras', '--source', 'file']), (e: { stderr: string }) => /--source: expected rtsp, got file/.test(e.stderr));
  await assert.rejects(run('node', ['bin/sightline.mjs', 'bench', 'detect', '--cameras', '0']), (e: { stderr: string }) => /--cameras: expected an integer 1..64, got 0/.test(e.stderr));
  await assert.rejects(run('node', ['bin/sightline.mjs', 'bench', 'detect', '--rounds', 'x']), (e: { stderr: string }) => /--rounds: expected an integer 1..20, got x/.test(e.stderr));
});
