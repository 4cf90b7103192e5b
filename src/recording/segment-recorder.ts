/**
 * Writes one camera's live fragmented MP4 into segment files: each segment is the init segment followed by whole
 * fragments, starts at a keyframe and is cut at the first keyframe after `segmentMs` (so every file plays on its own).
 * Writes are queued so the event loop never waits on the disk; a write error (disk full) drops the segment and the
 * next keyframe starts a new one. Closed segments are renamed to their final name, added to the index and handed to
 * `onClosed`.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Fragment, InitSegment } from '../media/fmp4.ts';
import type { MediaListener } from '../live/media-stream.ts';
import { segmentPath, type RecordingStore } from './recording-store.ts';
import type { SegmentInfo } from './retention.ts';

interface Current {
  readonly startMs: number;
  readonly path: string;
  endMs: number;
  bytes: number;
  handle: Promise<FileHandle>;
  chain: Promise<unknown>;
  failed: boolean;
}

export class SegmentRecorder implements MediaListener {
  private readonly cameraId: string;
  private readonly segmentMs: number;
  private readonly store: RecordingStore;
  private readonly log: Logger;
  private readonly onClosed: (segment: SegmentInfo) => void;
  private initSegment: InitSegment | null = null;
  private current: Current | null = null;
  private closing: Promise<void> = Promise.resolve();
  private lastError: string | null = null;

  constructor(cameraId: string, segmentMs: number, store: RecordingStore, log: Logger, onClosed: (segment: SegmentInfo) => void) {
    this.cameraId = cameraId;
    this.segmentMs = segmentMs;
    this.store = store;
    this.log = log;
    this.onClosed = onClosed;
  }

  init(init: InitSegment): void {
    // A new ffmpeg run: its timeline restarts, so the segment of the previous run ends here.
    this.close();
    this.initSegment = init;
  }

  fragment(fragment: Fragment, arrivalMs: number): void {
    const init = this.initSegment;
    if (!init) return;
    const cur = this.current;
    if (cur && (cur.failed || (fragment.keyframe && arrivalMs - cur.startMs >= this.segmentMs))) this.close();
    if (!this.current) {
      if (!fragment.keyframe) return;
      this.open(init, arrivalMs);
    }
    const c = this.current!;
    this.write(c, fragment.data);
    c.endMs = arrivalMs + (fragment.durationTicks / init.timescale) * 1000;
  }

  /** Resolves when every segment closed so far is on disk under its final name and in the index. */
  settled(): Promise<void> {
    return this.closing;
  }

  /** Closes the segment being written; resolves when every segment is on disk under its final name. */
  async stop(): Promise<void> {
    this.close();
    await this.closing;
  }

  private open(init: InitSegment, startMs: number): void {
    const rel = segmentPath(this.cameraId, startMs, null);
    const handle = this.store.create(rel);
    const c: Current = { startMs, path: rel, endMs: startMs, bytes: 0, handle, chain: handle, failed: false };
    this.current = c;
    this.store.setWriting(this.cameraId, { cameraId: this.cameraId, startMs, path: rel });
    this.write(c, init.data);
  }

  private write(c: Current, data: Buffer): void {
    c.bytes += data.length;
    c.chain = c.chain
      .then(async () => {
        if (c.failed) return;
        await (await c.handle).write(data);
      })
      .catch((err: NodeJS.ErrnoException) => {
        if (!c.failed && this.lastError !== err.code) this.log.warn({ err: err.message, segment: c.path }, 'recording write failed; starting a new segment at the next keyframe');
        this.lastError = err.code ?? err.message;
        c.failed = true;
      });
  }

  private close(): void {
    const c = this.current;
    if (!c) return;
    this.current = null;
    this.closing = this.closing.then(async () => {
      await c.chain;
      const handle = await c.handle.catch(() => null);
      await handle?.close().catch(() => undefined);
      if (this.store.writingSegment(this.cameraId)?.path === c.path) this.store.setWriting(this.cameraId, null);
      const endMs = Math.round(c.endMs);
      if (c.failed || endMs <= c.startMs) {
        // Not playable as a whole (disk full mid-write, or no frame): drop it.
        await this.store.remove({ cameraId: this.cameraId, startMs: c.startMs, endMs, bytes: c.bytes, path: c.path }).catch(() => undefined);
        return;
      }
      const closedPath = segmentPath(this.cameraId, c.startMs, endMs);
      try {
        await this.store.close(c.path, closedPath);
      } catch (err) {
        this.log.warn({ err: (err as Error).message, segment: c.path }, 'closing recording segment failed');
        return;
      }
      this.lastError = null;
      const segment: SegmentInfo = { cameraId: this.cameraId, startMs: c.startMs, endMs, bytes: c.bytes, path: closedPath };
      this.store.add(segment);
      this.onClosed(segment);
    });
  }
}
