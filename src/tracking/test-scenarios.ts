/**
 * Synthetic detections, a seeded random generator and small helpers shared by the tracking tests (the tracker
 * contract suite, the per-tracker tests, the assignment tests). Test support only: pure, no I/O, no clocks.
 */

import type { Detection, Track } from '../core/types.ts';
import type { Tracker } from './tracker.ts';

/** Time between two frames of the synthetic scenarios, in milliseconds (30 fps). */
export const FRAME_MS = 1000 / 30;

/** What `det` may change of its default 40 x 100 px person detected at 0.9. */
export interface DetSpec {
  readonly score?: number;
  readonly classId?: number;
  readonly label?: string;
  readonly widthPx?: number;
  readonly heightPx?: number;
}

/** A detection centred at (cx, cy) px; a 40 x 100 px person at 0.9 unless told otherwise. */
export function det(cx: number, cy: number, spec: DetSpec = {}): Detection {
  const w = spec.widthPx ?? 40;
  const h = spec.heightPx ?? 100;
  const classId = spec.classId ?? 0;
  return {
    boxXyxy: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2],
    score: spec.score ?? 0.9,
    classId,
    label: spec.label ?? (classId === 0 ? 'person' : `class-${classId}`),
  };
}

/** `count` frames whose detections come from `at(frameIndex)` (0-based). */
export function frames(count: number, at: (f: number) => Detection[]): Detection[][] {
  return Array.from({ length: count }, (_, f) => at(f));
}

/** Feeds every frame to `tracker` (frame f at `(firstFrame + f) * frameMs` ms) and returns its output per frame. */
export function feed(
  tracker: Tracker,
  input: readonly (readonly Detection[])[],
  firstFrame = 0,
  frameMs = FRAME_MS,
): Track[][] {
  return input.map((dets, f) => tracker.update(dets, (firstFrame + f) * frameMs));
}

/** Horizontal centre of a track's box, in px. */
export function centerX(t: Track): number {
  return (t.boxXyxy[0] + t.boxXyxy[2]) / 2;
}

/** Id of the output track nearest to `cx` in frame `f`, or undefined when none is within 30 px. */
export function idNear(out: readonly Track[][], f: number, cx: number): number | undefined {
  let best: Track | undefined;
  let bestDist = 30;
  for (const t of out[f]!) {
    const d = Math.abs(centerX(t) - cx);
    if (d < bestDist) {
      bestDist = d;
      best = t;
    }
  }
  return best?.id;
}

/** The distinct ids of all output tracks, ascending. */
export function allIds(out: readonly Track[][]): number[] {
  return [...new Set(out.flat().map((t) => t.id))].sort((a, b) => a - b);
}

/** mulberry32: a tiny seeded generator of uniform numbers in [0, 1), so random scenarios are reproducible. */
export { mulberry32 } from '../core/random.ts';
