// One side of `bench/analyze.ts`, run in a process of its own so that neither side's memory or threads weigh on the
// other: `bare` times the model's `session.run` on prepared inputs (the clip's first frames, cycled), `analyze` times
// the product's `sightline analyze` pipeline (`analyzeVideo`: probe, ffmpeg decode, detector, tracker, rules, events)
// over the whole clip. Both load the model the way the product does and warm it up first. Prints one JSON line:
// frames, wall milliseconds, and CPU milliseconds of this process and its children (ffmpeg) over the timed part only.
//   node --import tsx bench/analyze-side.ts bare|analyze CLIP [--model yolox-nano] [--spinning] [--no-read-ahead] [--whole-picture]
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDetector } from '../src/assets/load-detector.ts';
import { analyzeVideo } from '../src/analyze-video.ts';
import { fileFrameSource } from '../src/ingest/file-source.ts';
import { probeVideo } from '../src/ingest/ffprobe.ts';
import { loadOnnxModel } from '../src/vision/adapters/onnx-runtime.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    model: { type: 'string', default: 'yolox-nano' },
    spinning: { type: 'boolean', default: false },
    frames: { type: 'string' },
    'no-read-ahead': { type: 'boolean', default: false },
    'whole-picture': { type: 'boolean', default: false },
  },
});
const [mode, clip] = positionals as [string, string];
if ((mode !== 'bare' && mode !== 'analyze') || clip === undefined) throw new Error('usage: analyze-side.ts bare|analyze CLIP');
const assets = resolve(process.env['SIGHTLINE_ASSETS'] ?? '../shared/assets');

/** CPU milliseconds of this process (all threads) and of its waited-for children, from /proc (Linux). */
function cpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // After the command name: utime, stime, cutime, cstime are fields 14-17 of the whole line, 12-15 here.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

// The product's runner options: one intra-op thread per core, spinning as asked (the product's default is off).
const detector = await loadDetector(values.model, { modelDir: 'data/models', searchDirs: [join(assets, 'models')], download: false }, loadOnnxModel, {
  threads: cpus().length,
  spinning: values.spinning,
});
const info = await probeVideo(clip);
const frameCount = values.frames !== undefined ? Number(values.frames) : (info.frameCount ?? 0);

// A few real frames of the clip, prepared the way the detector prepares them; also the warm-up input.
const source = fileFrameSource({ path: clip, width: info.width, height: info.height, fps: null, timeFps: 25, detectorImage: detector.detectorImageSpec(info.width, info.height) });
source.start();
const inputs: Float32Array[] = [];
for (let f = await source.next(); f !== null && inputs.length < 16; f = await source.next()) inputs.push(detector.prepare(f));
await source.stop();
for (let i = 0; i < 10; i++) await detector.runRaw(inputs[i % inputs.length]!);

let frames: number;
const cpu0 = cpuMs();
const t0 = performance.now();
if (mode === 'bare') {
  for (let i = 0; i < frameCount; i++) await detector.runRaw(inputs[i % inputs.length]!);
  frames = frameCount;
} else {
  const levers = { readAhead: !values['no-read-ahead'], detectorImageOnly: !values['whole-picture'] };
  const result = await analyzeVideo(clip, detector, randomUUID, { labels: ['person'], fps: null, levers });
  frames = result.framesAnalyzed;
}
const wallMs = performance.now() - t0;
const cpu = cpuMs() - cpu0;
await detector.close();
console.log(JSON.stringify({ mode, spinning: values.spinning, frames, wallMs, cpuMs: cpu }));
