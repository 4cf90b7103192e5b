import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Frames per second of the coded clip, and how many frames it has (a multiple of the code's period). */
export const CODED_FPS = 10;
export const CODE_PERIOD = 40;
const FRAMES = 200;

/**
 * A clip whose every frame says which one it is: 320x240 at 10 fps, 20 s, frame N an even grey of luma
 * 20 + 5 * (N mod 40) under a faint texture, H.264 with B-frames (stored out of display order, so presentation times
 * differ from decode times). Encoded once per machine into the temp folder.
 */
export async function codedClip(): Promise<string> {
  const dir = join(tmpdir(), 'sightline-coded-clips');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `coded-${CODED_FPS}fps-${FRAMES}.mp4`);
  if (existsSync(out)) return out;
  const temp = `${out}.${process.pid}.tmp.mp4`;
  await run('ffmpeg', [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=black:s=320x240:r=${CODED_FPS}:d=${FRAMES / CODED_FPS},format=yuv420p`,
    '-vf', `geq=lum='20+mod(N\\,${CODE_PERIOD})*5+8*sin(X/7)*sin(Y/9)':cb=128:cr=128`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-bf', '3', '-g', '20', '-pix_fmt', 'yuv420p', temp,
  ]);
  renameSync(temp, out);
  return out;
}

/**
 * The code (frame number mod 40) of a coded frame from its packed RGB pixels: the mean red of the middle of the
 * picture, taken back from video range to luma.
 */
export function frameCode(rgb: Uint8Array | Uint8ClampedArray, width: number, height: number, channels = 3): number {
  let sum = 0;
  let n = 0;
  for (let y = Math.floor(height / 4); y < Math.floor((3 * height) / 4); y++) {
    for (let x = Math.floor(width / 4); x < Math.floor((3 * width) / 4); x++) {
      sum += rgb[(y * width + x) * channels]!;
      n++;
    }
  }
  return codeOfMeanRed(sum / n);
}

/** The code of a coded frame from the mean red of its middle (the region `frameCode` reads). */
export function codeOfMeanRed(red: number): number {
  const luma = (red * 219) / 255 + 16;
  return ((Math.round((luma - 20) / 5) % CODE_PERIOD) + CODE_PERIOD) % CODE_PERIOD;
}
