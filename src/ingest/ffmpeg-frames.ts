import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import type { Readable } from 'node:stream';
import { AppError } from '../core/errors.ts';
import type { Frame, PlanarImage } from '../core/types.ts';
import { decodesDetectorImageOnly, DETECTOR_OUTPUT_FD, ffmpegDecodeArgs, MEDIA_OUTPUT_FD, TIMESTAMPS_OUTPUT_FD, type DecodeSpec } from './ffmpeg-args.ts';
import { TimestampLines } from './timestamp-lines.ts';
import { FrameAssembler } from './frame-assembler.ts';
import { redactUrl } from './redact.ts';

/** How an ffmpeg decode ended. */
export interface DecodeExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Last lines ffmpeg wrote to stderr, credentials redacted. */
  readonly stderrTail: string;
}

/** A running ffmpeg decoder: frames go to `onFrame`, the end comes through `exited`. */
export interface FrameDecoder {
  readonly exited: Promise<DecodeExit>;
  /** Stops ffmpeg: SIGTERM, then SIGKILL after `graceMs`. Resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** Stops reading ffmpeg's output (it blocks when the pipe fills): backpressure for offline runs. */
  pause(): void;
  resume(): void;
  readonly pid: number | undefined;
}

/**
 * Spawns ffmpeg decoding `spec` to RGB24 frames; the only place that starts ffmpeg for decoding. With
 * `spec.detectorImage`, each frame comes with its detector-size planar image; with `spec.media`, the fragmented-MP4
 * bytes go to `onMedia` as they arrive and each frame comes with its presentation time (ms on ffmpeg's output
 * timeline). ffmpeg writes frame N to every output before frame N + 1, so the outputs are paired in arrival order.
 */
export function startFrameDecoder(
  spec: DecodeSpec,
  onFrame: (rgb: Uint8Array | undefined, detectorImage?: PlanarImage, ptsMs?: number) => void,
  onMedia?: (chunk: Buffer) => void,
): FrameDecoder {
  const d = spec.detectorImage ?? null;
  // The detector image alone: frames are counted by it, and stdout carries nothing.
  const only = decodesDetectorImageOnly(spec);
  const stdio: ('ignore' | 'pipe')[] = ['ignore', only ? 'ignore' : 'pipe', 'pipe'];
  if (d) stdio[DETECTOR_OUTPUT_FD] = 'pipe';
  if (spec.media) {
    stdio[DETECTOR_OUTPUT_FD] ??= 'ignore';
    stdio[MEDIA_OUTPUT_FD] = 'pipe';
    stdio[TIMESTAMPS_OUTPUT_FD] = 'pipe';
  }
  const child: ChildProcess = spawn('ffmpeg', ffmpegDecodeArgs(spec), { stdio });
  if (spec.background) lowerPriority(child.pid);
  const assembler = only ? null : new FrameAssembler(spec.width * spec.height * 3);
  const readables: Readable[] = only ? [] : [child.stdout!];
  let stderr = '';
  const fulls: Uint8Array[] = [];
  const smalls: Uint8Array[] = [];
  const stamps: number[] = [];
  // Each assembled frame is a fresh buffer at offset 0, so a float view over it is aligned (little-endian host).
  const view = (b: Uint8Array) => (d?.float ? new Float32Array(b.buffer, b.byteOffset, b.length / 4) : b);
  const emit = () => {
    while ((only || fulls.length > 0) && (!d || smalls.length > 0) && (!spec.media || stamps.length > 0)) {
      const image = d ? { width: d.width, height: d.height, gbr: view(smalls.shift()!) } : undefined;
      onFrame(only ? undefined : fulls.shift()!, image, spec.media ? stamps.shift()! : undefined);
    }
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    fulls.push(...assembler!.push(chunk));
    emit();
  });
  if (d) {
    const small = child.stdio[DETECTOR_OUTPUT_FD] as Readable;
    readables.push(small);
    const smallAssembler = new FrameAssembler(d.width * d.height * 3 * (d.float ? 4 : 1));
    small.on('data', (chunk: Buffer) => {
      smalls.push(...smallAssembler.push(chunk));
      emit();
    });
  }
  if (spec.media) {
    const times = (child.stdio as unknown as Readable[])[TIMESTAMPS_OUTPUT_FD]!;
    readables.push(times);
    const lines = new TimestampLines();
    times.on('data', (chunk: Buffer) => {
      stamps.push(...lines.push(chunk));
      emit();
    });
  }
  if (spec.media) {
    const media = child.stdio[MEDIA_OUTPUT_FD] as Readable;
    readables.push(media);
    media.on('data', (chunk: Buffer) => onMedia?.(chunk));
  }
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<DecodeExit>((resolve, reject) => {
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') reject(new AppError('FFMPEG_MISSING', 'ffmpeg is not installed; install it with: apt-get install -y ffmpeg'));
      else reject(err);
    });
    child.on('close', (code, signal) => {
      const tail = redactUrl(stderr.trim().split('\n').slice(-3).join(' | ')).replaceAll(spec.url, redactUrl(spec.url));
      resolve({ code, signal, stderrTail: tail });
    });
  });
  exited.catch(() => undefined);
  return {
    exited,
    pid: child.pid,
    pause: () => readables.forEach((r) => r.pause()),
    resume: () => readables.forEach((r) => r.resume()),
    async stop(graceMs = 2000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited.catch(() => undefined);
      clearTimeout(timer);
    },
  };
}

/** Niceness of background decoders and encoders: below every live decoder (0), not idle-only (19), so a job still ends. */
export const BACKGROUND_NICENESS = 10;

/** Lowers a child's CPU priority; a process already gone, or a system that refuses, leaves it as it was. */
export function lowerPriority(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, BACKGROUND_NICENESS);
  } catch {
    // the child exited already, or lowering is not allowed here: it runs at normal priority
  }
}

/**
 * Decodes the first `count` frames of `spec` (each with its detector image when `spec.detectorImage` is set), then
 * stops ffmpeg. Frame times are `index * 1000 / fps`. Throws SOURCE_UNAVAILABLE when nothing could be decoded.
 */
export async function collectFrames(spec: DecodeSpec, count: number): Promise<Frame[]> {
  const frames: Frame[] = [];
  const { width, height } = spec;
  const decoder = startFrameDecoder(spec, (rgb, detectorImage) => {
    if (frames.length < count) {
      const index = frames.length;
      frames.push({ index, timeMs: (index * 1000) / (spec.fps ?? 1), width, height, ...(rgb ? { rgb } : {}), ...(detectorImage ? { detectorImage } : {}) });
    }
    if (frames.length === count) void decoder.stop();
  });
  const exit = await decoder.exited;
  if (frames.length === 0) {
    throw new AppError('SOURCE_UNAVAILABLE', `no frames decoded from ${redactUrl(spec.url)}: ${exit.stderrTail || `ffmpeg exited with code ${exit.code}`}`);
  }
  return frames;
}
