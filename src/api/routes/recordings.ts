/**
 * Recording routes: the segment list and files, retention status, event clips and the event "keep" mark.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { CLOSED_SEGMENT_PATH } from '../../recording/recording-store.ts';
import type { Recordings } from '../../recording/recordings.ts';
import { assertCamera } from '../access.ts';
import { ERRORS, IdParams, RecordingsQuery, RecordingStatusSchema, SegmentListSchema } from '../schemas.ts';
import type { App, RouteContext } from './context.ts';

const tags = ['recordings'];
const mp4 = { 200: z.any().describe('video/mp4 (Range requests answered with 206)'), 206: z.any().describe('a byte range of the file'), 416: z.any(), ...ERRORS };

/** Sends `data` as video/mp4, honouring a single `Range: bytes=a-b` (browsers seek with it). */
function sendMp4(req: FastifyRequest, reply: FastifyReply, data: Buffer, cache: string) {
  reply.type('video/mp4').header('accept-ranges', 'bytes').header('cache-control', cache);
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (!range || (range[1] === '' && range[2] === '')) return reply.send(data);
  let start = range[1] === '' ? data.length - Number(range[2]) : Number(range[1]);
  let end = range[1] === '' || range[2] === '' ? data.length - 1 : Number(range[2]);
  start = Math.max(0, start);
  end = Math.min(end, data.length - 1);
  if (start > end) return reply.status(416).header('content-range', `bytes */${data.length}`).send();
  return reply.status(206).header('content-range', `bytes ${start}-${end}/${data.length}`).send(data.subarray(start, end + 1));
}

function parseTime(name: string, value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new AppError('BAD_REQUEST', `${name} must be a time in ms since the epoch, got "${String(value)}"`);
  return n;
}

/** Longest range one download of a camera's recording may span (the segments are read into memory to cut them). */
const MAX_RANGE_MS = 15 * 60_000;

/** The recording routes (only when recordings are set up). */
export async function recordingRoutes(app: App, ctx: RouteContext & { recordings: Recordings }): Promise<void> {
  const { recordings } = ctx;

  app.get('/api/recordings', {
    config: { access: 'viewer', camera: 'query' },
    schema: { tags, summary: 'Closed recording segments of a camera in a time range', querystring: RecordingsQuery, response: { 200: SegmentListSchema, ...ERRORS } },
  }, (req) => {
    const q = req.query;
    const from = parseTime('from', q.from) ?? -Infinity;
    const to = parseTime('to', q.to) ?? Infinity;
    const segments = recordings.store
      .segments(q.camera)
      .filter((s) => s.endMs >= from && s.startMs <= to)
      .map((s) => ({ ...s, url: `/api/${s.path}` }));
    return { segments };
  });

  // A range of a camera's recording as one MP4 to download (cut at keyframes, like event clips), up to MAX_RANGE_MS.
  app.get('/api/recordings/clip.mp4', {
    config: { access: 'viewer', camera: 'query' },
    schema: { tags, summary: `A camera's recording from \`from\` to \`to\` (ms) as one MP4 download, at most ${MAX_RANGE_MS / 60_000} minutes`, querystring: RecordingsQuery, response: mp4 },
  }, async (req, reply) => {
    const q = req.query;
    const from = parseTime('from', q.from);
    const to = parseTime('to', q.to);
    if (!q.camera || from === undefined || to === undefined) throw new AppError('BAD_REQUEST', 'expected camera, from and to (ms since the epoch)');
    if (to <= from) throw new AppError('BAD_REQUEST', `from (${from}) must be before to (${to})`);
    if (to - from > MAX_RANGE_MS) throw new AppError('BAD_REQUEST', `expected a range of at most ${MAX_RANGE_MS / 60_000} minutes, got ${Math.round((to - from) / 60_000)}; download it in parts`);
    ctx.findCamera(q.camera);
    const clip = await recordings.range(q.camera, from, to);
    if (!clip) throw new AppError('RECORDING_NOT_FOUND', `camera "${q.camera}" has no recording between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`);
    reply.header('content-disposition', `attachment; filename="${q.camera}-${new Date(clip.startMs).toISOString().replace(/[:.]/g, '-')}.mp4"`);
    return sendMp4(req, reply, clip.data, 'private, max-age=60');
  });

  app.get('/api/recordings/status', {
    config: { access: 'viewer' },
    schema: { tags, summary: 'Recording storage: segments, bytes, free space, retention warnings', response: { 200: RecordingStatusSchema, ...ERRORS } },
  }, () => recordings.status());

  // The camera is the path's first part; the pattern keeps the path inside the recordings folder.
  app.get('/api/recordings/*', {
    config: { access: 'viewer', camera: 'handler' },
    schema: { tags, summary: 'One segment file as listed by GET /api/recordings', params: z.object({ '*': z.string().max(300) }).strict(), response: mp4 },
  }, async (req, reply) => {
    const path = `recordings/${req.params['*']}`;
    if (!CLOSED_SEGMENT_PATH.test(path)) throw new AppError('BAD_REQUEST', `expected recordings/<camera>/<YYYY-MM-DD>/<startMs>-<endMs>.mp4 as listed by GET /api/recordings, got "${path.slice(0, 200)}"`);
    assertCamera(req, path.split('/')[1]!);
    const data = await recordings.store.read(path);
    if (!data) throw new AppError('RECORDING_NOT_FOUND', `no recording segment "${path}" (deleted by retention, or never written)`);
    return sendMp4(req, reply, data, 'private, max-age=3600');
  });

  app.get('/api/events/:id/clip.mp4', {
    config: { access: 'viewer', camera: 'handler' },
    schema: { tags: ['events'], summary: 'The event\'s clip, cut from the recordings (pre- and post-roll)', params: IdParams, response: mp4 },
  }, async (req, reply) => {
    const event = await ctx.findEvent(req.params.id);
    assertCamera(req, event.cameraId);
    const clip = await recordings.clip(event);
    if (!clip) throw new AppError('RECORDING_NOT_FOUND', `event "${event.id}" has no recording (camera "${event.cameraId}" records in mode "off", or retention deleted it)`);
    return sendMp4(req, reply, clip.data, event.endMs === null ? 'no-store' : 'private, max-age=60');
  });
}
