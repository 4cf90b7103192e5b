/**
 * The inference API: `POST /api/infer/:model` with one picture (JPEG, PNG or WebP as the raw body) or several
 * (multipart/form-data, one part per picture): detections (or poses, or an embedding, by the model's task) in the
 * picture's pixels. Runs on the cameras' shared scheduler as background work: live cameras go first.
 */
import multipart from '@fastify/multipart';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import type { InferOptions, InferResult } from '../../pipeline/inference.ts';
import { ERRORS, IdParam } from '../schemas.ts';
import type { App, RouteContext } from './context.ts';

/** What the route calls (the composition root binds the models and the decoder). */
export type InferPort = (model: string, pictures: readonly Uint8Array[], opts: InferOptions) => Promise<{ task: string; results: InferResult[] }>;

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
/** Largest picture accepted, in bytes. */
const MAX_PICTURE_BYTES = 25 << 20;
/** Most pictures in one multipart request. */
const MAX_PICTURES = 16;

const Query = z.object({
  score: z.string().regex(/^(0(\.\d+)?|1(\.0+)?)$/, { error: 'expected a score between 0 and 1' }).optional().describe('Minimum score; default: the model\'s own threshold.'),
  labels: z.string().max(2000).optional().describe('Comma-separated labels to keep, e.g. `person,car`; default: all.'),
  tiling: z.enum(['off', 'auto']).optional().describe('`auto`: extra tiled passes over a picture much larger than the model input (finds small, far objects; several model runs); default `off`.'),
}).strict();

const Box = z.tuple([z.number(), z.number(), z.number(), z.number()]);
const ResultSchema = z.object({
  width: z.number().int(),
  height: z.number().int(),
  detections: z.array(z.object({
    label: z.string(), classId: z.number().int(), score: z.number(), boxXyxy: Box.describe('[x1, y1, x2, y2] in pixels of the picture sent.'),
    keypoints: z.array(z.object({ x: z.number(), y: z.number(), score: z.number() }).strict()).optional().describe('Pose models: 17 COCO keypoints.'),
  }).strict()).optional(),
  embedding: z.array(z.number()).optional().describe('Embedders: one L2-normalised vector for the whole picture.'),
  timings: z.object({ decodeMs: z.number(), inferMs: z.number() }).strict(),
}).strict();
const AnswerSchema = z.object({ model: z.string(), task: z.string(), results: z.array(ResultSchema) }).strict();

export async function inferRoutes(app: App, ctx: RouteContext & { infer: InferPort }): Promise<void> {
  await app.register(multipart, { limits: { fileSize: MAX_PICTURE_BYTES, files: MAX_PICTURES, fields: 0, parts: MAX_PICTURES } });
  app.addContentTypeParser(IMAGE_TYPES, { parseAs: 'buffer', bodyLimit: MAX_PICTURE_BYTES }, (_req, body, done) => done(null, body));

  app.post('/api/infer/:model', {
    bodyLimit: MAX_PICTURE_BYTES,
    config: { access: 'viewer' },
    schema: {
      tags: ['inference'],
      summary: 'Run a model on one picture (raw JPEG/PNG/WebP body) or several (multipart/form-data): detections, poses or an embedding, in the picture\'s pixels',
      params: z.object({ model: IdParam.describe('A catalog model id (e.g. yolox-nano), an added model id, or id@version.') }).strict(),
      querystring: Query,
      response: { 200: AnswerSchema, ...ERRORS, 415: ERRORS[400] },
    },
  }, async (req) => {
    const pictures: Uint8Array[] = [];
    if (req.isMultipart()) {
      for await (const part of req.files()) {
        const bytes = await part.toBuffer();
        if (part.file.truncated) throw new AppError('PAYLOAD_TOO_LARGE', `picture "${part.filename}" is over ${MAX_PICTURE_BYTES >> 20} MiB`);
        pictures.push(bytes);
      }
      if (pictures.length === 0) throw new AppError('BAD_REQUEST', 'expected at least one picture part in the multipart body, got none');
    } else {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (!IMAGE_TYPES.includes(type) || !Buffer.isBuffer(req.body)) {
        throw new AppError('MEDIA_TYPE_UNSUPPORTED', `expected a body of type ${IMAGE_TYPES.join(', ')} or multipart/form-data, got ${type || 'none'}`);
      }
      pictures.push(req.body);
    }
    const labels = req.query.labels?.split(',').map((l) => l.trim()).filter(Boolean);
    const { task, results } = await ctx.infer(req.params.model, pictures, { scoreThreshold: req.query.score === undefined ? undefined : Number(req.query.score), labels, tiling: req.query.tiling });
    return { model: req.params.model, task, results };
  });
}
