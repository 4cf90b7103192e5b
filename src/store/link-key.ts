/**
 * The server's key for signed snapshot links (webhooks, e-mail): 32 random bytes in `DATA_DIR/link-signing.key`,
 * readable only by the owner, created on first start. Deleting the file revokes every link sent so far.
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../core/errors.ts';
import { readOrCreate } from './data-file.ts';

/** Reads the key, or creates it (mode 0600) when missing. */
export function loadLinkKey(dataDir: string): Promise<Uint8Array> {
  return readOrCreate(
    dataDir,
    'link-signing.key',
    (text, file) => {
      const key = Buffer.from(text, 'base64');
      if (key.length >= 32) return key;
      throw new AppError('CONFIG_INVALID', `${file} must hold 32 bytes in base64; delete it and a new key is made at the next start`);
    },
    () => {
      const key = randomBytes(32);
      return { value: key, text: key.toString('base64') };
    },
    0o600,
  );
}
