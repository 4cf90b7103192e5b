/**
 * Appearance embeddings for re-identification: every box of a frame is cropped, resized to the model's input and
 * normalised, all crops go through the model in one batched call (or one by one when the model's batch is fixed at 1),
 * and each output row is L2-normalised, so the cosine similarity of two embeddings is their dot product.
 */

import { AppError } from '../core/errors.ts';
import { frameRgb, type BoxXyxy, type Frame } from '../core/types.ts';
import { cropResizeInto } from './crop-resize.ts';
import type { CropNormalisation } from './crop-resize.ts';
import type { ModelRunner } from './model-runner.ts';

/** How crops are fed to an embedding model. */
export interface EmbedderSpec extends CropNormalisation {
  readonly inputWidth: number;
  readonly inputHeight: number;
}

/** OSNet / torchreid person re-id: 128 x 256 RGB crops, ImageNet mean and std. */
export const REID_SPEC: EmbedderSpec = Object.freeze({
  inputWidth: 128,
  inputHeight: 256,
  colorOrder: 'rgb' as const,
  pixelScale: 1 / 255,
  mean: [0.485, 0.456, 0.406] as const,
  std: [0.229, 0.224, 0.225] as const,
});

/** Most crops sent to the model in one call; larger sets are split into several calls. */
const MAX_BATCH = 32;

/** Batched, L2-normalised appearance embeddings of boxes in a frame. */
export class Embedder {
  private readonly batchDynamic: boolean;

  constructor(
    private readonly runner: ModelRunner,
    readonly spec: EmbedderSpec,
  ) {
    const b = runner.inputDims[0];
    this.batchDynamic = typeof b !== 'number' || b < 1;
  }

  /**
   * Checks that a loaded model is an embedder of `spec`'s input size (input [B,3,H,W], output [B,D]) and wraps it;
   * throws MODEL_LAYOUT_UNSUPPORTED naming the shapes otherwise.
   */
  static create(runner: ModelRunner, spec: EmbedderSpec, source: string): Embedder {
    const [, c, h, w] = runner.inputDims;
    const fits = (d: number | string | undefined, want: number) => typeof d !== 'number' || d < 1 || d === want;
    const inputOk = runner.inputDims.length === 4 && c === 3 && fits(h, spec.inputHeight) && fits(w, spec.inputWidth);
    if (!inputOk || runner.outputDims.length !== 2) {
      throw new AppError(
        'MODEL_LAYOUT_UNSUPPORTED',
        `model ${source}: expected an embedder with input [B,3,${spec.inputHeight},${spec.inputWidth}] and output [B,D], ` +
          `the file has input [${runner.inputDims.join(',')}] and output [${runner.outputDims.join(',')}]`,
      );
    }
    return new Embedder(runner, spec);
  }

  /** One unit-length vector per box, in the order of `boxes`; no boxes means no model call. */
  async embed(frame: Frame, boxes: readonly BoxXyxy[]): Promise<Float32Array[]> {
    return (await this.embedMany([{ frame, boxes }]))[0]!;
  }

  /**
   * Boxes of several frames (several cameras' crops) in as few model calls as the batch allows: one list of vectors
   * per item, in the order of its boxes.
   */
  async embedMany(items: readonly { readonly frame: Frame; readonly boxes: readonly BoxXyxy[] }[]): Promise<Float32Array[][]> {
    const { inputWidth: w, inputHeight: h } = this.spec;
    const size = 3 * w * h;
    const perCall = this.batchDynamic ? MAX_BATCH : 1;
    const crops = items.flatMap((item, k) => item.boxes.map((box) => ({ k, frame: item.frame, box })));
    const result: Float32Array[][] = items.map(() => []);
    for (let start = 0; start < crops.length; start += perCall) {
      const chunk = crops.slice(start, start + perCall);
      const input = new Float32Array(chunk.length * size);
      chunk.forEach((c, i) => cropResizeInto(frameRgb(c.frame, 're-id crops'), c.frame.width, c.frame.height, c.box, w, h, this.spec, input, i * size));
      const out = await this.runner.run(input, [chunk.length, 3, h, w]);
      const dim = out.data.length / chunk.length;
      if (!Number.isInteger(dim) || dim < 1) {
        throw new RangeError(`embedder output: expected ${chunk.length} rows, got ${out.data.length} values (dims ${out.dims.join('x')})`);
      }
      chunk.forEach((c, i) => result[c.k]!.push(l2Normalise(out.data.subarray(i * dim, (i + 1) * dim))));
    }
    return result;
  }

  close(): Promise<void> {
    return this.runner.close();
  }
}

/** A copy of `v` scaled to unit length (a zero vector stays zero). */
export function l2Normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  const out = new Float32Array(v);
  if (sum > 0) {
    const k = 1 / Math.sqrt(sum);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! * k;
  }
  return out;
}

/** Cosine similarity of two unit-length embeddings. */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`embeddings of different length: ${a.length} and ${b.length}`);
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}
