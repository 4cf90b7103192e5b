import type { Candidate } from '../nms.ts';
import type { DecodeOptions, RawOutput } from './decoder.ts';

/**
 * Decodes an Ultralytics YOLOv8/YOLO11 detection output `[1, 4 + C, N]`: rows 0-3 are cx, cy, w, h in
 * input pixels, rows 4.. are per-class scores (already sigmoid), one column per anchor.
 */
export function decodeUltralytics(output: RawOutput, opts: DecodeOptions): Candidate[] {
  const [, rows, n] = output.dims as [number, number, number];
  const classes = rows - 4;
  const { data } = output;
  const out: Candidate[] = [];
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestScore = opts.scoreThreshold;
    for (let c = 0; c < classes; c++) {
      const v = data[(4 + c) * n + i]!;
      if (v >= bestScore && (!opts.allowedClasses || opts.allowedClasses[c])) {
        bestScore = v;
        best = c;
      }
    }
    if (best < 0) continue;
    const cx = data[i]!;
    const cy = data[n + i]!;
    const w = data[2 * n + i]!;
    const h = data[3 * n + i]!;
    out.push({ boxXyxy: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], score: bestScore, classId: best });
  }
  return out;
}
