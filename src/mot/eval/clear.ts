/**
 * CLEAR MOT metrics (MOTA, MOTP, MT/PT/ML, Frag, IDSW, ...) as TrackEval's `trackeval/metrics/clear.py` computes them.
 * Pure.
 */

import { EPS } from './iou.ts';
import { maxWeightMatching } from './matching.ts';
import type { EvalData } from './preprocess.ts';

/** The CLEAR counts that are summed across sequences. */
export interface ClearCounts {
  readonly CLR_TP: number;
  readonly CLR_FN: number;
  readonly CLR_FP: number;
  readonly IDSW: number;
  readonly MT: number;
  readonly PT: number;
  readonly ML: number;
  readonly Frag: number;
  readonly CLR_Frames: number;
  /** Sum of the IoU of the matched pairs. */
  readonly MOTP_sum: number;
}

/** CLEAR results: the counts and the ratios derived from them (fractions, not percent). */
export interface ClearResult extends ClearCounts {
  readonly MOTA: number;
  readonly MOTP: number;
  readonly MODA: number;
  readonly CLR_Re: number;
  readonly CLR_Pr: number;
  readonly MTR: number;
  readonly PTR: number;
  readonly MLR: number;
  readonly sMOTA: number;
  readonly CLR_F1: number;
  readonly FP_per_frame: number;
  readonly MOTAL: number;
}

/** TrackEval's match threshold for CLEAR and Identity. */
export const CLEAR_IOU_THRESHOLD = 0.5;

const NONE = -1;

/** CLEAR of one preprocessed sequence. */
export function evaluateClear(data: EvalData): ClearResult {
  // TrackEval's early returns, which set MLR to 1 and skip the final fields.
  if (data.numTrackerDets === 0 || data.numGtDets === 0) {
    const empty = { ...clearFinalFields(zeroCounts()), MLR: 1 };
    if (data.numTrackerDets === 0) return { ...empty, CLR_FN: data.numGtDets, ML: data.numGtIds };
    return { ...empty, CLR_FP: data.numTrackerDets };
  }
  let tp = 0;
  let fn = 0;
  let fp = 0;
  let idsw = 0;
  let motpSum = 0;
  const gtIdCount = new Float64Array(data.numGtIds);
  const gtMatchedCount = new Float64Array(data.numGtIds);
  const gtFragCount = new Float64Array(data.numGtIds);
  // The tracker id each gt id was last matched to (for IDSW), and the one it was matched to in the previous frame
  // that had both gt and tracker boxes (preferred in matching; frames with no tracker box do not clear it).
  const prevTracker = new Int32Array(data.numGtIds).fill(NONE);
  const prevStepTracker = new Int32Array(data.numGtIds).fill(NONE);
  let prevStepGts: number[] = [];

  for (let t = 0; t < data.numTimesteps; t++) {
    const g = data.gtIds[t]!;
    const k = data.trackerIds[t]!;
    if (g.length === 0) {
      fp += k.length;
      continue;
    }
    if (k.length === 0) {
      fn += g.length;
      for (const id of g) gtIdCount[id]!++;
      continue;
    }
    const sim = data.similarity[t]!;
    const m = k.length;
    const score = new Float64Array(sim.length);
    for (let i = 0; i < g.length; i++) {
      for (let j = 0; j < m; j++) {
        const s = sim[i * m + j]!;
        if (s < CLEAR_IOU_THRESHOLD - EPS) continue;
        score[i * m + j] = (prevStepTracker[g[i]!] === k[j] ? 1000 : 0) + s;
      }
    }
    const matches = maxWeightMatching(score, g.length, m);

    const wasTracked = matches.map(([i]) => prevStepTracker[g[i]!] !== NONE);
    for (const id of prevStepGts) prevStepTracker[id] = NONE;
    prevStepGts = [];
    let simSum = 0;
    matches.forEach(([i, j], n) => {
      const gid = g[i]!;
      const tid = k[j]!;
      if (prevTracker[gid] !== NONE && prevTracker[gid] !== tid) idsw++;
      gtMatchedCount[gid]!++;
      prevTracker[gid] = tid;
      prevStepTracker[gid] = tid;
      prevStepGts.push(gid);
      if (!wasTracked[n]) gtFragCount[gid]!++;
      simSum += sim[i * m + j]!;
    });
    for (const id of g) gtIdCount[id]!++;
    tp += matches.length;
    fn += g.length - matches.length;
    fp += m - matches.length;
    if (matches.length > 0) motpSum += simSum;
  }

  let mt = 0;
  let pt = 0;
  let frag = 0;
  for (let id = 0; id < data.numGtIds; id++) {
    if (gtFragCount[id]! > 0) frag += gtFragCount[id]! - 1;
    if (gtIdCount[id] === 0) continue;
    const ratio = gtMatchedCount[id]! / gtIdCount[id]!;
    if (ratio > 0.8) mt++;
    else if (ratio >= 0.2) pt++;
  }
  return clearFinalFields({
    CLR_TP: tp, CLR_FN: fn, CLR_FP: fp, IDSW: idsw, MT: mt, PT: pt, ML: data.numGtIds - mt - pt, Frag: frag,
    CLR_Frames: data.numTimesteps, MOTP_sum: motpSum,
  });
}

/** TrackEval's `combine_sequences` for CLEAR: the counts and MOTP_sum summed, the ratios recomputed. */
export function combineClear(results: readonly ClearCounts[]): ClearResult {
  const total = zeroCounts();
  for (const r of results) for (const f of Object.keys(total) as (keyof ClearCounts)[]) total[f] += r[f];
  return clearFinalFields(total);
}

/** TrackEval's `_compute_final_fields` for CLEAR: the ratios from the counts. */
export function clearFinalFields(c: ClearCounts): ClearResult {
  const gtIds = Math.max(1, c.MT + c.PT + c.ML);
  const gtDets = Math.max(1, c.CLR_TP + c.CLR_FN);
  const safeLogIdsw = c.IDSW > 0 ? Math.log10(c.IDSW) : c.IDSW;
  return {
    ...c,
    MTR: c.MT / gtIds,
    MLR: c.ML / gtIds,
    PTR: c.PT / gtIds,
    CLR_Re: c.CLR_TP / gtDets,
    CLR_Pr: c.CLR_TP / Math.max(1, c.CLR_TP + c.CLR_FP),
    MODA: (c.CLR_TP - c.CLR_FP) / gtDets,
    MOTA: (c.CLR_TP - c.CLR_FP - c.IDSW) / gtDets,
    MOTP: c.MOTP_sum / Math.max(1, c.CLR_TP),
    sMOTA: (c.MOTP_sum - c.CLR_FP - c.IDSW) / gtDets,
    CLR_F1: c.CLR_TP / Math.max(1, c.CLR_TP + 0.5 * c.CLR_FN + 0.5 * c.CLR_FP),
    FP_per_frame: c.CLR_FP / Math.max(1, c.CLR_Frames),
    MOTAL: (c.CLR_TP - c.CLR_FP - safeLogIdsw) / gtDets,
  };
}

function zeroCounts(): { -readonly [K in keyof ClearCounts]: number } {
  return { CLR_TP: 0, CLR_FN: 0, CLR_FP: 0, IDSW: 0, MT: 0, PT: 0, ML: 0, Frag: 0, CLR_Frames: 0, MOTP_sum: 0 };
}
