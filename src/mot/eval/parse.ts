/**
 * MOTChallenge ground-truth and tracker result files as rows. Pure: text in, rows out.
 *
 * gt.txt rows are `frame,id,x,y,w,h,consider,class,visibility`; tracker rows are `frame,id,x,y,w,h,conf,-1,-1,-1`
 * (6 or more columns are accepted). Boxes are top-left + size in pixels and frames are 1-based.
 */

import { AppError } from '../../core/errors.ts';

/** A box as MOTChallenge writes it: top-left corner and size, in pixels. */
export interface BoxXywh {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** One row of a MOTChallenge gt or tracker file: 1-based frame, id and box. */
export interface MotRow extends BoxXywh {
  readonly frame: number;
  readonly id: number;
  /** Column 7: the gt `consider` flag (0 = ignore), or the tracker's confidence; null when the row has 6 columns. */
  readonly conf: number | null;
  /** Column 8: the gt class (1 = pedestrian); null when the row has fewer than 8 columns. */
  readonly classId: number | null;
  /** 1-based line of the row in its file, for error messages. */
  readonly line: number;
}

/** Rows of one file, in file order, with the name used in error messages. */
export interface MotFile {
  readonly fileName: string;
  readonly rows: readonly MotRow[];
}

const COLUMN_NAMES = 'frame,id,x,y,w,h,conf,class,visibility';

/** Throws the parse error for one line: file, line, what was expected and what arrived. */
export function motFileError(fileName: string, line: number, expected: string, got: string): never {
  throw new AppError('MOT_FILE_INVALID', `${fileName}:${line}: expected ${expected}, got "${got.slice(0, 100)}"`);
}

/**
 * Parses a MOTChallenge text file; every row needs at least `minColumns` columns (6 for tracker results, 8 for gt
 * evaluated with TrackEval's class filter). Fields are separated by commas or whitespace; blank lines are skipped.
 * A row with too few columns, a non-numeric field, or a frame or id that is not an integer throws `MOT_FILE_INVALID`
 * naming the file, the line and the text that arrived.
 */
export function parseMotFile(text: string, fileName: string, minColumns = 6): MotFile {
  const rows: MotRow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    const fields = /\s/.test(raw) ? raw.split(/\s*,\s*|\s+/) : raw.split(',');
    // A trailing separator leaves one empty field (TrackEval drops it too).
    if (fields.length > 1 && fields[fields.length - 1] === '') fields.pop();
    const lineNo = i + 1;
    if (fields.length < minColumns) {
      motFileError(fileName, lineNo, `at least ${minColumns} columns (${COLUMN_NAMES.split(',').slice(0, minColumns).join(',')}) but ${fields.length} arrived`, raw);
    }
    const values = fields.map((f) => (f === '' ? NaN : Number(f)));
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) motFileError(fileName, lineNo, `a number in column ${bad + 1} (${columnName(bad)})`, raw);
    const [frame, id, x, y, w, h] = values as [number, number, number, number, number, number];
    if (!Number.isInteger(frame)) motFileError(fileName, lineNo, 'an integer frame number in column 1', raw);
    if (!Number.isInteger(id)) motFileError(fileName, lineNo, 'an integer id in column 2', raw);
    rows.push({
      frame, id, x, y, w, h,
      conf: values.length > 6 ? values[6]! : null,
      classId: values.length > 7 ? Math.trunc(values[7]!) : null,
      line: lineNo,
    });
  }
  return { fileName, rows };
}

function columnName(index: number): string {
  return COLUMN_NAMES.split(',')[index] ?? 'extra';
}
