import { spawn, type ChildProcess } from 'node:child_process';
import { AppError } from '../core/errors.ts';
import { ffmpegDecodeArgs, type DecodeSpec } from './ffmpeg-args.ts';
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

/** Spawns ffmpeg decoding `spec` to RGB24 frames; the only place that starts ffmpeg for decoding. */
export function startFrameDecoder(spec: DecodeSpec, onFrame: (rgb: Uint8Array) => void): FrameDecoder {
  const child: ChildProcess = spawn('ffmpeg', ffmpegDecodeArgs(spec), { stdio: ['ignore', 'pipe', 'pipe'] });
  const assembler = new FrameAssembler(spec.width * spec.height * 3);
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    for (const f of assembler.push(chunk)) onFrame(f);
  });
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
    pause: () => child.stdout!.pause(),
    resume: () => child.stdout!.resume(),
    async stop(graceMs = 2000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited.catch(() => undefined);
      clearTimeout(timer);
    },
  };
}
