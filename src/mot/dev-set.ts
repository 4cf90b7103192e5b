/**
 * A MOTChallenge dev set held in memory (detections, seqinfo and gt of each sequence), so a tracker can be run and
 * scored many times without touching the disk: used by the tracking benchmark and for tuning.
 */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Tracker } from '../tracking/tracker.ts';
import { evaluateSequences } from './eval/evaluate.ts';
import type { EvaluationResult } from './eval/evaluate.ts';
import { parseMotFile } from './eval/parse.ts';
import type { MotFile } from './eval/parse.ts';
import { parseDetections } from './track/det-file.ts';
import type { SequenceDetections } from './track/det-file.ts';
import { toResultRows } from './track/mot-profile.ts';
import type { ResultOptions } from './track/mot-profile.ts';
import { formatResults } from './track/result-file.ts';
import { trackSequence } from './track/run-sequence.ts';
import { parseSeqInfo } from './seqinfo.ts';
import type { SeqInfo } from './seqinfo.ts';

/** One sequence of a dev set. */
export interface DevSequence {
  readonly name: string;
  readonly info: SeqInfo;
  readonly dets: SequenceDetections;
  readonly gt: MotFile;
}

/** Reads `<dataDir>/<seq>/{seqinfo.ini, det/<detFile>, gt/gt.txt}` for each named sequence. */
export async function loadDevSet(dataDir: string, seqs: readonly string[], detFile: string): Promise<DevSequence[]> {
  return Promise.all(
    seqs.map(async (name) => {
      const dir = join(dataDir, name);
      const info = parseSeqInfo(await readFile(join(dir, 'seqinfo.ini'), 'utf8'), join(dir, 'seqinfo.ini'));
      const detPath = join(dir, 'det', detFile);
      const dets = parseDetections(await readFile(detPath, 'utf8'), info.seqLength, detPath);
      const gtPath = join(dir, 'gt', 'gt.txt');
      const gt = parseMotFile(await readFile(gtPath, 'utf8'), gtPath, 8);
      return { name, info, dets, gt };
    }),
  );
}

/** How a run over a dev set is post-processed before scoring (offline interpolation, MOT profile). */
export type DevRunOptions = ResultOptions;

/**
 * Runs a fresh tracker per sequence, writes results as the CLI would (text round trip), and scores them; with
 * `keepFrame`, the frames it refuses are dropped before the tracker and left out of the scoring.
 */
export function runDevSet(
  set: readonly DevSequence[],
  makeTracker: (frameRate: number) => Tracker,
  options: DevRunOptions,
  keepFrame?: (sequence: string, frame: number) => boolean,
): EvaluationResult {
  const inputs = set.map((s) => {
    const keep = keepFrame === undefined ? undefined : (f: number) => keepFrame(s.name, f);
    const rows = toResultRows(trackSequence(s.dets, makeTracker(s.info.frameRate), s.info.frameRate, keep), s.info.frameRate, options);
    const tracker = parseMotFile(formatResults(rows), `${s.name}.txt`, 6);
    // Dropped frames are not scored: what a live camera analysed is what it is judged on.
    const gt = keep === undefined ? s.gt : { ...s.gt, rows: s.gt.rows.filter((r) => keep(r.frame)) };
    return { name: s.name, gt, tracker, seqLength: s.info.seqLength };
  });
  return evaluateSequences(inputs, 'trackeval');
}
