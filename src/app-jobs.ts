/**
 * Batch video jobs, composed: where a job's video comes from (an upload streamed to disk with a size limit and a
 * checksum, an http(s) URL, or a time range of a camera's recordings), how it runs (`sightline analyze`'s own
 * pipeline, its detector shared with the cameras as background work, so live cameras go first), where its results go
 * (`<dataDir>/jobs/<id>/`: events.json, tracks.txt), and their retention.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { writeAnnotatedVideo } from './ingest/annotated-video.ts';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { receiveFile } from './store/upload-file.ts';
import type { Logger } from 'pino';
import { analyzeVideo } from './analyze-video.ts';
import { loadClipClassifier } from './assets/load-clip.ts';
import { isModelPath, modelLocation, resolveModel, runnerOptions, type ModelLocation } from './assets/resolve-model.ts';
import { CameraSchema, type Config } from './config/schema.ts';
import { AppError, errorMessage } from './core/errors.ts';
import { toEventJson, type EventJson } from './events/event-json.ts';
import { probeVideo } from './ingest/ffprobe.ts';
import { JobRunner, type JobExecution } from './jobs/job-runner.ts';
import type { JobsPort, JobOptions } from './api/routes/jobs.ts';
import { describeIssues } from './config/describe-issues.ts';
import type { JobRecord, JobSpec, JobStore } from './jobs/job-store.ts';
import { formatResults } from './mot/track/result-file.ts';
import type { SharedDetector } from './pipeline/shared-detector.ts';
import type { Recordings } from './recording/recordings.ts';
import { interpolateGaps } from './tracking/offline.ts';
import { loadOnnxModel } from './vision/adapters/onnx-runtime.ts';

export interface JobFilesDeps {
  readonly config: () => Config;
  /** Where models are found (with the registry of uploaded models). */
  readonly modelsAt?: (extra?: Partial<ModelLocation>) => ModelLocation;
  readonly log: Logger;
  readonly detectorFor: (spec: string) => Promise<SharedDetector>;
  readonly recordings: Recordings;
}

/** The folder of a job's input and results. */
export function jobDir(config: Config, id: string): string {
  return join(config.dataDir, 'jobs', id);
}

/**
 * Streams an uploaded video to `<dataDir>/jobs/<id>/input` (sha256 on the way), refusing it past `maxBytes`
 * (PAYLOAD_TOO_LARGE) or when ffprobe finds no video in it (VIDEO_INVALID); on any refusal nothing stays on disk.
 */
export async function receiveUpload(config: Config, id: string, body: Readable, declaredBytes: number | null): Promise<{ path: string; sizeBytes: number; sha256: string }> {
  const maxBytes = config.jobs.maxUploadMb * 1024 * 1024;
  if (declaredBytes !== null && declaredBytes > maxBytes) {
    body.resume();
    throw new AppError('PAYLOAD_TOO_LARGE', `the video is ${declaredBytes} bytes; jobs.maxUploadMb allows ${config.jobs.maxUploadMb} MiB (${maxBytes} bytes)`);
  }
  const dir = jobDir(config, id);
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'input');
  try {
    const file = await receiveFile(body, path, maxBytes, declaredBytes, 'video (jobs.maxUploadMb)');
    if (file.sizeBytes === 0) throw new AppError('VIDEO_INVALID', 'expected a video in the body, got nothing');
    await probeVideo(path).catch((err: unknown) => {
      throw new AppError('VIDEO_INVALID', `expected a video file, got ${file.sizeBytes} bytes ffprobe cannot read as one: ${errorMessage(err).replace(/^cannot open [^:]*: /, '')}`);
    });
    return { path, ...file };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Runs a job: its video, its rules, the shared detector as background work; writes events.json and tracks.txt. */
export function jobExecution(deps: JobFilesDeps): JobExecution {
  return async (job, onProgress, signal) => {
    const config = deps.config();
    const dir = jobDir(config, job.id);
    await mkdir(dir, { recursive: true });
    const spec = job.spec;
    const input = await jobInput(deps, dir, spec);
    const camera = spec.camera === null ? null : config.cameras.find((c) => c.id === spec.camera);
    if (camera === undefined) throw new AppError('CAMERA_NOT_FOUND', `the job names camera "${spec.camera}", which is no longer configured`);
    const model = spec.model ?? camera?.detect.model ?? config.models.default;
    const shared = await deps.detectorFor(model);
    const source = `job:${job.id}`;
    const detector = {
      manifest: shared.detector.manifest,
      detectorImageSpec: (w: number, h: number) => shared.detector.detectorImageSpec(w, h),
      detect: (frame: Parameters<SharedDetector['detectBackground']>[1], opts?: Parameters<SharedDetector['detectBackground']>[2], timings?: Parameters<SharedDetector['detectBackground']>[3]) =>
        shared.detectBackground(source, frame, opts, timings),
    };
    const rules = spec.rules ?? (camera ? { zones: camera.zones, lines: camera.lines, rules: camera.rules, events: camera.events, objects: camera.objects } : undefined);
    const result = await analyzeVideo(input, detector, randomUUID, {
      labels: [],
      geometry: rules as Parameters<typeof analyzeVideo>[3]['geometry'],
      fps: spec.fps,
      onProgress,
      signal,
      background: true,
      loadClip: (rule) => loadClipClassifier(rule.model, rule.label, modelLocation(config), loadOnnxModel, { ...runnerOptions(config), threads: 1 }),
    });
    if (signal.aborted) throw new Error('cancelled');
    const fps = spec.fps ?? result.video.fps ?? 25;
    const events: EventJson[] = result.events.map((e) => ({ ...toEventJson(e), cameraId: source }));
    await writeFile(join(dir, 'events.json'), `${JSON.stringify({ job: job.id, video: { width: result.video.width, height: result.video.height, fps }, lines: result.status.lines, events }, null, 2)}\n`);
    // The same file `sightline analyze --mot` writes: confirmed tracks, short gaps filled.
    const rows = interpolateGaps(result.trackRows, fps);
    await writeFile(join(dir, 'tracks.txt'), formatResults(rows));
    const files = ['events.json', 'tracks.txt'];
    if (spec.annotate) {
      await writeAnnotatedVideo({ input, output: join(dir, 'annotated.mp4'), width: result.video.width, height: result.video.height, fps: spec.fps, timeFps: fps, rows, signal });
      files.push('annotated.mp4');
    }
    if (spec.source.kind !== 'upload') await rm(join(dir, 'input.mp4'), { force: true });
    return { framesAnalyzed: result.framesAnalyzed, events: events.length, tracks: result.trackIds, elapsedMs: Math.round(result.elapsedMs), files };
  };
}

/** The path or URL ffmpeg reads the job's video from. */
async function jobInput(deps: JobFilesDeps, dir: string, spec: JobSpec): Promise<string> {
  switch (spec.source.kind) {
    case 'upload':
      return join(dir, 'input');
    case 'url':
      return spec.source.url;
    case 'recording': {
      const { cameraId, fromMs, toMs } = spec.source;
      const clip = await deps.recordings.range(cameraId, fromMs, toMs);
      if (!clip) throw new AppError('RECORDING_NOT_FOUND', `camera "${cameraId}" has no recording between ${new Date(fromMs).toISOString()} and ${new Date(toMs).toISOString()}`);
      const path = join(dir, 'input.mp4');
      await writeFile(path, clip.data);
      return path;
    }
  }
}

/** A job's events file, or null before it finished. */
export async function jobEvents(config: Config, job: JobRecord): Promise<EventJson[] | null> {
  if (job.status !== 'done') return null;
  const text = await readFile(join(jobDir(config, job.id), 'events.json'), 'utf8').catch(() => null);
  return text === null ? null : (JSON.parse(text) as { events: EventJson[] }).events;
}

/** A job's MOT tracks file, or null before it finished. */
export async function jobTracks(config: Config, job: JobRecord): Promise<string | null> {
  if (job.status !== 'done') return null;
  return readFile(join(jobDir(config, job.id), 'tracks.txt'), 'utf8').catch(() => null);
}

/** Deletes finished jobs older than jobs.keepDays with their folders; runs hourly. */
export function startJobRetention(config: () => Config, store: JobStore, log: Logger): () => void {
  const prune = async () => {
    const keepDays = config().jobs.keepDays;
    if (keepDays <= 0) return;
    const ids = await store.pruneFinished(Date.now() - keepDays * 86_400_000);
    for (const id of ids) await rm(jobDir(config(), id), { recursive: true, force: true });
    if (ids.length > 0) log.info({ jobs: ids.length }, 'finished jobs past jobs.keepDays deleted');
  };
  const run = () => void prune().catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'job retention failed'));
  const timer = setInterval(run, 3_600_000);
  timer.unref();
  run();
  return () => clearInterval(timer);
}

/** The jobs of a node: the API's port over the queue and the files, the runner, retention. */
export function createJobs(deps: JobFilesDeps & { store: JobStore; owner: string; onUpdate: (job: JobRecord) => void }) {
  const { store, config } = deps;
  const runner = new JobRunner({ store, execute: jobExecution(deps), owner: deps.owner, now: Date.now, log: deps.log.child({ component: 'jobs' }), onUpdate: deps.onUpdate });
  const found = async (id: string) => {
    const job = await store.get(id);
    if (!job) throw new AppError('JOB_NOT_FOUND', `no job "${id}"; GET /api/jobs lists them (finished ones are deleted after jobs.keepDays: ${config().jobs.keepDays})`);
    return job;
  };
  /** Checks what a job names before it is queued (a bad model or rule is said now, not after the queue). */
  const check = async (opts: JobOptions) => {
    const cfg = config();
    const camera = opts.camera === undefined ? null : cfg.cameras.find((c) => c.id === opts.camera);
    if (camera === undefined) throw new AppError('CAMERA_NOT_FOUND', `camera: no camera "${opts.camera}"; cameras: ${cfg.cameras.map((c) => c.id).join(', ') || 'none'}`);
    if (opts.rules && opts.camera) throw new AppError('BAD_REQUEST', 'camera and rules: expected one of them, got both');
    if (opts.rules) {
      const r = CameraSchema.safeParse({ ...opts.rules, id: 'job', source: { url: 'job' } });
      if (!r.success) throw new AppError('BAD_REQUEST', describeIssues(r.error.issues, opts.rules).slice(0, 5).map((p) => `rules.${p.path}: ${p.message}`).join('; '));
    }
    const model = opts.model ?? camera?.detect.model ?? cfg.models.default;
    if (isModelPath(model)) throw new AppError('MODEL_NOT_FOUND', `model: expected a model id, got the file name "${model}"`);
    await resolveModel(model, ['detect', 'pose'], { ...(deps.modelsAt?.() ?? modelLocation(cfg)), download: false }).catch((err: unknown) => {
      // A catalog model not downloaded yet is fetched when the job runs; any other problem is said now.
      if (!(err instanceof AppError && err.code === 'MODEL_NOT_FOUND' && /downloads are off/.test(err.message))) throw err;
    });
    return { model: opts.model ?? null, camera: opts.camera ?? null, rules: opts.rules ?? null, fps: opts.fps ?? null, annotate: opts.annotate ?? false };
  };
  const port: JobsPort = {
    async create(actor, source, opts) {
      if (source.kind === 'recording') {
        if (!config().cameras.some((c) => c.id === source.cameraId)) throw new AppError('CAMERA_NOT_FOUND', `source.camera: no camera "${source.cameraId}"`);
        if (!(source.toMs > source.fromMs) || source.toMs - source.fromMs > 86_400_000) {
          throw new AppError('BAD_REQUEST', `source: expected "to" after "from" and at most 24 hours apart, got ${source.fromMs}..${source.toMs}`);
        }
      }
      const job = await store.create({ id: randomUUID(), createdMs: Date.now(), actor, spec: { source, ...(await check(opts)) } });
      runner.wake();
      return job;
    },
    async upload(actor, body, declaredBytes, fileName, opts) {
      let spec;
      try {
        spec = await check(opts);
      } catch (err) {
        body.resume();
        throw err;
      }
      const id = randomUUID();
      const file = await receiveUpload(config(), id, body, declaredBytes);
      try {
        const job = await store.create({ id, createdMs: Date.now(), actor, spec: { source: { kind: 'upload', fileName, sizeBytes: file.sizeBytes, sha256: file.sha256 }, ...spec } });
        runner.wake();
        return job;
      } catch (err) {
        await rm(jobDir(config(), id), { recursive: true, force: true });
        throw err;
      }
    },
    list: (opts) => store.list(opts),
    get: found,
    async cancel(id) {
      await found(id);
      runner.cancelLocal(id);
      const job = await store.cancel(id, Date.now());
      deps.onUpdate(job!);
      return job!;
    },
    async delete(id) {
      const job = await found(id);
      if (job.status === 'running') throw new AppError('JOB_NOT_FINISHED', `job "${id}" is running; cancel it first (POST /api/jobs/${id}/cancel)`);
      await store.delete(id);
      await rm(jobDir(config(), id), { recursive: true, force: true });
    },
    async events(id) {
      const job = await found(id);
      const events = await jobEvents(config(), job);
      if (!events) throw new AppError('JOB_NOT_FINISHED', `job "${id}" is ${job.status}; its events are there once it is done`);
      return events;
    },
    async annotated(id) {
      const job = await found(id);
      if (job.status !== 'done') throw new AppError('JOB_NOT_FINISHED', `job "${id}" is ${job.status}; its annotated video is there once it is done`);
      if (!job.spec.annotate) throw new AppError('RECORDING_NOT_FOUND', `job "${id}" was made without annotate: true; it has no annotated video`);
      const path = join(jobDir(config(), id), 'annotated.mp4');
      const size = (await stat(path).catch(() => null))?.size;
      if (size === undefined) throw new AppError('RECORDING_NOT_FOUND', `the annotated video of job "${id}" is gone`);
      return { stream: createReadStream(path), sizeBytes: size };
    },
    async tracks(id) {
      const job = await found(id);
      const tracks = await jobTracks(config(), job);
      if (tracks === null) throw new AppError('JOB_NOT_FINISHED', `job "${id}" is ${job.status}; its tracks are there once it is done`);
      return tracks;
    },
  };
  const stopRetention = startJobRetention(config, store, deps.log);
  return {
    port,
    start: () => runner.start(),
    async stop() {
      stopRetention();
      await runner.stop();
    },
  };
}
