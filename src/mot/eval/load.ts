/**
 * Reads a MOTChallenge benchmark from disk: gt as `GT/<seq>/gt/gt.txt` and `GT/<seq>/seqinfo.ini`, tracker output as
 * `TRACKER/<seq>.txt` (TrackEval's layout). The only file of this folder that does I/O.
 */

import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, errorMessage } from '../../core/errors.ts';
import { parseSeqInfo } from '../seqinfo.ts';
import { sequenceFolders } from '../sequence-folders.ts';
import type { EvalMode } from './evaluate.ts';
import { parseMotFile } from './parse.ts';
import type { SequenceInput } from './preprocess.ts';

/** Where the benchmark is and which sequences to read. */
export interface LoadBenchmarkOptions {
  readonly gtDir: string;
  readonly trackerDir: string;
  /** Sequence folder names; by default every folder of `gtDir` with a `gt/gt.txt`, sorted by name. */
  readonly seqs?: readonly string[];
  /** In `trackeval` mode gt needs the class column and `seqinfo.ini` is required; in `plain` mode it is optional. */
  readonly mode: EvalMode;
}

/**
 * Reads and parses every selected sequence. A missing gt file, seqinfo.ini (trackeval mode) or tracker file, or no
 * sequence at all, throws `MOT_FILE_INVALID` naming the path; malformed rows throw naming file and line.
 */
export async function loadBenchmark(opts: LoadBenchmarkOptions): Promise<SequenceInput[]> {
  const seqs = opts.seqs ?? (await listSequences(opts.gtDir));
  if (seqs.length === 0) {
    throw new AppError('MOT_FILE_INVALID', `${opts.gtDir}: expected sequence folders with gt/gt.txt, found none`);
  }
  const inputs: SequenceInput[] = [];
  for (const seq of seqs) {
    const gtFile = join(opts.gtDir, seq, 'gt', 'gt.txt');
    const iniFile = join(opts.gtDir, seq, 'seqinfo.ini');
    const trackerFile = join(opts.trackerDir, `${seq}.txt`);
    const gtText = await readRequired(gtFile, `the gt file of sequence ${seq}`);
    const trackerText = await readRequired(trackerFile, `the tracker results of sequence ${seq} (one <seq>.txt per gt sequence)`);
    const iniText = opts.mode === 'trackeval' || (await exists(iniFile)) ? await readRequired(iniFile, `seqinfo.ini of sequence ${seq}`) : null;
    inputs.push({
      name: seq,
      gt: parseMotFile(gtText, gtFile, opts.mode === 'trackeval' ? 8 : 6),
      tracker: parseMotFile(trackerText, trackerFile, 6),
      seqLength: iniText === null ? null : parseSeqInfo(iniText, iniFile).seqLength,
    });
  }
  return inputs;
}

async function listSequences(gtDir: string): Promise<string[]> {
  const seqs: string[] = [];
  for (const name of await sequenceFolders(gtDir, `gt folder ${gtDir}`)) if (await exists(join(gtDir, name, 'gt', 'gt.txt'))) seqs.push(name);
  return seqs;
}

async function readRequired(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? errorMessage(err)})`;
    throw new AppError('MOT_FILE_INVALID', `${path} ${problem}: expected ${what}`, { cause: err });
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}
