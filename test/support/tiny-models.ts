import type { OnnxModelSpec } from '../../src/vision/onnx/onnx-writer.ts';

/** Frames per clip of `clipModel`. */
export const CLIP_FRAMES = 4;
/** Width and height of `clipModel`'s frames. */
export const CLIP_SIDE = 8;

/**
 * A tiny clip classifier (no real one is available here): T = 4 frames of 8x8 in `layout`, two logits out,
 * 'dark' = 1.5 and 'bright' = 3 * mean(red channel).
 */
export function clipModel(layout: 'ncthw' | 'ntchw'): OnnxModelSpec {
  const T = CLIP_FRAMES, SIDE = CLIP_SIDE;
  return {
    inputs: [{ name: 'clip', dims: layout === 'ncthw' ? [1, 3, T, SIDE, SIDE] : [1, T, 3, SIDE, SIDE] }],
    outputs: [{ name: 'logits', dims: [1, 2] }],
    initializers: [
      { name: 'w', dims: [3, 2], data: [0, 3, 0, 0, 0, 0] },
      { name: 'bias', dims: [2], data: [1.5, 0] },
    ],
    nodes: [
      { opType: 'ReduceMean', inputs: ['clip'], outputs: ['mean'], attributes: { axes: { ints: layout === 'ncthw' ? [2, 3, 4] : [1, 3, 4] }, keepdims: { int: 0 } } },
      { opType: 'Gemm', inputs: ['mean', 'w', 'bias'], outputs: ['logits'] },
    ],
  };
}
