/**
 * Evaluation results as flat records with TrackEval's field names (summary and detailed CSV), as JSON, and as a text
 * table. Pure.
 */

import { ALPHAS, HOTA_ARRAY_FIELDS } from './hota.ts';
import type { HotaArrayField } from './hota.ts';
import type { EvaluationResult, SequenceResult } from './evaluate.ts';

/** The summary fields, in output order: ratios are fractions 0..1, the rest are counts. */
export const SUMMARY_FIELDS = [
  'HOTA', 'DetA', 'AssA', 'DetRe', 'DetPr', 'AssRe', 'AssPr', 'LocA', 'RHOTA', 'HOTA(0)', 'LocA(0)', 'HOTALocA(0)',
  'MOTA', 'MOTP', 'MODA', 'CLR_Re', 'CLR_Pr', 'MTR', 'PTR', 'MLR', 'sMOTA', 'CLR_F1', 'FP_per_frame', 'MOTAL', 'MOTP_sum',
  'CLR_TP', 'CLR_FN', 'CLR_FP', 'IDSW', 'MT', 'PT', 'ML', 'Frag', 'CLR_Frames',
  'IDF1', 'IDR', 'IDP', 'IDTP', 'IDFN', 'IDFP',
  'Dets', 'GT_Dets', 'IDs', 'GT_IDs',
] as const;

/** Fields of the summary that are counts (written as integers). */
export const COUNT_FIELDS: ReadonlySet<string> = new Set([
  'CLR_TP', 'CLR_FN', 'CLR_FP', 'IDSW', 'MT', 'PT', 'ML', 'Frag', 'CLR_Frames', 'IDTP', 'IDFN', 'IDFP', 'Dets', 'GT_Dets', 'IDs', 'GT_IDs',
]);

/** numpy's `np.mean` of a short float64 array, summed in numpy's pairwise order so that it matches bit for bit. */
export function numpyMean(values: readonly number[]): number {
  const n = values.length;
  if (n < 8) return values.reduce((a, b) => a + b, 0) / n;
  // numpy's pairwise_sum for n <= 128: eight running sums, combined as a tree, then the tail.
  const r = values.slice(0, 8);
  const whole = n - (n % 8);
  for (let i = 8; i < whole; i += 8) for (let j = 0; j < 8; j++) r[j]! += values[i + j]!;
  let sum = ((r[0]! + r[1]!) + (r[2]! + r[3]!)) + ((r[4]! + r[5]!) + (r[6]! + r[7]!));
  for (let i = whole; i < n; i++) sum += values[i]!;
  return sum / n;
}

/** Name of one summary field. */
export type SummaryField = (typeof SUMMARY_FIELDS)[number];

const isHotaArrayField = (f: string): f is HotaArrayField => (HOTA_ARRAY_FIELDS as readonly string[]).includes(f);

/** The summary of one result: HOTA's per-alpha fields averaged over alpha (as TrackEval's summary and AUC). */
export function summaryRecord(r: SequenceResult): Record<SummaryField, number> {
  const flat: Record<string, unknown> = { ...r.hota, ...r.clear, ...r.identity, ...r.count };
  const out = {} as Record<SummaryField, number>;
  for (const f of SUMMARY_FIELDS) out[f] = isHotaArrayField(f) ? numpyMean(r.hota[f]) : (flat[f] as number);
  return out;
}

/**
 * One row of TrackEval's `pedestrian_detailed.csv`: the summary's scalar fields plus, per HOTA array field,
 * `FIELD___5` ... `FIELD___95` and `FIELD___AUC`.
 */
export function detailedRecord(r: SequenceResult): Record<string, number> {
  const out: Record<string, number> = summaryRecord(r);
  for (const f of HOTA_ARRAY_FIELDS) {
    delete out[f];
    ALPHAS.forEach((alpha, a) => (out[`${f}___${Math.round(alpha * 100)}`] = r.hota[f][a]!));
    out[`${f}___AUC`] = numpyMean(r.hota[f]);
  }
  return out;
}

/**
 * The `--json` document: `{mode, sequences: {<seq>: {...}}, combined: {...}}`, each entry the summary fields plus
 * `alpha` (the 19 thresholds and each HOTA field per threshold) and, in plain mode, `motmetrics` (py-motmetrics'
 * summary with its own names; its `motp` is a distance, 1 - IoU). NaN and Infinity become null.
 */
export function toJson(e: EvaluationResult): unknown {
  const entry = (r: SequenceResult) => ({
    ...summaryRecord(r),
    alpha: { alpha: ALPHAS, ...Object.fromEntries(HOTA_ARRAY_FIELDS.map((f) => [f, r.hota[f]])) },
    ...(r.motmetrics ? { motmetrics: r.motmetrics } : {}),
  });
  return {
    mode: e.mode,
    sequences: Object.fromEntries(e.sequences.map((s) => [s.name, entry(s.result)])),
    combined: entry(e.combined),
  };
}

const TABLE_PERCENT = ['HOTA', 'DetA', 'AssA', 'LocA', 'MOTA', 'MOTP', 'IDF1', 'IDP', 'IDR'] as const;
const TABLE_COUNTS = [['IDSW', 'IDSW'], ['FP', 'CLR_FP'], ['FN', 'CLR_FN'], ['Frag', 'Frag'], ['MT', 'MT'], ['PT', 'PT'], ['ML', 'ML'], ['IDs', 'IDs'], ['GT_IDs', 'GT_IDs']] as const;

/** A text table: one row per sequence and a COMBINED row; ratios in percent with 3 decimals, counts as integers. */
export function formatTable(e: EvaluationResult): string {
  const rows = [...e.sequences.map((s) => [s.name, s.result] as const), ['COMBINED', e.combined] as const];
  const nameWidth = Math.max(8, ...rows.map(([name]) => name.length));
  const header = ['sequence'.padEnd(nameWidth), ...TABLE_PERCENT.map((h) => h.padStart(8)), ...TABLE_COUNTS.map(([h]) => h.padStart(7))];
  const lines = [header.join(' ')];
  for (const [name, result] of rows) {
    const s = summaryRecord(result);
    lines.push([
      name.padEnd(nameWidth),
      ...TABLE_PERCENT.map((f) => (100 * s[f]).toFixed(3).padStart(8)),
      ...TABLE_COUNTS.map(([, f]) => String(Math.round(s[f])).padStart(7)),
    ].join(' '));
  }
  return lines.join('\n');
}
