/**
 * The server's key for signed snapshot links (webhooks, e-mail): 32 random bytes in `DATA_DIR/link-signing.key`,
 * readable only by the owner, created on first start. Deleting the file revokes every link sent so far.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError, errorMessage } from '../core/errors.ts';

/** Reads the key, or creates it (mode 0600) when missing. */
export async function loadLinkKey(dataDir: string): Promise<Uint8Array> {
  const file = path.join(dataDir, 'link-signing.key');
  try {
    const text = (await readFile(file, 'utf8')).trim();
    const key = Buffer.from(text, 'base64');
    if (key.length >= 32) return key;
    throw new AppError('CONFIG_INVALID', `${file} must hold 32 bytes in base64; delete it and a new key is made at the next start`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(32);
  try {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process of the same data folder wrote it first: use that one.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadLinkKey(dataDir);
    throw new AppError('CONFIG_INVALID', `cannot write ${file}: ${errorMessage(err)}; set dataDir to a writable folder`, { cause: err });
  }
  return key;
}
