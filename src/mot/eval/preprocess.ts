/**
 * From parsed files to what the metrics read: per-frame ids relabelled 0..n-1 and per-frame IoU matrices. Two ways:
 * TrackEval's MOT17 preprocessing (`get_preprocessed_seq_data` of `mot_challenge_2d_box.py`) and a plain one that keeps
 * every row (py-motmetrics' `compare_to_groundtruth`). Pure.
 */

import { AppError } from '../../core/errors.ts';
import { EPS, iouMatrix, iouTrackEval } from './iou.ts';
import { maxWeightMatching } from './matching.ts';
import { motFileError } from './parse.ts';
import type { MotFile, MotRow } from './parse.ts';

/** One sequence to evaluate: its name, gt and tracker rows, and `seqLength` from seqinfo.ini when known. */
export interface SequenceInput {
  readonly name: string;
  readonly gt: MotFile;
  readonly tracker: MotFile;
  readonly seqLength: number | null;
  /** TrackEval benchmark rules; omitted: `detectBenchmark(gt)`. */
  readonly benchmark?: Benchmark;
}

/** MOT17 (and MOT16/20) gt has classes and consider flags; MOT15 gt has no classes (columns 8-10 are -1 or world coordinates). */
export type Benchmark = 'MOT17' | 'MOT15';

/** MOT17 when every gt row has an integer class 1..13 in column 8, otherwise MOT15 (TrackEval's class-free rules). */
export function detectBenchmark(gt: MotFile): Benchmark {
  return gt.rows.length > 0 && gt.rows.every((r) => r.classId !== null && Number.isInteger(r.classId) && r.classId >= 1 && r.classId <= MAX_MOT17_CLASS)
    ? 'MOT17'
    : 'MOT15';
}

/** TrackEval's preprocessed sequence (`data` in its metrics), ids relabelled to 0..num-1. */
export interface EvalData {
  readonly seq: string;
  readonly numTimesteps: number;
  readonly numGtIds: number;
  readonly numTrackerIds: number;
  readonly numGtDets: number;
  readonly numTrackerDets: number;
  /** Per timestep, the gt ids present, in file order. */
  readonly gtIds: readonly Int32Array[];
  /** Per timestep, the tracker ids present, in file order. */
  readonly trackerIds: readonly Int32Array[];
  /** Per timestep, row-major `gtIds[t].length x trackerIds[t].length` IoU. */
  readonly similarity: readonly Float64Array[];
}

/** MOT17 class ids: 1 pedestrian is evaluated; boxes matched to these distractor classes are not counted. */
export const PEDESTRIAN_CLASS = 1;
/** person_on_vehicle, static_person, distractor, reflection. */
export const DISTRACTOR_CLASSES: ReadonlySet<number> = new Set([2, 7, 8, 12]);
const MAX_MOT17_CLASS = 13;

/**
 * Groups rows by frame: `result[t]` holds the rows of frame `frames[t]`, in file order. Two rows with the same id in
 * one frame throw `MOT_FILE_INVALID` (both reference evaluators require unique ids per frame).
 */
export function groupByFrame(file: MotFile, frames: readonly number[]): MotRow[][] {
  const index = new Map<number, number>();
  frames.forEach((f, t) => index.set(f, t));
  const out: MotRow[][] = frames.map(() => []);
  const seen = new Map<number, Map<number, number>>();
  for (const row of file.rows) {
    const t = index.get(row.frame);
    if (t === undefined) continue;
    let ids = seen.get(t);
    if (ids === undefined) seen.set(t, (ids = new Map()));
    const first = ids.get(row.id);
    if (first !== undefined) {
      throw new AppError('MOT_FILE_INVALID', `${file.fileName}:${row.line}: expected each id once per frame, got id ${row.id} again in frame ${row.frame} (first at line ${first})`);
    }
    ids.set(row.id, row.line);
    out[t]!.push(row);
  }
  return out;
}

/** Every frame number that occurs in `files`, ascending. */
export function framesOf(...files: MotFile[]): number[] {
  const set = new Set<number>();
  for (const f of files) for (const r of f.rows) set.add(r.frame);
  return [...set].sort((a, b) => a - b);
}

/**
 * TrackEval's MOT17 preprocessing: frames 1..seqLength (a row outside throws); tracker boxes matched (IoU >= 0.5,
 * maximum total IoU) to a gt box of a distractor class are dropped; only gt rows of class 1 with `consider != 0` are
 * kept; ids are relabelled. Tracker rows of a class above 1, and gt classes outside 1..13, throw as TrackEval does.
 * MOT15 gt (see `detectBenchmark`) is evaluated with TrackEval's MOT15 rules: no class filter, no distractors.
 * Without a seqLength the last frame in either file is taken as the sequence length.
 */
export function preprocessTrackEval(input: SequenceInput): EvalData {
  const { gt, tracker } = input;
  const numTimesteps = input.seqLength ?? Math.max(0, ...framesOf(gt, tracker).slice(-1));
  for (const file of [gt, tracker]) {
    for (const r of file.rows) {
      if (r.frame < 1 || r.frame > numTimesteps) motFileError(file.fileName, r.line, `a frame between 1 and ${numTimesteps} (seqLength of ${input.name})`, `frame ${r.frame}`);
    }
  }
  // TrackEval's MOT15 benchmark keeps every gt row with consider != 0 and removes no tracker boxes.
  const classless = (input.benchmark ?? detectBenchmark(gt)) === 'MOT15';
  for (const r of gt.rows) {
    if (r.classId === null && !classless) motFileError(gt.fileName, r.line, 'at least 8 columns (frame,id,x,y,w,h,consider,class) for MOT17 evaluation; use plain mode for gt without classes', `${r.frame},${r.id},...`);
  }
  const frames = Array.from({ length: numTimesteps }, (_, t) => t + 1);
  const gtByFrame = groupByFrame(gt, frames);
  const trByFrame = groupByFrame(tracker, frames);

  const gtKept: MotRow[][] = [];
  const trKept: MotRow[][] = [];
  const similarity: Float64Array[] = [];
  for (let t = 0; t < numTimesteps; t++) {
    const gts = gtByFrame[t]!;
    const trs = trByFrame[t]!;
    const badTracker = trs.find((r) => (r.classId ?? PEDESTRIAN_CLASS) > PEDESTRIAN_CLASS);
    if (badTracker) {
      motFileError(tracker.fileName, badTracker.line, 'class -1 or 1 in column 8 (only pedestrians are evaluated)', `class ${badTracker.classId}`);
    }
    const sim = iouMatrix(gts, trs, iouTrackEval);
    const removed = new Uint8Array(trs.length);
    if (!classless && gts.length > 0 && trs.length > 0) {
      const badGt = gts.find((r) => !(r.classId! >= 1 && r.classId! <= MAX_MOT17_CLASS));
      if (badGt) motFileError(gt.fileName, badGt.line, `a MOT17 class between 1 and ${MAX_MOT17_CLASS} in column 8; use plain mode for other gt`, `class ${badGt.classId}`);
      const weights = sim.map((s) => (s >= 0.5 - EPS ? s : 0));
      for (const [i, j] of maxWeightMatching(weights, gts.length, trs.length)) {
        if (DISTRACTOR_CLASSES.has(gts[i]!.classId!)) removed[j] = 1;
      }
    }
    const keepTr: number[] = [];
    trs.forEach((_, j) => removed[j] === 0 && keepTr.push(j));
    const keepGt: number[] = [];
    gts.forEach((r, i) => Math.trunc(r.conf!) !== 0 && (classless || r.classId === PEDESTRIAN_CLASS) && keepGt.push(i));
    gtKept.push(keepGt.map((i) => gts[i]!));
    trKept.push(keepTr.map((j) => trs[j]!));
    similarity.push(subMatrix(sim, trs.length, keepGt, keepTr));
  }
  return relabel(input.name, gtKept, trKept, similarity);
}

/** Every row of both files, frames as they occur in either (py-motmetrics' plain comparison); ids relabelled. */
export function preprocessPlain(input: SequenceInput): EvalData {
  const frames = framesOf(input.gt, input.tracker);
  const gts = groupByFrame(input.gt, frames);
  const trs = groupByFrame(input.tracker, frames);
  const similarity = frames.map((_, t) => iouMatrix(gts[t]!, trs[t]!, iouTrackEval));
  return relabel(input.name, gts, trs, similarity);
}

function subMatrix(sim: Float64Array, cols: number, rows: readonly number[], keepCols: readonly number[]): Float64Array {
  const out = new Float64Array(rows.length * keepCols.length);
  rows.forEach((i, a) => keepCols.forEach((j, b) => (out[a * keepCols.length + b] = sim[i * cols + j]!)));
  return out;
}

function relabel(seq: string, gts: readonly MotRow[][], trs: readonly MotRow[][], similarity: Float64Array[]): EvalData {
  const gt = contiguousIds(gts);
  const tr = contiguousIds(trs);
  return {
    seq,
    numTimesteps: gts.length,
    numGtIds: gt.count,
    numTrackerIds: tr.count,
    numGtDets: gt.dets,
    numTrackerDets: tr.dets,
    gtIds: gt.ids,
    trackerIds: tr.ids,
    similarity,
  };
}

/** Maps the ids in use to 0..count-1 in ascending order of the original id (as TrackEval's `np.unique`). */
function contiguousIds(byFrame: readonly MotRow[][]): { ids: Int32Array[]; count: number; dets: number } {
  const unique = [...new Set(byFrame.flatMap((rows) => rows.map((r) => r.id)))].sort((a, b) => a - b);
  const map = new Map(unique.map((id, k) => [id, k]));
  let dets = 0;
  const ids = byFrame.map((rows) => {
    dets += rows.length;
    return Int32Array.from(rows, (r) => map.get(r.id)!);
  });
  return { ids, count: unique.length, dets };
}
