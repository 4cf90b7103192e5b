/**
 * Action recognition on short clips: keeps the last T frames (or one box of each, stretched to the model input),
 * stacks them into a `[1, 3, T, H, W]` (NCTHW) or `[1, T, 3, H, W]` (NTCHW) tensor, runs the model and turns its
 * `[1, K]` logits into softmax probabilities. Pure except the `ModelRunner`.
 */

import { AppError } from '../core/errors.ts';
import type { BoxXyxy, Frame } from '../core/types.ts';
import { cropResizeInto } from './crop-resize.ts';
import type { CropNormalisation } from './crop-resize.ts';
import type { ModelRunner } from './model-runner.ts';

/** How clips are fed to a clip classifier and what its outputs mean. */
export interface ClipClassifierSpec extends CropNormalisation {
  readonly inputWidth: number;
  readonly inputHeight: number;
  /** Frames per clip (T). */
  readonly clipFrames: number;
  /** Axis order of the input: `ncthw` = [1, 3, T, H, W], `ntchw` = [1, T, 3, H, W]. */
  readonly layout: 'ncthw' | 'ntchw';
  /** One label per output logit, in output order. */
  readonly labels: readonly string[];
}

/** One class of a clip with its softmax probability (0..1). */
export interface ClipScore {
  readonly label: string;
  readonly score: number;
}

const fmt = (dims: readonly (number | string)[]): string => `[${dims.join(',')}]`;

/** Classifies the last `clipFrames` frames pushed into it; one instance serves one track or camera. */
export class ClipClassifier {
  private readonly frames: Float32Array[] = [];

  /** Checks that the runner's declared shapes fit `spec`; throws MODEL_LAYOUT_UNSUPPORTED naming both otherwise. */
  constructor(
    private readonly runner: ModelRunner,
    readonly spec: ClipClassifierSpec,
  ) {
    const { clipFrames: t, inputHeight: h, inputWidth: w, layout, labels } = spec;
    const wantInput = layout === 'ncthw' ? [1, 3, t, h, w] : [1, t, 3, h, w];
    const wantOutput = [1, labels.length];
    // A dynamic (named or -1) dim accepts the spec's value; a fixed one must equal it.
    const fits = (got: readonly (number | string)[], want: readonly number[]) =>
      got.length === want.length && got.every((d, i) => typeof d !== 'number' || d < 1 || d === want[i]);
    if (!fits(runner.inputDims, wantInput) || !fits(runner.outputDims, wantOutput)) {
      throw new AppError(
        'MODEL_LAYOUT_UNSUPPORTED',
        `clip classifier: expected input ${fmt(wantInput)} (${layout}, T=${t}) and output ${fmt(wantOutput)} (${labels.length} class logits), ` +
          `saw input ${fmt(runner.inputDims)} and output ${fmt(runner.outputDims)}`,
      );
    }
  }

  /** Frames held so far, at most `clipFrames`. */
  get frameCount(): number {
    return this.frames.length;
  }

  /** Adds one frame (or its `box`, frame pixels) to the clip, dropping the oldest once `clipFrames` are held. */
  push(frame: Frame, box: BoxXyxy = [0, 0, frame.width, frame.height]): void {
    const { inputWidth: w, inputHeight: h } = this.spec;
    const recycled = this.frames.length === this.spec.clipFrames ? this.frames.shift()! : new Float32Array(3 * w * h);
    cropResizeInto(frame.rgb, frame.width, frame.height, box, w, h, this.spec, recycled, 0);
    this.frames.push(recycled);
  }

  /** Forgets the frames held (a new track, a scene cut). */
  reset(): void {
    this.frames.length = 0;
  }

  /** Labels with probabilities, highest first; `null` until `clipFrames` frames have been pushed. */
  async classify(): Promise<ClipScore[] | null> {
    const { clipFrames: t, inputHeight: h, inputWidth: w, layout, labels } = this.spec;
    if (this.frames.length < t) return null;
    const plane = h * w;
    const input = new Float32Array(3 * t * plane);
    this.frames.forEach((f, i) => {
      if (layout === 'ntchw') input.set(f, i * 3 * plane);
      else for (let c = 0; c < 3; c++) input.set(f.subarray(c * plane, (c + 1) * plane), (c * t + i) * plane);
    });
    const dims = layout === 'ncthw' ? [1, 3, t, h, w] : [1, t, 3, h, w];
    const out = await this.runner.run(input, dims);
    if (out.data.length !== labels.length) {
      throw new AppError('MODEL_LAYOUT_UNSUPPORTED', `clip classifier: expected ${labels.length} logits [1,${labels.length}], got output ${fmt(out.dims)}`);
    }
    const probs = softmax(out.data);
    return labels.map((label, k) => ({ label, score: probs[k]! })).sort((a, b) => b.score - a.score);
  }

  /** Releases the runner. */
  close(): Promise<void> {
    return this.runner.close();
  }
}

/** Softmax of a logit vector (shifted by its maximum, so large logits do not overflow). */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i]! - max);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / sum;
  return out;
}
