import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { AppError } from '../core/errors.ts';
import type { EquivalentFile } from '../vision/model-manifest.ts';

/** One file an entry accepts: its sha256, its size in bytes (null when not recorded) and what it is. */
export interface AcceptedFile {
  readonly sha256: string;
  readonly sizeBytes: number | null;
  readonly note: string;
}

/** The checksum fields of a catalog model, sample or added model. */
export interface Checksummed {
  readonly url?: string | null;
  readonly sha256: string | null;
  readonly sizeBytes?: number | null | undefined;
  readonly equivalents?: readonly EquivalentFile[] | undefined;
}

/**
 * The files an entry accepts (pure): the one it records (the file at its URL, when it has one) and its listed
 * equivalents; empty when it records no sha256, which means any file is accepted.
 */
export function acceptedFiles(entry: Checksummed): AcceptedFile[] {
  if (entry.sha256 === null) return [];
  const own = { sha256: entry.sha256, sizeBytes: entry.sizeBytes ?? null, note: entry.url ? 'the file at its URL' : 'the recorded file' };
  return [own, ...(entry.equivalents ?? [])];
}

/** `sha256 X (N bytes, note) or sha256 Y (...)` for messages (pure). */
export function describeAccepted(files: readonly AcceptedFile[]): string {
  return files.map((f) => `sha256 ${f.sha256} (${f.sizeBytes === null ? '' : `${f.sizeBytes} bytes, `}${f.note})`).join(' or ');
}

/** A file's sha256 (hex) and size in bytes. */
export interface FileDigest {
  readonly sha256: string;
  readonly sizeBytes: number;
}

// Keyed by path and the file's identity (inode, size, modification and change times; the change time moves on every
// write, even when the modification time is set back), so a file replaced or rewritten in place is hashed again; the
// promise is kept so cameras resolving the same file at once hash it once.
const digests = new Map<string, { key: string; digest: Promise<FileDigest> }>();

async function hashFile(path: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    sizeBytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), sizeBytes };
}

/**
 * The sha256 and size of the file at `path`, hashed once per process for as long as its inode, size, modification and
 * change times stay the same. Measured on the 2-core CI machine: hashing the 3.6 MB model ~25 ms and the 8 MB clip ~40 ms
 * (up to ~100 ms when the machine is busy); a cached answer is one stat, ~0.2 ms.
 */
export async function fileDigest(path: string): Promise<FileDigest> {
  const st = await stat(path);
  const key = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  const hit = digests.get(path);
  if (hit?.key === key) return hit.digest;
  const digest = hashFile(path);
  digests.set(path, { key, digest });
  digest.catch(() => {
    if (digests.get(path)?.digest === digest) digests.delete(path);
  });
  return digest;
}

/** Whether `digest` is one of `accepted` (pure); an empty list accepts anything. */
export function isAccepted(digest: FileDigest, accepted: readonly AcceptedFile[]): boolean {
  return accepted.length === 0 || accepted.some((a) => a.sha256 === digest.sha256);
}

/**
 * Checks a local file against the files an entry accepts; throws CHECKSUM_MISMATCH naming the file, what was expected
 * and what was found, followed by `fix` (what the user can do about it).
 */
export async function verifyLocalFile(path: string, entry: Checksummed, what: string, fix: string): Promise<void> {
  const accepted = acceptedFiles(entry);
  if (accepted.length === 0) return;
  const found = await fileDigest(path);
  if (isAccepted(found, accepted)) return;
  throw new AppError(
    'CHECKSUM_MISMATCH',
    `${what}: expected ${path} to have ${describeAccepted(accepted)}, got sha256 ${found.sha256} (${found.sizeBytes} bytes); ${fix}`,
  );
}
