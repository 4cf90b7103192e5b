// Overlay sync in a real browser (Debian's chromium via playwright-core): the dashboard's Live page plays a camera
// whose every frame shows its number (an H.264 clip with B-frames, looped as a live file source, analysed at its own
// rate, so the n-th analysed frame is the n-th frame of the stream). For each frame the browser presents
// (requestVideoFrameCallback), the test reads the number off the picture and compares it with the analysis the page
// drew on it: the tracks message drawn must be the one computed for that very frame (its pts within half a frame of
// the callback's media time, and its frame number the presented picture's).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { startApp, type RunningApp } from '../src/app.ts';
import { DASHBOARD_DIR, dashboardBuilt } from '../src/api/routes/dashboard.ts';
import { validateConfig } from '../src/config/load.ts';
import { ASSETS } from './support/assets.ts';
import { artifact, launchBrowser } from './support/browser.ts';
import { CODE_PERIOD, CODED_FPS, codedClip, codeOfMeanRed } from './support/coded-clip.ts';
import { sleep } from './support/wait.ts';

let app: RunningApp;
let dataDir: string;
let browser: Browser;

before(async () => {
  assert.ok(dashboardBuilt(DASHBOARD_DIR), `the dashboard is built at ${DASHBOARD_DIR} (npm run build -w web; the test command does it)`);
  dataDir = mkdtempSync(join(tmpdir(), 'sightline-overlay-'));
  const r = validateConfig({
    server: { port: 0, host: '127.0.0.1' }, auth: { enabled: false }, dataDir, assets: ASSETS, log: { level: 'silent' }, models: { download: false },
    cameras: [{ id: 'coded', name: 'Coded', source: { url: await codedClip(), loop: true }, detect: { fps: CODED_FPS, width: 320 }, record: { mode: 'off' } }],
  });
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.problems));
  app = await startApp(r.config, pino({ level: 'silent' }));
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** One presented frame: its media time, the mean red of the picture's middle, the message drawn on it. */
interface Presented { mediaTime: number; red: number; pts: number | null; frameIndex: number | null }

test('the boxes drawn on each presented frame are the analysis of that frame (pts and picture agree)', { timeout: 120_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(`${app.url}/live`);
  await page.waitForFunction(() => {
    const v = document.querySelector('video[data-camera="coded"]') as (HTMLVideoElement & { sightlinePlayer?: { stats: { mode: string; tracksMessages: number } } }) | null;
    return v?.sightlinePlayer?.stats.mode === 'mse' && v.sightlinePlayer.stats.tracksMessages > 10 && v.videoWidth > 0;
  }, null, { timeout: 60_000 });
  // The player settles at the analysis's delay behind the live edge (it slows down or jumps to get there).
  await page.waitForFunction(() => {
    const v = document.querySelector('video[data-camera="coded"]') as HTMLVideoElement & { sightlinePlayer: { stats: { playoutTargetS: number; playoutDelayS: number | null } } };
    const s = v.sightlinePlayer.stats;
    return s.playoutDelayS !== null && Math.abs(s.playoutDelayS - s.playoutTargetS) < 0.05;
  }, null, { timeout: 30_000 });
  // From here on, every presented frame is recorded as the player draws it.
  await page.evaluate(() => {
    const video = document.querySelector('video[data-camera="coded"]') as HTMLVideoElement & { sightlinePlayer: { onDrawn: unknown } };
    const canvas = document.createElement('canvas');
    const w = (canvas.width = video.videoWidth);
    const h = (canvas.height = video.videoHeight);
    const g = canvas.getContext('2d', { willReadFrequently: true })!;
    const seen: unknown[] = [];
    (window as unknown as { presented: unknown[] }).presented = seen;
    video.sightlinePlayer.onDrawn = (mediaTime: number, msg: { pts: number | null; frameIndex?: number } | null) => {
      g.drawImage(video, 0, 0, w, h);
      // The mean red of the middle half of the picture (the region the clip's number is read from).
      const px = g.getImageData(Math.floor(w / 4), Math.floor(h / 4), Math.floor(w / 2), Math.floor(h / 2)).data;
      let sum = 0;
      for (let i = 0; i < px.length; i += 4) sum += px[i]!;
      seen.push({ mediaTime, red: sum / (px.length / 4), pts: msg?.pts ?? null, frameIndex: msg?.frameIndex ?? null });
    };
  });
  await sleep(8000);
  const raw = await page.evaluate(() => {
    const list = (window as unknown as { presented: unknown[] }).presented.splice(0);
    const video = document.querySelector('video[data-camera="coded"]') as HTMLVideoElement & { sightlinePlayer: { onDrawn: unknown } };
    video.sightlinePlayer.onDrawn = null;
    return list;
  }) as Presented[];
  const playout = await page.evaluate(() => (document.querySelector('video[data-camera="coded"]') as unknown as { sightlinePlayer: { stats: { playoutTargetS: number } } }).sightlinePlayer.stats.playoutTargetS);
  await page.screenshot({ path: artifact('overlay-sync.png') });
  await page.close();
  assert.deepEqual(errors, [], 'the page runs without errors');

  const frameS = 1 / CODED_FPS;
  const frames = raw.map((p) => ({ ...p, code: codeOfMeanRed(p.red) }));
  // The analysis drawn is that frame's own when its pts is within half a frame of the presented media time.
  const own = frames.filter((f) => f.pts !== null && Math.abs(f.pts - f.mediaTime) <= frameS / 2);
  const offsets = new Set(own.map((f) => (((f.code - f.frameIndex!) % CODE_PERIOD) + CODE_PERIOD) % CODE_PERIOD));
  const within = frames.filter((f) => f.pts !== null && Math.abs(f.pts - f.mediaTime) <= frameS).length;
  console.log(`# overlay sync: ${frames.length} frames presented in 8 s; ${own.length} drawn with their own analysis (pts within half a frame), ${within} within one frame; picture number minus analysed frame number: ${[...offsets].join(', ')}; played ${playout.toFixed(2)} s behind the live edge`);
  assert.ok(frames.length >= 40, `frames presented: ${frames.length}`);
  assert.ok(own.length >= frames.length * 0.5, `frames drawn with their own analysis: ${own.length} of ${frames.length}`);
  // The camera decodes every frame of the clip from its first (200 frames, a multiple of the number's period, so loops
  // keep the count): analysed frame n shows number n mod 40, and the message drawn on a picture must have its number.
  assert.deepEqual([...offsets], [0], 'every message drawn as a frame\'s own was computed from that very picture');
  const late = frames.filter((f) => f.pts !== null && f.pts > f.mediaTime + frameS / 2);
  assert.deepEqual(late.map((f) => [f.mediaTime, f.pts]), [], 'no frame is drawn with the analysis of a later frame');
});
