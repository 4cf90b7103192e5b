/**
 * Media files (event snapshots) under one root folder, addressed by `/`-separated paths relative to that root.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { readContained } from './contained-read.ts';
import path from 'node:path';
import { AppError } from '../core/errors.ts';

/** Reads and writes media files; paths are relative to the media root and never leave it. */
export interface MediaStore {
  /** Absolute path of the media root folder. */
  readonly rootDir: string;
  /**
   * Writes an event's snapshot JPEG atomically and returns its relative path,
   * `snapshots/<cameraId>/<YYYY-MM-DD>/<eventId>.jpg` (date of `timeMs` in UTC). Rewriting replaces the file.
   */
  writeSnapshot(input: SnapshotInput): Promise<string>;
  /** Writes `data` at `relativePath` atomically (readers see the old file or the new one, never a partial one). */
  writeFile(relativePath: string, data: Uint8Array): Promise<void>;
  /** The file at `relativePath`, or null when there is none. */
  readFile(relativePath: string): Promise<Buffer | null>;
  /** Absolute path for `relativePath`; throws `AppError('BAD_REQUEST')` for a path that is absolute or leaves the root. */
  absolutePath(relativePath: string): string;
}

/** What `writeSnapshot` needs. */
export interface SnapshotInput {
  readonly cameraId: string;
  readonly eventId: string;
  /** Time of the snapshot in ms since the Unix epoch; picks the date folder (UTC). */
  readonly timeMs: number;
  readonly jpeg: Uint8Array;
}

/** A file or folder name that is safe on every filesystem: no separators, no `.`/`..`, no leading dot. */
const SAFE_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

/** Relative path of an event's snapshot: `snapshots/<cameraId>/<YYYY-MM-DD>/<eventId>.jpg`, date in UTC. */
export function snapshotRelativePath(cameraId: string, eventId: string, timeMs: number): string {
  for (const [name, value] of [
    ['cameraId', cameraId],
    ['eventId', eventId],
  ] as const) {
    if (!SAFE_SEGMENT.test(value)) {
      throw new AppError('BAD_REQUEST', `${name} must be letters, digits, _ . - (not starting with .), got "${value}"`);
    }
  }
  const date = new Date(timeMs);
  if (!Number.isFinite(timeMs) || Number.isNaN(date.getTime())) {
    throw new AppError('BAD_REQUEST', `snapshot timeMs must be a valid time in ms since the epoch, got ${timeMs}`);
  }
  return `snapshots/${cameraId}/${date.toISOString().slice(0, 10)}/${eventId}.jpg`;
}

/** `MediaStore` on the local filesystem. */
export class FileMediaStore implements MediaStore {
  readonly rootDir: string;

  /** `rootDir` is resolved against the working directory now; it is created on the first write. */
  constructor(rootDir: string) {
    this.rootDir = path.resolve(rootDir);
  }

  async writeSnapshot(input: SnapshotInput): Promise<string> {
    const relativePath = snapshotRelativePath(input.cameraId, input.eventId, input.timeMs);
    await this.writeFile(relativePath, input.jpeg);
    return relativePath;
  }

  async writeFile(relativePath: string, data: Uint8Array): Promise<void> {
    const target = this.absolutePath(relativePath);
    await mkdir(path.dirname(target), { recursive: true });
    // Same folder as the target, so rename() is atomic; a crash leaves at most a stray `.tmp` file.
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomUUID()}.tmp`);
    try {
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(data);
        // Flush before rename so that after a power loss the name never points at an empty file.
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }

  async readFile(relativePath: string): Promise<Buffer | null> {
    return readContained(this.rootDir, this.absolutePath(relativePath));
  }

  absolutePath(relativePath: string): string {
    const reject = (why: string): never => {
      throw new AppError('BAD_REQUEST', `media path "${relativePath}" ${why}; expected a path inside the media folder like snapshots/gate/2024-01-31/<id>.jpg`);
    };
    if (relativePath === '' || relativePath.includes('\0')) reject('is empty or contains a NUL byte');
    if (relativePath.includes('\\')) reject('contains a backslash');
    if (path.posix.isAbsolute(relativePath) || path.isAbsolute(relativePath)) reject('is absolute');
    const absolute = path.resolve(this.rootDir, ...relativePath.split('/'));
    const back = path.relative(this.rootDir, absolute);
    if (back === '' || back === '..' || back.startsWith(`..${path.sep}`) || path.isAbsolute(back)) {
      reject('leaves the media folder');
    }
    return absolute;
  }
}
