import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDetector } from '../assets/load-detector.ts';
import { loadClipClassifier } from '../assets/load-clip.ts';
import { modelLocation, runnerOptions } from '../assets/resolve-model.ts';
import { analyzeVideo } from '../analyze-video.ts';
import { loadOnnxModel } from '../vision/adapters/onnx-runtime.ts';
import { formatResults } from '../mot/track/result-file.ts';
import { interpolateGaps, OFFLINE_DEFAULTS } from '../tracking/offline.ts';
import { loadCliConfig } from './cli-config.ts';
import { ProgressBar } from './progress.ts';
import { AppError } from '../core/errors.ts';
import { readRulesFile } from '../config/rules-file.ts';
import { toEventJson } from '../events/event-json.ts';

/** Usage of `sightline analyze`. */
export const ANALYZE_USAGE = `usage: sightline analyze VIDEO [--model ID|PATH] [--json OUT] [--mot OUT] [--camera ID | --rules FILE|preset:NAME]
                         [--labels person,car] [--fps N] [--online] [--score 0..1] [--tiling off|auto] [--config FILE]
Runs detection, tracking and the event rules over a video file as fast as possible.
  --model    catalog id or .onnx path (default: models.default of the config, yolox-nano)
  --json     write {video, model, framesAnalyzed, fps, lines, events: [...]} to OUT (events as the API sends them)
  --camera   apply the zones, lines, rules and objects of this camera of the configuration (default: presence
             of the labels anywhere in the frame)
  --rules    apply the detect (model, scoreThreshold, tiling), objects, zones, lines and rules of a YAML file, or of
             a built-in preset: preset:falls, preset:animals, preset:violence (every frame is analysed unless --fps;
             event times: ms of video from the start of the file)
  --mot      write confirmed tracks as MOTChallenge rows frame,id,x,y,w,h,conf,-1,-1,-1 (1-based frames);
             gaps of up to ${OFFLINE_DEFAULTS.maxGapSeconds} s in a track are filled by interpolation
  --online   write the tracks exactly as the live tracker reported them (no gap filling)
  --labels   labels to track (default person)
  --fps      analyse this many frames per second (default: every frame)`;

/** `sightline analyze`: offline analysis of one video; returns the exit code. */
export async function analyzeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string' }, json: { type: 'string' }, mot: { type: 'string' }, labels: { type: 'string' },
      fps: { type: 'string' }, score: { type: 'string' }, tiling: { type: 'string' }, config: { type: 'string' }, online: { type: 'boolean' }, help: { type: 'boolean' },
      camera: { type: 'string' }, rules: { type: 'string' },
    },
  });
  if (values.help || positionals.length !== 1) {
    console.error(ANALYZE_USAGE);
    return values.help ? 0 : 2;
  }
  const video = positionals[0]!;
  const fps = values.fps === undefined ? null : Number(values.fps);
  if (fps !== null && !(fps > 0 && fps <= 120)) throw new Error(`--fps: expected a number between 0 and 120, got ${values.fps}`);
  const score = values.score === undefined ? undefined : Number(values.score);
  if (score !== undefined && !(score >= 0 && score <= 1)) throw new Error(`--score: expected a number between 0 and 1, got ${values.score}`);
  const tiling = values.tiling;
  if (tiling !== undefined && tiling !== 'off' && tiling !== 'auto') throw new Error(`--tiling: expected off or auto, got ${tiling}`);
  if (values.camera !== undefined && values.rules !== undefined) throw new AppError('CONFIG_INVALID', '--camera and --rules: expected one of them, got both');
  const rulesFile = values.rules === undefined ? null : await readRulesFile(values.rules);
  const fileDetect = (rulesFile?.detect ?? {}) as { model?: unknown };
  if (fileDetect.model !== undefined && typeof fileDetect.model !== 'string') {
    throw new AppError('CONFIG_INVALID', `${rulesFile!.source}: detect.model: expected a model id or an .onnx path, got ${JSON.stringify(fileDetect.model)}`);
  }

  const config = await loadCliConfig(values.config);
  const camera = values.camera === undefined ? null : config.cameras.find((c) => c.id === values.camera);
  if (camera === undefined) {
    throw new AppError('CAMERA_NOT_FOUND', `--camera: no camera "${values.camera}" in the configuration; cameras: ${config.cameras.map((c) => c.id).join(', ') || 'none (give --config FILE)'}`);
  }
  const spec = values.model ?? (typeof fileDetect.model === 'string' ? fileDetect.model : undefined) ?? camera?.detect.model ?? config.models.default;
  const download = new ProgressBar(`downloading ${spec}`);
  const detector = await loadDetector(
    spec,
    modelLocation(config, { onProgress: (r, t) => download.update(r, t) }),
    loadOnnxModel,
    runnerOptions(config),
  );
  try {
    const bar = new ProgressBar(`analyzing ${video}`);
    const result = await analyzeVideo(video, detector, randomUUID, {
      // A rules file's own objects (validated with it) unless --labels says otherwise.
      labels: values.labels ? values.labels.split(',').map((s) => s.trim()).filter(Boolean) : (camera?.objects.track ?? (rulesFile ? [] : ['person'])),
      geometry: rulesFile
        ? { ...rulesFile, detect: { ...fileDetect, model: undefined } }
        : camera ? { zones: camera.zones, lines: camera.lines, rules: camera.rules, events: camera.events } : undefined,
      fps,
      scoreThreshold: score,
      tiling,
      onProgress: (d, t) => bar.update(d, t),
      // One intra-op thread: the clip classifier runs beside the detector without taking both cores.
      loadClip: (rule) => loadClipClassifier(rule.model, rule.label, modelLocation(config), loadOnnxModel, { ...runnerOptions(config), threads: 1 }),
    });
    bar.done();
    const seconds = result.elapsedMs / 1000;
    const perFrame = (ms: number) => (ms / Math.max(1, result.framesAnalyzed)).toFixed(1);
    console.error(
      `analyzed ${result.framesAnalyzed} frames in ${seconds.toFixed(1)} s: ${(result.framesAnalyzed / seconds).toFixed(1)} frames/s ` +
        `(per frame: pre ${perFrame(result.timings.preMs)} ms, inference ${perFrame(result.timings.runMs)} ms, post ${perFrame(result.timings.postMs)} ms); ` +
        `${result.trackIds} tracks, ${result.events.length} events`,
    );
    for (const l of result.status.lines) console.error(`line ${l.id}: ${l.in} in, ${l.out} out`);
    if (result.clips) {
      const scores = result.clips.windows.map((w) => w.score.toFixed(3)).join(', ');
      console.error(`clip classifier: ${result.clips.stats.windows} windows (${result.clips.stats.dropped} dropped)${scores ? `, scores ${scores}` : ''}`);
    }
    if (values.json) {
      const out = {
        video,
        model: detector.manifest.id,
        width: result.video.width,
        height: result.video.height,
        fps: fps ?? result.video.fps,
        framesAnalyzed: result.framesAnalyzed,
        elapsedMs: Math.round(result.elapsedMs),
        framesPerSecond: result.framesAnalyzed / seconds,
        lines: result.status.lines,
        ...(result.clips ? { clips: { ...result.clips.stats, windows: result.clips.windows } } : {}),
        events: result.events.map(toEventJson),
      };
      await writeFile(values.json, `${JSON.stringify(out, null, 2)}\n`);
      console.error(`wrote ${result.events.length} events to ${values.json}`);
    }
    if (values.mot) {
      // Offline mode: the whole video is known, so short gaps in each track are filled by interpolation.
      const rows = values.online ? result.trackRows : interpolateGaps(result.trackRows, fps ?? result.video.fps ?? 25);
      await writeFile(values.mot, formatResults(rows));
      const filled = rows.length - result.trackRows.length;
      console.error(`wrote ${rows.length} track rows to ${values.mot}${values.online ? ' (online)' : ` (${filled} interpolated)`}`);
    }
    return 0;
  } finally {
    await detector.close();
  }
}
