// `sightline bench detect --json` through the real CLI on a real model and real frames of the demo clip (a short run:
// the figures are checked for plausibility against the test's own timing of the same model, not for the machine's
// speed), and the bench's arithmetic checked against a detector whose costs are known in advance.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { loadDetector } from '../src/assets/load-detector.ts';
import { benchDetector, percentile } from '../src/bench/detect-bench.ts';
import type { Frame } from '../src/core/types.ts';
import { loadOnnxModel } from '../src/vision/adapters/onnx-runtime.ts';
import type { ObjectDetector } from '../src/vision/detector.ts';
import { asset, ASSETS } from './support/assets.ts';
import { decodeFrames } from './support/frames.ts';
import { sleep } from './support/wait.ts';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'sightline-bench-'));

/** Milliseconds of each of `n` calls of `call`, after three untimed ones. */
async function timeEach(n: number, call: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 3; i++) await call();
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await call();
    ms.push(performance.now() - t0);
  }
  return ms;
}

/** Asserts `got` lies within [low, high] x `want`. */
function assertNear(name: string, got: number, want: number, low: number, high: number) {
  assert.ok(got >= want * low && got <= want * high, `${name}: ${got.toFixed(2)}, expected ${(want * low).toFixed(2)}..${(want * high).toFixed(2)} (${want.toFixed(2)} x ${low}..${high})`);
}

test('bench detect --json reports bare and full latency, their ratio, camera throughput and the machine, in line with an own timing of the model', async () => {
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
    assert.ok(typeof m[k] === 'number' && Number.isFinite(m[k]) && (m[k] as number) > 0, `${k}: ${String(m[k])}`);
  }
  assert.ok((m['bareRunP95Ms'] as number) >= (m['bareRunP50Ms'] as number));
  assert.ok((m['detectP95Ms'] as number) >= (m['detectP50Ms'] as number));
  assert.equal(m['rounds'], 2);
  assert.equal(m['provider'], 'cpu');
  assert.equal(out.machine['cores'], (await import('node:os')).cpus().length);
  assert.match(stderr, /2 cameras through the scheduler \(round 2 of 2\)/);

  // The same model and clip timed here, after the bench has exited: the bench's figures must be of the same size. The
  // two timings are taken at different moments, so a machine busy with other work can put them 4-5x apart (seen: 19 ms
  // in the bench, 85 ms here); a factor 10 either way still catches a wrong unit (1000x) or a wrong call. The bench's
  // arithmetic is checked exactly by the stand-in detector below.
  const detector = await loadDetector('yolo11n-int8-320', { modelDir: join(dataDir, 'models'), searchDirs: [`${ASSETS}/models`] }, loadOnnxModel, { threads: 2 });
  try {
    const frames = await decodeFrames(asset('videos/vtest.avi'), { count: 3, everySeconds: 1 });
    const input = detector.prepare(frames[0]!);
    const bareMs = percentile(await timeEach(15, () => detector.runRaw(input)), 0.5);
    const fullFrameMs = percentile(await timeEach(9, () => detector.detect(frames[1]!)), 0.5);
    console.log(`# bench: bare ${(m['bareRunP50Ms'] as number).toFixed(1)} ms, whole frame ${(m['detectFullFrameP50Ms'] as number).toFixed(1)} ms; timed here: bare ${bareMs.toFixed(1)} ms, whole frame ${fullFrameMs.toFixed(1)} ms`);
    assertNear('bareRunP50Ms against the bare run timed here', m['bareRunP50Ms'] as number, bareMs, 1 / 10, 10);
    assertNear('bareRunFps against 1000 / the bare run timed here', m['bareRunFps'] as number, 1000 / bareMs, 1 / 10, 10);
    assertNear('detectFullFrameP50Ms against the whole-frame detect timed here', m['detectFullFrameP50Ms'] as number, fullFrameMs, 1 / 10, 10);
    assertNear('detectP50Ms against the bare run timed here', m['detectP50Ms'] as number, bareMs, 1 / 10, 10);
  } finally {
    await detector.close();
  }
});

/** Model call, detector-size preparation and whole-frame letterboxing of the detector with known costs, in ms. */
const COST = { modelMs: 30, scaledPrepMs: 10, wholeFramePrepMs: 60 };

/**
 * A stand-in for ObjectDetector whose every cost is known, so that each figure of the bench has a true value to be
 * checked against (a real model's costs are only known by measuring them, which is what is under test). Like the real
 * one it prepares a frame on its own time and runs the model one call at a time; timers only ever fire late, so the
 * checks allow more above the true value than below.
 */
function knownCostDetector(): ObjectDetector {
  let chain: Promise<unknown> = Promise.resolve();
  const runModel = () => (chain = chain.then(() => sleep(COST.modelMs)));
  const fake = {
    manifest: { id: 'known-cost' },
    provider: 'cpu',
    prepare: () => new Float32Array(1),
    runRaw: runModel,
    detect: async (frame: Frame) => {
      await sleep(frame.detectorImage ? COST.scaledPrepMs : COST.wholeFramePrepMs);
      await runModel();
      return [];
    },
  };
  return fake as unknown as ObjectDetector;
}

test('bench detect figures match a detector whose costs are known: model time, ratios, and cameras limited by the model', async () => {
  const frame = { index: 0, timeMs: 0, width: 4, height: 4, rgb: new Uint8Array(48) };
  const frames: Frame[] = [{ ...frame, detectorImage: { width: 4, height: 4, gbr: new Float32Array(48) } }];
  const r = await benchDetector(knownCostDetector(), frames, { iterations: 8, warmup: 2, rounds: 2, cameras: 2 });
  console.log(`# known costs ${JSON.stringify(COST)}: ${JSON.stringify(r)}`);
  const { modelMs, scaledPrepMs, wholeFramePrepMs } = COST;
  assertNear('bareRunP50Ms', r.bareRunP50Ms, modelMs, 0.95, 1.25);
  assertNear('bareRunFps', r.bareRunFps, 1000 / modelMs, 0.7, 1.05);
  assertNear('detectP50Ms', r.detectP50Ms, scaledPrepMs + modelMs, 0.95, 1.25);
  assertNear('ratio', r.ratio, (scaledPrepMs + modelMs) / modelMs, 0.8, 1.25);
  assertNear('detectFullFrameP50Ms', r.detectFullFrameP50Ms, wholeFramePrepMs + modelMs, 0.95, 1.25);
  assertNear('fullFrameRatio', r.fullFrameRatio, (wholeFramePrepMs + modelMs) / modelMs, 0.8, 1.25);
  // Two cameras, two jobs in flight: one is prepared while the model runs the other, so the model sets the pace.
  assertNear('camerasThroughputFps', r.camerasThroughputFps, 1000 / modelMs, 0.7, 1.05);
  assertNear('camerasVsBare', r.camerasVsBare, 1, 0.8, 1.25);
  assert.deepEqual([r.model, r.provider, r.cameras, r.camerasDroppedFrames, r.iterations, r.rounds], ['known-cost', 'cpu', 2, 0, 8, 2]);
});

test('bench cameras --json runs real RTSP cameras through the camera worker and reports capacity and CPU per camera', async () => {
  // Whether 2 cameras are sustained is what the bench measures, not what this test asserts: on a machine busy with
  // other work a trial may miss frames, the bench then says so and exits 1. The report must be whole and consistent.
  const result = await run(
    'node',
    ['bin/sightline.mjs', 'bench', 'cameras', '--source', 'rtsp', '--max', '2', '--step', '2', '--seconds', '3', '--warmup', '8', '--json'],
    { env: { ...process.env, SIGHTLINE_ASSETS: ASSETS, SIGHTLINE_DATA_DIR: dataDir, SIGHTLINE_MODELS__DOWNLOAD: 'false' }, maxBuffer: 1 << 24 },
  ).then((r) => ({ ...r, code: 0 }), (e: { stdout: string; stderr: string; code: number }) => e);
  const { stdout, stderr } = result;
  const out = JSON.parse(stdout) as { sustainedCameras: number; perCamera: Record<string, number> | null; trials: Record<string, unknown>[]; machine: Record<string, unknown> };
  const t = out.trials[0]!;
  assert.equal(t['cameras'], 2);
  assert.equal(result.code, t['sustained'] ? 0 : 1, 'exit 0 only when a trial was sustained');
  assert.equal(out.sustainedCameras, t['sustained'] ? 2 : 0, stderr);
  assert.equal(t['sustained'], (t['droppedFraction'] as number) < 0.01 && (t['minDecodedFps'] as number) >= 4.5, 'sustained means < 1 % missed and every camera at 90 % of its rate');
  assert.ok((t['decodedFpsPerCamera'] as number) > 3.5, `cameras decode near their 5 frames/s: ${String(t['decodedFpsPerCamera'])}`);
  assert.ok((t['detectorCallsPerSecond'] as number) > 0, 'the moving camera is detected on');
  const total = t['total'] as Record<string, number>;
  for (const k of ['ffmpegCpuPct', 'nodeCpuPct', 'inferenceCpuPct']) assert.ok(total[k]! > 0, `${k}: ${total[k]}`);
  if (out.perCamera) assert.deepEqual(out.perCamera, t['perCamera']);
  assert.equal(out.machine['cores'], (await import('node:os')).cpus().length);
  assert.match(stderr, /2 cameras \(1 moving\): [\d.]+ frames\/s per camera/);
});

test('bench with a wrong subcommand or count is refused with the usage or a clear message', async () => {
  await assert.rejects(run('node', ['bin/sightline.mjs', 'bench', 'disks']), (e: { code: number; stderr: string }) => e.code === 2 && /usage: sightline bench detect\|cameras/.test(e.stderr));
  await assert.rejects(run('node', ['bin/sightline.mjs', 'bench', 'cameras', '--source', 'file']), (e: { stderr: string }) => /--source: expected rtsp, got file/.test(e.stderr));
  await assert.rejects(run('node', ['bin/sightline.mjs', 'bench', 'detect', '--cameras', '0']), (e: { stderr: string }) => /--cameras: expected an integer 1..64, got 0/.test(e.stderr));
  await assert.rejects(run('node', ['bin/sightline.mjs', 'bench', 'detect', '--rounds', 'x']), (e: { stderr: string }) => /--rounds: expected an integer 1..20, got x/.test(e.stderr));
});
