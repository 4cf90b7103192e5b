/**
 * Receives an uploaded body into a file: streamed (never held in memory), hashed on the way, refused past `maxBytes`
 * from its declared length at once or while streaming (PAYLOAD_TOO_LARGE). A refused or failed upload leaves no file.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../core/errors.ts';

export async function receiveFile(body: Readable, path: string, maxBytes: number, declaredBytes: number | null, what: string): Promise<{ sizeBytes: number; sha256: string }> {
  if (declaredBytes !== null && declaredBytes > maxBytes) {
    body.resume();
    throw new AppError('PAYLOAD_TOO_LARGE', `the ${what} is ${declaredBytes} bytes; the limit is ${Math.round(maxBytes / 1048576)} MiB (${maxBytes} bytes)`);
  }
  const partial = `${path}.part`;
  const hash = createHash('sha256');
  let size = 0;
  try {
    await pipeline(body, async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        size += chunk.length;
        if (size > maxBytes) throw new AppError('PAYLOAD_TOO_LARGE', `the ${what} is over the limit of ${Math.round(maxBytes / 1048576)} MiB; the upload stopped at ${size} bytes`);
        hash.update(chunk);
        yield chunk;
      }
    }, createWriteStream(partial));
    await rename(partial, path);
    return { sizeBytes: size, sha256: hash.digest('hex') };
  } catch (err) {
    body.resume();
    await rm(partial, { force: true });
    throw err;
  }
}
