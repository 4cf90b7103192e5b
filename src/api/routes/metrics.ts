/** Health (open) and Prometheus metrics (viewer, or open with auth.openMetrics). */
import { z } from 'zod';
import { formatMetrics } from '../metrics.ts';
import { ERRORS, HealthSchema } from '../schemas.ts';
import type { App, RouteContext } from './context.ts';

export async function metricsRoutes(app: App, ctx: RouteContext): Promise<void> {
  app.get('/api/health', { config: { access: 'open' }, schema: { tags: ['metrics'], summary: 'Liveness: answers while the server runs (no login)', response: { 200: HealthSchema, ...ERRORS } } },
    () => ({ ok: true as const, cameras: ctx.cameras().length }));
  app.get('/metrics', {
    config: { access: 'metrics' },
    schema: { tags: ['metrics'], summary: 'Prometheus text: cameras, events, deliveries', response: { 200: z.string().describe('text/plain; version=0.0.4'), ...ERRORS } },
  }, async (_req, reply) => {
    const text = formatMetrics(ctx.cameras().map((c) => c.status())) + (ctx.delivery ? await ctx.delivery.metricsText() : '');
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text);
  });
}
