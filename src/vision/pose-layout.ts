import { AppError } from '../core/errors.ts';
import type { ModelManifest } from './model-manifest.ts';
import type { ModelRunner } from './model-runner.ts';

/** A pose model's manifest. */
export type PoseManifest = Extract<ModelManifest, { task: 'pose' }>;

const fmt = (dims: readonly (number | string)[]) => `[${dims.join(',')}]`;

/**
 * Checks that a loaded pose model fits its manifest: input [1,3,H,W], output [1, 4 + C + K*3, N] (Ultralytics pose);
 * throws MODEL_LAYOUT_UNSUPPORTED naming the expected and the seen shapes otherwise.
 */
export function checkPoseLayout(manifest: PoseManifest, runner: Pick<ModelRunner, 'inputDims' | 'outputDims'>, source: string): void {
  const { inputWidth: w, inputHeight: h, labels, keypoints } = manifest;
  const rows = 4 + labels.length + keypoints.count * keypoints.dims;
  const input = runner.inputDims;
  const output = runner.outputDims;
  const fixed = (d: number | string | undefined, want: number) => typeof d !== 'number' || d < 1 || d === want;
  const inputOk = input.length === 4 && fixed(input[1], 3) && fixed(input[2], h) && fixed(input[3], w);
  const outputOk = output.length === 3 && fixed(output[1], rows);
  if (!inputOk || !outputOk || keypoints.dims !== 3) {
    throw new AppError(
      'MODEL_LAYOUT_UNSUPPORTED',
      `pose model ${source}: expected input [1,3,${h},${w}] and output [1,${rows},N] (4 box + ${labels.length} class + ${keypoints.count}x3 keypoint rows), ` +
        `saw input ${fmt(input)} and output ${fmt(output)}${keypoints.dims !== 3 ? ` and keypoints of ${keypoints.dims} values (3 expected)` : ''}`,
    );
  }
}
