import { parseArgs } from 'node:util';
import { loadCatalog } from '../assets/catalog.ts';
import { loadDetector } from '../assets/load-detector.ts';
import { modelLocation, runnerOptions } from '../assets/resolve-model.ts';
import { resolveSampleUrl, sampleLocation } from '../assets/resolve-sample.ts';
import { benchDetector } from '../bench/detect-bench.ts';
import { formatMachine, machineInfo } from '../bench/machine.ts';
import { benchCamerasCommand } from './bench-cameras-command.ts';
import { intOption, loadCliConfig } from './cli-config.ts';
import type { DetectBenchResult } from '../bench/detect-bench.ts';
import { AppError } from '../core/errors.ts';
import type { Frame } from '../core/types.ts';
import { collectFrames } from '../ingest/ffmpeg-frames.ts';
import { probeVideo } from '../ingest/ffprobe.ts';
import type { ObjectDetector } from '../vision/detector.ts';
import { loadOnnxModel } from '../vision/adapters/onnx-runtime.ts';

/** Usage of `sightline bench`. */
export const BENCH_USAGE = `usage: sightline bench detect|cameras [options]   (sightline bench cameras --help for its options)
sightline bench detect [--model ID|PATH] [--cameras N] [--iterations N] [--rounds N] [--json] [--config FILE]
Measures detection on this machine, on real frames of the demo clip decoded as a camera delivers them: the bare model
call (p50, p95), the full detect call with pre- and post-processing (p50, p95), their ratio, the full detect call when
it letterboxes the whole frame itself, and frames/s when N cameras share the model (against bare calls back to back).
  --model       detector id (catalog or added) or .onnx path (default: every catalog detector present locally)
  --cameras     cameras sharing the model in the throughput run (default 4)
  --iterations  timed calls per measurement and round (default 50)
  --rounds      rounds of all measurements, interleaved; medians are reported (default 3)
  --json        print {"models": [...], "machine": {...}} instead of the table`;

/** Frames sampled from the demo clip for each model. */
const FRAME_COUNT = 12;

/** `sightline bench detect`; returns the exit code. */
export async function benchCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'cameras') return benchCamerasCommand(rest);
  if (sub !== 'detect') {
    (sub === undefined || sub === '--help' ? console.log : console.error)(BENCH_USAGE);
    return sub === '--help' ? 0 : 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      model: { type: 'string' }, cameras: { type: 'string' }, iterations: { type: 'string' }, rounds: { type: 'string' }, json: { type: 'boolean' },
      config: { type: 'string' }, help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(BENCH_USAGE);
    return 0;
  }
  const cameras = intOption('cameras', values.cameras, 4, 1, 64);
  const rounds = intOption('rounds', values.rounds, 3, 1, 20);
  const iterations = intOption('iterations', values.iterations, 50, 5);
  const config = await loadCliConfig(values.config);
  const runner = runnerOptions(config);
  const { threads } = runner;
  const loc = modelLocation(config, { download: Boolean(values.model) && config.models.download });
  const log = (s: string) => (values.json ? console.error(s) : console.log(s));

  const clip = await resolveSampleUrl('sample:vtest', sampleLocation(config));
  const info = await probeVideo(clip);
  log(`frames: ${FRAME_COUNT} of the demo clip (${info.width}x${info.height}); threads ${threads}; ${cameras} cameras; ${rounds} rounds`);
  const specs = values.model ? [values.model] : loadCatalog().models.filter((m) => m.task === 'detect').map((m) => m.id);
  const results: DetectBenchResult[] = [];
  for (const spec of specs) {
    let detector;
    try {
      detector = await loadDetector(spec, loc, loadOnnxModel, runner);
      if (detector.providerFallback) log(`${spec}: ${detector.providerFallback}`);
    } catch (err) {
      if (values.model) throw err;
      log(`${spec}: skipped (${err instanceof Error ? err.message : String(err)})`);
      continue;
    }
    try {
      const frames = await sampleFrames(clip, detector, FRAME_COUNT);
      const r = await benchDetector(detector, frames, { iterations, warmup: 5, rounds, cameras, onPhase: (p) => log(`${spec}: ${p}...`) });
      results.push(r);
      log(formatRow(r));
    } finally {
      await detector.close();
    }
  }
  const machine = machineInfo(config.models.provider, threads);
  if (values.json) console.log(JSON.stringify({ models: results, machine }, null, 2));
  else log(formatMachine(machine));
  return results.length > 0 ? 0 : 1;
}

function formatRow(r: DetectBenchResult): string {
  const f = (x: number) => x.toFixed(1);
  return (
    `${r.model}: bare run p50 ${f(r.bareRunP50Ms)} ms, p95 ${f(r.bareRunP95Ms)} ms; detect p50 ${f(r.detectP50Ms)} ms, ` +
    `p95 ${f(r.detectP95Ms)} ms; ratio ${r.ratio.toFixed(2)} (letterboxing the whole frame: ${f(r.detectFullFrameP50Ms)} ms, ` +
    `${r.fullFrameRatio.toFixed(2)}); ${r.cameras} cameras ${f(r.camerasThroughputFps)} frames/s ` +
    `(${r.camerasVsBare.toFixed(2)} x the bare single-camera rate of ${f(r.bareRunFps)})`
  );
}

/**
 * `count` frames spread over the demo clip (one a second), decoded by ffmpeg at the clip's size as a camera delivers
 * them: each with the detector-size planar image of `detector` scaled in the same pass.
 */
async function sampleFrames(path: string, detector: ObjectDetector, count: number): Promise<Frame[]> {
  const { width, height } = await probeVideo(path);
  const detectorImage = detector.detectorImageSpec(width, height);
  return collectFrames({ url: path, width, height, fps: 1, realtime: false, loop: false, rtspTransport: 'tcp', timeoutMs: 10_000, detectorImage }, count);
}
