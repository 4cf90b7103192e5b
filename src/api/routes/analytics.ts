/**
 * Analytics routes: a zone's occupancy per minute, and crossings per line and direction in buckets of a minute to a day.
 */
import { AppError } from '../../core/errors.ts';
import { parseLinesQuery, parseOccupancyQuery } from '../query.ts';
import { ERRORS, LinesQuery, LinesSchema, OccupancyQuery, OccupancySchema } from '../schemas.ts';
import type { App, RouteContext } from './context.ts';

const tags = ['analytics'];

/** The analytics routes. */
export async function analyticsRoutes(app: App, deps: RouteContext): Promise<void> {
  app.get('/api/analytics/occupancy', {
    config: { access: 'viewer', camera: 'query' },
    schema: { tags, summary: 'A zone\'s occupancy per minute (mean, min, max)', querystring: OccupancyQuery, response: { 200: OccupancySchema, ...ERRORS } },
  }, async (req) => {
    const q = parseOccupancyQuery(req.query as Record<string, unknown>, deps.now());
    const zones = deps.findCamera(q.cameraId).overlays().zones.map((z) => z.id);
    const known = zones.length === 0 ? ['all'] : zones;
    if (!known.includes(q.zoneId)) {
      throw new AppError('BAD_REQUEST', `camera "${q.cameraId}" has no zone "${q.zoneId}"; its zones: ${known.join(', ')}`);
    }
    const points = await deps.analytics.occupancySeries(q);
    return { cameraId: q.cameraId, zoneId: q.zoneId, fromMs: q.fromMs, toMs: q.toMs, bucketMs: 60_000, points };
  });

  app.get('/api/analytics/lines', {
    config: { access: 'viewer', camera: 'query' },
    schema: { tags, summary: 'Line crossings per direction in buckets of 1 minute to 1 day', querystring: LinesQuery, response: { 200: LinesSchema, ...ERRORS } },
  }, async (req) => {
    const q = parseLinesQuery(req.query as Record<string, unknown>, deps.now());
    const lines = deps.findCamera(q.cameraId).overlays().lines.map((l) => l.id);
    if (q.lineId !== undefined && !lines.includes(q.lineId)) {
      throw new AppError('BAD_REQUEST', `camera "${q.cameraId}" has no line "${q.lineId}"; its lines: ${lines.join(', ') || 'none'}`);
    }
    const series = await deps.analytics.lineSeries(q);
    const wanted = q.lineId === undefined ? lines : [q.lineId];
    return {
      cameraId: q.cameraId, fromMs: q.fromMs, toMs: q.toMs, bucketMs: q.bucketMs, label: q.label ?? null,
      lines: wanted.map((lineId) => {
        const points = series.get(lineId) ?? [];
        return { lineId, in: points.reduce((n, p) => n + p.in, 0), out: points.reduce((n, p) => n + p.out, 0), points };
      }),
    };
  });
}
