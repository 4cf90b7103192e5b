/**
 * HOTA as TrackEval's `trackeval/metrics/hota.py` computes it: a global alignment score per (gt id, tracker id) pair,
 * one maximum-score matching per frame, then detection and association scores at 19 localisation thresholds
 * alpha = 0.05 ... 0.95. Pure.
 */

import { EPS } from './iou.ts';
import { maxWeightMatching } from './matching.ts';
import type { EvalData } from './preprocess.ts';

/** TrackEval's `np.arange(0.05, 0.99, 0.05)`, bit for bit. */
export const ALPHAS: readonly number[] = Array.from({ length: 19 }, (_, i) => 0.05 + i * 0.05);

/** HOTA fields that hold one value per alpha. */
export const HOTA_ARRAY_FIELDS = ['HOTA', 'DetA', 'AssA', 'DetRe', 'DetPr', 'AssRe', 'AssPr', 'LocA', 'RHOTA', 'HOTA_TP', 'HOTA_FN', 'HOTA_FP'] as const;
/** One of `HOTA_ARRAY_FIELDS`. */
export type HotaArrayField = (typeof HOTA_ARRAY_FIELDS)[number];

/** HOTA results of a sequence or a combination: one value per alpha (`ALPHAS` order), plus the alpha = 0.05 scalars. */
export type HotaResult = Readonly<Record<HotaArrayField, readonly number[]>> & {
  readonly 'HOTA(0)': number;
  readonly 'LocA(0)': number;
  readonly 'HOTALocA(0)': number;
};

type Counts = Record<'HOTA_TP' | 'HOTA_FN' | 'HOTA_FP' | 'AssA' | 'AssRe' | 'AssPr' | 'LocA', number[]>;

const zeros = (): number[] => ALPHAS.map(() => 0);

/** HOTA of one preprocessed sequence. */
export function evaluateHota(data: EvalData): HotaResult {
  const c: Counts = { HOTA_TP: zeros(), HOTA_FN: zeros(), HOTA_FP: zeros(), AssA: zeros(), AssRe: zeros(), AssPr: zeros(), LocA: zeros() };
  // TrackEval returns these early results without computing the final fields (which then stay 0).
  if (data.numTrackerDets === 0 || data.numGtDets === 0) {
    const early = { ...emptyFinal(), ...c, LocA: ALPHAS.map(() => 1), 'LocA(0)': 1 };
    if (data.numTrackerDets === 0) return { ...early, HOTA_FN: ALPHAS.map(() => data.numGtDets) };
    return { ...early, HOTA_FP: ALPHAS.map(() => data.numTrackerDets) };
  }

  // Pass 1: per pair of ids that ever overlap, the sum over frames of the IoU-normalised similarity.
  const nTr = data.numTrackerIds;
  const pairOf = new Map<number, number>();
  const potential: number[] = [];
  const gtIdCount = new Float64Array(data.numGtIds);
  const trIdCount = new Float64Array(nTr);
  const pairGt: number[] = [];
  const pairTr: number[] = [];
  for (let t = 0; t < data.numTimesteps; t++) {
    const g = data.gtIds[t]!;
    const k = data.trackerIds[t]!;
    const sim = data.similarity[t]!;
    const m = k.length;
    const rowSum = new Float64Array(g.length);
    const colSum = new Float64Array(m);
    for (let i = 0; i < g.length; i++) {
      for (let j = 0; j < m; j++) {
        rowSum[i]! += sim[i * m + j]!;
        colSum[j]! += sim[i * m + j]!;
      }
    }
    for (let i = 0; i < g.length; i++) {
      for (let j = 0; j < m; j++) {
        const s = sim[i * m + j]!;
        if (s === 0) continue;
        const denom = colSum[j]! + rowSum[i]! - s;
        const key = g[i]! * nTr + k[j]!;
        let p = pairOf.get(key);
        if (p === undefined) {
          p = potential.length;
          pairOf.set(key, p);
          potential.push(0);
          pairGt.push(g[i]!);
          pairTr.push(k[j]!);
        }
        if (denom > EPS) potential[p]! += s / denom;
      }
    }
    for (const id of g) gtIdCount[id]!++;
    for (const id of k) trIdCount[id]!++;
  }
  const alignment = potential.map((pm, p) => pm / (gtIdCount[pairGt[p]!]! + trIdCount[pairTr[p]!]! - pm));

  // Pass 2: per frame, match by alignment x similarity, then count at each alpha.
  const nA = ALPHAS.length;
  const matchesCount = new Float64Array(nA * potential.length);
  for (let t = 0; t < data.numTimesteps; t++) {
    const g = data.gtIds[t]!;
    const k = data.trackerIds[t]!;
    if (g.length === 0 || k.length === 0) {
      for (let a = 0; a < nA; a++) {
        c.HOTA_FP[a]! += k.length;
        c.HOTA_FN[a]! += g.length;
      }
      continue;
    }
    const sim = data.similarity[t]!;
    const m = k.length;
    const pairIdx = new Int32Array(sim.length).fill(-1);
    const score = new Float64Array(sim.length);
    for (let i = 0; i < g.length; i++) {
      for (let j = 0; j < m; j++) {
        const p = pairOf.get(g[i]! * nTr + k[j]!);
        if (p === undefined) continue;
        pairIdx[i * m + j] = p;
        score[i * m + j] = alignment[p]! * sim[i * m + j]!;
      }
    }
    const matches = maxWeightMatching(score, g.length, m);
    for (let a = 0; a < nA; a++) {
      let num = 0;
      let locSum = 0;
      for (const [i, j] of matches) {
        const s = sim[i * m + j]!;
        if (!(s >= ALPHAS[a]! - EPS)) continue;
        num++;
        locSum += s;
        matchesCount[a * potential.length + pairIdx[i * m + j]!]!++;
      }
      c.HOTA_TP[a]! += num;
      c.HOTA_FN[a]! += g.length - num;
      c.HOTA_FP[a]! += m - num;
      if (num > 0) c.LocA[a]! += locSum;
    }
  }

  for (let a = 0; a < nA; a++) {
    let assA = 0;
    let assRe = 0;
    let assPr = 0;
    for (let p = 0; p < potential.length; p++) {
      const mc = matchesCount[a * potential.length + p]!;
      if (mc === 0) continue;
      const gc = gtIdCount[pairGt[p]!]!;
      const tc = trIdCount[pairTr[p]!]!;
      assA += mc * (mc / Math.max(1, gc + tc - mc));
      assRe += mc * (mc / Math.max(1, gc));
      assPr += mc * (mc / Math.max(1, tc));
    }
    const tp = Math.max(1, c.HOTA_TP[a]!);
    c.AssA[a] = assA / tp;
    c.AssRe[a] = assRe / tp;
    c.AssPr[a] = assPr / tp;
    c.LocA[a] = Math.max(1e-10, c.LocA[a]!) / Math.max(1e-10, c.HOTA_TP[a]!);
  }
  return finalFields(c);
}

/** TrackEval's `combine_sequences` for HOTA: counts summed, AssA/AssRe/AssPr and LocA weighted by HOTA_TP. */
export function combineHota(results: readonly HotaResult[]): HotaResult {
  const sum = (f: HotaArrayField, weight?: HotaArrayField): number[] =>
    ALPHAS.map((_, a) => results.reduce((acc, r) => acc + r[f][a]! * (weight ? r[weight][a]! : 1), 0));
  const tp = sum('HOTA_TP');
  const weighted = (f: HotaArrayField): number[] => sum(f, 'HOTA_TP').map((v, a) => v / Math.max(1, tp[a]!));
  return finalFields({
    HOTA_TP: tp,
    HOTA_FN: sum('HOTA_FN'),
    HOTA_FP: sum('HOTA_FP'),
    AssRe: weighted('AssRe'),
    AssPr: weighted('AssPr'),
    AssA: weighted('AssA'),
    LocA: sum('LocA', 'HOTA_TP').map((v, a) => Math.max(1e-10, v) / Math.max(1e-10, tp[a]!)),
  });
}

/** TrackEval's `_compute_final_fields` for HOTA. */
function finalFields(c: Counts): HotaResult {
  const per = (f: (a: number) => number): number[] => ALPHAS.map((_, a) => f(a));
  const tp = c.HOTA_TP;
  const detRe = per((a) => tp[a]! / Math.max(1, tp[a]! + c.HOTA_FN[a]!));
  const detPr = per((a) => tp[a]! / Math.max(1, tp[a]! + c.HOTA_FP[a]!));
  const detA = per((a) => tp[a]! / Math.max(1, tp[a]! + c.HOTA_FN[a]! + c.HOTA_FP[a]!));
  const hota = per((a) => Math.sqrt(detA[a]! * c.AssA[a]!));
  return {
    ...c,
    DetRe: detRe,
    DetPr: detPr,
    DetA: detA,
    HOTA: hota,
    RHOTA: per((a) => Math.sqrt(detRe[a]! * c.AssA[a]!)),
    'HOTA(0)': hota[0]!,
    'LocA(0)': c.LocA[0]!,
    'HOTALocA(0)': hota[0]! * c.LocA[0]!,
  };
}

function emptyFinal(): HotaResult {
  const arrays = Object.fromEntries(HOTA_ARRAY_FIELDS.map((f) => [f, zeros()])) as Record<HotaArrayField, number[]>;
  return { ...arrays, 'HOTA(0)': 0, 'LocA(0)': 0, 'HOTALocA(0)': 0 };
}
