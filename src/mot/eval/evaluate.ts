/**
 * Evaluates tracker output against MOTChallenge gt, per sequence and combined, in one of two modes. Pure.
 *
 * - `trackeval`: TrackEval's MOT17 pedestrian evaluation (preprocessing, HOTA, CLEAR, Identity, Count).
 * - `plain`: every row of both files, no class filter or distractor removal. CLEAR and Identity follow py-motmetrics
 *   (`compare_to_groundtruth`, `metrics.create()`), HOTA follows TrackEval on the same rows, and py-motmetrics' own
 *   summary is kept under `motmetrics`.
 */

import { combineClear, evaluateClear } from './clear.ts';
import type { ClearResult } from './clear.ts';
import { combineHota, evaluateHota } from './hota.ts';
import type { HotaResult } from './hota.ts';
import { combineIdentity, evaluateIdentity } from './identity.ts';
import type { IdentityResult } from './identity.ts';
import { combineMotmetrics, evaluateMotmetrics } from './motmetrics.ts';
import type { MotmetricsSummary } from './motmetrics.ts';
import { preprocessPlain, preprocessTrackEval } from './preprocess.ts';
import type { EvalData, SequenceInput } from './preprocess.ts';

/** `trackeval` (MOT17 preprocessing, TrackEval's metrics) or `plain` (all rows, py-motmetrics' CLEAR/Identity). */
export type EvalMode = 'trackeval' | 'plain';

/** TrackEval's Count metric: boxes and distinct ids after preprocessing. */
export interface CountResult {
  readonly Dets: number;
  readonly GT_Dets: number;
  readonly IDs: number;
  readonly GT_IDs: number;
}

/** All metrics of one sequence or of the combination of several. */
export interface SequenceResult {
  readonly hota: HotaResult;
  readonly clear: ClearResult;
  readonly identity: IdentityResult;
  readonly count: CountResult;
  /** py-motmetrics' summary (plain mode only). */
  readonly motmetrics: MotmetricsSummary | null;
}

/** Results per sequence (in input order) and combined over all of them. */
export interface EvaluationResult {
  readonly mode: EvalMode;
  readonly sequences: ReadonlyArray<{ readonly name: string; readonly result: SequenceResult }>;
  readonly combined: SequenceResult;
}

/** Evaluates one sequence. Malformed input (frames out of range, repeated ids, wrong classes) throws `MOT_FILE_INVALID`. */
export function evaluateSequence(input: SequenceInput, mode: EvalMode): SequenceResult {
  if (mode === 'trackeval') {
    const data = preprocessTrackEval(input);
    return { hota: evaluateHota(data), clear: evaluateClear(data), identity: evaluateIdentity(data), count: countOf(data), motmetrics: null };
  }
  const data = preprocessPlain(input);
  const mm = evaluateMotmetrics(input);
  return { hota: evaluateHota(data), clear: mm.clear, identity: mm.identity, count: countOf(data), motmetrics: mm.summary };
}

/** Combines sequences as TrackEval's `combine_sequences` does (and py-motmetrics' `compute_overall` for its summary). */
export function combineSequences(results: readonly SequenceResult[]): SequenceResult {
  const sum = (f: keyof CountResult): number => results.reduce((acc, r) => acc + r.count[f], 0);
  const mm = results.flatMap((r) => (r.motmetrics ? [r.motmetrics] : []));
  return {
    hota: combineHota(results.map((r) => r.hota)),
    clear: combineClear(results.map((r) => r.clear)),
    identity: combineIdentity(results.map((r) => r.identity)),
    count: { Dets: sum('Dets'), GT_Dets: sum('GT_Dets'), IDs: sum('IDs'), GT_IDs: sum('GT_IDs') },
    motmetrics: mm.length > 0 && mm.length === results.length ? combineMotmetrics(mm) : null,
  };
}

/** Evaluates every sequence and their combination. */
export function evaluateSequences(inputs: readonly SequenceInput[], mode: EvalMode): EvaluationResult {
  const sequences = inputs.map((input) => ({ name: input.name, result: evaluateSequence(input, mode) }));
  return { mode, sequences, combined: combineSequences(sequences.map((s) => s.result)) };
}

function countOf(data: EvalData): CountResult {
  return { Dets: data.numTrackerDets, GT_Dets: data.numGtDets, IDs: data.numTrackerIds, GT_IDs: data.numGtIds };
}
