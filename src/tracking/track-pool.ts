/** Pool bookkeeping shared by the ByteTrack-style trackers: joining and de-duplicating track lists. Pure. */

import { iou } from '../core/geometry.ts';
import type { BoxXyxy, Detection } from '../core/types.ts';

/** IoU above which a tracked and a lost track of the same class are considered duplicates (ByteTrack: 1 - 0.15). */
const DUPLICATE_IOU = 0.85;

/** What de-duplication needs to know of a track. */
export interface PooledTrack {
  readonly classId: number;
  readonly startFrame: number;
  lastFrame: number;
}

/** A detection a filter can use: finite score and a box with positive, finite width and height. */
export function isUsableDetection(d: Detection): boolean {
  const [x1, y1, x2, y2] = d.boxXyxy;
  return Number.isFinite(d.score) && Number.isFinite(x1) && Number.isFinite(y1) && x2 - x1 > 0 && y2 - y1 > 0 &&
    Number.isFinite(x2) && Number.isFinite(y2);
}

/** ByteTrack's `joint_stracks`: `a` followed by the tracks of `b` not already in `a`. */
export function joinTracks<T>(a: readonly T[], b: readonly T[]): T[] {
  const seen = new Set(a);
  const out = [...a];
  for (const t of b) {
    if (!seen.has(t)) {
      seen.add(t);
      out.push(t);
    }
  }
  return out;
}

/** ByteTrack's `remove_duplicate_stracks`: of a tracked and a lost track overlapping by IoU > 0.85, keep the older. */
export function removeDuplicateTracks<T extends PooledTrack>(
  tracked: readonly T[],
  lost: readonly T[],
  boxOf: (t: T) => BoxXyxy,
  overlap: (a: BoxXyxy, b: BoxXyxy) => number = iou,
): [T[], T[]] {
  const dropTracked = new Set<T>();
  const dropLost = new Set<T>();
  const lostBoxes = lost.map(boxOf);
  for (const p of tracked) {
    const boxP = boxOf(p);
    for (let q = 0; q < lost.length; q++) {
      const l = lost[q]!;
      if (l.classId !== p.classId || !(overlap(boxP, lostBoxes[q]!) > DUPLICATE_IOU)) continue;
      const timeP = p.lastFrame - p.startFrame;
      const timeQ = l.lastFrame - l.startFrame;
      if (timeP > timeQ) dropLost.add(l);
      else dropTracked.add(p);
    }
  }
  return [tracked.filter((t) => !dropTracked.has(t)), lost.filter((t) => !dropLost.has(t))];
}
