/**
 * Writes a batch job's annotated video: the input decoded again at the analysed rate, each frame's tracks drawn as
 * boxes (a colour per track id), encoded as H.264 MP4 by a second ffmpeg fed raw frames on stdin.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { drawBox, trackColour } from '../media/draw-boxes.ts';
import type { TrackRow } from '../tracking/offline.ts';
import { frameRgb } from '../core/types.ts';
import { fileFrameSource } from './file-source.ts';
import { lowerPriority } from './ffmpeg-frames.ts';

export interface AnnotateOptions {
  readonly input: string;
  readonly output: string;
  readonly width: number;
  readonly height: number;
  /** Frames per second the tracks were made at (null: every frame of the file) and the frame times are counted in. */
  readonly fps: number | null;
  readonly timeFps: number;
  /** 1-based frames, as analyze's track rows. */
  readonly rows: readonly TrackRow[];
  readonly signal?: AbortSignal | undefined;
}

/** Decodes, draws, encodes; resolves with the frames written. The output is removed when it fails or is aborted. */
export async function writeAnnotatedVideo(o: AnnotateOptions): Promise<number> {
  const byFrame = new Map<number, TrackRow[]>();
  for (const r of o.rows) byFrame.set(r.frame, [...(byFrame.get(r.frame) ?? []), r]);
  const source = fileFrameSource({ path: o.input, width: o.width, height: o.height, fps: o.fps, timeFps: o.timeFps, detectorImage: null, background: true });
  const encoder = spawn('ffmpeg', [
    '-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${o.width}x${o.height}`, '-r', String(o.timeFps), '-i', 'pipe:0',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', o.output,
  ], { stdio: ['pipe', 'ignore', 'pipe'] });
  lowerPriority(encoder.pid); // a job's work: live cameras win the cores
  let stderr = '';
  encoder.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const exited = once(encoder, 'exit') as Promise<[number | null]>;
  const abort = () => void source.stop();
  o.signal?.addEventListener('abort', abort, { once: true });
  let frames = 0;
  try {
    source.start();
    for (;;) {
      const frame = await source.next();
      if (!frame) break;
      const rgb = Buffer.from(frameRgb(frame, 'the annotated video'));
      for (const r of byFrame.get(frame.index + 1) ?? []) drawBox(rgb, o.width, o.height, [r.x, r.y, r.x + r.w, r.y + r.h], trackColour(r.id), Math.max(2, Math.round(o.width / 400)));
      if (!encoder.stdin!.write(rgb)) await once(encoder.stdin!, 'drain');
      frames++;
    }
    encoder.stdin!.end();
    const [code] = await exited;
    if (o.signal?.aborted) throw new Error('stopped');
    if (code !== 0) throw new Error(`ffmpeg could not encode the annotated video: ${stderr.trim() || `exit code ${code}`}`);
    return frames;
  } catch (err) {
    encoder.kill('SIGKILL');
    await rm(o.output, { force: true });
    throw err;
  } finally {
    o.signal?.removeEventListener('abort', abort);
    await source.stop();
  }
}
