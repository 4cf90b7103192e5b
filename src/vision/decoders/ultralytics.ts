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
  // Class-major passes over contiguous rows (the tensor is channels-first): the best allowed class of each anchor at
  // or above the threshold; on equal scores the later class wins.
  const threshold = opts.scoreThreshold;
  const bestScore = new Float64Array(n).fill(threshold);
  const best = new Int32Array(n).fill(-1);
  for (let c = 0; c < classes; c++) {
    if (opts.allowedClasses && !opts.allowedClasses[c]) continue;
    const row = data.subarray((4 + c) * n, (5 + c) * n);
    for (let i = 0; i < n; i++) {
      const v = row[i]!;
      // Nearly every score is below the threshold: one comparison with a constant settles it.
      if (v >= threshold && v >= bestScore[i]!) {
        bestScore[i] = v;
        best[i] = c;
      }
    }
  }
  const out: Candidate[] = [];
  for (let i = 0; i < n; i++) {
    const classId = best[i]!;
    if (classId < 0) continue;
    const cx = data[i]!;
    const cy = data[n + i]!;
    const w = data[2 * n + i]!;
    const h = data[3 * n + i]!;
    out.push({ boxXyxy: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], score: bestScore[i]!, classId });
  }
  return out;
}
