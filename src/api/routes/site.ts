/**
 * Floor plans and people on them: the site (plans, areas, calibrated cameras with their per-pair errors, problems),
 * the people on the map now, a calibration fitted to point pairs (for the calibration screen and scripts), stored
 * trajectories, de-duplicated area occupancy over time, heatmaps, and changes of the site section.
 */
import { z } from 'zod';
import type { SiteHandle } from '../../app-site.ts';
import { SiteSchema } from '../../config/site-schema.ts';
import { AppError } from '../../core/errors.ts';
import type { Point } from '../../core/types.ts';
import { estimateHomography } from '../../mapping/homography.ts';
import { ChangeResultSchema, ConfigObject } from '../config-schemas.ts';
import { ERRORS, IdParams, queryInt } from '../schemas.ts';
import { actorOf, checked } from './camera-config.ts';
import type { App, RouteContext } from './context.ts';

const tags = ['site'];

const PointJson = z.tuple([z.number(), z.number()]);
const PersonSchema = z.object({
  globalId: z.number().int().describe('The person\'s id across cameras.'),
  plan: z.string(),
  positionM: PointJson.describe('Ground position on the plan, metres.'),
  cameras: z.array(z.string()).describe('Cameras that see the person now.'),
  areas: z.array(z.string()).describe('Areas the person stands in.'),
  lastSeenMs: z.number(),
}).strict();
const PairErrorSchema = z.object({ index: z.number().int(), errorM: z.number(), inlier: z.boolean() }).strict();
const SiteViewSchema = z.object({
  plans: z.array(z.object({ id: z.string(), name: z.string(), image: z.string().nullable(), widthPx: z.number(), heightPx: z.number(), metresPerPixel: z.number().nullable(), widthM: z.number().nullable(), heightM: z.number().nullable() }).strict()),
  areas: z.array(z.object({ id: z.string(), name: z.string(), plan: z.string(), polygonM: z.array(PointJson), counted: z.boolean().describe('False when a problem keeps the area from being counted.') }).strict()),
  cameras: z.array(z.object({
    id: z.string(), plan: z.string().nullable(), calibrated: z.boolean(),
    rmsErrorM: z.number().nullable(), maxErrorM: z.number().nullable(), pairs: z.array(PairErrorSchema), uncertaintyM: z.number().nullable(),
  }).strict()),
  problems: z.array(z.object({ path: z.string(), message: z.string(), cameraId: z.string().optional() }).strict()),
  people: z.array(PersonSchema),
  occupancy: z.record(z.string(), z.number()).describe('Distinct people in each area now.'),
  appearance: z.object({ embeddings: z.number().int().describe('Re-id embeddings made of camera tracks since the start (new and ambiguous tracks, good crops only).') }).strict(),
}).strict();

const CalibrationBody = z.object({
  pointPairs: z.array(z.object({ imageNorm: PointJson.optional(), imagePx: PointJson.optional(), planM: PointJson }).strict()).max(200),
}).strict();
const CalibrationResult = z.object({
  ok: z.boolean(),
  code: z.string().optional(), message: z.string().optional(), pairIndex: z.number().int().optional(),
  imageToPlan: z.array(z.number()).length(9).optional(), rmsErrorM: z.number().optional(), maxErrorM: z.number().optional(),
  worstPairIndex: z.number().int().optional(), pairs: z.array(PairErrorSchema).optional(), summary: z.string(),
}).strict();

const LATEST_MS = 4_102_444_800_000; // 2100-01-01
const timeQuery = {
  from: queryInt(0, LATEST_MS).optional().describe('Start, ms since the epoch (default: an hour before `to`).'),
  to: queryInt(0, LATEST_MS).optional().describe('End, ms since the epoch (default: now).'),
};
const TracksQuery = z.object({
  camera: z.string().max(64).optional(), area: z.string().max(64).optional(), plan: z.string().max(64).optional(), ...timeQuery,
  limit: queryInt(1, 5000).optional().describe('Most tracks returned (default 500).'),
}).strict();
const TracksSchema = z.object({
  fromMs: z.number(), toMs: z.number(),
  tracks: z.array(z.object({
    cameraId: z.string(), trackId: z.number(), globalId: z.number().nullable(), label: z.string(), plan: z.string(),
    points: z.array(z.object({ timeMs: z.number(), positionM: PointJson, speedMps: z.number() }).strict()),
  }).strict()),
}).strict();
const OccupancyQuery = z.object({ ...timeQuery, bucket: z.enum(['1m', '5m', '15m', '1h', '1d']).optional().describe('Bucket length (default 1m).') }).strict();
const AreaOccupancySchema = z.object({
  areaId: z.string(), plan: z.string(), now: z.number().int().describe('Distinct people in the area now.'),
  fromMs: z.number(), toMs: z.number(), bucketMs: z.number(),
  points: z.array(z.object({ startMs: z.number(), distinct: z.number(), mean: z.number(), max: z.number() }).strict())
    .describe('Per bucket: distinct people seen in the area (a person seen by several cameras once), the mean and the most at once.'),
}).strict();
const HeatmapQuery = z.object({ plan: z.string().max(64).optional(), area: z.string().max(64).optional(), ...timeQuery, cellM: z.string().regex(/^\d{1,3}(\.\d{1,3})?$/, { error: 'expected a cell size in metres between 0.1 and 50' }).refine((v) => Number(v) >= 0.1 && Number(v) <= 50, { error: 'expected a cell size in metres between 0.1 and 50' }).optional().describe('Cell size in metres, 0.1 to 50 (default 0.5).') }).strict();
const HeatmapSchema = z.object({
  plan: z.string(), cellM: z.number(), columns: z.number(), rows: z.number(), counts: z.array(z.number()), maxCount: z.number(),
  secondsPerCount: z.number().describe('Seconds of presence one count stands for (the trajectory sample interval).'), fromMs: z.number(), toMs: z.number(),
}).strict();

/** Most cells a heatmap has (a 500 x 500 m site at 1 m). */
const MAX_HEATMAP_CELLS = 250_000;

/** The smallest cell (to 0.1 m) that keeps a plan's heatmap within `MAX_HEATMAP_CELLS`. */
function smallestCellM(plan: { widthM: number; heightM: number }): number {
  return Math.ceil(Math.sqrt((plan.widthM * plan.heightM) / MAX_HEATMAP_CELLS) * 10 + 1e-9) / 10;
}

/** Largest plan picture accepted. */
const MAX_PLAN_IMAGE_BYTES = 20 * 1024 * 1024;

const BUCKETS: Record<string, number> = { '1m': 60_000, '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '1d': 86_400_000 };
/** Longest range one query reads. */
const MAX_RANGE_MS = 31 * 86_400_000;

function range(q: { from?: string | undefined; to?: string | undefined }, nowMs: number): { fromMs: number; toMs: number } {
  const toMs = q.to === undefined ? nowMs : Number(q.to);
  const fromMs = q.from === undefined ? toMs - 3_600_000 : Number(q.from);
  if (fromMs >= toMs) throw new AppError('BAD_REQUEST', `from must be before to; got from ${fromMs}, to ${toMs}`);
  if (toMs - fromMs > MAX_RANGE_MS) throw new AppError('BAD_REQUEST', `from..to may span at most 31 days; got ${Math.round((toMs - fromMs) / 86_400_000)} days`);
  return { fromMs, toMs };
}

/** The site routes. */
export async function siteRoutes(app: App, ctx: RouteContext & { site: SiteHandle }): Promise<void> {
  const { site } = ctx;
  const configured = () => ctx.configs?.current().site ?? SiteSchema.parse({});
  const areaOf = (id: string) => {
    const a = configured().areas.find((x) => x.id === id);
    if (a === undefined) throw new AppError('AREA_NOT_FOUND', `no area "${id}"; areas: ${configured().areas.map((x) => x.id).join(', ') || 'none (add them under site.areas)'}`);
    return a;
  };

  app.get('/api/site', {
    config: { access: 'viewer' },
    schema: { tags, summary: 'Floor plans, areas, calibrated cameras (errors per point pair), problems, and the people on the map now', response: { 200: SiteViewSchema, ...ERRORS } },
  }, () => {
    const map = site.map();
    const cfg = configured();
    const cameras = ctx.configs?.current().cameras ?? [];
    return {
      plans: cfg.plans.map((p) => {
        const m = map.plans.get(p.id);
        return { id: p.id, name: p.name ?? p.id, image: p.image ?? null, widthPx: p.widthPx, heightPx: p.heightPx, metresPerPixel: m?.metresPerPixel ?? null, widthM: m?.widthM ?? null, heightM: m?.heightM ?? null };
      }),
      areas: cfg.areas.map((a) => ({ id: a.id, name: a.name ?? a.id, plan: a.plan, polygonM: a.polygonM as [number, number][], counted: map.areas.some((x) => x.id === a.id) })),
      cameras: cameras.map((c) => {
        const m = map.cameras.get(c.id);
        return {
          id: c.id, plan: c.calibration?.plan ?? null, calibrated: m !== undefined,
          rmsErrorM: m?.fit.rmsErrorM ?? null, maxErrorM: m?.fit.maxErrorM ?? null, pairs: m ? m.fit.pairs.map((p) => ({ ...p })) : [], uncertaintyM: m?.uncertaintyM ?? null,
        };
      }),
      problems: map.problems.map((p) => ({ ...p })),
      people: site.fusion().mapPeople().map((p) => ({ globalId: p.globalId, plan: p.plan, positionM: p.positionM as [number, number], cameras: [...p.cameras], areas: [...p.areas], lastSeenMs: p.lastSeenMs })),
      occupancy: Object.fromEntries(site.fusion().occupancy()),
      appearance: { embeddings: site.fusion().embeddings },
    };
  });

  app.post('/api/site/calibration', {
    config: { access: 'operator' },
    schema: { tags, summary: 'Fit a camera-to-plan homography to point pairs: the error of each pair in metres, a bad pair pointed out (nothing is stored)', body: CalibrationBody, response: { 200: CalibrationResult, ...ERRORS } },
  }, (req) => {
    const pairs = req.body.pointPairs.map((p, i) => {
      const image = p.imageNorm ?? p.imagePx;
      if (image === undefined || (p.imageNorm !== undefined && p.imagePx !== undefined)) {
        throw new AppError('BAD_REQUEST', `pointPairs[${i}]: expected exactly one of imageNorm (fractions of the frame) or imagePx, got ${p.imageNorm && p.imagePx ? 'both' : 'neither'}`);
      }
      return { imagePx: image as Point, planM: p.planM as Point };
    });
    const fit = estimateHomography(pairs);
    if (!fit.ok) return { ok: false, code: fit.code, message: fit.message, ...(fit.pairIndex === undefined ? {} : { pairIndex: fit.pairIndex }), summary: fit.message };
    const outliers = fit.pairs.filter((p) => !p.inlier).map((p) => p.index + 1);
    return {
      ok: true, imageToPlan: [...fit.imageToPlan], rmsErrorM: fit.rmsErrorM, maxErrorM: fit.maxErrorM, worstPairIndex: fit.worstPairIndex,
      pairs: fit.pairs.map((p) => ({ ...p })),
      summary: `${pairs.length} pairs, rms ${fit.rmsErrorM.toFixed(2)} m${outliers.length > 0 ? `; pair${outliers.length > 1 ? 's' : ''} ${outliers.join(', ')} disagree${outliers.length > 1 ? '' : 's'} with the others: check where ${outliers.length > 1 ? 'they were' : 'it was'} clicked` : ''}`,
    };
  });

  app.get('/api/tracks', {
    config: { access: 'viewer', camera: 'query' },
    schema: { tags, summary: 'Stored trajectories on the plans (a point per track and second), by camera, area or plan and time', querystring: TracksQuery, response: { 200: TracksSchema, ...ERRORS } },
  }, async (req) => {
    const q = req.query;
    const { fromMs, toMs } = range(q, ctx.now());
    if (q.camera !== undefined) ctx.findCamera(q.camera);
    const area = q.area === undefined ? undefined : areaOf(q.area);
    if (q.plan !== undefined && !configured().plans.some((p) => p.id === q.plan)) throw new AppError('BAD_REQUEST', `plan: no plan "${q.plan}"; plans: ${configured().plans.map((p) => p.id).join(', ') || 'none'}`);
    const tracks = await site.store.tracks({ cameraId: q.camera, plan: q.plan, area: area && { plan: area.plan, polygonM: area.polygonM as Point[] }, fromMs, toMs, limit: q.limit === undefined ? 500 : Number(q.limit) });
    return { fromMs, toMs, tracks: tracks.map((t) => ({ ...t, points: t.points.map((p) => ({ ...p, positionM: p.positionM as [number, number] })) })) };
  });

  app.get('/api/areas/:id/occupancy', {
    config: { access: 'viewer' },
    schema: { tags, summary: 'People in an area over time, each counted once whatever cameras see them', params: IdParams, querystring: OccupancyQuery, response: { 200: AreaOccupancySchema, ...ERRORS } },
  }, async (req) => {
    const area = areaOf(req.params.id);
    const bucketMs = BUCKETS[req.query.bucket ?? '1m']!;
    const { fromMs, toMs } = range(req.query, ctx.now());
    const sampleMs = ctx.configs?.current().site.trajectories.sampleMs ?? 1000;
    const points = await site.store.occupancy({ plan: area.plan, polygonM: area.polygonM as Point[], fromMs, toMs, bucketMs, sampleMs });
    return { areaId: area.id, plan: area.plan, now: site.fusion().occupancy().get(area.id) ?? 0, fromMs, toMs, bucketMs, points };
  });

  app.get('/api/site/heatmap', {
    config: { access: 'viewer' },
    schema: { tags, summary: 'Where people stood on a plan (or in an area) over a time range, counted per cell', querystring: HeatmapQuery, response: { 200: HeatmapSchema, ...ERRORS } },
  }, async (req) => {
    const q = req.query;
    const area = q.area === undefined ? undefined : areaOf(q.area);
    const planId = area?.plan ?? q.plan ?? configured().plans[0]?.id;
    const plan = planId === undefined ? undefined : site.map().plans.get(planId);
    if (plan === undefined) throw new AppError('BAD_REQUEST', `plan: expected a plan with a scale; plans: ${[...site.map().plans.keys()].join(', ') || 'none'}; got ${planId === undefined ? 'nothing' : `"${planId}"`}`);
    const { fromMs, toMs } = range(q, ctx.now());
    const cellM = q.cellM === undefined ? Math.max(0.5, smallestCellM(plan)) : Number(q.cellM);
    if (Math.ceil(plan.widthM / cellM) * Math.ceil(plan.heightM / cellM) > MAX_HEATMAP_CELLS) {
      throw new AppError('BAD_REQUEST', `cellM: plan "${plan.id}" (${plan.widthM.toFixed(1)} x ${plan.heightM.toFixed(1)} m) would need more than ${MAX_HEATMAP_CELLS} cells of ${cellM} m; give cellM ${smallestCellM(plan)} or more`);
    }
    const sampleMs = ctx.configs?.current().site.trajectories.sampleMs ?? 1000;
    const map = await site.store.heatmap({ plan: plan.id, widthM: plan.widthM, heightM: plan.heightM, cellM, fromMs, toMs, sampleMs, area: area?.polygonM as Point[] | undefined });
    return { ...map, secondsPerCount: (ctx.configs?.current().site.trajectories.sampleMs ?? 1000) / 1000, fromMs, toMs };
  });

  app.get('/api/site/plans/:id/image', {
    config: { access: 'viewer' },
    schema: { tags, summary: 'A plan\'s picture (PNG or JPEG)', params: IdParams, response: { ...ERRORS } },
  }, async (req, reply) => {
    const plan = configured().plans.find((p) => p.id === req.params.id);
    if (plan?.image === undefined) throw new AppError('PLAN_IMAGE_NOT_FOUND', plan === undefined ? `no plan "${req.params.id}"; plans: ${configured().plans.map((p) => p.id).join(', ') || 'none'}` : `plan "${plan.id}" has no picture; PUT /api/site/plans/${plan.id}/image stores one`);
    const bytes = await site.readPlanImage(plan.image);
    if (bytes === null) throw new AppError('PLAN_IMAGE_NOT_FOUND', `plan "${plan.id}" names the picture ${plan.image}, which is not in the data folder's plans/; store it again`);
    return reply.type(/\.png$/i.test(plan.image) ? 'image/png' : 'image/jpeg').header('cache-control', 'no-cache').send(bytes);
  });

  if (ctx.configs) {
    const configs = ctx.configs;
    app.addContentTypeParser(['image/png', 'image/jpeg'], { parseAs: 'buffer', bodyLimit: MAX_PLAN_IMAGE_BYTES }, (_req, body, done) => done(null, body));
    app.put('/api/site/plans/:id/image', {
      config: { access: 'admin', audit: 'site.plan-image' },
      bodyLimit: MAX_PLAN_IMAGE_BYTES,
      schema: { tags, summary: 'Store a plan\'s picture (the raw PNG or JPEG body, at most 20 MiB) and name it in the plan', params: IdParams, response: { 200: ChangeResultSchema, ...ERRORS } },
    }, async (req) => {
      const bytes = req.body as unknown;
      const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (!(bytes instanceof Buffer) || (type !== 'image/png' && type !== 'image/jpeg')) throw new AppError('MEDIA_TYPE_UNSUPPORTED', `expected the picture as an image/png or image/jpeg body, got ${type || 'none'}`);
      const png = bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      const jpeg = bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]));
      if (!(type === 'image/png' ? png : jpeg)) throw new AppError('BAD_REQUEST', `the body is not a ${type === 'image/png' ? 'PNG' : 'JPEG'} picture (its first bytes do not say so)`);
      const id = req.params.id;
      if (!configured().plans.some((p) => p.id === id)) throw new AppError('PLAN_IMAGE_NOT_FOUND', `no plan "${id}"; plans: ${configured().plans.map((p) => p.id).join(', ') || 'none'}; add it with PUT /api/site first`);
      const fileName = `${id}.${png ? 'png' : 'jpg'}`;
      await site.savePlanImage(fileName, bytes);
      const r = await configs.change(actorOf(req), 'site.plan-image', (d) => {
        const plan = d.site.plans.find((p) => p['id'] === id);
        if (plan) plan['image'] = fileName;
      });
      req.auditDetail = { target: id, after: { image: fileName, bytes: bytes.length } };
      return { version: r.version, changes: r.changes };
    });
    app.put('/api/site', {
      config: { access: 'admin', audit: 'site.update' },
      schema: { tags, summary: 'Replace the site section: plans, areas, cross-camera identity, trajectories (cameras are calibrated with PATCH /api/cameras/:id)', body: ConfigObject('The site section'), response: { 200: ChangeResultSchema, ...ERRORS } },
    }, async (req) => {
      checked(SiteSchema, req.body, 'body');
      const before = configs.current().site;
      const r = await configs.change(actorOf(req), 'site.update', (d) => {
        d.site = req.body as typeof d.site;
      });
      req.auditDetail = { target: 'site', before, after: configs.current().site };
      return { version: r.version, changes: r.changes };
    });
  }
}
