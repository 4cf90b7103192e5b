import { z } from 'zod';

/** How the raw output of a detection model is laid out and decoded. */
export const DetectorFamilySchema = z.enum(['yolox', 'ultralytics']);
/** Decoder family of a detection model. */
export type DetectorFamily = z.infer<typeof DetectorFamilySchema>;

/** Everything needed to feed a detection model and read its output. */
export const ModelManifestSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" or "-"'),
    file: z.string().min(1).describe('File name inside the model folder.'),
    task: z.literal('detect'),
    family: DetectorFamilySchema,
    inputWidth: z.number().int().positive(),
    inputHeight: z.number().int().positive(),
    colorOrder: z.enum(['rgb', 'bgr']),
    pixelScale: z.number().positive().describe('Multiplier applied to 0-255 pixel values before mean/std.'),
    mean: z.tuple([z.number(), z.number(), z.number()]),
    std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
    letterbox: z.enum(['top-left', 'center']).describe('Where the resized image sits in the padded input.'),
    padValue: z.number().min(0).max(255),
    labels: z.union([z.string(), z.array(z.string()).min(1)]).describe('Label list, or the name of a label set.'),
    defaultScoreThreshold: z.number().min(0).max(1),
    licence: z.string(),
    url: z.string().url().nullable(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
    sizeBytes: z.number().int().positive().nullable().optional(),
  })
  .strict();

/** A model manifest with its label set resolved to a list. */
export type ModelManifest = Omit<z.infer<typeof ModelManifestSchema>, 'labels'> & { labels: readonly string[] };
