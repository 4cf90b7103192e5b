/**
 * Action recognition on short clips: keeps the last T frames (or one box of each, stretched to the model input) in a
 * ring, stacks them into a `[1, 3, T, H, W]` (NCTHW), `[1, T, 3, H, W]` (NTCHW) or `[1, T, H, W, 3]` (NTHWC) tensor,
 * runs the model and reads its `[1, K]` output as logits (softmaxed here) or as probabilities (used as they are).
 * Pure except the `ModelRunner`.
 */

import { AppError } from '../core/errors.ts';
import { frameRgb, type BoxXyxy, type Frame } from '../core/types.ts';
import { cropResizeInto } from './crop-resize.ts';
import type { CropNormalisation } from './crop-resize.ts';
import { positiveLabelProblem } from './model-manifest.ts';
import type { ClipLayout, ClipManifest, ClipOutputs } from './model-manifest.ts';
import type { RawOutput } from './decoders/decoder.ts';
import type { ModelRunner } from './model-runner.ts';

/** How clips are fed to a clip classifier and what its outputs mean. */
export interface ClipClassifierSpec extends CropNormalisation {
  readonly inputWidth: number;
  readonly inputHeight: number;
  /** Frames per clip (T). */
  readonly clipFrames: number;
  /** Frames per second the model expects (frames are fed at this rate); absent: every frame pushed. */
  readonly clipFps?: number;
  /** Axis order of the input: `ncthw` = [1, 3, T, H, W], `ntchw` = [1, T, 3, H, W], `nthwc` = [1, T, H, W, 3]. */
  readonly layout: ClipLayout;
  /** One label per output value, in output order. */
  readonly labels: readonly string[];
  /** What the output holds: `logits` (softmax applied here; the default) or `probabilities` (used as they are). */
  readonly outputs?: ClipOutputs;
  /** The label a rule watches (one of `labels`), when the manifest names it. */
  readonly positiveLabel?: string;
}

/** One class of a clip with its probability (0..1). */
export interface ClipScore {
  readonly label: string;
  readonly score: number;
}

const fmt = (dims: readonly (number | string)[]): string => `[${dims.join(',')}]`;

/** Input dims of one clip in `layout`. */
function clipDims(layout: ClipLayout, t: number, h: number, w: number): number[] {
  if (layout === 'ncthw') return [1, 3, t, h, w];
  if (layout === 'ntchw') return [1, t, 3, h, w];
  return [1, t, h, w, 3];
}

/** The runtime spec of a clip classifier's manifest; throws CONFIG_INVALID when `positiveLabel` is not a label. */
export function clipSpecFromManifest(m: ClipManifest): ClipClassifierSpec {
  const problem = positiveLabelProblem(m);
  if (problem) throw new AppError('CONFIG_INVALID', problem);
  return {
    inputWidth: m.inputWidth,
    inputHeight: m.inputHeight,
    clipFrames: m.clipFrames,
    ...(m.clipFps === undefined ? {} : { clipFps: m.clipFps }),
    layout: m.inputLayout,
    labels: m.labels,
    outputs: m.outputs,
    ...(m.positiveLabel === undefined ? {} : { positiveLabel: m.positiveLabel }),
    colorOrder: m.colorOrder,
    pixelScale: m.pixelScale,
    mean: m.mean,
    std: m.std,
  };
}

/**
 * Classifies the last `clipFrames` frames pushed into it; one instance serves one track or camera. Memory: two
 * windows of `clipFrames * 3 * inputHeight * inputWidth` floats (the ring, and the model input it is assembled into;
 * 38.5 MB each for 64 frames of 224x224).
 */
export class ClipClassifier {
  /** `clipFrames` slots of one frame each, in the per-frame order of the layout (CHW, or HWC for `nthwc`). */
  private readonly ring: Float32Array;
  /** Planar scratch frame for `nthwc`, interleaved into the ring on push. */
  private readonly planar: Float32Array | null;
  /** Model input, shared with the inference worker without a copy; assembled once per `classify`. */
  private input: Float32Array | null = null;
  /** Slot the next frame goes to; once the ring is full, also the oldest frame. */
  private next = 0;
  private held = 0;
  /** The classification in progress, if any: the input is not reassembled until its run has finished. */
  private running: Promise<void> | null = null;

  /** Checks that the runner's declared shapes fit `spec`; throws MODEL_LAYOUT_UNSUPPORTED naming both otherwise. */
  constructor(
    private readonly runner: ModelRunner,
    readonly spec: ClipClassifierSpec,
  ) {
    const { clipFrames: t, inputHeight: h, inputWidth: w, layout, labels } = spec;
    const wantInput = clipDims(layout, t, h, w);
    const wantOutput = [1, labels.length];
    // A dynamic (named or -1) dim accepts the spec's value; a fixed one must equal it.
    const fits = (got: readonly (number | string)[], want: readonly number[]) =>
      got.length === want.length && got.every((d, i) => typeof d !== 'number' || d < 1 || d === want[i]);
    if (!fits(runner.inputDims, wantInput) || !fits(runner.outputDims, wantOutput)) {
      throw new AppError(
        'MODEL_LAYOUT_UNSUPPORTED',
        `clip classifier: expected input ${fmt(wantInput)} (${layout}, T=${t}) and output ${fmt(wantOutput)} (${labels.length} class ${spec.outputs ?? 'logits'}), ` +
          `saw input ${fmt(runner.inputDims)} and output ${fmt(runner.outputDims)}`,
      );
    }
    this.ring = new Float32Array(t * 3 * h * w);
    this.planar = layout === 'nthwc' ? new Float32Array(3 * h * w) : null;
  }

  /** Frames held so far, at most `clipFrames`. */
  get frameCount(): number {
    return this.held;
  }

  /** Adds one frame (or its `box`, frame pixels) to the clip, replacing the oldest once `clipFrames` are held. */
  push(frame: Frame, box: BoxXyxy = [0, 0, frame.width, frame.height]): void {
    const { inputWidth: w, inputHeight: h, clipFrames: t } = this.spec;
    const plane = h * w;
    const slot = this.next * 3 * plane;
    if (this.planar) {
      cropResizeInto(frameRgb(frame, 'the clip classifier'), frame.width, frame.height, box, w, h, this.spec, this.planar, 0);
      const p = this.planar;
      const ring = this.ring;
      for (let i = 0, o = slot; i < plane; i++, o += 3) {
        ring[o] = p[i]!;
        ring[o + 1] = p[plane + i]!;
        ring[o + 2] = p[2 * plane + i]!;
      }
    } else {
      cropResizeInto(frameRgb(frame, 'the clip classifier'), frame.width, frame.height, box, w, h, this.spec, this.ring, slot);
    }
    this.next = (this.next + 1) % t;
    this.held = Math.min(this.held + 1, t);
  }

  /** Forgets the frames held (a new track, a scene cut). */
  reset(): void {
    this.next = 0;
    this.held = 0;
  }

  /**
   * Labels with probabilities, highest first, of the frames held at the call; `null` until `clipFrames` frames have
   * been pushed. A call made while another runs waits for it (the model input is reused) and takes the frames held then.
   */
  async classify(): Promise<ClipScore[] | null> {
    const { clipFrames: t, inputHeight: h, inputWidth: w, layout, labels } = this.spec;
    while (this.running) await this.running;
    if (this.held < t) return null;
    const input = this.assemble();
    let release!: () => void;
    this.running = new Promise<void>((r) => (release = r));
    let out: RawOutput;
    try {
      out = await this.runner.run(input, clipDims(layout, t, h, w));
    } finally {
      this.running = null;
      release();
    }
    if (out.data.length !== labels.length) {
      throw new AppError('MODEL_LAYOUT_UNSUPPORTED', `clip classifier: expected ${labels.length} class scores [1,${labels.length}], got output ${fmt(out.dims)}`);
    }
    const probs = (this.spec.outputs ?? 'logits') === 'logits' ? softmax(out.data) : out.data;
    return labels.map((label, k) => ({ label, score: probs[k]! })).sort((a, b) => b.score - a.score);
  }

  /** Releases the runner. */
  close(): Promise<void> {
    return this.runner.close();
  }

  /** Copies the ring, oldest frame first, into the model input in the layout's axis order. */
  private assemble(): Float32Array {
    const { clipFrames: t, inputHeight: h, inputWidth: w, layout } = this.spec;
    const frameSize = 3 * h * w;
    this.input ??= new Float32Array(new SharedArrayBuffer(this.ring.byteLength));
    const input = this.input;
    const oldest = this.next * frameSize;
    if (layout !== 'ncthw') {
      // Frames are whole slots in time order: two copies undo the rotation.
      input.set(this.ring.subarray(oldest), 0);
      input.set(this.ring.subarray(0, oldest), this.ring.length - oldest);
      return input;
    }
    const plane = h * w;
    for (let i = 0; i < t; i++) {
      const slot = ((this.next + i) % t) * frameSize;
      for (let c = 0; c < 3; c++) input.set(this.ring.subarray(slot + c * plane, slot + (c + 1) * plane), (c * t + i) * plane);
    }
    return input;
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
