import type { DetectorFamily } from '../model-manifest.ts';
import { yoloxAnchorCount } from './yolox.ts';

/** What a detection model's tensors say about it. */
export interface ModelShapes {
  /** Input dims, e.g. [1, 3, 416, 416]; dynamic dims are -1 or a string name. */
  readonly input: readonly (number | string)[];
  readonly output: readonly (number | string)[];
}

/** The decoder that fits a model, or why none does. */
export type LayoutMatch =
  | { ok: true; family: DetectorFamily; inputWidth: number; inputHeight: number; classCount: number }
  | { ok: false; reason: string };

const SUPPORTED =
  'supported layouts: input [1,3,H,W]; YOLOX raw output [1,N,5+C] with N = anchors of strides 8/16/32, ' +
  'or Ultralytics YOLOv8/YOLO11 output [1,4+C,N]';

const fmt = (dims: readonly (number | string)[]): string => `[${dims.join(',')}]`;

/** Finds the decoder family for a model from its tensor shapes (pure; `expected` pins the family when known). */
export function matchDetectorLayout(shapes: ModelShapes, expected?: DetectorFamily): LayoutMatch {
  const seen = `saw input ${fmt(shapes.input)} and output ${fmt(shapes.output)}`;
  const [, ch, h, w] = shapes.input;
  if (shapes.input.length !== 4 || ch !== 3 || typeof h !== 'number' || typeof w !== 'number' || h <= 0 || w <= 0) {
    return { ok: false, reason: `expected a fixed-size image input [1,3,H,W], ${seen}; ${SUPPORTED}` };
  }
  if (shapes.output.length === 3) {
    const [, a, b] = shapes.output;
    const anchors = yoloxAnchorCount(w, h);
    if (typeof a === 'number' && typeof b === 'number') {
      if (a === anchors && b > 5 && expected !== 'ultralytics') {
        return { ok: true, family: 'yolox', inputWidth: w, inputHeight: h, classCount: b - 5 };
      }
      if (a > 4 && b > a && expected !== 'yolox') {
        return { ok: true, family: 'ultralytics', inputWidth: w, inputHeight: h, classCount: a - 4 };
      }
    }
  }
  const want = expected ? `a ${expected} layout` : 'a known layout';
  return { ok: false, reason: `expected ${want}, ${seen}; ${SUPPORTED}` };
}
