/**
 * MOTChallenge detection files (`det/det.txt`, SORT's `det_sort.txt`) as per-frame detections. Pure: text in.
 * Rows are `frame,id,x,y,w,h,conf[,...]` with 1-based frames and top-left + size boxes in pixels; the file need not be
 * sorted by frame (MOT17's FRCNN file is not).
 */

import { AppError } from '../../core/errors.ts';
import type { Detection } from '../../core/types.ts';

/** Detections of one sequence: `frames[f - 1]` holds frame `f`'s detections, in file order. */
export interface SequenceDetections {
  readonly frames: readonly (readonly Detection[])[];
  /** Number of detection rows read. */
  readonly count: number;
}

/**
 * Parses a det file of a sequence with `frameCount` frames. Each detection gets `classId` 0 and `label` `person`
 * (MOTChallenge public detections are pedestrians). A malformed row, or a frame outside 1..frameCount, throws
 * `MOT_FILE_INVALID` naming the file, the line and what arrived.
 */
export function parseDetections(text: string, frameCount: number, fileName: string): SequenceDetections {
  const frames: Detection[][] = Array.from({ length: frameCount }, () => []);
  let count = 0;
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const line = raw.trim();
    if (line === '') continue;
    const cols = line.split(/[,\s]+/);
    const bad = (what: string): never => {
      throw new AppError(
        'MOT_FILE_INVALID',
        `${fileName}:${lineNo}: expected frame,id,x,y,w,h,conf with ${what}, got "${line.slice(0, 80)}"`,
      );
    };
    if (cols.length < 7) bad('at least 7 comma-separated columns');
    const v = cols.slice(0, 7).map(Number);
    if (v.some((x) => !Number.isFinite(x))) bad('numbers in the first 7 columns');
    const [frame, , x, y, w, h, conf] = v as [number, number, number, number, number, number, number];
    if (!Number.isInteger(frame) || frame < 1 || frame > frameCount) bad(`a frame number between 1 and ${frameCount}`);
    if (!(w > 0 && h > 0)) continue; // an empty box carries no evidence; skipping it matches the reference trackers
    frames[frame - 1]!.push({ boxXyxy: [x, y, x + w, y + h], score: conf, classId: 0, label: 'person' });
    count++;
  }
  return { frames, count };
}
