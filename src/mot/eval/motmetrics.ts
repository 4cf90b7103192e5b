/**
 * py-motmetrics' CLEAR and identity metrics for plain mode: `MOTAccumulator.update` fed by
 * `compare_to_groundtruth(gt, ts, 'iou', distth=0.5)` and the default `metrics.create()` definitions. Pure.
 *
 * Differences from TrackEval that this file keeps on purpose: a gt id keeps preferring the tracker id it was last
 * matched to however long ago (TrackEval: only the previous frame); a switch is any match to a different tracker id
 * than the last one; MT is a tracked ratio >= 0.8 (TrackEval: > 0.8); a fragmentation is a run of misses between two
 * tracked frames of the same gt id (frames where the id is absent do not count); IoU >= 0.5 is tested as
 * `1 - IoU <= 0.5` on boxes moved by the loader's -1.
 */

import { clearFinalFields } from './clear.ts';
import type { ClearResult } from './clear.ts';
import { identityFromPairs } from './identity.ts';
import type { IdentityResult } from './identity.ts';
import { iouMotmetrics } from './iou.ts';
import { minCostMaxMatching } from './matching.ts';
import { framesOf, groupByFrame } from './preprocess.ts';
import type { SequenceInput } from './preprocess.ts';

/** py-motmetrics' counts, with its metric names; they are summed across sequences. */
const COUNT_KEYS = [
  'num_frames', 'num_unique_objects', 'num_objects', 'num_predictions', 'num_matches', 'num_switches', 'num_detections',
  'num_false_positives', 'num_misses', 'mostly_tracked', 'partially_tracked', 'mostly_lost', 'num_fragmentations',
  'idtp', 'idfn', 'idfp',
] as const;
type Counts = Readonly<Record<(typeof COUNT_KEYS)[number], number>>;

/**
 * py-motmetrics' summary with its metric names: the counts plus ratios as fractions, and `motp`, the mean distance
 * `1 - IoU` of the matched pairs (lower is better). NaN or Infinity where py-motmetrics divides by zero.
 */
export type MotmetricsSummary = Counts & Readonly<Record<'idf1' | 'idp' | 'idr' | 'recall' | 'precision' | 'mota' | 'motp', number>>;

/** One sequence in plain mode: py-motmetrics' summary, and the same events in TrackEval's CLEAR/Identity fields. */
export interface MotmetricsResult {
  readonly summary: MotmetricsSummary;
  readonly clear: ClearResult;
  readonly identity: IdentityResult;
}

/** Per gt id: frames present, frames tracked, fragmentations, and the state of the fragmentation count. */
interface ObjectTrack {
  seen: number;
  tracked: number;
  frag: number;
  everTracked: boolean;
  missSinceTracked: boolean;
}

/** py-motmetrics' metrics of one sequence, every row of both files used. */
export function evaluateMotmetrics(input: SequenceInput): MotmetricsResult {
  const frames = framesOf(input.gt, input.tracker);
  const gtByFrame = groupByFrame(input.gt, frames);
  const trByFrame = groupByFrame(input.tracker, frames);
  const objIndex = indexIds(input.gt.rows.map((r) => r.id));
  const hypIndex = indexIds(input.tracker.rows.map((r) => r.id));
  const pairCounts = new Float64Array(objIndex.size * hypIndex.size);
  const objects = new Map<number, ObjectTrack>();
  const lastHyp = new Map<number, number>();
  let matches = 0;
  let switches = 0;
  let misses = 0;
  let falsePositives = 0;
  let distSum = 0;
  let iouSum = 0;

  for (let t = 0; t < frames.length; t++) {
    const gts = gtByFrame[t]!;
    const trs = trByFrame[t]!;
    const n = gts.length;
    const m = trs.length;
    const iou = new Float64Array(n * m);
    const dist = new Float64Array(n * m);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        const v = iouMotmetrics(gts[i]!, trs[j]!);
        iou[i * m + j] = v;
        // iou_matrix: distance 1 - IoU, do-not-pair (NaN) above max_iou = 0.5.
        dist[i * m + j] = 1 - v > 0.5 ? NaN : 1 - v;
        if (!Number.isNaN(dist[i * m + j]!)) pairCounts[objIndex.get(gts[i]!.id)! * hypIndex.size + hypIndex.get(trs[j]!.id)!]!++;
      }
    }
    const objMatched = new Uint8Array(n);
    const hypMatched = new Uint8Array(m);
    const record = (i: number, j: number, isSwitch: boolean): void => {
      objMatched[i] = 1;
      hypMatched[j] = 1;
      lastHyp.set(gts[i]!.id, trs[j]!.id);
      if (isSwitch) switches++;
      else matches++;
      distSum += dist[i * m + j]!;
      iouSum += iou[i * m + j]!;
    };
    if (n > 0 && m > 0) {
      // 1. Carry forward established pairs.
      for (let i = 0; i < n; i++) {
        const prev = lastHyp.get(gts[i]!.id);
        if (prev === undefined) continue;
        const j = trs.findIndex((r, jj) => hypMatched[jj] === 0 && r.id === prev);
        if (j >= 0 && !Number.isNaN(dist[i * m + j]!)) record(i, j, false);
      }
      // 2. Match the rest: as many pairs as possible, then the least total distance.
      const cost = dist.map((d, ij) => (Number.isNaN(d) || objMatched[Math.floor(ij / m)] === 1 || hypMatched[ij % m] === 1 ? Infinity : d));
      for (const [i, j] of minCostMaxMatching(cost, n, m)) {
        const prev = lastHyp.get(gts[i]!.id);
        record(i, j, prev !== undefined && prev !== trs[j]!.id);
      }
    }
    for (let i = 0; i < n; i++) {
      const id = gts[i]!.id;
      let o = objects.get(id);
      if (o === undefined) objects.set(id, (o = { seen: 0, tracked: 0, frag: 0, everTracked: false, missSinceTracked: false }));
      o.seen++;
      if (objMatched[i] === 1) {
        o.tracked++;
        if (o.missSinceTracked) o.frag++;
        o.everTracked = true;
        o.missSinceTracked = false;
      } else {
        misses++;
        if (o.everTracked) o.missSinceTracked = true;
      }
    }
    for (let j = 0; j < m; j++) if (hypMatched[j] === 0) falsePositives++;
  }

  let mostlyTracked = 0;
  let partiallyTracked = 0;
  let mostlyLost = 0;
  let fragmentations = 0;
  for (const o of objects.values()) {
    const ratio = o.tracked / o.seen;
    if (ratio >= 0.8) mostlyTracked++;
    else if (ratio >= 0.2) partiallyTracked++;
    else mostlyLost++;
    fragmentations += o.frag;
  }
  const numObjects = input.gt.rows.length;
  const numPredictions = input.tracker.rows.length;
  const identity = identityFromPairs(pairCounts, objIndex.size, hypIndex.size, numObjects, numPredictions);
  const summary = summarize({
    num_frames: frames.length,
    num_unique_objects: objects.size,
    num_objects: numObjects,
    num_predictions: numPredictions,
    num_matches: matches,
    num_switches: switches,
    num_detections: matches + switches,
    num_false_positives: falsePositives,
    num_misses: misses,
    mostly_tracked: mostlyTracked,
    partially_tracked: partiallyTracked,
    mostly_lost: mostlyLost,
    num_fragmentations: fragmentations,
    idtp: identity.IDTP,
    idfn: identity.IDFN,
    idfp: identity.IDFP,
  }, distSum / (matches + switches));
  const clear = clearFinalFields({
    CLR_TP: matches + switches, CLR_FN: misses, CLR_FP: falsePositives, IDSW: switches,
    MT: mostlyTracked, PT: partiallyTracked, ML: mostlyLost, Frag: fragmentations,
    CLR_Frames: frames.length, MOTP_sum: iouSum,
  });
  return { summary, clear, identity };
}

/** py-motmetrics' `compute_overall`: counts summed, MOTP weighted by detections, ratios recomputed. */
export function combineMotmetrics(results: readonly MotmetricsSummary[]): MotmetricsSummary {
  const total = Object.fromEntries(COUNT_KEYS.map((k) => [k, results.reduce((acc, r) => acc + r[k], 0)])) as Counts;
  const motp = results.reduce((acc, r) => acc + r.motp * r.num_detections, 0) / total.num_detections;
  return summarize(total, motp);
}

function summarize(c: Counts, motp: number): MotmetricsSummary {
  return {
    ...c,
    idf1: (2 * c.idtp) / (c.num_objects + c.num_predictions),
    idp: c.idtp / (c.idtp + c.idfp),
    idr: c.idtp / (c.idtp + c.idfn),
    recall: c.num_detections / c.num_objects,
    precision: c.num_detections / (c.num_false_positives + c.num_detections),
    mota: 1 - (c.num_misses + c.num_switches + c.num_false_positives) / c.num_objects,
    motp,
  };
}

function indexIds(ids: readonly number[]): Map<number, number> {
  return new Map([...new Set(ids)].sort((a, b) => a - b).map((id, k) => [id, k]));
}
