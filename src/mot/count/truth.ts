/**
 * Counting truth from MOTChallenge ground truth: which gt rows are people to count, and their anchors frame by frame.
 * A crossing is the bottom-centre of a gt box changing side between two consecutive observations of the same gt id
 * (consecutive observations may be frames apart: an occlusion), where the path between them meets the segment; every
 * crossing counts (`countPlain` over these anchors). Zone truth: gt anchors inside the polygon, per frame. Pure.
 */

import { detectBenchmark, groupByFrame, PEDESTRIAN_CLASS } from '../eval/preprocess.ts';
import type { MotFile, MotRow } from '../eval/parse.ts';
import type { AnchorObservation } from './side-change.ts';

/**
 * The gt rows that are people to count, in file order: for MOT17-style gt (a class 1..13 in column 8, see
 * `detectBenchmark`) the rows of class 1 (pedestrian) marked considered (column 7 not 0); for MOT15 gt, every row.
 */
export function truthRows(gt: MotFile): MotRow[] {
  if (detectBenchmark(gt) === 'MOT15') return [...gt.rows];
  return gt.rows.filter((r) => r.classId === PEDESTRIAN_CLASS && Math.trunc(r.conf ?? 1) !== 0);
}

/** The bottom-centre of a top-left + size box, in pixels. */
export function bottomCentreOf(r: Pick<MotRow, 'x' | 'y' | 'w' | 'h'>): readonly [number, number] {
  return [r.x + r.w / 2, r.y + r.h];
}

/**
 * The anchors of `rows` for frames 1..`frameCount` (`result[f - 1]` is frame f), ids as in the file; rows outside
 * that range are left out. The same id twice in one frame throws `MOT_FILE_INVALID` naming the file and line.
 */
export function anchorFrames(rows: readonly MotRow[], frameCount: number, fileName: string): AnchorObservation[][] {
  const frames = Array.from({ length: frameCount }, (_, i) => i + 1);
  return groupByFrame({ fileName, rows }, frames).map((inFrame) => inFrame.map((r) => ({ id: r.id, pointPx: bottomCentreOf(r) })));
}
