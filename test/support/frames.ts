import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import sharp from 'sharp';
import type { Frame } from '../../src/core/types.ts';
import { probeVideo } from '../../src/ingest/ffprobe.ts';

const run = promisify(execFile);

/** Decodes `count` frames of a video with ffmpeg, `everySeconds` apart, at the video's own size. */
export async function decodeFrames(path: string, opts: { count: number; everySeconds: number }): Promise<Frame[]> {
  const info = await probeVideo(path);
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-i', path, '-vf', `fps=1/${opts.everySeconds}`, '-frames:v', String(opts.count), '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1'],
    { encoding: 'buffer', maxBuffer: 1 << 28 },
  );
  const size = info.width * info.height * 3;
  const frames: Frame[] = [];
  for (let i = 0; (i + 1) * size <= stdout.length; i++) {
    frames.push({ index: i, timeMs: i * opts.everySeconds * 1000, width: info.width, height: info.height, rgb: new Uint8Array(stdout.subarray(i * size, (i + 1) * size)) });
  }
  return frames;
}

/** Decodes a still image (JPEG, PNG) to a packed RGB24 frame. */
export async function jpegFrame(path: string): Promise<Frame> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { index: 0, timeMs: 0, width: info.width, height: info.height, rgb: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
