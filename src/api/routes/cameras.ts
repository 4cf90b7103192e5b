/** Camera routes: status, the newest frame, the mosaic grid proposal. */
import { canSeeCamera } from '../../auth/principal.ts';
import { AppError } from '../../core/errors.ts';
import { CameraStatusSchema, ERRORS, GridSchema, IdParams } from '../schemas.ts';
import { z } from 'zod';
import type { App, RouteContext } from './context.ts';

const tags = ['cameras'];

export async function cameraRoutes(app: App, ctx: RouteContext): Promise<void> {
  app.get('/api/cameras', {
    config: { access: 'viewer', camera: 'handler' },
    schema: { tags, summary: 'Every camera (those a camera-scoped key may see) with its state and counters', response: { 200: z.object({ cameras: z.array(CameraStatusSchema) }), ...ERRORS } },
  }, (req) => ({ cameras: ctx.cameras().filter((c) => canSeeCamera(req.principal, c.id)).map((c) => c.status()) }));

  app.get('/api/cameras/:id', {
    config: { access: 'viewer', camera: 'param' },
    schema: { tags, summary: 'One camera\'s state and counters', params: IdParams, response: { 200: CameraStatusSchema, ...ERRORS } },
  }, (req) => ctx.findCamera(req.params.id).status());

  app.get('/api/cameras/:id/latest.jpg', {
    config: { access: 'viewer', camera: 'param' },
    schema: { tags, summary: 'The newest analysed frame as JPEG, tracks drawn', params: IdParams, response: { 200: z.any().describe('image/jpeg'), ...ERRORS } },
  }, async (req, reply) => {
    const jpeg = await ctx.findCamera(req.params.id).latestJpeg();
    if (!jpeg) throw new AppError('SNAPSHOT_NOT_FOUND', `camera "${req.params.id}" has not processed a frame yet`);
    return reply.type('image/jpeg').header('cache-control', 'no-store').send(Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength));
  });

  // The grid of a DVR mosaic, and the tile cameras to add to the configuration (confirm or correct the crops first).
  app.get('/api/cameras/:id/grid', {
    config: { access: 'viewer', camera: 'param' },
    schema: { tags, summary: 'The mosaic grid found in the camera\'s recent frames, with tile cameras to add', params: IdParams, response: { 200: GridSchema, ...ERRORS } },
  }, (req) => {
    const grid = ctx.findCamera(req.params.id).grid();
    const id = req.params.id;
    const round = (v: number) => Math.round(v * 10_000) / 10_000;
    return {
      ...grid,
      suggestedCameras: grid.tiles.map((t) => ({ id: `${id}-${t.row + 1}-${t.column + 1}`.slice(0, 64), source: { url: `tile:${id}`, crop: t.rect.map(round) } })),
    };
  });
}
