/**
 * Runs a tracker over every sequence folder of a MOTChallenge split (`DIR/<seq>/seqinfo.ini`, `DIR/<seq>/det/<det>`)
 * and writes `<out>/<seq>.txt`. Folders without the detection file are skipped and reported.
 */

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../core/errors.ts';
import { parseDetections } from './det-file.ts';
import { toResultRows } from './mot-profile.ts';
import type { ResultOptions } from './mot-profile.ts';
import { formatResults } from './result-file.ts';
import { trackSequence } from './run-sequence.ts';
import { parseSeqInfo } from '../seqinfo.ts';
import { sequenceFolders } from '../sequence-folders.ts';
import type { TrackerFactory } from './trackers.ts';

/** What `trackDataset` does. */
export interface TrackDatasetOptions extends ResultOptions {
  readonly dataDir: string;
  /** File name under `<seq>/det/` (det.txt or det_sort.txt). */
  readonly detFile: string;
  readonly outDir: string;
  readonly tracker: TrackerFactory;
  /** Only these sequences (folder names), or all. */
  readonly seqs?: readonly string[];
}

/** One sequence's outcome. */
export interface SequenceReport {
  readonly seq: string;
  readonly frames: number;
  readonly detections: number;
  readonly rows: number;
  /** Milliseconds spent in tracker updates (no file I/O). */
  readonly trackMs: number;
}

/** The outcome: sequences tracked, and folders skipped with the reason. */
export interface DatasetReport {
  readonly sequences: SequenceReport[];
  readonly skipped: { seq: string; reason: string }[];
}

/** Tracks every sequence with a detection file; `onSequence` is called after each one (progress). */
export async function trackDataset(
  o: TrackDatasetOptions,
  onSequence: (r: SequenceReport) => void = () => {},
): Promise<DatasetReport> {
  let entries = await sequenceFolders(o.dataDir, '--data');
  if (o.seqs) {
    const missing = o.seqs.filter((s) => !entries.includes(s));
    if (missing.length > 0) throw new AppError('MOT_FILE_INVALID', `--seqs: no sequence folder ${missing.join(', ')} in ${o.dataDir}`);
    entries = [...o.seqs];
  }
  await mkdir(o.outDir, { recursive: true });
  const report: DatasetReport = { sequences: [], skipped: [] };
  for (const seq of entries) {
    const detPath = join(o.dataDir, seq, 'det', o.detFile);
    const detText = await readFile(detPath, 'utf8').catch(() => null);
    if (detText === null) {
      report.skipped.push({ seq, reason: `no det/${o.detFile}` });
      continue;
    }
    const infoPath = join(o.dataDir, seq, 'seqinfo.ini');
    const infoText = await readFile(infoPath, 'utf8').catch(() => {
      throw new AppError('MOT_FILE_INVALID', `${infoPath}: expected a seqinfo.ini next to det/${o.detFile}, found none`);
    });
    const info = parseSeqInfo(infoText, infoPath);
    const dets = parseDetections(detText, info.seqLength, detPath);
    const started = performance.now();
    const tracked = trackSequence(dets, o.tracker(info.frameRate), info.frameRate);
    const trackMs = performance.now() - started;
    const rows = toResultRows(tracked, info.frameRate, o);
    await writeFile(join(o.outDir, `${seq}.txt`), formatResults(rows));
    const r = { seq, frames: info.seqLength, detections: dets.count, rows: rows.length, trackMs };
    report.sequences.push(r);
    onSequence(r);
  }
  return report;
}
