// Benchmark: `analyze` throughput on vtest.avi with the default model, end to end (ffmpeg decode, letterbox,
// inference, decode, NMS, tracking, rules, events) vs. the bare `session.run` loop on the same frames,
// measured in the same run. Prints medians of several rounds, the ratio, and the machine.
//   node --import tsx bench/analyze.ts [--rounds 3] [--frames 300] [--model yolox-nano]
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { loadDetector } from '../src/assets/load-detector.ts';
import { probeVideo } from '../src/ingest/ffprobe.ts';
import { analyzeVideo } from '../src/analyze-video.ts';
import { loadOnnxModel } from '../src/vision/adapters/onnx-runtime.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, frames: { type: 'string', default: '300' }, model: { type: 'string', default: 'yolox-nano' } } });
const rounds = Number(values.rounds);
const frameCount = Number(values.frames);
const assets = resolve(process.env['SIGHTLINE_ASSETS'] ?? '../shared/assets');
const run = promisify(execFile);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// A clip of the first `frameCount` frames, so both loops see exactly the same frames.
const clip = join(mkdtempSync(join(tmpdir(), 'sightline-bench-')), 'clip.avi');
await run('ffmpeg', ['-v', 'error', '-i', join(assets, 'videos/vtest.avi'), '-frames:v', String(frameCount), '-c', 'copy', clip]);
const info = await probeVideo(clip);
const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', clip, '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'], { encoding: 'buffer', maxBuffer: 1 << 30 });
const size = info.width * info.height * 3;
const frames = Array.from({ length: Math.floor(stdout.length / size) }, (_, i) => ({ index: i, timeMs: i * 100, width: info.width, height: info.height, rgb: new Uint8Array(stdout.subarray(i * size, (i + 1) * size)) }));

const detector = await loadDetector(values.model, { modelDir: 'data/models', searchDirs: [join(assets, 'models')] }, loadOnnxModel, { threads: cpus().length });
// Inputs prepared outside the timed loop: the baseline is inference alone.
const inputs = frames.map((f) => detector.prepare(f));
for (let i = 0; i < 5; i++) await detector.runRaw(inputs[i]!);

const bare: number[] = [];
const e2e: number[] = [];
for (let r = 0; r < rounds; r++) {
  let t0 = performance.now();
  for (const input of inputs) await detector.runRaw(input);
  bare.push(inputs.length / ((performance.now() - t0) / 1000));
  t0 = performance.now();
  const result = await analyzeVideo(clip, detector, randomUUID, { labels: ['person'], fps: null, tiling: 'off' });
  e2e.push(result.framesAnalyzed / ((performance.now() - t0) / 1000));
  console.error(`round ${r + 1}/${rounds}: bare ${bare.at(-1)!.toFixed(1)} frames/s, end to end ${e2e.at(-1)!.toFixed(1)} frames/s`);
}
await detector.close();

const report = {
  benchmark: 'analyze',
  video: `vtest.avi first ${frames.length} frames (${info.width}x${info.height})`,
  model: values.model,
  rounds,
  bareRunFpsMedian: Number(median(bare).toFixed(2)),
  endToEndFpsMedian: Number(median(e2e).toFixed(2)),
  ratio: Number((median(e2e) / median(bare)).toFixed(3)),
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform },
};
console.log(JSON.stringify(report, null, 2));
