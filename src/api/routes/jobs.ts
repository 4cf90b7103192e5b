/**
 * Batch video jobs (operator to make and cancel, viewer to read): a video (uploaded, an http(s) URL, or a time range
 * of a camera's recordings) run through `sightline analyze`'s pipeline with a camera's rules or rules of its own, on
 * the queue in the database. Progress in GET /api/jobs/:id and over the WebSocket (`job` messages); results: the events
 * (the event schema, camera `job:ID`) and the tracks as a MOTChallenge file.
 */
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import type { EventJson } from '../../events/event-json.ts';
import { JOB_STATUSES, jobView, type JobRecord, type JobSpec, type JobStatus } from '../../jobs/job-store.ts';
import { ERRORS, queryInt } from '../schemas.ts';
import type { App, RouteContext } from './context.ts';

/** What a job request may name besides its video. */
export interface JobOptions {
  readonly model?: string | undefined;
  readonly camera?: string | undefined;
  readonly rules?: Record<string, unknown> | undefined;
  readonly fps?: number | undefined;
  /** Also write an MP4 with the tracks drawn. */
  readonly annotate?: boolean | undefined;
}

/** The jobs as the API reaches them (the composition root binds the queue, files and runner). */
export interface JobsPort {
  create(actor: string, source: Exclude<JobSpec['source'], { kind: 'upload' }>, opts: JobOptions): Promise<JobRecord>;
  upload(actor: string, body: Readable, declaredBytes: number | null, fileName: string, opts: JobOptions): Promise<JobRecord>;
  list(opts: { status?: JobStatus | undefined; limit: number; beforeMs?: number | undefined }): Promise<JobRecord[]>;
  get(id: string): Promise<JobRecord>;
  cancel(id: string): Promise<JobRecord>;
  delete(id: string): Promise<void>;
  events(id: string): Promise<EventJson[]>;
  tracks(id: string): Promise<string>;
  annotated(id: string): Promise<{ stream: Readable; sizeBytes: number }>;
}

const tags = ['jobs'];
const VIDEO_TYPES = ['application/octet-stream', 'video/mp4', 'video/x-msvideo', 'video/quicktime', 'video/x-matroska', 'video/webm', 'video/mp2t', 'video/avi', 'video/mpeg'];

const Options = {
  model: z.string().min(1).max(200).optional().describe('Detector id; default: the camera\'s model, else models.default.'),
  camera: z.string().min(1).max(64).optional().describe('Apply this camera\'s objects, zones, lines and rules.'),
  fps: z.number().gt(0).max(60).optional().describe('Frames per second to analyse; default: every frame.'),
  annotate: z.boolean().optional().describe('Also write an MP4 with the tracks drawn (GET /api/jobs/:id/annotated.mp4).'),
};
const CreateBody = z.object({
  source: z.union([
    z.object({ url: z.string().url().regex(/^https?:\/\//i, { error: 'expected an http(s):// URL of a video file' }) }).strict(),
    z.object({ camera: z.string().min(1).max(64), from: z.number().int().min(0), to: z.number().int().min(0) }).strict()
      .describe('A time range of the camera\'s recordings, in ms since the epoch.'),
  ]),
  ...Options,
  rules: z.record(z.string(), z.unknown()).optional().describe('objects, zones, lines, rules and events as in a camera of the configuration (instead of `camera`).'),
}).strict();
const UploadQuery = z.object({
  model: Options.model,
  camera: Options.camera,
  fps: z.string().regex(/^\d+(\.\d+)?$/, { error: 'expected frames per second, e.g. 5' }).optional(),
  name: z.string().max(200).optional().describe('The file name, for the listing.'),
  annotate: z.enum(['true', 'false']).optional().describe('Also write an MP4 with the tracks drawn.'),
}).strict();
const JobIdParams = z.object({ id: z.string().uuid({ error: 'expected a job id (a UUID, as POST /api/jobs answers)' }) }).strict();
const ListQuery = z.object({
  status: z.enum(JOB_STATUSES).optional(),
  limit: queryInt(1, 500).optional(),
  before: queryInt(0, 9_000_000_000_000_000).optional().describe('createdMs of the last job of the previous page.'),
}).strict();

export const JobSchema = z.object({
  id: z.string(),
  status: z.enum(JOB_STATUSES),
  createdMs: z.number(),
  actor: z.string(),
  source: z.record(z.string(), z.unknown()),
  model: z.string().nullable(),
  camera: z.string().nullable(),
  fps: z.number().nullable(),
  progress: z.object({ frames: z.number(), totalFrames: z.number().nullable(), percent: z.number().nullable(), framesPerSecond: z.number(), etaMs: z.number().nullable() }).strict().nullable(),
  attempts: z.number().int(),
  startedMs: z.number().nullable(),
  finishedMs: z.number().nullable(),
  error: z.string().nullable(),
  result: z.object({ framesAnalyzed: z.number(), events: z.number(), tracks: z.number(), elapsedMs: z.number(), files: z.array(z.string()) }).strict().nullable(),
}).strict();

export async function jobRoutes(app: App, ctx: RouteContext & { jobs: JobsPort }): Promise<void> {
  const { jobs } = ctx;
  // A video body is handed over as a stream: the upload writes it to disk under its own size limit.
  app.addContentTypeParser(VIDEO_TYPES, (_req, payload, done) => done(null, payload));

  app.post('/api/jobs', {
    config: { access: 'operator', audit: 'job.create' },
    schema: { tags, summary: 'Run a video from a URL or a camera\'s recordings through the analysis (a job on the queue)', body: CreateBody, response: { 201: JobSchema, ...ERRORS } },
  }, async (req, reply) => {
    const b = req.body;
    const source = 'url' in b.source ? { kind: 'url' as const, url: b.source.url } : { kind: 'recording' as const, cameraId: b.source.camera, fromMs: b.source.from, toMs: b.source.to };
    const job = await jobs.create(req.principal.actor, source, { model: b.model, camera: b.camera, rules: b.rules, fps: b.fps, annotate: b.annotate });
    req.auditDetail = { target: job.id, after: { source: 'url' in b.source ? 'url' : `recording:${b.source.camera}`, model: b.model, camera: b.camera } };
    return reply.code(201).send(jobView(job));
  });

  app.post('/api/jobs/upload', {
    config: { access: 'operator', audit: 'job.create' },
    schema: {
      tags, summary: 'Upload a video (the raw body: video/* or application/octet-stream, at most jobs.maxUploadMb) and run it through the analysis',
      querystring: UploadQuery, response: { 201: JobSchema, ...ERRORS, 415: ERRORS[400] },
    },
  }, async (req, reply) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (!VIDEO_TYPES.includes(type)) throw new AppError('MEDIA_TYPE_UNSUPPORTED', `expected a video body (${VIDEO_TYPES.join(', ')}), got ${type || 'none'}`);
    const declared = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
    const q = req.query;
    let job;
    try {
      job = await jobs.upload(req.principal.actor, req.body as Readable, Number.isFinite(declared) ? declared : null, q.name ?? 'upload', {
        model: q.model, camera: q.camera, fps: q.fps === undefined ? undefined : Number(q.fps), annotate: q.annotate === 'true',
      });
    } catch (err) {
      // A refused upload may leave the rest of its body unread: the connection is not reused.
      void reply.header('connection', 'close');
      throw err;
    }
    req.auditDetail = { target: job.id, after: { source: 'upload', sizeBytes: (job.spec.source as { sizeBytes: number }).sizeBytes } };
    return reply.code(201).send(jobView(job));
  });

  app.get('/api/jobs', {
    config: { access: 'viewer' },
    schema: { tags, summary: 'Jobs, newest first', querystring: ListQuery, response: { 200: z.object({ jobs: z.array(JobSchema) }).strict(), ...ERRORS } },
  }, async (req) => ({
    jobs: (await jobs.list({ status: req.query.status, limit: req.query.limit === undefined ? 50 : Number(req.query.limit), beforeMs: req.query.before === undefined ? undefined : Number(req.query.before) })).map(jobView),
  }));

  app.get('/api/jobs/:id', {
    config: { access: 'viewer' },
    schema: { tags, summary: 'A job with its progress (frames, %, frames/s, ETA) or result', params: JobIdParams, response: { 200: JobSchema, ...ERRORS } },
  }, async (req) => jobView(await jobs.get(req.params.id)));

  app.post('/api/jobs/:id/cancel', {
    config: { access: 'operator', audit: 'job.cancel' },
    schema: { tags, summary: 'Cancel a queued job, or stop a running one at its next progress write', params: JobIdParams, response: { 200: JobSchema, ...ERRORS } },
  }, async (req) => {
    req.auditDetail = { target: req.params.id };
    return jobView(await jobs.cancel(req.params.id));
  });

  app.delete('/api/jobs/:id', {
    config: { access: 'operator', audit: 'job.delete' },
    schema: { tags, summary: 'Delete a job that is not running, with its files', params: JobIdParams, response: { 204: z.null(), ...ERRORS } },
  }, async (req, reply) => {
    req.auditDetail = { target: req.params.id };
    await jobs.delete(req.params.id);
    return reply.code(204).send();
  });

  app.get('/api/jobs/:id/events', {
    config: { access: 'viewer' },
    schema: { tags, summary: 'The events of a finished job (the event schema; cameraId job:ID)', params: JobIdParams, response: { 200: z.object({ events: z.array(z.record(z.string(), z.unknown())) }).strict(), ...ERRORS } },
  }, async (req) => ({ events: (await jobs.events(req.params.id)) as unknown as Record<string, unknown>[] }));

  app.get('/api/jobs/:id/tracks.txt', {
    config: { access: 'viewer' },
    schema: { tags, summary: 'The confirmed tracks of a finished job as MOTChallenge rows (frame,id,x,y,w,h,conf,-1,-1,-1), as `sightline analyze --mot` writes them', params: JobIdParams, response: { 200: z.string().describe('text/plain'), ...ERRORS } },
  }, async (req, reply) => reply.type('text/plain; charset=utf-8').send(await jobs.tracks(req.params.id)));

  app.get('/api/jobs/:id/annotated.mp4', {
    config: { access: 'viewer' },
    schema: { tags, summary: 'The annotated video of a finished job made with annotate: true (H.264 MP4, tracks drawn)', params: JobIdParams, response: { 200: z.any().describe('video/mp4'), ...ERRORS } },
  }, async (req, reply) => {
    const { stream, sizeBytes } = await jobs.annotated(req.params.id);
    return reply.type('video/mp4').header('content-length', sizeBytes).header('cache-control', 'private, no-store').send(stream);
  });
}
