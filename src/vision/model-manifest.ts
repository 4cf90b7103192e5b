import { z } from 'zod';

/** Decoder families the object detector runs. */
export const DetectorFamilySchema = z.enum(['yolox', 'ultralytics']);
/** Decoder family of a detection model the detector runs. */
export type DetectorFamily = z.infer<typeof DetectorFamilySchema>;

/** What a model is for. */
export const ModelTaskSchema = z.enum(['detect', 'pose', 'embed', 'classify-clip']);
/** What a model is for. */
export type ModelTask = z.infer<typeof ModelTaskSchema>;

const triple = z.tuple([z.number(), z.number(), z.number()]);

/** A file known to hold the same weights (or clip) as the one at an entry's URL, e.g. a re-export, that a copy may be instead. */
export const EquivalentFileSchema = z
  .object({
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    sizeBytes: z.number().int().positive(),
    note: z.string().min(1).describe('What the file is and how it was found to be equivalent.'),
  })
  .strict();
/** A file known to be equivalent to the one at an entry's URL. */
export type EquivalentFile = z.infer<typeof EquivalentFileSchema>;

/** Fields every manifest has: identity, origin, input size and pixel normalisation. */
const common = {
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" or "-"'),
  file: z.string().min(1).describe('File name inside the model folder.'),
  inputWidth: z.number().int().positive(),
  inputHeight: z.number().int().positive(),
  colorOrder: z.enum(['rgb', 'bgr']),
  pixelScale: z.number().positive().describe('Multiplier applied to 0-255 pixel values before mean/std.'),
  mean: triple,
  std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  licence: z.string(),
  url: z.string().url().nullable(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  sizeBytes: z.number().int().positive().nullable().optional(),
  equivalents: z.array(EquivalentFileSchema).optional()
    .describe('Other files a local or mirrored copy may be instead of the one at url (sha256 and sizeBytes describe that one).'),
};

const labels = z.union([z.string(), z.array(z.string()).min(1)]).describe('Label list, or the name of a label set.');
const placement = {
  letterbox: z.enum(['top-left', 'center']).describe('Where the resized image sits in the padded input.'),
  padValue: z.number().min(0).max(255),
};

/** A detection model: image in, boxes with class scores out. */
export const DetectManifestSchema = z
  .object({
    ...common,
    ...placement,
    task: z.literal('detect'),
    family: DetectorFamilySchema,
    labels,
    defaultScoreThreshold: z.number().min(0).max(1),
  })
  .strict();

/** A pose model: boxes plus keypoints per object (Ultralytics pose layout). */
export const PoseManifestSchema = z
  .object({
    ...common,
    ...placement,
    task: z.literal('pose'),
    family: z.literal('ultralytics-pose'),
    labels,
    defaultScoreThreshold: z.number().min(0).max(1),
    keypoints: z.object({ count: z.number().int().positive(), dims: z.union([z.literal(2), z.literal(3)]) }).strict(),
  })
  .strict();

/** A re-identification embedder: crops stretched to the input, one vector per crop. */
export const EmbedManifestSchema = z
  .object({
    ...common,
    task: z.literal('embed'),
    family: z.literal('embedder'),
    embeddingDim: z.number().int().positive(),
  })
  .strict();

/** Axis orders of a clip input (T = frames): channels before frames, channels after frames, or channels last. */
export const ClipLayoutSchema = z
  .enum(['ncthw', 'ntchw', 'nthwc'])
  .describe('Axis order of the clip input (T = frames): ncthw = [N,3,T,H,W] (PyTorchVideo), ntchw = [N,T,3,H,W], nthwc = [N,T,H,W,3] (Keras/TensorFlow, frames-last).');
/** Axis order of a clip input. */
export type ClipLayout = z.infer<typeof ClipLayoutSchema>;

/** What a clip classifier's output holds. */
export const ClipOutputsSchema = z
  .enum(['logits', 'probabilities'])
  .describe('What the [N,K] output holds: logits (Sightline applies softmax) or probabilities (the graph ends in Softmax or Sigmoid; used as they are). Default logits.');
/** What a clip classifier's output holds. */
export type ClipOutputs = z.infer<typeof ClipOutputsSchema>;

/** A clip classifier: T frames (or crops) in, one score per class out. */
export const ClipManifestSchema = z
  .object({
    ...common,
    task: z.literal('classify-clip'),
    family: z.literal('clip-classifier'),
    inputLayout: ClipLayoutSchema,
    clipFrames: z.number().int().positive().describe('Frames per clip (T), consecutive frames of the source.'),
    clipFps: z.number().positive().max(120).optional()
      .describe('Frames per second the model was trained on: a camera feeds it frames at this rate (its detect.fps must be at least this); absent: every analysed frame.'),
    labels: labels.describe('One label per output value, in output order; or the name of a label set.'),
    outputs: ClipOutputsSchema.default('logits'),
    positiveLabel: z
      .string()
      .min(1)
      .optional()
      .describe('The label whose probability a rule watches (the fight class of a violence model); one of labels. Absent: the rule has to name the label.'),
  })
  .strict()
  .superRefine((m, ctx) => {
    // A label-set name is resolved later; clipSpecFromManifest checks the resolved list.
    const problem = Array.isArray(m.labels) ? positiveLabelProblem({ ...m, labels: m.labels }) : undefined;
    if (problem) ctx.addIssue({ code: 'custom', path: ['positiveLabel'], message: problem });
  });

/** Why a clip classifier's `positiveLabel` is not one of its labels (a message naming the fix), or undefined when it is or is absent. */
export function positiveLabelProblem(m: { readonly id: string; readonly labels: readonly string[]; readonly positiveLabel?: string | undefined }): string | undefined {
  if (m.positiveLabel === undefined || m.labels.includes(m.positiveLabel)) return undefined;
  return `model ${m.id}: positiveLabel "${m.positiveLabel}" is not one of its labels ${JSON.stringify(m.labels)}; name one of them`;
}

/** Everything needed to feed a model and read its output, by task. */
export const ModelManifestSchema = z.discriminatedUnion('task', [DetectManifestSchema, PoseManifestSchema, EmbedManifestSchema, ClipManifestSchema]);

type WithLabels<T> = T extends { labels: unknown } ? Omit<T, 'labels'> & { labels: readonly string[] } : T;

/** A model manifest of any task, its label set resolved to a list. */
export type ModelManifest = WithLabels<z.infer<typeof ModelManifestSchema>>;

/** A detection model's manifest, its label set resolved to a list. */
export type DetectorManifest = Extract<ModelManifest, { task: 'detect' }>;

/** An embedder's manifest. */
export type EmbedManifest = Extract<ModelManifest, { task: 'embed' }>;

/** A clip classifier's manifest, its label set resolved to a list. */
export type ClipManifest = Extract<ModelManifest, { task: 'classify-clip' }>;

/** What a task's models are for, in words (for messages). */
export const TASK_WORDS: Readonly<Record<ModelTask, string>> = {
  detect: 'an object detector',
  pose: 'a pose model',
  embed: 'a re-identification embedder',
  'classify-clip': 'a clip classifier',
};
