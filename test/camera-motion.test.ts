// Camera motion measured from the frames (`detect.cameraMotion`), through `sightline analyze` on real footage: the
// plaza clip seen through a window that jumps as a shaken or re-aimed camera would, against the same clip through a
// still window. With the camera's motion measured, the tracker keeps far more of its people; on the still window the
// tracks are exactly those without it (a fixed camera comes out unchanged).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ASSETS, asset } from './support/assets.ts';

const run = promisify(execFile);

test('a jumping view keeps its people when the camera motion is measured; a still view is unchanged by it', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-camera-motion-'));
  try {
    const clip = (name: string, crop: string) => run('ffmpeg', ['-v', 'error', '-y', '-i', asset('videos/vtest.avi'), '-t', '10', '-vf', `crop=480:400:${crop}`, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', join(dir, name)]);
    // Every half second the view jumps 40 px sideways (back 120 px every 2 s), every third of a second 20 px up or down.
    await clip('jumps.mp4', "'144+40*mod(floor(t*2)\\,4)':'88+20*mod(floor(t*3)\\,3)'");
    await clip('still.mp4', '144:88');
    writeFileSync(join(dir, 'on.yaml'), 'detect:\n  cameraMotion: true\n');
    writeFileSync(join(dir, 'off.yaml'), 'detect:\n  cameraMotion: false\n');
    const ids = async (video: string, rules: string) => {
      const out = join(dir, `${video}-${rules}.txt`);
      await run('node', ['bin/sightline.mjs', 'analyze', join(dir, `${video}.mp4`), '--rules', join(dir, `${rules}.yaml`), '--mot', out, '--online'], {
        env: { ...process.env, SIGHTLINE_ASSETS: ASSETS, SIGHTLINE_MODELS__DOWNLOAD: 'false' }, maxBuffer: 1 << 24,
      });
      const text = readFileSync(out, 'utf8');
      return { text, tracks: new Set(text.trim().split('\n').map((l) => l.split(',')[1])).size };
    };
    const [jumpOff, jumpOn] = [await ids('jumps', 'off'), await ids('jumps', 'on')];
    assert.ok(jumpOn.tracks <= 0.6 * jumpOff.tracks, `tracks with the motion measured: ${jumpOn.tracks}, without: ${jumpOff.tracks}`);
    const [stillOff, stillOn] = [await ids('still', 'off'), await ids('still', 'on')];
    assert.equal(stillOn.text, stillOff.text, 'the still view gives the same tracks, row for row');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
