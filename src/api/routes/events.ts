/** Event routes: the list with filters, one event, its snapshot (also by signed link), keep/unkeep, the JSON Schema. */
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { toEventJson } from '../../events/event-json.ts';
import { eventJsonSchema } from '../../events/event-schema.ts';
import { assertCamera } from '../access.ts';
import { parseEventHistogramQuery, parseEventQuery } from '../query.ts';
import { ERRORS, EventHistogramQuery, EventHistogramSchema, EventListQuery, EventListSchema, EventSchema, IdParams, KeepBody } from '../schemas.ts';
import type { App, RouteContext } from './context.ts';

const tags = ['events'];

export async function eventRoutes(app: App, ctx: RouteContext): Promise<void> {
  const schema = eventJsonSchema();
  app.get('/api/schemas/event.json', {
    config: { access: 'viewer', camera: 'handler' },
    schema: { tags, summary: 'The JSON Schema of the event shape (REST, WebSocket, webhooks, MQTT, e-mail)', response: { 200: z.any(), ...ERRORS } },
  }, (_req, reply) => reply.type('application/schema+json; charset=utf-8').send(schema));

  app.get('/api/events', {
    config: { access: 'viewer', camera: 'query' },
    schema: { tags, summary: 'Events, newest first, with filters and paging (before = startMs of the last one seen)', querystring: EventListQuery, response: { 200: EventListSchema, ...ERRORS } },
  }, async (req) => {
    const q = parseEventQuery(req.query as Record<string, unknown>);
    const [events, total] = await Promise.all([ctx.events.list(q), ctx.events.count(q)]);
    return { events: events.map(toEventJson), total };
  });

  app.get('/api/events/histogram', {
    config: { access: 'viewer', camera: 'query' },
    schema: { tags, summary: 'Events counted per time bucket with the list\'s filters (the Events page\'s timeline)', querystring: EventHistogramQuery, response: { 200: EventHistogramSchema, ...ERRORS } },
  }, async (req) => {
    const q = parseEventHistogramQuery(req.query as Record<string, unknown>, Date.now());
    const counts = await ctx.events.histogram(q.filter, q.fromMs, q.bucketMs, q.buckets);
    return { fromMs: q.fromMs, toMs: q.fromMs + q.bucketMs * q.buckets, bucketMs: q.bucketMs, counts, total: counts.reduce((a, b) => a + b, 0) };
  });

  app.get('/api/events/:id', {
    config: { access: 'viewer', camera: 'handler' },
    schema: { tags, summary: 'One event', params: IdParams, response: { 200: EventSchema, ...ERRORS } },
  }, async (req) => {
    const e = await ctx.findEvent(req.params.id);
    assertCamera(req, e.cameraId);
    return toEventJson(e);
  });

  app.patch('/api/events/:id', {
    config: { access: 'operator', camera: 'handler', audit: 'event.keep' },
    schema: { tags, summary: 'Keep an event (and its clip) from retention, or release it', params: IdParams, body: KeepBody, response: { 200: EventSchema, ...ERRORS } },
  }, async (req) => {
    const before = await ctx.findEvent(req.params.id);
    assertCamera(req, before.cameraId);
    const updated = await ctx.events.setKeep(req.params.id, req.body.keep);
    if (!updated) throw new AppError('EVENT_NOT_FOUND', `no event with id "${req.params.id}"`);
    req.auditDetail = { before: { keep: before.keep }, after: { keep: updated.keep } };
    return toEventJson(updated);
  });

  // A signed link (sent in webhooks and e-mails) lets a receiver fetch the snapshot without an account.
  app.get('/api/events/:id/snapshot.jpg', {
    config: { access: 'viewer', camera: 'handler', signedLink: true },
    schema: {
      tags, summary: 'The event\'s snapshot (JPEG); with ?expires=&sig= a signed link needs no session', params: IdParams,
      querystring: z.object({ expires: z.string().max(20).optional(), sig: z.string().max(200).optional() }).strict(),
      response: { 200: z.any().describe('image/jpeg'), ...ERRORS },
    },
  }, async (req, reply) => {
    const e = await ctx.findEvent(req.params.id);
    assertCamera(req, e.cameraId);
    const jpeg = e.snapshotPath ? await ctx.media.readFile(e.snapshotPath) : null;
    if (!jpeg) throw new AppError('SNAPSHOT_NOT_FOUND', `event "${e.id}" has no snapshot`);
    return reply.type('image/jpeg').header('cache-control', 'private, max-age=3600').send(jpeg);
  });
}
