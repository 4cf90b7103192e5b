/**
 * Reads a file only when it really lies inside a folder: the path is resolved through every symlink first, so a link
 * inside the media folder that points elsewhere (planted, or left by a restore) never serves a file from outside it.
 */
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';

/** The file's bytes; null when it does not exist or resolves (through symlinks) outside `rootDir`. */
export async function readContained(rootDir: string, absolute: string): Promise<Buffer | null> {
  try {
    const [real, realRoot] = await Promise.all([realpath(absolute), realpath(rootDir)]);
    const back = path.relative(realRoot, real);
    if (back === '' || back.startsWith('..') || path.isAbsolute(back)) return null;
    return await readFile(real);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'EISDIR') return null;
    throw err;
  }
}
