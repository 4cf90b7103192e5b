/**
 * The inference API's work (`POST /api/infer/:model`): decode each picture, run the model as background work of the
 * shared scheduler (live cameras go first), and answer in the picture's own pixels. Detectors and pose models give
 * detections (with keypoints); embedders give one embedding of the whole picture. The decoder and the models are ports.
 */
import { AppError } from '../core/errors.ts';
import type { Detection, Frame } from '../core/types.ts';
import type { FrameModelManifest } from '../vision/detector.ts';

/** A decoded picture, maybe scaled down to fit what the model takes. */
export interface DecodedPicture {
  readonly rgb: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly originalWidth: number;
  readonly originalHeight: number;
}

/** What the service needs from the composition root. */
export interface InferencePorts {
  readonly decode: (bytes: Uint8Array, fit?: { width: number; height: number }) => Promise<DecodedPicture>;
  /** The model's task without loading more than needed (catalog, registry or file). */
  readonly taskOf: (model: string) => Promise<'detect' | 'pose' | 'embed' | 'classify-clip'>;
  readonly detector: (model: string) => Promise<{ manifest: FrameModelManifest; detect(frame: Frame, opts: { scoreThreshold?: number; tiling?: 'off' | 'auto' }): Promise<Detection[]> }>;
  readonly embedder: (model: string) => Promise<{ embed(frame: Frame): Promise<Float32Array> }>;
  readonly now: () => number;
}

export interface InferOptions {
  /** Minimum score; default: the model's own threshold. */
  readonly scoreThreshold?: number | undefined;
  /** Keep only these labels; default: all. */
  readonly labels?: readonly string[] | undefined;
  /** `auto`: extra tiled passes over a picture much larger than the model input (finds small objects; slower). */
  readonly tiling?: 'off' | 'auto' | undefined;
}

/** The answer for one picture. */
export interface InferResult {
  readonly width: number;
  readonly height: number;
  readonly detections?: { label: string; classId: number; score: number; boxXyxy: [number, number, number, number]; keypoints?: { x: number; y: number; score: number }[] }[];
  readonly embedding?: number[];
  readonly timings: { readonly decodeMs: number; readonly inferMs: number };
}

const round2 = (v: number) => Math.round(v * 100) / 100;

/** Runs `model` on each picture, one after the other. */
export async function inferPictures(ports: InferencePorts, model: string, pictures: readonly Uint8Array[], opts: InferOptions = {}): Promise<{ task: string; results: InferResult[] }> {
  const task = await ports.taskOf(model);
  if (task === 'classify-clip') throw new AppError('MODEL_TASK_MISMATCH', `model ${model} classifies video clips, not pictures; send pictures to a detector, pose model or embedder`);
  const results: InferResult[] = [];
  if (task === 'embed') {
    const embedder = await ports.embedder(model);
    for (const bytes of pictures) {
      const t0 = ports.now();
      const pic = await ports.decode(bytes);
      const t1 = ports.now();
      const vector = await embedder.embed(frameOf(pic));
      results.push({ width: pic.originalWidth, height: pic.originalHeight, embedding: Array.from(vector, (v) => Math.round(v * 1e6) / 1e6), timings: { decodeMs: t1 - t0, inferMs: ports.now() - t1 } });
    }
    return { task, results };
  }
  const detector = await ports.detector(model);
  const { inputWidth, inputHeight } = detector.manifest;
  for (const bytes of pictures) {
    const t0 = ports.now();
    // Without tiling, decoded straight to the size the model takes (JPEGs decode faster at a reduced size) and the
    // boxes scaled back; tiling needs the whole picture.
    const tiling = opts.tiling ?? 'off';
    const pic = await ports.decode(bytes, tiling === 'off' ? { width: inputWidth, height: inputHeight } : undefined);
    const t1 = ports.now();
    const dets = await detector.detect(frameOf(pic), { tiling, ...(opts.scoreThreshold === undefined ? {} : { scoreThreshold: opts.scoreThreshold }) });
    const sx = pic.originalWidth / pic.width;
    const sy = pic.originalHeight / pic.height;
    const wanted = opts.labels && opts.labels.length > 0 ? new Set(opts.labels) : null;
    results.push({
      width: pic.originalWidth,
      height: pic.originalHeight,
      detections: dets.filter((d) => !wanted || wanted.has(d.label)).map((d) => ({
        label: d.label, classId: d.classId, score: Math.round(d.score * 1e4) / 1e4,
        boxXyxy: [round2(d.boxXyxy[0] * sx), round2(d.boxXyxy[1] * sy), round2(d.boxXyxy[2] * sx), round2(d.boxXyxy[3] * sy)],
        ...(d.keypoints ? { keypoints: d.keypoints.map((k) => ({ x: round2(k.x * sx), y: round2(k.y * sy), score: Math.round(k.score * 1e4) / 1e4 })) } : {}),
      })),
      timings: { decodeMs: t1 - t0, inferMs: ports.now() - t1 },
    });
  }
  return { task, results };
}

function frameOf(pic: DecodedPicture): Frame {
  return { index: 0, timeMs: 0, width: pic.width, height: pic.height, rgb: pic.rgb };
}
