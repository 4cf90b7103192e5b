/**
 * Delivery routes: destinations (listed without secrets, tested, turned back on after a 410) and the outbox's
 * deliveries (listed by status, destination or event, with their attempt log; retried or replayed).
 */
import type { FastifyInstance, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { AppError } from '../core/errors.ts';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../delivery/outbox.ts';
import type { DeliveryService } from '../senders/delivery-service.ts';

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

/** Registers the delivery routes. */
export function registerDeliveryRoutes(app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>, delivery: DeliveryService, now: () => number): void {
  const destination = (id: string) => {
    const d = delivery.destinations().find((x) => x.id === id);
    if (!d) throw new AppError('DESTINATION_NOT_FOUND', `no destination "${id}"; destinations: ${delivery.destinations().map((x) => x.id).join(', ') || 'none (see delivery.destinations in the configuration)'}`);
    return d;
  };
  app.get('/api/destinations', () => ({ destinations: delivery.destinations() }));
  app.get<{ Params: { id: string } }>('/api/destinations/:id', (req) => destination(req.params.id));
  app.post<{ Params: { id: string } }>('/api/destinations/:id/test', async (req) => {
    const d = destination(req.params.id);
    if (!d.enabled) throw new AppError('BAD_REQUEST', `destination "${d.id}" is switched off in the configuration (enabled: false)`);
    return (await delivery.worker.test(d.id))!;
  });
  app.post<{ Params: { id: string } }>('/api/destinations/:id/enable', async (req) => {
    const d = destination(req.params.id);
    if (!d.enabled) throw new AppError('BAD_REQUEST', `destination "${d.id}" is switched off in the configuration (enabled: false); set enabled: true there`);
    await delivery.worker.enable(d.id);
    return destination(d.id);
  });
  app.get('/api/deliveries', async (req) => ({ deliveries: await delivery.outbox.list(parseDeliveryQuery(req.query as Query)) }));
  app.get<{ Params: { id: string } }>('/api/deliveries/:id', async (req) => {
    const d = await delivery.outbox.get(req.params.id);
    if (!d) throw new AppError('DELIVERY_NOT_FOUND', `no delivery with id "${req.params.id}"`);
    return d;
  });
  app.post<{ Params: { id: string } }>('/api/deliveries/:id/retry', async (req) => {
    const d = await delivery.outbox.retry(req.params.id, now());
    if (!d) throw new AppError('DELIVERY_NOT_FOUND', `no delivery with id "${req.params.id}"`);
    delivery.worker.wake([d.destinationId]);
    return d;
  });
}
