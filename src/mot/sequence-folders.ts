/**
 * The sequence folders of a MOTChallenge split: sub-folders of a folder, following symbolic links (a split assembled
 * from links to sequences elsewhere is a normal way to build a benchmark), sorted by name.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../core/errors.ts';

/** Names of the folders (or links to folders) in `dir`, sorted; `what` names `dir` in the error when it cannot be read. */
export async function sequenceFolders(dir: string, what: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new AppError('MOT_FILE_INVALID', `${what}: expected a folder of sequence folders, cannot read ${dir}`, { cause: err });
  }
  const names: string[] = [];
  for (const e of entries) {
    if (e.isDirectory()) names.push(e.name);
    else if (e.isSymbolicLink() && (await stat(join(dir, e.name)).then((s) => s.isDirectory(), () => false))) names.push(e.name);
  }
  return names.sort();
}
