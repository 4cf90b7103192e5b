/**
 * Identity metrics (IDF1, IDP, IDR) as TrackEval's `trackeval/metrics/identity.py` computes them: one global
 * assignment of gt ids to tracker ids that maximises the frames in which the pair overlaps with IoU >= 0.5. Pure.
 */

import { CLEAR_IOU_THRESHOLD } from './clear.ts';
import { maxWeightMatching } from './matching.ts';
import type { EvalData } from './preprocess.ts';

/** The identity counts that are summed across sequences. */
export interface IdentityCounts {
  readonly IDTP: number;
  readonly IDFN: number;
  readonly IDFP: number;
}

/** Identity results: counts plus IDF1, IDR and IDP as fractions. */
export interface IdentityResult extends IdentityCounts {
  readonly IDF1: number;
  readonly IDR: number;
  readonly IDP: number;
}

/** Identity metrics of one preprocessed sequence. */
export function evaluateIdentity(data: EvalData): IdentityResult {
  if (data.numTrackerDets === 0) return identityFinalFields({ IDTP: 0, IDFN: data.numGtDets, IDFP: 0 });
  if (data.numGtDets === 0) return identityFinalFields({ IDTP: 0, IDFN: 0, IDFP: data.numTrackerDets });
  const pairCounts = new Float64Array(data.numGtIds * data.numTrackerIds);
  for (let t = 0; t < data.numTimesteps; t++) {
    const g = data.gtIds[t]!;
    const k = data.trackerIds[t]!;
    const sim = data.similarity[t]!;
    for (let i = 0; i < g.length; i++) {
      for (let j = 0; j < k.length; j++) {
        if (sim[i * k.length + j]! >= CLEAR_IOU_THRESHOLD) pairCounts[g[i]! * data.numTrackerIds + k[j]!]!++;
      }
    }
  }
  return identityFromPairs(pairCounts, data.numGtIds, data.numTrackerIds, data.numGtDets, data.numTrackerDets);
}

/**
 * IDTP, IDFN and IDFP from the frames in which each (gt id, tracker id) pair may match (`pairCounts`, row-major gt x
 * tracker) and the total gt and tracker boxes. The min-cost assignment of TrackEval (and py-motmetrics) costs
 * `gtDets + trackerDets - 2 * IDTP`, so IDTP is the weight of the maximum-weight matching of `pairCounts`.
 */
export function identityFromPairs(pairCounts: Float64Array, numGtIds: number, numTrackerIds: number, gtDets: number, trackerDets: number): IdentityResult {
  let idtp = 0;
  for (const [r, c] of maxWeightMatching(pairCounts, numGtIds, numTrackerIds)) idtp += pairCounts[r * numTrackerIds + c]!;
  return identityFinalFields({ IDTP: idtp, IDFN: gtDets - idtp, IDFP: trackerDets - idtp });
}

/** TrackEval's `combine_sequences` for Identity: counts summed, ratios recomputed. */
export function combineIdentity(results: readonly IdentityCounts[]): IdentityResult {
  const sum = (f: keyof IdentityCounts): number => results.reduce((acc, r) => acc + r[f], 0);
  return identityFinalFields({ IDTP: sum('IDTP'), IDFN: sum('IDFN'), IDFP: sum('IDFP') });
}

/** TrackEval's `_compute_final_fields` for Identity. */
export function identityFinalFields(c: IdentityCounts): IdentityResult {
  return {
    ...c,
    IDR: c.IDTP / Math.max(1, c.IDTP + c.IDFN),
    IDP: c.IDTP / Math.max(1, c.IDTP + c.IDFP),
    IDF1: c.IDTP / Math.max(1, c.IDTP + 0.5 * c.IDFP + 0.5 * c.IDFN),
  };
}
