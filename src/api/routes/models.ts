/**
 * The model registry (admin to change, viewer to read): upload an ONNX file (the raw body, streamed, at most
 * models.maxUploadMb) as a new version of a model id, see the proposed manifest, confirm or correct it, activate a
 * version, roll back, delete a version no camera uses. Cameras name a model id (its active version) or `id@N`.
 */
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import type { ModelVersion } from '../../models/registry-store.ts';
import { ERRORS, queryInt } from '../schemas.ts';
import type { App, RouteContext } from './context.ts';

/** The registry as the API reaches it (the composition root binds usage and camera restarts). */
export interface ModelsPort {
  /** Catalog and command-line models (read-only here) and the uploaded ones with their versions. */
  list(): Promise<{ id: string; origin: 'catalog' | 'added' | 'uploaded'; task: string; activeVersion: number | null; usedBy: string[] }[]>;
  versions(id: string): readonly ModelVersion[];
  upload(actor: string, id: string, fileName: string, body: Readable, declaredBytes: number | null): Promise<{ version: ModelVersion; runnable: string | null }>;
  confirm(id: string, version: number, corrections: Record<string, unknown>, activate: boolean): Promise<ModelVersion>;
  activate(id: string, version: number): Promise<ModelVersion>;
  rollback(id: string): Promise<ModelVersion>;
  remove(id: string, version: number): Promise<void>;
}

const tags = ['models'];
const ModelId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, { error: 'expected a model id of lower-case letters, digits, ".", "_" or "-" (1-64 characters)' });
const VersionParams = z.object({ id: ModelId, version: queryInt(1, 999_999) }).strict();
const IdOnly = z.object({ id: ModelId }).strict();

export const ModelVersionSchema = z.object({
  modelId: z.string(),
  version: z.number().int(),
  status: z.enum(['proposed', 'ready']),
  active: z.boolean(),
  fileName: z.string(),
  sha256: z.string(),
  sizeBytes: z.number().int(),
  manifest: z.record(z.string(), z.unknown()).describe('task, family, input size and layout, preprocessing, labels ... as the model runs with it'),
  notes: z.array(z.string()).describe('What was inferred or guessed to propose the manifest.'),
  createdMs: z.number(),
  actor: z.string(),
}).strict();

const view = (v: ModelVersion): z.infer<typeof ModelVersionSchema> => ({
  modelId: v.modelId, version: v.version, status: v.status, active: v.active, fileName: v.fileName, sha256: v.sha256, sizeBytes: v.sizeBytes,
  manifest: { ...v.manifest } as Record<string, unknown>, notes: [...v.notes], createdMs: v.createdMs, actor: v.actor,
});

export async function modelRoutes(app: App, ctx: RouteContext & { models: ModelsPort }): Promise<void> {
  const { models } = ctx;
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));

  app.get('/api/models', {
    config: { access: 'viewer' },
    schema: { tags, summary: 'Every model: the catalog\'s, those added on the command line, and the uploaded ones with their active version and the cameras using them', response: { 200: z.object({ models: z.array(z.object({ id: z.string(), origin: z.enum(['catalog', 'added', 'uploaded']), task: z.string(), activeVersion: z.number().int().nullable(), usedBy: z.array(z.string()) }).strict()) }).strict(), ...ERRORS } },
  }, async () => ({ models: await models.list() }));

  app.get('/api/models/:id', {
    config: { access: 'viewer' },
    schema: { tags, summary: 'The versions of an uploaded model', params: IdOnly, response: { 200: z.object({ id: z.string(), versions: z.array(ModelVersionSchema) }).strict(), ...ERRORS } },
  }, (req) => {
    const versions = models.versions(req.params.id);
    if (versions.length === 0) throw new AppError('MODEL_NOT_FOUND', `no uploaded model "${req.params.id}" (GET /api/models lists the models)`);
    return { id: req.params.id, versions: versions.map(view) };
  });

  app.post('/api/models', {
    config: { access: 'admin', audit: 'model.upload' },
    schema: {
      tags, summary: 'Upload an ONNX file (raw body, application/octet-stream) as the next version of model `id`; answers with the proposed manifest to confirm',
      querystring: z.object({ id: ModelId, name: z.string().max(200).optional().describe('The file name, for the record.') }).strict(),
      response: { 201: z.object({ version: ModelVersionSchema, runnable: z.string().nullable().describe('Why the proposed manifest cannot run yet; null when it can.') }).strict(), ...ERRORS, 415: ERRORS[400] },
    },
  }, async (req, reply) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (type !== 'application/octet-stream') throw new AppError('MEDIA_TYPE_UNSUPPORTED', `expected the ONNX file as an application/octet-stream body, got ${type || 'none'}`);
    const declared = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
    try {
      const r = await models.upload(req.principal.actor, req.query.id, req.query.name ?? `${req.query.id}.onnx`, req.body as Readable, Number.isFinite(declared) ? declared : null);
      req.auditDetail = { target: `${r.version.modelId}@${r.version.version}`, after: { sha256: r.version.sha256, sizeBytes: r.version.sizeBytes } };
      return reply.code(201).send({ version: view(r.version), runnable: r.runnable });
    } catch (err) {
      void reply.header('connection', 'close');
      throw err;
    }
  });

  app.post('/api/models/:id/versions/:version/confirm', {
    config: { access: 'admin', audit: 'model.confirm' },
    schema: {
      tags, summary: 'Confirm a version\'s manifest, with corrections (JSON Merge Patch of the proposal); the first confirmed version becomes active',
      params: VersionParams,
      body: z.object({ manifest: z.record(z.string(), z.unknown()).optional(), activate: z.boolean().optional() }).strict(),
      response: { 200: ModelVersionSchema, ...ERRORS },
    },
  }, async (req) => {
    req.auditDetail = { target: `${req.params.id}@${req.params.version}`, after: req.body.manifest ?? null };
    return view(await models.confirm(req.params.id, Number(req.params.version), req.body.manifest ?? {}, req.body.activate ?? false));
  });

  app.post('/api/models/:id/versions/:version/activate', {
    config: { access: 'admin', audit: 'model.activate' },
    schema: { tags, summary: 'Make a confirmed version the active one (cameras naming the id switch to it)', params: VersionParams, response: { 200: ModelVersionSchema, ...ERRORS } },
  }, async (req) => {
    req.auditDetail = { target: `${req.params.id}@${req.params.version}` };
    return view(await models.activate(req.params.id, Number(req.params.version)));
  });

  app.post('/api/models/:id/rollback', {
    config: { access: 'admin', audit: 'model.rollback' },
    schema: { tags, summary: 'Activate the confirmed version before the active one', params: IdOnly, response: { 200: ModelVersionSchema, ...ERRORS } },
  }, async (req) => {
    req.auditDetail = { target: req.params.id };
    return view(await models.rollback(req.params.id));
  });

  app.delete('/api/models/:id/versions/:version', {
    config: { access: 'admin', audit: 'model.delete' },
    schema: { tags, summary: 'Delete a version no camera uses (refused with the camera list otherwise)', params: VersionParams, response: { 204: z.null(), ...ERRORS } },
  }, async (req, reply) => {
    req.auditDetail = { target: `${req.params.id}@${req.params.version}` };
    await models.remove(req.params.id, Number(req.params.version));
    return reply.code(204).send();
  });
}
