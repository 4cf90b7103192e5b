import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AppError, errorMessage } from '../core/errors.ts';
import { describeAccepted, type AcceptedFile } from './verify-file.ts';

/**
 * Where to download a catalog file from (pure): `<mirror>/<file>` when a mirror is set (a folder of catalog files served
 * over HTTP, for sites without internet access), otherwise the entry's own URL; null when it has neither.
 */
export function downloadUrl(entry: { readonly file: string; readonly url: string | null }, mirror: string | null | undefined): string | null {
  if (!mirror) return entry.url;
  return new URL(encodeURIComponent(entry.file), mirror.endsWith('/') ? mirror : `${mirror}/`).href;
}

/** Download progress: bytes so far and the total when the server tells it. */
export type DownloadProgress = (receivedBytes: number, totalBytes: number | null) => void;

/** Options for `downloadFile`. */
export interface DownloadOptions {
  /** The files the download may be (`acceptedFiles`); it is kept only when its sha256 is one of theirs. Empty: any file. */
  readonly accept: readonly AcceptedFile[];
  readonly onProgress?: DownloadProgress;
  /** Abort when no bytes arrive for this long (default 30 s). */
  readonly idleTimeoutMs?: number;
  /** What is downloaded, for messages (`model yolox-nano`); they start with it. */
  readonly what?: string;
}

/**
 * Downloads `url` to `dest` through `dest.part`, checking the sha256 against the accepted files; `dest` appears only
 * when the whole file arrived and matched, so an interrupted or corrupt download never leaves a file that looks valid.
 */
export async function downloadFile(url: string, dest: string, opts: DownloadOptions): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  const controller = new AbortController();
  const idleMs = opts.idleTimeoutMs ?? 30_000;
  let idle = setTimeout(() => controller.abort(), idleMs);
  const hash = createHash('sha256');
  let received = 0;
  const failure = (code: 'DOWNLOAD_FAILED' | 'CHECKSUM_MISMATCH', message: string, cause?: unknown) =>
    new AppError(code, opts.what ? `${opts.what}: ${message}` : message, cause === undefined ? undefined : { cause });
  try {
    let res: Response;
    try {
      res = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    } catch (err) {
      throw failure('DOWNLOAD_FAILED', `cannot reach ${url}: ${errorMessage(err)}; check the network or place the file yourself at ${dest}`, err);
    }
    if (!res.ok || !res.body) {
      throw failure('DOWNLOAD_FAILED', `expected HTTP 200 from ${url}, got ${res.status} ${res.statusText}`);
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
      throw failure('DOWNLOAD_FAILED', `download of ${url} was interrupted after ${received} bytes: ${errorMessage(err)}; run the command again to retry`, err);
    } finally {
      out.end();
      await closed;
    }
    if (total !== null && received !== total) {
      throw failure('DOWNLOAD_FAILED', `download of ${url} was interrupted: expected ${total} bytes, got ${received}; run the command again to retry`);
    }
    const digest = hash.digest('hex');
    if (opts.accept.length > 0 && !opts.accept.some((a) => a.sha256 === digest)) {
      throw failure('CHECKSUM_MISMATCH', `expected ${describeAccepted(opts.accept)} from ${url}, got sha256 ${digest} (${received} bytes); the file was not kept`);
    }
    await rename(part, dest);
  } catch (err) {
    await rm(part, { force: true });
    throw err;
  } finally {
    clearTimeout(idle);
  }
}
