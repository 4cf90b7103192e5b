/**
 * Counting measured on one MOTChallenge sequence: the truth from its gt, and the counts of a counter fed with the
 * tracks a tracker makes from its detections. Counters: `sightline` is the product (the `line` rule, and zone counting
 * with the product's hold); `naive` is the plain side-change counter over the same tracks (`side-change.ts`), with
 * zones counted frame by frame. Pure.
 */

import { bottomCenter } from '../../core/geometry.ts';
import type { Point, Track } from '../../core/types.ts';
import { ZONE_COUNT_HOLD_MS } from '../../rules/engine.ts';
import type { CrossingOptions } from '../../rules/line-crossing.ts';
import { LineRule } from '../../rules/line.ts';
import type { RuleFrame } from '../../rules/rule.ts';
import { ZoneCounter } from '../../rules/zone-count.ts';
import type { Tracker } from '../../tracking/tracker.ts';
import type { SequenceDetections } from '../track/det-file.ts';
import type { SequenceCountSpec } from './lines-file.ts';
import { countPlain, type AnchorObservation, type DirectedCounts, type PlainCounts } from './side-change.ts';

/** The counters `--counter` accepts, the first being the default. */
export const COUNTERS = ['sightline', 'naive'] as const;
/** One of `COUNTERS`. */
export type CounterName = (typeof COUNTERS)[number];

/** One line's result. */
export interface LineCountResult {
  readonly truth: DirectedCounts;
  readonly counted: DirectedCounts;
}

/** One zone's result: mean over frames of |counted - truth|, and the mean truth count. */
export interface ZoneCountResult {
  readonly mae: number;
  readonly truthMean: number;
}

/** One sequence's results by line and zone id. */
export interface SequenceCountResult {
  readonly lines: Record<string, LineCountResult>;
  readonly zones: Record<string, ZoneCountResult>;
}

/** What one sequence is counted from. */
export interface SequenceCountInput {
  readonly frameRate: number;
  readonly imWidth: number;
  readonly imHeight: number;
  /** Truth anchors per frame (`anchorFrames(truthRows(gt))`); one entry per frame, as many as the detections have. */
  readonly truth: readonly (readonly AnchorObservation[])[];
  readonly dets: SequenceDetections;
  readonly spec: SequenceCountSpec;
  /** A fresh tracker for this sequence. */
  readonly tracker: Tracker;
  readonly counter: CounterName;
  /** Crossing-detector settings other than the product's defaults (for tuning experiments only). */
  readonly crossing?: Partial<CrossingOptions> | undefined;
}

/** Counts one sequence; frames are `1000 / frameRate` ms apart from 0. */
export function countSequence(input: SequenceCountInput): SequenceCountResult {
  const truth = countPlain(input.truth, input.spec);
  const msPerFrame = 1000 / input.frameRate;
  const trackFrames: Track[][] = input.dets.frames.map((dets, i) => input.tracker.update(dets, i * msPerFrame));
  const counted = input.counter === 'naive' ? countNaive(trackFrames, input.spec) : countSightline(trackFrames, input);
  const lines: Record<string, LineCountResult> = {};
  for (const l of input.spec.lines) lines[l.id] = { truth: truth.lines.get(l.id)!, counted: counted.lines.get(l.id)! };
  const zones: Record<string, ZoneCountResult> = {};
  for (const z of input.spec.zones) {
    const t = truth.zones.get(z.id)!;
    const c = counted.zones.get(z.id)!;
    const n = Math.max(1, t.length);
    zones[z.id] = { mae: t.reduce((s, v, i) => s + Math.abs(c[i]! - v), 0) / n, truthMean: t.reduce((s, v) => s + v, 0) / n };
  }
  return { lines, zones };
}

function countNaive(trackFrames: readonly Track[][], spec: SequenceCountSpec): PlainCounts {
  return countPlain(trackFrames.map((ts) => ts.filter((t) => t.state === 'confirmed').map((t) => ({ id: t.id, pointPx: bottomCenter(t.boxXyxy) }))), spec);
}

/** The product's `line` rule (`in` = towards the right side) and `ZoneCounter` with the engine's hold. */
function countSightline(trackFrames: readonly Track[][], input: SequenceCountInput): PlainCounts {
  const { imWidth: w, imHeight: h } = input;
  const norm = (p: Point): Point => [p[0] / w, p[1] / h];
  const rules = input.spec.lines.map(
    (l) => new LineRule({
      id: l.id, severity: 'info', line: { id: l.id, pointsNorm: l.pointsPx.map(norm), inSide: 'right' }, labels: ['person'], emit: 'count',
      ...(input.crossing ? { crossing: input.crossing } : {}),
    }),
  );
  const zones = input.spec.zones.map((z) => new ZoneCounter({ id: z.id, polygonNorm: z.polygonPx.map(norm) }, ['person'], 'bottom-center', ZONE_COUNT_HOLD_MS));
  const zoneCounts = zones.map(() => [] as number[]);
  const msPerFrame = 1000 / input.frameRate;
  trackFrames.forEach((tracks, i) => {
    const frame: RuleFrame = { timeMs: i * msPerFrame, frameIndex: i, widthPx: w, heightPx: h, tracks };
    for (const r of rules) r.evaluate(frame);
    zones.forEach((z, k) => zoneCounts[k]!.push(z.update(frame)));
  });
  return {
    lines: new Map(rules.map((r) => [r.id, r.counts])),
    zones: new Map(input.spec.zones.map((z, k) => [z.id, zoneCounts[k]!])),
  };
}

/** The figures over many sequences: crossings in both directions of every line, and zone errors. */
export interface CombinedCounts {
  readonly truth: number;
  readonly counted: number;
  /** Sum over lines and directions of |counted - truth|. */
  readonly absError: number;
  /** absError / truth; null when there is no true crossing. */
  readonly relError: number | null;
  /** Mean over zones of their MAE; null when there is no zone. */
  readonly zoneMae: number | null;
}

/** Combines sequence results; `keep(kind, seq, id)` chooses the lines and zones that take part (default all). */
export function combineCounts(
  sequences: Readonly<Record<string, SequenceCountResult>>,
  keep: (kind: 'line' | 'zone', seq: string, id: string) => boolean = () => true,
): CombinedCounts {
  let truth = 0, counted = 0, absError = 0;
  const maes: number[] = [];
  for (const [seq, r] of Object.entries(sequences)) {
    for (const [id, l] of Object.entries(r.lines)) {
      if (!keep('line', seq, id)) continue;
      truth += l.truth.in + l.truth.out;
      counted += l.counted.in + l.counted.out;
      absError += Math.abs(l.counted.in - l.truth.in) + Math.abs(l.counted.out - l.truth.out);
    }
    for (const [id, z] of Object.entries(r.zones)) if (keep('zone', seq, id)) maes.push(z.mae);
  }
  return {
    truth, counted, absError,
    relError: truth > 0 ? absError / truth : null,
    zoneMae: maes.length > 0 ? maes.reduce((s, v) => s + v, 0) / maes.length : null,
  };
}
