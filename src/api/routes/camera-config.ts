/**
 * Cameras managed at runtime (admin): create, read, replace, patch, delete, enable/disable, probe a URL before adding
 * it, and accept a mosaic's grid proposal as tile cameras in one call. Every change is a configuration version; only
 * the changed camera restarts.
 */
import { z } from 'zod';
import { CameraSchema } from '../../config/schema.ts';
import { describeIssues } from '../../config/load.ts';
import { AppError } from '../../core/errors.ts';
import type { ConfigService, SiteDraft } from '../../manage/config-service.ts';
import { mergePatch } from '../../manage/merge-patch.ts';
import { maskSecrets } from '../../manage/site-document.ts';
import { probeSource } from '../../ingest/probe-source.ts';
import { CameraChangeSchema, ConfigObject, GridAcceptBody, ProbeBody, ProbeSchema } from '../config-schemas.ts';
import { ERRORS, IdParams } from '../schemas.ts';
import type { App, RouteContext } from './context.ts';

const tags = ['configuration'];

/** Who makes a change, as versions name it. */
export function actorOf(req: { principal: { actor: string } }): { name: string } {
  return { name: req.principal.actor };
}

/** Validates `value` with `schema`, or CONFIG_REJECTED naming each path under `prefix` (e.g. `body`). */
export function checked<T extends z.ZodType>(schema: T, value: unknown, prefix: string): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const problems = describeIssues(r.error.issues, value).map((p) => `${prefix}${p.path ? `.${p.path}` : ''}: ${p.message}`);
  throw new AppError('CONFIG_REJECTED', `${problems.slice(0, 8).join('; ')}; nothing was changed`);
}

/** The camera's index in a draft, or CAMERA_NOT_FOUND naming the cameras. */
export function cameraIndex(draft: SiteDraft, id: string): number {
  const i = draft.cameras.findIndex((c) => c['id'] === id);
  if (i < 0) throw new AppError('CAMERA_NOT_FOUND', `no camera "${id}" in the configuration; cameras: ${draft.cameras.map((c) => c['id']).join(', ') || 'none'}`);
  return i;
}

/** A stored camera's configuration, secrets masked. */
function cameraView(configs: ConfigService, id: string): Record<string, unknown> | null {
  const cam = configs.current().cameras.find((c) => c.id === id);
  return cam ? (maskSecrets(cam) as unknown as Record<string, unknown>) : null;
}

export async function cameraConfigRoutes(app: App, ctx: RouteContext & { configs: ConfigService }): Promise<void> {
  const { configs } = ctx;
  const admin = (audit: string) => ({ access: 'admin' as const, audit });

  app.post('/api/cameras/probe', {
    config: { access: 'admin' },
    schema: { tags, summary: 'Open a URL (RTSP, HTTP, file) and say what it holds: codec, size, fps and one frame, or why not', body: ProbeBody, response: { 200: ProbeSchema, ...ERRORS } },
  }, async (req) => probeSource(req.body.url, { rtspTransport: req.body.rtspTransport, timeoutMs: req.body.timeoutMs }));

  app.post('/api/cameras', {
    config: admin('camera.create'),
    schema: { tags, summary: 'Add a camera (it starts at once; the others keep running)', body: ConfigObject('A camera'), response: { 201: CameraChangeSchema, ...ERRORS } },
  }, async (req, reply) => {
    const cam = checked(CameraSchema, req.body, 'body');
    const r = await configs.change(actorOf(req), 'camera.create', (d) => {
      if (d.cameras.some((c) => c['id'] === cam.id)) throw new AppError('ALREADY_EXISTS', `a camera "${cam.id}" exists; PUT /api/cameras/${cam.id} changes it`);
      d.cameras.push(req.body);
    });
    req.auditDetail = { target: cam.id, after: maskSecrets(req.body) };
    return reply.code(201).send({ version: r.version, changes: r.changes, camera: cameraView(configs, cam.id) });
  });

  app.get('/api/cameras/:id/config', {
    config: { access: 'operator', camera: 'param' },
    schema: { tags, summary: 'A camera\'s configuration as stored (secrets masked)', params: IdParams, response: { 200: ConfigObject('The camera'), ...ERRORS } },
  }, (req) => {
    const view = cameraView(configs, req.params.id);
    if (!view) throw new AppError('CAMERA_NOT_FOUND', `no camera "${req.params.id}" in the configuration (the demo camera runs only while none is configured)`);
    return view;
  });

  const replace = (patch: boolean) => async (req: { params: { id: string }; body: Record<string, unknown>; principal: { actor: string }; auditDetail?: unknown }) => {
    const id = req.params.id;
    let before: unknown;
    const r = await configs.change(actorOf(req), patch ? 'camera.patch' : 'camera.update', (d) => {
      const i = cameraIndex(d, id);
      before = d.cameras[i];
      const next = (patch ? mergePatch(d.cameras[i], req.body) : { ...req.body, id: req.body['id'] ?? id }) as Record<string, unknown>;
      if (next['id'] !== id) throw new AppError('CONFIG_REJECTED', `body.id: expected "${id}" (the camera's id cannot change; add a new camera and delete this one), got ${JSON.stringify(next['id'])}`);
      checked(CameraSchema, next, 'body');
      d.cameras[i] = next;
    });
    req.auditDetail = { target: id, before: maskSecrets(before), after: maskSecrets(cameraView(configs, id)) };
    return { version: r.version, changes: r.changes, camera: cameraView(configs, id) };
  };

  app.put('/api/cameras/:id', {
    config: { ...admin('camera.update'), camera: 'param' },
    schema: { tags, summary: 'Replace a camera\'s configuration (zone, line and rule changes take effect at the next frame; others restart this camera only)', params: IdParams, body: ConfigObject('The camera'), response: { 200: CameraChangeSchema, ...ERRORS } },
  }, replace(false));

  app.patch('/api/cameras/:id', {
    config: { ...admin('camera.update'), camera: 'param' },
    schema: { tags, summary: 'Change part of a camera (JSON Merge Patch), e.g. {"enabled": false}', params: IdParams, body: ConfigObject('Fields of the camera'), response: { 200: CameraChangeSchema, ...ERRORS } },
  }, replace(true));

  app.delete('/api/cameras/:id', {
    config: { ...admin('camera.delete'), camera: 'param' },
    schema: { tags, summary: 'Remove a camera: its stream stops, its open events end, its stored events and recordings stay', params: IdParams, response: { 200: CameraChangeSchema, ...ERRORS } },
  }, async (req) => {
    let before: unknown;
    const r = await configs.change(actorOf(req), 'camera.delete', (d) => {
      const i = cameraIndex(d, req.params.id);
      before = d.cameras[i];
      d.cameras.splice(i, 1);
    });
    req.auditDetail = { target: req.params.id, before: maskSecrets(before) };
    return { version: r.version, changes: r.changes, camera: null };
  });

  app.post('/api/cameras/:id/grid/accept', {
    config: { ...admin('camera.grid.accept'), camera: 'param' },
    schema: { tags, summary: 'Add the tile cameras of the mosaic grid proposal in one call (a proposal that is not sure needs {"confirm": true})', params: IdParams, body: GridAcceptBody.optional(), response: { 200: ChangeResultWithCameras, ...ERRORS } },
  }, async (req) => {
    const id = req.params.id;
    const grid = ctx.findCamera(id).grid();
    if (grid.rows * grid.columns <= 1) throw new AppError('CONFIG_REJECTED', `camera "${id}" shows one picture (grid 1x1); there are no tiles to add`);
    if (!grid.sure && !req.body?.confirm) {
      throw new AppError('CONFIG_REJECTED', `the grid proposal (${grid.rows}x${grid.columns}) is not sure: ${grid.doubts.join('; ')}; look at it (GET /api/cameras/${id}/grid) and send {"confirm": true} to add it anyway, or add tile cameras with your own crops`);
    }
    const round = (v: number) => Math.round(v * 10_000) / 10_000;
    const tiles = grid.tiles.map((t) => ({ id: `${id}-${t.row + 1}-${t.column + 1}`.slice(0, 64), source: { url: `tile:${id}`, crop: t.rect.map(round) } }));
    const r = await configs.change(actorOf(req), 'camera.grid.accept', (d) => {
      const taken = tiles.filter((t) => d.cameras.some((c) => c['id'] === t.id));
      if (taken.length > 0) throw new AppError('ALREADY_EXISTS', `cameras ${taken.map((t) => `"${t.id}"`).join(', ')} exist; delete them first to take a new proposal`);
      d.cameras.push(...tiles);
    });
    req.auditDetail = { target: id, after: { tiles: tiles.map((t) => t.id) } };
    return { version: r.version, changes: r.changes, cameras: tiles.map((t) => t.id) };
  });
}

const ChangeResultWithCameras = z.object({
  version: z.number().int(),
  changes: CameraChangeSchema.shape.changes,
  cameras: z.array(z.string()).describe('Ids of the tile cameras added.'),
}).strict();
