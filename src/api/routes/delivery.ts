/**
 * Delivery routes: destinations (listed without secrets, tested, turned back on after a 410) and the outbox's
 * deliveries (listed by status, destination or event, with their attempt log; retried or replayed).
 */
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../../delivery/outbox.ts';
import type { DeliveryService } from '../../senders/delivery-service.ts';
import { DeliveryQuery, DeliverySchema, DestinationSchema, ERRORS, IdParams, TestResultSchema } from '../schemas.ts';
import type { App, RouteContext } from './context.ts';

const tags = ['delivery'];
const admin = { access: 'admin' } as const;

type Query = Record<string, unknown>;
const KNOWN = ['status', 'destination', 'event', 'before', 'limit'];

function one(q: Query, name: string): string | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new AppError('BAD_REQUEST', `${name}: expected one value, got ${JSON.stringify(v)}`);
  return v;
}

/** Parses `GET /api/deliveries` (`status`, `destination`, `event`, `before` id, `limit` 1..1000) (pure). */
export function parseDeliveryQuery(q: Query) {
  for (const key of Object.keys(q)) if (!KNOWN.includes(key)) throw new AppError('BAD_REQUEST', `unknown query parameter "${key}"; expected ${KNOWN.join(', ')}`);
  const status = one(q, 'status');
  if (status !== undefined && !DELIVERY_STATUSES.includes(status as DeliveryStatus)) {
    throw new AppError('BAD_REQUEST', `status: expected one of ${DELIVERY_STATUSES.join(', ')}, got "${status}"`);
  }
  const before = one(q, 'before');
  const limit = one(q, 'limit');
  if (before !== undefined && !/^\d{1,15}$/.test(before)) throw new AppError('BAD_REQUEST', `before: expected a delivery id (a whole number), got "${before}"`);
  if (limit !== undefined && (!/^\d{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > 1000)) {
    throw new AppError('BAD_REQUEST', `limit: expected a whole number between 1 and 1000, got "${limit}"`);
  }
  return {
    status: status as DeliveryStatus | undefined,
    destinationId: one(q, 'destination'),
    eventId: one(q, 'event'),
    beforeId: before,
    limit: limit === undefined ? undefined : Number(limit),
  };
}

/** The delivery routes (admin: destinations hold addresses and credentials of other systems). */
export async function deliveryRoutes(app: App, ctx: RouteContext & { delivery: DeliveryService }): Promise<void> {
  const { delivery, now } = ctx;
  const destination = (id: string) => {
    const d = delivery.destinations().find((x) => x.id === id);
    if (!d) throw new AppError('DESTINATION_NOT_FOUND', `no destination "${id}"; destinations: ${delivery.destinations().map((x) => x.id).join(', ') || 'none (see delivery.destinations in the configuration)'}`);
    return d;
  };
  app.get('/api/destinations', { config: admin, schema: { tags, summary: 'Delivery destinations, without secrets', response: { 200: z.object({ destinations: z.array(DestinationSchema) }), ...ERRORS } } },
    () => ({ destinations: delivery.destinations() }));
  app.get('/api/destinations/:id', { config: admin, schema: { tags, summary: 'One destination', params: IdParams, response: { 200: DestinationSchema, ...ERRORS } } },
    (req) => destination(req.params.id));
  app.post('/api/destinations/:id/test', { config: { ...admin, audit: 'destination.test' }, schema: { tags, summary: 'Send a test message now and report the answer', params: IdParams, response: { 200: TestResultSchema, ...ERRORS } } }, async (req) => {
    const d = destination(req.params.id);
    if (!d.enabled) throw new AppError('BAD_REQUEST', `destination "${d.id}" is switched off in the configuration (enabled: false)`);
    return (await delivery.worker.test(d.id))!;
  });
  app.post('/api/destinations/:id/enable', { config: { ...admin, audit: 'destination.enable' }, schema: { tags, summary: 'Turn a destination back on after a 410 turned it off', params: IdParams, response: { 200: DestinationSchema, ...ERRORS } } }, async (req) => {
    const d = destination(req.params.id);
    if (!d.enabled) throw new AppError('BAD_REQUEST', `destination "${d.id}" is switched off in the configuration (enabled: false); set enabled: true there`);
    await delivery.worker.enable(d.id);
    const after = destination(d.id);
    req.auditDetail = { before: { disabled: d.disabled, reason: d.disabledReason }, after: { disabled: after.disabled } };
    return after;
  });
  app.get('/api/deliveries', { config: admin, schema: { tags, summary: 'Deliveries, newest first, by status, destination or event', querystring: DeliveryQuery, response: { 200: z.object({ deliveries: z.array(DeliverySchema) }), ...ERRORS } } },
    async (req) => ({ deliveries: await delivery.outbox.list(parseDeliveryQuery(req.query as Query)) }));
  app.get('/api/deliveries/:id', { config: admin, schema: { tags, summary: 'One delivery with its attempt log', params: IdParams, response: { 200: DeliverySchema, ...ERRORS } } }, async (req) => {
    const d = await delivery.outbox.get(req.params.id);
    if (!d) throw new AppError('DELIVERY_NOT_FOUND', `no delivery with id "${req.params.id}"`);
    return d;
  });
  app.post('/api/deliveries/:id/retry', { config: { ...admin, audit: 'delivery.retry' }, schema: { tags, summary: 'Attempt a failed or dead delivery again now (or replay a delivered one)', params: IdParams, response: { 200: DeliverySchema, ...ERRORS } } }, async (req) => {
    const d = await delivery.outbox.retry(req.params.id, now());
    if (!d) throw new AppError('DELIVERY_NOT_FOUND', `no delivery with id "${req.params.id}"`);
    delivery.worker.wake([d.destinationId]);
    return d;
  });
}
