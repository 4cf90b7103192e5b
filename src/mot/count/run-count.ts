/**
 * The file side of `sightline count`: counting measured over the sequence folders of a MOTChallenge split named in a
 * lines file (`countDataset`), and degraded detections written for every sequence folder (`degradeDataset`). Sequence
 * folders may be symbolic links. Reads and writes files.
 */

import { lstat, mkdir, readFile, symlink, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppError } from '../../core/errors.ts';
import { parseMotFile, type MotRow } from '../eval/parse.ts';
import { parseSeqInfo, type SeqInfo } from '../seqinfo.ts';
import { sequenceFolders } from '../sequence-folders.ts';
import { parseDetections } from '../track/det-file.ts';
import type { TrackerFactory } from '../track/trackers.ts';
import type { CrossingOptions } from '../../rules/line-crossing.ts';
import { combineCounts, countSequence, type CombinedCounts, type CounterName, type SequenceCountResult } from './count-sequence.ts';
import { degradeSequence, type DegradeOptions } from './degrade.ts';
import type { CountLinesFile } from './lines-file.ts';
import { anchorFrames, truthRows } from './truth.ts';

/** The report of `count eval` (its `--json` file). */
export interface CountReport {
  readonly sequences: Record<string, SequenceCountResult>;
  readonly combined: CombinedCounts;
}

/** What `countDataset` does. */
export interface CountDatasetOptions {
  readonly dataDir: string;
  readonly lines: CountLinesFile;
  /** File name under `<seq>/det/`. */
  readonly detFile: string;
  readonly tracker: TrackerFactory;
  readonly counter: CounterName;
  /** Crossing-detector settings other than the product's defaults (tuning experiments only). */
  readonly crossing?: Partial<CrossingOptions> | undefined;
}

/** A sequence's seqinfo (with its frame size) and truth rows. */
interface SequenceTruth {
  readonly info: SeqInfo & { readonly imWidth: number; readonly imHeight: number };
  readonly rows: MotRow[];
  readonly gtPath: string;
}

async function readRequired(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new AppError('MOT_FILE_INVALID', `${path}: expected ${what}, cannot read it`, { cause: err });
  }
}

/** Reads `<seqDir>/seqinfo.ini` (it must give the frame size) and the truth rows of `<seqDir>/gt/gt.txt`. */
async function loadTruth(seqDir: string): Promise<SequenceTruth> {
  const infoPath = join(seqDir, 'seqinfo.ini');
  const info = parseSeqInfo(await readRequired(infoPath, 'the sequence\'s seqinfo.ini'), infoPath);
  if (info.imWidth === null || info.imHeight === null) {
    throw new AppError('MOT_FILE_INVALID', `${infoPath}: expected imWidth and imHeight (lines and zones are in pixels), got ${info.imWidth === null ? 'no imWidth' : 'no imHeight'}`);
  }
  const gtPath = join(seqDir, 'gt', 'gt.txt');
  const gt = parseMotFile(await readRequired(gtPath, 'the ground truth gt/gt.txt'), gtPath, 6);
  return { info: { ...info, imWidth: info.imWidth, imHeight: info.imHeight }, rows: truthRows(gt), gtPath };
}

/**
 * Counts every sequence named in the lines file, in file order, with a fresh tracker each. A sequence the data folder
 * lacks throws `MOT_FILE_INVALID` listing the ones it has; a missing det file throws naming its path.
 */
export async function countDataset(o: CountDatasetOptions): Promise<CountReport> {
  const have = await sequenceFolders(o.dataDir, '--data');
  const missing = [...o.lines.keys()].filter((s) => !have.includes(s));
  if (missing.length > 0) {
    throw new AppError(
      'MOT_FILE_INVALID',
      `--lines names ${missing.map((s) => `"${s}"`).join(', ')}, but ${o.dataDir} has no such sequence folder; it has ${have.length > 0 ? have.join(', ') : 'none'}`,
    );
  }
  const sequences: Record<string, SequenceCountResult> = {};
  for (const [seq, spec] of o.lines) {
    const dir = join(o.dataDir, seq);
    const { info, rows, gtPath } = await loadTruth(dir);
    const detPath = join(dir, 'det', o.detFile);
    const dets = parseDetections(await readRequired(detPath, `the detection file det/${o.detFile} of ${seq} (see --det)`), info.seqLength, detPath);
    sequences[seq] = countSequence({
      frameRate: info.frameRate, imWidth: info.imWidth, imHeight: info.imHeight,
      truth: anchorFrames(rows, info.seqLength, gtPath), dets, spec, tracker: o.tracker(info.frameRate), counter: o.counter, crossing: o.crossing,
    });
  }
  return { sequences, combined: combineCounts(sequences) };
}

/** What `degradeDataset` does. */
export interface DegradeDatasetOptions extends DegradeOptions {
  readonly dataDir: string;
  readonly outDir: string;
  /** File name written under `<out>/<seq>/det/`. */
  readonly detFile: string;
}

/** One degraded sequence. */
export interface DegradeReport {
  readonly seq: string;
  readonly trueBoxes: number;
  readonly kept: number;
  readonly falseBoxes: number;
}

/** A link at `path` to `target`; an earlier link there is replaced, anything else there is an error. */
async function linkTo(target: string, path: string): Promise<void> {
  const there = await lstat(path).catch(() => null);
  if (there?.isSymbolicLink()) await unlink(path);
  else if (there) throw new AppError('MOT_FILE_INVALID', `${path}: expected nothing or a link there (it will link to ${target}), found a file or folder; choose an empty --out`);
  await symlink(target, path);
}

/**
 * Writes `<out>/<seq>/` for every sequence folder of the data folder that has `gt/gt.txt`: links to its seqinfo.ini
 * and gt/, and `det/<detFile>` degraded from the truth rows. Folders without gt are returned as skipped.
 */
export async function degradeDataset(
  o: DegradeDatasetOptions,
  onSequence: (r: DegradeReport) => void = () => {},
): Promise<{ sequences: DegradeReport[]; skipped: string[] }> {
  const sequences: DegradeReport[] = [];
  const skipped: string[] = [];
  for (const seq of await sequenceFolders(o.dataDir, '--data')) {
    const src = resolve(o.dataDir, seq);
    if (!(await lstat(join(src, 'gt', 'gt.txt')).then(() => true, () => false))) {
      skipped.push(seq);
      continue;
    }
    const { info, rows } = await loadTruth(src);
    const d = degradeSequence(rows, info, seq, o);
    const out = join(o.outDir, seq);
    await mkdir(join(out, 'det'), { recursive: true });
    await linkTo(join(src, 'seqinfo.ini'), join(out, 'seqinfo.ini'));
    await linkTo(join(src, 'gt'), join(out, 'gt'));
    await writeFile(join(out, 'det', o.detFile), d.text);
    const r = { seq, trueBoxes: d.trueBoxes, kept: d.kept, falseBoxes: d.falseBoxes };
    sequences.push(r);
    onSequence(r);
  }
  return { sequences, skipped };
}
