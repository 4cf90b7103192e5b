import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AppError, errorMessage } from '../core/errors.ts';

/** Download progress: bytes so far and the total when the server tells it. */
export type DownloadProgress = (receivedBytes: number, totalBytes: number | null) => void;

/** Options for `downloadFile`. */
export interface DownloadOptions {
  /** Expected sha256 (hex); the file is kept only when it matches. */
  readonly sha256: string | null;
  readonly onProgress?: DownloadProgress;
  /** Abort when no bytes arrive for this long (default 30 s). */
  readonly idleTimeoutMs?: number;
}

/**
 * Downloads `url` to `dest` through `dest.part`, checking the sha256; `dest` appears only when the whole
 * file arrived and matched, so an interrupted or corrupt download never leaves a file that looks valid.
 */
export async function downloadFile(url: string, dest: string, opts: DownloadOptions): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  const controller = new AbortController();
  const idleMs = opts.idleTimeoutMs ?? 30_000;
  let idle = setTimeout(() => controller.abort(), idleMs);
  const hash = createHash('sha256');
  let received = 0;
  try {
    let res: Response;
    try {
      res = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    } catch (err) {
      throw new AppError('DOWNLOAD_FAILED', `cannot reach ${url}: ${errorMessage(err)}; check the network or place the file yourself at ${dest}`, { cause: err });
    }
    if (!res.ok || !res.body) {
      throw new AppError('DOWNLOAD_FAILED', `expected HTTP 200 from ${url}, got ${res.status} ${res.statusText}`);
    }
    const lengthHeader = res.headers.get('content-length');
    const total = lengthHeader ? Number(lengthHeader) : null;
    const out = createWriteStream(part);
    const closed = new Promise<void>((resolve, reject) => {
      out.on('close', resolve);
      out.on('error', reject);
    });
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        clearTimeout(idle);
        idle = setTimeout(() => controller.abort(), idleMs);
        hash.update(chunk);
        received += chunk.length;
        if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
        opts.onProgress?.(received, total);
      }
    } catch (err) {
      throw new AppError('DOWNLOAD_FAILED', `download of ${url} was interrupted after ${received} bytes: ${errorMessage(err)}; run the command again to retry`, { cause: err });
    } finally {
      out.end();
      await closed;
    }
    if (total !== null && received !== total) {
      throw new AppError('DOWNLOAD_FAILED', `download of ${url} was interrupted: expected ${total} bytes, got ${received}; run the command again to retry`);
    }
    const digest = hash.digest('hex');
    if (opts.sha256 && digest !== opts.sha256) {
      throw new AppError('CHECKSUM_MISMATCH', `expected sha256 ${opts.sha256} for ${url}, got ${digest} (${received} bytes); the file was not kept`);
    }
    await rename(part, dest);
  } catch (err) {
    await rm(part, { force: true });
    throw err;
  } finally {
    clearTimeout(idle);
  }
}
