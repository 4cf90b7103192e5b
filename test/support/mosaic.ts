// A DVR-style 2x2 mosaic of four real clips (ffmpeg's xstack), 1280x720 at 10 fps, for the mosaic tests.
import { execFileSync } from 'node:child_process';
import { asset } from './assets.ts';

export const MOSAIC_CLIPS = ['people-walking-street-720p.mp4', 'cars-street-720p.mp4', 'swiftlet-birds-cctv-720p.mp4', 'vtest.avi'] as const;

/** Writes the mosaic to `file` (H.264, a keyframe every second), `seconds` long. */
export function buildMosaic(file: string, seconds: number): void {
  const clips = MOSAIC_CLIPS;
  execFileSync('ffmpeg', [
    '-v', 'error', ...clips.flatMap((c) => ['-stream_loop', '-1', '-i', asset(`videos/${c}`)]),
    '-filter_complex', `${clips.map((_, i) => `[${i}:v]fps=10,scale=640:360,setsar=1[t${i}]`).join(';')};[t0][t1][t2][t3]xstack=inputs=4:layout=0_0|640_0|0_360|640_360[o]`,
    '-map', '[o]', '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', file,
  ]);
}
