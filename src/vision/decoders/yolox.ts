import type { Candidate } from '../nms.ts';
import type { DecodeOptions, RawOutput } from './decoder.ts';

/** Strides of the YOLOX detection heads, in input pixels. */
export const YOLOX_STRIDES = [8, 16, 32] as const;

/** Number of anchor points YOLOX produces for an input of `width` x `height` pixels. */
export function yoloxAnchorCount(width: number, height: number): number {
  return YOLOX_STRIDES.reduce((n, s) => n + Math.floor(width / s) * Math.floor(height / s), 0);
}

/**
 * Decodes a raw YOLOX output `[1, N, 5 + C]` on the stride-8/16/32 grids:
 * cx = (o0 + gx) * s, cy = (o1 + gy) * s, w = exp(o2) * s, h = exp(o3) * s, score = obj * max(cls).
 */
export function decodeYolox(output: RawOutput, opts: DecodeOptions, inputWidth: number, inputHeight: number): Candidate[] {
  const [, n, stride] = output.dims as [number, number, number];
  const classes = stride - 5;
  const { data } = output;
  const out: Candidate[] = [];
  let row = 0;
  for (const s of YOLOX_STRIDES) {
    const gw = Math.floor(inputWidth / s);
    const gh = Math.floor(inputHeight / s);
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++, row++) {
        if (row >= n) return out;
        const o = row * stride;
        const obj = data[o + 4]!;
        if (obj < opts.scoreThreshold) continue; // score = obj * cls <= obj
        let best = -1;
        let bestScore = 0;
        for (let c = 0; c < classes; c++) {
          if (opts.allowedClasses && !opts.allowedClasses[c]) continue;
          const v = data[o + 5 + c]!;
          if (v > bestScore) {
            bestScore = v;
            best = c;
          }
        }
        const score = obj * bestScore;
        if (best < 0 || score < opts.scoreThreshold) continue;
        const cx = (data[o]! + gx) * s;
        const cy = (data[o + 1]! + gy) * s;
        const w = Math.exp(data[o + 2]!) * s;
        const h = Math.exp(data[o + 3]!) * s;
        out.push({ boxXyxy: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], score, classId: best });
      }
    }
  }
  return out;
}
