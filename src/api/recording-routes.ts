/**
 * Recording routes: the segment list and files, retention status, event clips and the event "keep" mark.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { AppError } from '../core/errors.ts';
import type { SightEvent } from '../core/types.ts';
import { CLOSED_SEGMENT_PATH } from '../recording/recording-store.ts';
import type { Recordings } from '../recording/recordings.ts';
import type { EventStore } from '../store/event-repository.ts';

type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;

/** What the recording routes need. */
export interface RecordingRouteDeps {
  readonly recordings: Recordings;
  readonly events: EventStore;
  readonly findEvent: (id: string) => Promise<SightEvent>;
  readonly eventJson: (e: SightEvent) => unknown;
}

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

/** Registers the recording routes on `app`. */
export function registerRecordingRoutes(app: App, deps: RecordingRouteDeps): void {
  const { recordings } = deps;

  app.get('/api/recordings', (req) => {
    const q = req.query as Record<string, unknown>;
    const camera = typeof q['camera'] === 'string' ? q['camera'] : undefined;
    const from = parseTime('from', q['from']) ?? -Infinity;
    const to = parseTime('to', q['to']) ?? Infinity;
    const segments = recordings.store
      .segments(camera)
      .filter((s) => s.endMs >= from && s.startMs <= to)
      .map((s) => ({ ...s, url: `/api/${s.path}` }));
    return { segments };
  });

  app.get('/api/recordings/status', () => recordings.status());

  app.get<{ Params: { '*': string } }>('/api/recordings/*', async (req, reply) => {
    const path = `recordings/${req.params['*']}`;
    if (!CLOSED_SEGMENT_PATH.test(path)) throw new AppError('BAD_REQUEST', `expected recordings/<camera>/<YYYY-MM-DD>/<startMs>-<endMs>.mp4 as listed by GET /api/recordings, got "${path}"`);
    const data = await recordings.store.read(path);
    if (!data) throw new AppError('RECORDING_NOT_FOUND', `no recording segment "${path}" (deleted by retention, or never written)`);
    return sendMp4(req, reply, data, 'max-age=3600');
  });

  app.get<{ Params: { id: string } }>('/api/events/:id/clip.mp4', async (req, reply) => {
    const event = await deps.findEvent(req.params.id);
    const clip = await recordings.clip(event);
    if (!clip) throw new AppError('RECORDING_NOT_FOUND', `event "${event.id}" has no recording (camera "${event.cameraId}" records in mode "off", or retention deleted it)`);
    return sendMp4(req, reply, clip.data, event.endMs === null ? 'no-store' : 'max-age=60');
  });

  app.patch<{ Params: { id: string } }>('/api/events/:id', async (req) => {
    const body = req.body as Record<string, unknown> | null;
    if (!body || typeof body !== 'object' || typeof body['keep'] !== 'boolean' || Object.keys(body).length !== 1) {
      throw new AppError('BAD_REQUEST', `expected a JSON body {"keep": true} or {"keep": false}, got ${JSON.stringify(body)}`);
    }
    const updated = await deps.events.setKeep(req.params.id, body['keep']);
    if (!updated) throw new AppError('EVENT_NOT_FOUND', `no event with id "${req.params.id}"`);
    return deps.eventJson(updated);
  });
}
