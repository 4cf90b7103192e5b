/**
 * Detections made from ground truth with known faults, for measuring counting without a detector: boxes dropped at
 * random (misses), box corners jittered (localisation noise), and false boxes added (false positives). Seeded, so a
 * seed and a sequence name always give the same file. Pure.
 */

import { gaussian, mulberry32, seedOf } from '../../core/random.ts';
import { groupByFrame } from '../eval/preprocess.ts';
import type { MotRow } from '../eval/parse.ts';

/** How detections are degraded. */
export interface DegradeOptions {
  /** Probability that a true box is dropped (0..1). */
  readonly drop: number;
  /** Standard deviation of the noise added to each corner coordinate, as a fraction of the box height. */
  readonly jitter: number;
  /** False boxes per kept true box, on average (0..1). */
  readonly falseRate: number;
  /** Seed of the random numbers; each sequence draws from its own stream (seed and sequence name). */
  readonly seed: number;
  /**
   * Scores: `one` (default) every box 1.0 — the boxes are the truth's, so a score would be invented, and the tracker
   * cannot tell false boxes by theirs; `spread` true boxes U(0.5, 1) and false boxes U(0.3, 0.8), as a detector's
   * whose confidences are spread wider than the ones the default tracker's thresholds were tuned on.
   */
  readonly scores?: 'spread' | 'one' | undefined;
}

/** The degradation: 20 % dropped, jitter 5 % of the box height, 2 % false boxes. */
export const DEFAULT_DEGRADE: Omit<DegradeOptions, 'seed'> = Object.freeze({ drop: 0.2, jitter: 0.05, falseRate: 0.02 });

/** Scores: true boxes U(0.5, 1), false boxes U(0.3, 0.8) — lower on average, overlapping the true ones, as a detector's. */
export const TRUE_SCORE: readonly [number, number] = [0.5, 1];
/** See `TRUE_SCORE`. */
export const FALSE_SCORE: readonly [number, number] = [0.3, 0.8];

/** One sequence's degraded detections as `det.txt` text, and what was done. */
export interface DegradedSequence {
  /** MOTChallenge det rows `frame,-1,x,y,w,h,conf`, sorted by frame. */
  readonly text: string;
  readonly trueBoxes: number;
  readonly kept: number;
  readonly falseBoxes: number;
}

/** The frame a sequence is filmed in, and its length. */
export interface FrameGeometry {
  readonly seqLength: number;
  readonly imWidth: number;
  readonly imHeight: number;
}

/**
 * Degrades the truth rows of one sequence. Per frame, in order: each true box is kept with probability 1 - drop; each
 * corner coordinate (x1, y1, x2, y2) of a kept box gets Gaussian noise of σ = jitter × box height (a box jittered to
 * under 1 px keeps 1 px); each kept box brings a false box with probability `falseRate` (so false boxes ≈ falseRate ×
 * kept boxes, binomially per frame), its size that of a random truth box of the sequence, its position uniform inside
 * the frame. Scores 1.0, or as `TRUE_SCORE` / `FALSE_SCORE` with `scores: 'spread'`. Rows outside frames 1..seqLength are ignored.
 */
export function degradeSequence(rows: readonly MotRow[], frame: FrameGeometry, seqName: string, o: DegradeOptions): DegradedSequence {
  const rand = mulberry32(seedOf(seqName, o.seed));
  const uniform = ([lo, hi]: readonly [number, number]) => lo + (hi - lo) * rand();
  const sizes = rows.filter((r) => r.w > 0 && r.h > 0).map((r) => [r.w, r.h] as const);
  const frames = Array.from({ length: frame.seqLength }, (_, i) => i + 1);
  const out: string[] = [];
  let trueBoxes = 0, kept = 0, falseBoxes = 0;
  const push = (f: number, x1: number, y1: number, x2: number, y2: number, score: number) => {
    const w = Math.max(1, x2 - x1), h = Math.max(1, y2 - y1);
    const cx = (x1 + x2) / 2, bottom = Math.max(y1, y2);
    out.push(`${f},-1,${(cx - w / 2).toFixed(2)},${(bottom - h).toFixed(2)},${w.toFixed(2)},${h.toFixed(2)},${score.toFixed(4)}`);
  };
  groupByFrame({ fileName: seqName, rows }, frames).forEach((inFrame, i) => {
    const f = i + 1;
    let keptHere = 0;
    for (const r of inFrame) {
      trueBoxes++;
      if (rand() < o.drop) continue;
      keptHere++;
      const s = o.jitter * r.h;
      const x1 = r.x + s * gaussian(rand), y1 = r.y + s * gaussian(rand);
      const x2 = r.x + r.w + s * gaussian(rand), y2 = r.y + r.h + s * gaussian(rand);
      push(f, x1, y1, x2, y2, o.scores === 'spread' ? uniform(TRUE_SCORE) : 1);
    }
    kept += keptHere;
    if (sizes.length === 0) return;
    for (let k = 0; k < keptHere; k++) {
      if (rand() >= o.falseRate) continue;
      const [w, h] = sizes[Math.floor(rand() * sizes.length)]!;
      const x = rand() * Math.max(0, frame.imWidth - w), y = rand() * Math.max(0, frame.imHeight - h);
      push(f, x, y, x + w, y + h, o.scores === 'spread' ? uniform(FALSE_SCORE) : 1);
      falseBoxes++;
    }
  });
  return { text: out.length > 0 ? `${out.join('\n')}\n` : '', trueBoxes, kept, falseBoxes };
}
