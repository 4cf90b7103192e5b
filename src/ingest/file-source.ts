/**
 * A video file read offline as a `FrameSource`: every frame, in order, as fast as the consumer takes them (ffmpeg is
 * paused when a few frames wait, never dropped from). Frame times are media time from the start of the video.
 */
import type { DetectorImageSpec, Frame, PlanarImage } from '../core/types.ts';
import { startFrameDecoder } from './ffmpeg-frames.ts';
import type { SourceStatus } from '../core/camera-status.ts';
import type { FrameSource } from '../pipeline/ports.ts';

/** Frames buffered between ffmpeg and the consumer before ffmpeg is paused. */
const HIGH_WATER = 4;

/** What to decode. */
export interface FileSourceOptions {
  readonly path: string;
  readonly width: number;
  readonly height: number;
  /** Frames per second to take; null = every frame of the file. */
  readonly fps: number | null;
  /** Frames per second the frame times are counted in (the given fps, or the file's). */
  readonly timeFps: number;
  readonly detectorImage: DetectorImageSpec | null;
  /** Decode at background CPU priority (batch jobs beside live cameras). */
  readonly background?: boolean;
  /** Frames without the whole picture, the detector image only (`detectorImage` must be set): nothing needs it. */
  readonly detectorImageOnly?: boolean;
  /** Let the worker read ahead (`FrameSource.readAhead`); default true. */
  readonly readAhead?: boolean;
}

/** A `FrameSource` over a file, with `exitError()` saying why ffmpeg failed when it delivered nothing. */
export interface FileFrameSource extends FrameSource {
  /** After the end: ffmpeg's complaint when it exited with an error before delivering any frame, else null. */
  exitError(): Promise<string | null>;
}

/** Builds the source of an offline analysis (ffmpeg starts on `start`). */
export function fileFrameSource(o: FileSourceOptions): FileFrameSource {
  const pending: { rgb?: Uint8Array; detectorImage?: PlanarImage }[] = [];
  let decoder: ReturnType<typeof startFrameDecoder> | null = null;
  let exit: Promise<{ code: number | null; stderrTail: string }> | null = null;
  let ended = false;
  let wake: (() => void) | null = null;
  let index = 0;
  let state: SourceStatus['state'] = 'starting';
  const status = (): SourceStatus => ({
    state, lastError: null, framesDecoded: index + pending.length, framesDropped: 0, restarts: 0, fpsMeasured: 0, width: o.width, height: o.height,
  });
  return {
    wallClock: false,
    readAhead: o.readAhead ?? true,
    start() {
      if (decoder) return;
      state = 'online';
      decoder = startFrameDecoder(
        {
          url: o.path, width: o.width, height: o.height, fps: o.fps, realtime: false, loop: false, rtspTransport: 'tcp', timeoutMs: 10_000,
          detectorImage: o.detectorImage, background: o.background ?? false, detectorImageOnly: o.detectorImageOnly ?? false,
        },
        (rgb, detectorImage) => {
          pending.push({ ...(rgb ? { rgb } : {}), ...(detectorImage ? { detectorImage } : {}) });
          if (pending.length >= HIGH_WATER) decoder?.pause();
          wake?.();
        },
      );
      exit = decoder.exited.finally(() => {
        ended = true;
        wake?.();
      });
    },
    async next() {
      for (;;) {
        if (pending.length > 0) {
          const next = pending.shift()!;
          if (pending.length < HIGH_WATER / 2) decoder?.resume();
          const frame: Frame = { index, timeMs: (index * 1000) / o.timeFps, width: o.width, height: o.height, ...next };
          index++;
          return frame;
        }
        if (ended || !decoder) {
          state = 'ended';
          return null;
        }
        await new Promise<void>((r) => (wake = r));
        wake = null;
      }
    },
    async stop() {
      ended = true;
      pending.length = 0;
      wake?.();
      await decoder?.stop();
      state = 'stopped';
    },
    status,
    async exitError() {
      const e = await exit;
      return e && e.code !== 0 && index === 0 ? e.stderrTail || `exit code ${e.code}` : null;
    },
  };
}
