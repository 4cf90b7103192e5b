import { parseArgs } from 'node:util';
import { loadDetector } from '../assets/load-detector.ts';
import { modelLocation, runnerOptions } from '../assets/resolve-model.ts';
import { resolveSampleUrl, sampleLocation } from '../assets/resolve-sample.ts';
import { cameraCapacity } from '../bench/camera-bench.ts';
import { formatMachine, machineInfo } from '../bench/machine.ts';
import { rtspClip } from '../bench/rtsp-server.ts';
import { AppError } from '../core/errors.ts';
import { loadOnnxModel } from '../vision/adapters/onnx-runtime.ts';
import { intOption, loadCliConfig } from './cli-config.ts';

/** Usage of `sightline bench cameras`. */
export const BENCH_CAMERAS_USAGE = `usage: sightline bench cameras --source rtsp [--max N] [--step N] [--seconds N] [--warmup N] [--model ID|PATH] [--json]
Finds how many cameras this machine carries: N real 720p15 H.264 RTSP streams from a local GStreamer RTSP server (a
quarter with people walking, the rest a still scene) run through the live chain with detect at 5 fps and motion gating
on; N grows by --step until a trial misses its frame rate or loses 1 % or more of the frames to detection.
Needs Debian's python3-gi, gir1.2-gst-rtsp-server-1.0 and gstreamer1.0-plugins-base/good/bad.
  --source   rtsp (the only source this benchmark starts itself)
  --max      most cameras to try (default 16)
  --step     cameras added per trial (default 2)
  --seconds  measured seconds per trial (default 20), after --warmup seconds (default 8)
  --model    detector (default: models.default)
  --json     print {"sustainedCameras", "perCamera": {"ffmpegCpuPct", "nodeCpuPct", "inferenceCpuPct"}, "trials", "machine"}`;

/** `sightline bench cameras`; returns the exit code. */
export async function benchCamerasCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      source: { type: 'string' }, max: { type: 'string' }, step: { type: 'string' }, seconds: { type: 'string' }, warmup: { type: 'string' },
      model: { type: 'string' }, json: { type: 'boolean' }, config: { type: 'string' }, help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(BENCH_CAMERAS_USAGE);
    return 0;
  }
  if ((values.source ?? 'rtsp') !== 'rtsp') throw new AppError('CONFIG_INVALID', `--source: expected rtsp, got ${values.source}`);
  const max = intOption('max', values.max, 16, 1, 64);
  const step = intOption('step', values.step, 2, 1, 64);
  const seconds = intOption('seconds', values.seconds, 20, 2, 600);
  const warmupSeconds = intOption('warmup', values.warmup, 8, 1, 120);
  const config = await loadCliConfig(values.config);
  const runner = runnerOptions(config);
  const log = (s: string) => (values.json ? console.error(s) : console.log(s));

  const sample = await resolveSampleUrl('sample:vtest', sampleLocation(config));
  log('preparing 720p15 H.264 clips of the demo clip (once per machine)...');
  const [movingClip, stillClip] = [await rtspClip(sample, 15, 720), await rtspClip(sample, 15, 720, { still: true })];
  const detector = await loadDetector(values.model ?? config.models.default, modelLocation(config), loadOnnxModel, runner);
  try {
    const run = await cameraCapacity(max, step, { detector, movingClip, stillClip, fps: 5, width: 640, seconds, warmupSeconds, onProgress: log });
    const best = run.trials.find((t) => t.cameras === run.sustainedCameras);
    const machine = machineInfo(config.models.provider, runner.threads);
    const summary = {
      sustainedCameras: run.sustainedCameras,
      perCamera: best?.perCamera ?? null,
      model: detector.manifest.id,
      detectFps: 5,
      stream: '1280x720 H.264 15 fps over RTSP/TCP, a quarter with movement',
      trials: run.trials,
      machine,
    };
    if (values.json) console.log(JSON.stringify(summary, null, 2));
    else {
      log(`sustained: ${run.sustainedCameras} cameras` + (best ? ` (per camera: ffmpeg ${best.perCamera.ffmpegCpuPct} %, node ${best.perCamera.nodeCpuPct} %, inference ${best.perCamera.inferenceCpuPct} % of a core)` : ''));
      log(formatMachine(machine));
    }
    return run.sustainedCameras > 0 ? 0 : 1;
  } finally {
    await detector.close();
  }
}
