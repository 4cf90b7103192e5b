/**
 * A small file in the data folder that is made once and kept (the link key, the node id): read it, or create it when
 * missing; when another process of the same data folder creates it first, that one is used.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError, errorMessage } from '../core/errors.ts';

/**
 * The value in `DATA_DIR/name`: `parse` of its trimmed text (throwing when it is not valid), or `make()` written there
 * (with `mode`) when the file does not exist.
 */
export async function readOrCreate<T>(dataDir: string, name: string, parse: (text: string, file: string) => T, make: () => { value: T; text: string }, mode = 0o644): Promise<T> {
  const file = path.join(dataDir, name);
  try {
    return parse((await readFile(file, 'utf8')).trim(), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const made = make();
  try {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, `${made.text}\n`, { mode, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readOrCreate(dataDir, name, parse, make, mode);
    throw new AppError('CONFIG_INVALID', `cannot write ${file}: ${errorMessage(err)}; set dataDir to a writable folder`, { cause: err });
  }
  return made.value;
}
