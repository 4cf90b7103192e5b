/** MOTChallenge `seqinfo.ini`: the few fields a tracker needs. Pure: text in. */

import { AppError } from '../core/errors.ts';

/** The `[Sequence]` fields used here. */
export interface SeqInfo {
  readonly name: string;
  readonly seqLength: number;
  readonly frameRate: number;
  readonly imWidth: number | null;
  readonly imHeight: number | null;
}

/** Parses `seqinfo.ini`; a missing or non-numeric `seqLength` / `frameRate` throws `MOT_FILE_INVALID`. */
export function parseSeqInfo(text: string, fileName: string): SeqInfo {
  const fields = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const m = /^\s*([A-Za-z]+)\s*=\s*(.*?)\s*$/.exec(raw);
    if (m) fields.set(m[1]!, m[2]!);
  }
  const num = (key: string, required: boolean): number | null => {
    const v = fields.get(key);
    if (v === undefined && !required) return null;
    const n = Number(v);
    if (v === undefined || !(Number.isFinite(n) && n > 0)) {
      throw new AppError('MOT_FILE_INVALID', `${fileName}: expected ${key}=<positive number>, got ${v === undefined ? 'no such key' : `"${v}"`}`);
    }
    return n;
  };
  return {
    name: fields.get('name') ?? '',
    seqLength: num('seqLength', true)!,
    frameRate: num('frameRate', true)!,
    imWidth: num('imWidth', false),
    imHeight: num('imHeight', false),
  };
}
