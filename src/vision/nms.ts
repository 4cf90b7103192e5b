import { iou } from '../core/geometry.ts';
import type { BoxXyxy } from '../core/types.ts';

/** A scored box before suppression, in any pixel space. */
export interface Candidate {
  readonly boxXyxy: BoxXyxy;
  readonly score: number;
  readonly classId: number;
}

/**
 * Class-aware greedy non-maximum suppression: keeps the highest-scoring box and drops boxes of the
 * same class that overlap it by more than `iouThreshold`. Returns survivors sorted by score, at most `maxDetections`.
 */
export function nonMaxSuppression<T extends Candidate>(candidates: readonly T[], iouThreshold: number, maxDetections = 300): T[] {
  const sorted = [...candidates].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  const suppressed = new Uint8Array(sorted.length);
  for (let i = 0; i < sorted.length && kept.length < maxDetections; i++) {
    if (suppressed[i]) continue;
    const a = sorted[i]!;
    kept.push(a);
    for (let j = i + 1; j < sorted.length; j++) {
      if (suppressed[j]) continue;
      const b = sorted[j]!;
      if (b.classId === a.classId && iou(a.boxXyxy, b.boxXyxy) > iouThreshold) suppressed[j] = 1;
    }
  }
  return kept;
}
