/**
 * How many cameras this machine carries: N real 720p15 H.264 RTSP streams from the local server (a quarter of them
 * with people walking, the rest a still scene) each run through the product's camera worker (supervised ffmpeg
 * source, newest-frame queue, motion gate, shared detector through the scheduler, tracker, rules, events with JPEG
 * snapshots; events kept in memory instead of a database) at the detect rate; a trial
 * passes when every camera keeps its rate and under 1 % of the decoded frames miss detection. CPU is read from /proc:
 * ffmpeg processes, the Node main thread (ingest, motion, pre/post-processing, tracking) and the rest of the Node
 * process (the inference worker and its runtime threads).
 */

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import pino from 'pino';
import { CameraSchema } from '../config/schema.ts';
import type { EventSink } from '../events/event-bus.ts';
import { liveFrameSource } from '../ingest/live-source.ts';
import { renderJpeg } from '../media/render.ts';
import { createCameraWorker } from '../pipeline/camera-worker.ts';
import { analyzeVideo } from '../analyze-video.ts';
import type { Frame } from '../core/types.ts';
import type { DetectOptions, DetectTimings } from '../vision/detector.ts';
import { SharedDetector } from '../pipeline/shared-detector.ts';
import type { ObjectDetector } from '../vision/detector.ts';
import { startRtspServer } from './rtsp-server.ts';

/** One trial with `cameras` cameras. */
export interface CameraTrial {
  readonly cameras: number;
  readonly moving: number;
  /** Frames decoded per camera per second (mean over cameras). */
  readonly decodedFpsPerCamera: number;
  /** Slowest camera's decoded frames per second. */
  readonly minDecodedFps: number;
  /** Decoded frames that never reached the tracker (replaced in the queue or at the detector), as a fraction. */
  readonly droppedFraction: number;
  /** The part of `droppedFraction` replaced in the frame queue (the worker was late) and at the detector (inference was late). */
  readonly droppedAt: { readonly queue: number; readonly detector: number };
  readonly detectorCallsPerSecond: number;
  /** Percent of one core, per camera. */
  readonly perCamera: { readonly ffmpegCpuPct: number; readonly nodeCpuPct: number; readonly inferenceCpuPct: number };
  /** Percent of one core for the whole trial: ffmpeg, Node main thread, inference, RTSP server. */
  readonly total: { readonly ffmpegCpuPct: number; readonly nodeCpuPct: number; readonly inferenceCpuPct: number; readonly serverCpuPct: number };
  readonly sustained: boolean;
  /** Frames per second the background job analysed during the measured seconds; null without one. */
  readonly jobFramesPerSecond: number | null;
}

/** Settings of a capacity run. */
export interface CameraBenchOptions {
  readonly detector: ObjectDetector;
  /** The .h264 clips (from `rtspClip`): people moving, and a still scene. */
  readonly movingClip: string;
  readonly stillClip: string;
  readonly fps: number;
  readonly width: number;
  /** Seconds measured per trial, after `warmupSeconds`. */
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly onProgress?: (line: string) => void;
  /**
   * A batch job running beside the cameras for the whole trial: this video analysed again and again, every frame,
   * through the same shared detector as background work (as `POST /api/jobs` runs it).
   */
  readonly backgroundVideo?: string | undefined;
}

export const TICKS_PER_SECOND = 100;

/** utime + stime of a /proc stat line, in clock ticks. */
function ticks(statPath: string): number {
  try {
    const stat = readFileSync(statPath, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0; // the process or thread is gone
  }
}

/** CPU ticks (TICKS_PER_SECOND) of this process's children by command name (ffmpeg, the rest), and of this process (main thread, all threads). */
export function sample(): { ffmpeg: number; server: number; main: number; process: number } {
  let ffmpeg = 0, server = 0;
  let children: string[] = [];
  try {
    children = execFileSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    children = [];
  }
  for (const pid of children) {
    const t = ticks(`/proc/${pid}/stat`);
    let comm = '';
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (comm === 'ffmpeg') ffmpeg += t;
    else server += t;
  }
  const main = ticks(`/proc/self/task/${process.pid}/stat`);
  const all = readdirSync('/proc/self/task').reduce((n, tid) => n + ticks(`/proc/self/task/${tid}/stat`), 0);
  return { ffmpeg, server, main, process: all };
}

/** Runs one trial: `cameras` cameras for warmup + measured seconds. */
export async function cameraTrial(cameras: number, o: CameraBenchOptions): Promise<CameraTrial> {
  const moving = Math.max(1, Math.round(cameras / 4));
  const mounts = Object.fromEntries(Array.from({ length: cameras }, (_, i) => [`cam${i}`, i < moving ? o.movingClip : o.stillClip]));
  const server = await startRtspServer(mounts, { fps: 15 });
  const shared = new SharedDetector(o.detector);
  const log = pino({ level: 'silent' });
  const deps = { log, now: () => performance.now(), random: Math.random };
  // Events are kept in memory (the bench measures the camera, not the database); the sink stands in for the store.
  const sink: EventSink = { write: async (w) => w.event };
  const cams = Array.from({ length: cameras }, (_, i) => {
    const camera = CameraSchema.parse({ id: `cam${i}`, source: { url: server.url(`cam${i}`), loop: false, stallTimeoutMs: 10_000, timeoutMs: 5000 }, detect: { fps: o.fps, width: o.width } });
    const detector = shared.forCamera(camera.id);
    const source = liveFrameSource(
      { ...camera.source, fps: o.fps, width: o.width, detectorImageSpec: detector.detectorImageSpec! },
      deps,
    );
    let n = 0;
    const worker = createCameraWorker(camera, {
      source, detector, renderSnapshot: renderJpeg, events: sink, publish: () => undefined, analytics: null, media: null,
      now: deps.now, newId: () => `${camera.id}-${n++}`, log,
    });
    worker.start();
    return worker;
  });
  const job = o.backgroundVideo ? backgroundJob(o.backgroundVideo, shared) : null;
  try {
    await new Promise((r) => setTimeout(r, o.warmupSeconds * 1000));
    const jobStart = job?.frames() ?? 0;
    const start = cams.map((c) => c.status());
    const cpu0 = sample();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, o.seconds * 1000));
    const seconds = (performance.now() - t0) / 1000;
    const jobFrames = (job?.frames() ?? 0) - jobStart;
    const cpu1 = sample();
    const end = cams.map((c) => c.status());
    const decoded = end.map((e, i) => (e.framesDecoded - start[i]!.framesDecoded) / seconds);
    const totalDecoded = end.reduce((n, e, i) => n + e.framesDecoded - start[i]!.framesDecoded, 0);
    const missedInQueue = end.reduce((n, e, i) => n + e.framesDropped - start[i]!.framesDropped, 0);
    const missedAtDetector = end.reduce((n, e, i) => n + e.framesReplaced - start[i]!.framesReplaced, 0);
    const missed = missedInQueue + missedAtDetector;
    const calls = end.reduce((n, e, i) => n + e.detectorCalls - start[i]!.detectorCalls, 0);
    const pct = (t: number) => Math.round(((100 * t) / TICKS_PER_SECOND / seconds) * 10) / 10;
    const ffmpeg = pct(cpu1.ffmpeg - cpu0.ffmpeg);
    const node = pct(cpu1.main - cpu0.main);
    const inference = pct(cpu1.process - cpu0.process - (cpu1.main - cpu0.main));
    const serverPct = pct(cpu1.server - cpu0.server);
    const droppedFraction = totalDecoded > 0 ? missed / totalDecoded : 1;
    const minDecodedFps = Math.min(...decoded);
    const per = (v: number) => Math.round((v / cameras) * 10) / 10;
    return {
      cameras,
      moving,
      decodedFpsPerCamera: Math.round((decoded.reduce((a, b) => a + b, 0) / cameras) * 100) / 100,
      minDecodedFps: Math.round(minDecodedFps * 100) / 100,
      droppedFraction: Math.round(droppedFraction * 10_000) / 10_000,
      droppedAt: {
        queue: totalDecoded > 0 ? Math.round((missedInQueue / totalDecoded) * 10_000) / 10_000 : 0,
        detector: totalDecoded > 0 ? Math.round((missedAtDetector / totalDecoded) * 10_000) / 10_000 : 0,
      },
      detectorCallsPerSecond: Math.round((calls / seconds) * 10) / 10,
      perCamera: { ffmpegCpuPct: per(ffmpeg), nodeCpuPct: per(node), inferenceCpuPct: per(inference) },
      total: { ffmpegCpuPct: ffmpeg, nodeCpuPct: node, inferenceCpuPct: inference, serverCpuPct: serverPct },
      sustained: droppedFraction < 0.01 && minDecodedFps >= 0.9 * o.fps,
      jobFramesPerSecond: job ? Math.round((jobFrames / seconds) * 10) / 10 : null,
    };
  } finally {
    await job?.stop();
    await Promise.all(cams.map((c) => c.stop()));
    await server.stop();
  }
}

/** `sightline analyze` of `video` over and over through `shared` as background work, until stopped. */
function backgroundJob(video: string, shared: SharedDetector) {
  const abort = new AbortController();
  let done = 0;
  let previous = 0;
  const detector = {
    manifest: shared.detector.manifest,
    detectorImageSpec: (w: number, h: number) => shared.detector.detectorImageSpec(w, h),
    detect: (frame: Frame, opts?: DetectOptions, timings?: DetectTimings) => shared.detectBackground('job:bench', frame, opts, timings),
  };
  const loop = (async () => {
    while (!abort.signal.aborted) {
      previous = done;
      await analyzeVideo(video, detector, () => 'id', { labels: ['person'], fps: null, signal: abort.signal, background: true, onProgress: (d) => (done = previous + d) }).catch(() => undefined);
    }
  })();
  return {
    frames: () => done,
    async stop() {
      abort.abort();
      await loop;
    },
  };
}

/** Trials with 'step', 2 x 'step', ... cameras up to `max`, stopping at the first that is not sustained. */
export async function cameraCapacity(max: number, step: number, o: CameraBenchOptions): Promise<{ sustainedCameras: number; trials: CameraTrial[] }> {
  const trials: CameraTrial[] = [];
  let sustainedCameras = 0;
  for (let n = Math.min(step, max); n <= max; n = n === max ? max + 1 : Math.min(max, n + step)) {
    o.onProgress?.(`${n} cameras: ${o.warmupSeconds} s warm-up, ${o.seconds} s measured...`);
    const t = await cameraTrial(n, o);
    trials.push(t);
    o.onProgress?.(
      `${n} cameras (${t.moving} moving): ${t.decodedFpsPerCamera} frames/s per camera (slowest ${t.minDecodedFps}), ` +
        `${(t.droppedFraction * 100).toFixed(2)} % missed detection, ${t.detectorCallsPerSecond} detector calls/s; CPU % of a core ` +
        `ffmpeg ${t.total.ffmpegCpuPct}, node ${t.total.nodeCpuPct}, inference ${t.total.inferenceCpuPct}, RTSP server ${t.total.serverCpuPct}` +
        (t.sustained ? '' : ' -> not sustained'),
    );
    if (!t.sustained) break;
    sustainedCameras = n;
  }
  return { sustainedCameras, trials };
}
