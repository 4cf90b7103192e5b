/**
 * Recording segments on disk and their index in memory. Layout under the media folder:
 * `recordings/<cameraId>/<YYYY-MM-DD>/<startMs>-<endMs>.mp4` for closed segments and `<startMs>.part.mp4` for the one
 * being written. The index is rebuilt from these names at start; a `.part.mp4` left by a crash is repaired (cut after
 * its last whole fragment and closed) or, when nothing in it is playable, deleted.
 */
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, statfs, truncate } from 'node:fs/promises';
import { readContained } from '../store/contained-read.ts';
import path from 'node:path';
import { completePrefix } from '../media/fmp4.ts';
import type { SegmentInfo } from './retention.ts';

const CLOSED = /^(\d{10,16})-(\d{10,16})\.mp4$/;
const PART = /^(\d{10,16})\.part\.mp4$/;

/** The relative path of a closed segment, as `GET /api/recordings` lists it. */
export const CLOSED_SEGMENT_PATH = /^recordings\/[a-z0-9][a-z0-9_-]{0,63}\/\d{4}-\d{2}-\d{2}\/\d{10,16}-\d{10,16}\.mp4$/;

/** Relative path of a segment file: closed when `endMs` is given, in progress otherwise. */
export function segmentPath(cameraId: string, startMs: number, endMs: number | null): string {
  const day = new Date(startMs).toISOString().slice(0, 10);
  return `recordings/${cameraId}/${day}/${Math.round(startMs)}${endMs === null ? '.part' : `-${Math.round(endMs)}`}.mp4`;
}

/** What a rebuild found. */
export interface RebuildReport {
  readonly segments: number;
  readonly repaired: number;
  readonly dropped: number;
}

/** A segment being written. */
export interface OpenSegment {
  readonly cameraId: string;
  readonly startMs: number;
  readonly path: string;
}

/** The recording index of one media folder. */
export class RecordingStore {
  readonly rootDir: string;
  private readonly closed = new Map<string, SegmentInfo[]>();
  private readonly writing = new Map<string, OpenSegment>();

  constructor(mediaRoot: string) {
    this.rootDir = path.resolve(mediaRoot);
  }

  private abs(relative: string): string {
    return path.join(this.rootDir, ...relative.split('/'));
  }

  /** Scans the disk, repairing or dropping half-written segments; replaces the index. */
  async rebuild(): Promise<RebuildReport> {
    this.closed.clear();
    let repaired = 0;
    let dropped = 0;
    const base = this.abs('recordings');
    const cameras = await readdir(base, { withFileTypes: true }).catch(() => []);
    for (const cam of cameras.filter((d) => d.isDirectory())) {
      for (const day of (await readdir(path.join(base, cam.name), { withFileTypes: true })).filter((d) => d.isDirectory())) {
        for (const name of await readdir(path.join(base, cam.name, day.name))) {
          const rel = `recordings/${cam.name}/${day.name}/${name}`;
          const c = CLOSED.exec(name);
          if (c) {
            const { size } = await stat(this.abs(rel));
            this.add({ cameraId: cam.name, startMs: Number(c[1]), endMs: Number(c[2]), bytes: size, path: rel });
            continue;
          }
          const p = PART.exec(name);
          if (!p) continue;
          const fixed = await this.repair(cam.name, Number(p[1]), rel);
          if (fixed) {
            this.add(fixed);
            repaired++;
          } else dropped++;
        }
      }
    }
    return { segments: this.segments().length, repaired, dropped };
  }

  /** Cuts a half-written segment after its last whole fragment and closes it; deletes it when nothing is playable. */
  private async repair(cameraId: string, startMs: number, rel: string): Promise<SegmentInfo | null> {
    const file = this.abs(rel);
    const data = await readFile(file);
    const { bytes, init, fragments } = completePrefix(data);
    if (!init || fragments.length === 0 || !fragments[0]!.keyframe) {
      await rm(file, { force: true });
      return null;
    }
    if (bytes < data.length) await truncate(file, bytes);
    const ticks = fragments.reduce((n, f) => n + f.durationTicks, 0);
    const endMs = Math.round(startMs + (ticks / init.timescale) * 1000);
    const closedPath = segmentPath(cameraId, startMs, endMs);
    await rename(file, this.abs(closedPath));
    return { cameraId, startMs, endMs, bytes, path: closedPath };
  }

  /** Adds a closed segment to the index. */
  add(segment: SegmentInfo): void {
    const list = this.closed.get(segment.cameraId) ?? [];
    list.push(segment);
    list.sort((a, b) => a.startMs - b.startMs);
    this.closed.set(segment.cameraId, list);
  }

  /** Closed segments, oldest first (of one camera, or of all). */
  segments(cameraId?: string): SegmentInfo[] {
    if (cameraId !== undefined) return [...(this.closed.get(cameraId) ?? [])];
    return [...this.closed.values()].flat().sort((a, b) => a.startMs - b.startMs);
  }

  /** Total bytes of closed segments. */
  totalBytes(cameraId?: string): number {
    return this.segments(cameraId).reduce((n, s) => n + s.bytes, 0);
  }

  /** Records which segment a camera is writing (null: none); retention never touches it. */
  setWriting(cameraId: string, segment: OpenSegment | null): void {
    if (segment) this.writing.set(cameraId, segment);
    else this.writing.delete(cameraId);
  }

  /** The segment a camera is writing, if any. */
  writingSegment(cameraId: string): OpenSegment | null {
    return this.writing.get(cameraId) ?? null;
  }

  /** Deletes a closed segment's file and drops it from the index. Never the one being written. */
  async remove(segment: SegmentInfo): Promise<void> {
    if ([...this.writing.values()].some((w) => w.path === segment.path)) throw new Error(`segment ${segment.path} is being written`);
    const list = this.closed.get(segment.cameraId) ?? [];
    const i = list.findIndex((s) => s.path === segment.path);
    if (i >= 0) list.splice(i, 1);
    const file = this.abs(segment.path);
    await rm(file, { force: true });
    await rmdir(path.dirname(file)).catch(() => undefined); // only succeeds once the day folder is empty
  }

  /** Closed segments of a camera that overlap [fromMs, toMs], oldest first, plus the one being written when it does. */
  overlapping(cameraId: string, fromMs: number, toMs: number): { path: string; startMs: number }[] {
    const out: { path: string; startMs: number }[] = this.segments(cameraId).filter((s) => s.startMs <= toMs && s.endMs >= fromMs);
    const w = this.writing.get(cameraId);
    if (w && w.startMs <= toMs) out.push(w);
    return out;
  }

  /** Free bytes on the disk that holds the media folder, or null when it cannot be read. */
  async freeBytes(): Promise<number | null> {
    try {
      const s = await statfs(this.rootDir);
      return s.bavail * s.bsize;
    } catch {
      return null;
    }
  }

  /** Reads a segment file (relative path), or null when gone. */
  async read(relative: string): Promise<Buffer | null> {
    try {
      return await readContained(this.rootDir, this.abs(relative));
    } catch {
      return null;
    }
  }

  /** Opens a new segment file for appending (its folder created). */
  async create(relative: string) {
    const file = this.abs(relative);
    await mkdir(path.dirname(file), { recursive: true });
    return open(file, 'wx');
  }

  /** Renames a written segment to its closed name. */
  async close(from: string, to: string): Promise<void> {
    await rename(this.abs(from), this.abs(to));
  }
}
