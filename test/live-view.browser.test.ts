// Live view in a real browser (Debian's chromium via playwright-core): a real RTSP camera (GStreamer's server, 720p15
// H.264 whose every frame carries the time it left the server in an SEI message, on CLOCK_MONOTONIC) through the whole
// server; the page's video element plays fragmented MP4 over the WebSocket (stream-copied, one ffmpeg for every
// viewer), overlay metadata arrives with presentation times, and the latency from server to SourceBuffer.appendBuffer
// is measured per frame. A recorded event clip (events-mode recording, stream-copied segments) plays in the browser too.
// Screenshots are kept under .test-output/artifacts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import { startApp, type RunningApp } from '../src/app.ts';
import { rtspClip, startRtspServer, STAMP_UUID, type RtspServer } from '../src/bench/rtsp-server.ts';
import { validateConfig } from '../src/config/load.ts';
import { asset, ASSETS } from './support/assets.ts';
import { artifact, launchBrowser } from './support/browser.ts';
import { ffmpegChildren, sleep, waitFor } from './support/wait.ts';

let server: RtspServer;
let app: RunningApp;
let dataDir: string;

before(async () => {
  server = await startRtspServer({ street: await rtspClip(asset('videos/people-walking-street-720p.mp4')) }, { stamp: true });
  dataDir = mkdtempSync(join(tmpdir(), 'sightline-live-'));
  const r = validateConfig({
    server: { port: 0 }, auth: { enabled: false }, dataDir, assets: ASSETS, log: { level: 'silent' }, models: { download: false },
    cameras: [{ id: 'street', source: { url: server.url('street') }, detect: { fps: 5 }, zones: [{ id: 'left', polygon: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]] }], lines: [{ id: 'walkway', points: [[0.02, 0.85], [0.98, 0.85]] }], record: { mode: 'events', segmentSeconds: 2, preRollSeconds: 2, postRollSeconds: 1 } }],
  });
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.problems));
  app = await startApp(r.config, pino({ level: 'silent' }));
});
after(async () => {
  await app?.stop();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Milliseconds on CLOCK_MONOTONIC, the clock of the server's stamps (process.hrtime reads it; it never jumps). */
const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * What to add to the page's performance.now() to get monotonicMs(), and to within how many ms: both clocks are
 * monotonic and tick alike, so one offset holds; it is taken from the quickest of a few round trips to the page.
 */
async function pageClockOffset(page: Page): Promise<{ offsetMs: number; uncertaintyMs: number }> {
  let best = { offsetMs: NaN, uncertaintyMs: Infinity };
  for (let i = 0; i < 10; i++) {
    const before = monotonicMs();
    const pageNow = await page.evaluate(() => performance.now());
    const after = monotonicMs();
    if ((after - before) / 2 < best.uncertaintyMs) best = { offsetMs: (before + after) / 2 - pageNow, uncertaintyMs: (after - before) / 2 };
  }
  return best;
}

/** Percentile of sorted numbers (nearest rank). */
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

test('the page plays the camera live over MSE with overlays, and frames reach the browser within a second', async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    // Every appended buffer: when (the page's performance.now()), and the send times of the stamped frames inside it.
    await page.addInitScript((uuid: string) => {
      const appends: { at: number; stamps: number[] }[] = [];
      (window as any).appends = appends;
      const original = SourceBuffer.prototype.appendBuffer;
      SourceBuffer.prototype.appendBuffer = function (data: BufferSource) {
        const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array((data as ArrayBufferView).buffer);
        const text = new TextDecoder('latin1').decode(bytes);
        const stamps: number[] = [];
        for (let i = text.indexOf(uuid); i >= 0; i = text.indexOf(uuid, i + 1)) stamps.push(Number(text.slice(i + uuid.length, i + uuid.length + 13)));
        appends.push({ at: performance.now(), stamps });
        return original.call(this, data);
      };
    }, STAMP_UUID);
    // A viewer joins a camera that is already running (its ffmpeg connected a while ago).
    await waitFor('camera online', async () => ((await (await fetch(`${app.url}/api/cameras/street`)).json()) as any).state === 'online', 20_000);
    await sleep(2000);
    const openedAt = monotonicMs();
    await page.goto(`${app.url}/classic`);
    await page.waitForFunction(() => (window as any).sightlinePlayers?.street?.stats.mode === 'mse', null, { timeout: 20_000 });
    const t0 = await page.evaluate(() => document.querySelector('video')!.currentTime);
    await sleep(8000);
    const state = await page.evaluate(() => {
      const v = document.querySelector('video')!;
      const p = (window as any).sightlinePlayers.street;
      return { currentTime: v.currentTime, width: v.videoWidth, stats: p.stats, appends: (window as any).appends as { at: number; stamps: number[] }[] };
    });
    const clock = await pageClockOffset(page);
    await page.waitForFunction(() => document.querySelectorAll('#events li').length > 0, null, { timeout: 20_000 });
    const firstEvent = await page.evaluate(() => document.querySelector('#events li')!.textContent ?? '');
    await page.screenshot({ path: artifact('live-view.png') });
    assert.deepEqual(pageErrors, [], 'the page runs without errors');
    assert.match(firstEvent, /presence info · person #\d+ in left · street\/left/, 'events are listed with what they say');
    assert.ok(state.currentTime > t0 + 5, `video currentTime advanced from ${t0} to ${state.currentTime} in 8 s`);
    assert.equal(state.width, 1280, 'the 720p stream plays at its own size (stream copy)');
    assert.ok(state.stats.tracksMessages >= 20, `overlay metadata arrived: ${JSON.stringify(state.stats)}`);
    assert.equal(typeof state.stats.lastPts, 'number', 'tracks carry presentation times');
    assert.ok(state.stats.fragments > 100, `fragments appended: ${state.stats.fragments}`);
    // Latency of frames that left the server after the page opened (the ones before were sent as the joining GOP).
    const latencies = state.appends.flatMap((a) => a.stamps.filter((s) => s > openedAt).map((s) => a.at + clock.offsetMs - s)).sort((a, b) => a - b);
    assert.ok(latencies.length > 60, `stamped frames appended: ${latencies.length}`);
    const p50 = pct(latencies, 50);
    const p95 = pct(latencies, 95);
    console.log(`# live view latency, RTSP server to SourceBuffer.appendBuffer: p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms over ${latencies.length} frames (clocks matched to +-${clock.uncertaintyMs.toFixed(1)} ms)`);
    assert.ok(clock.uncertaintyMs < 25, `the page's clock is matched to +-${clock.uncertaintyMs.toFixed(1)} ms only`);
    assert.ok(latencies[0]! > 0, `no frame is appended before it was sent (shortest ${latencies[0]!.toFixed(1)} ms)`);
    assert.ok(p95 < 1000, `p95 latency ${p95.toFixed(0)} ms (p50 ${p50.toFixed(0)} ms) should be under 1 s`);
  } finally {
    await browser.close();
  }
});

test('ten viewers share the one ffmpeg of the camera', async () => {
  await waitFor('camera online', async () => ((await (await fetch(`${app.url}/api/cameras/street`)).json()) as any).state === 'online');
  const ffmpegBefore = ffmpegChildren().split('\n').filter(Boolean).length;
  const sockets = Array.from({ length: 10 }, () => new WebSocket(`${app.url.replace('http', 'ws')}/api/cameras/street/live`));
  const got = sockets.map(() => ({ init: false, binary: 0 }));
  sockets.forEach((s, i) =>
    s.on('message', (data, isBinary) => {
      if (isBinary) got[i]!.binary++;
      else if (JSON.parse(String(data)).type === 'init') got[i]!.init = true;
    }),
  );
  try {
    await waitFor('every viewer receives video', () => got.every((g) => g.init && g.binary > 30), 15_000);
    assert.equal(ffmpegChildren().split('\n').filter(Boolean).length, ffmpegBefore, 'no ffmpeg started for the viewers');
    assert.equal(ffmpegBefore, 1, 'one ffmpeg for the camera');
  } finally {
    sockets.forEach((s) => s.close());
  }
});

test('an unknown camera is refused with a reason, and the MJPEG fallback streams JPEG frames', async () => {
  const ws = new WebSocket(`${app.url.replace('http', 'ws')}/api/cameras/nope/live`);
  const first = await new Promise<any>((resolve) => ws.once('message', (d) => resolve(JSON.parse(String(d)))));
  assert.equal(first.error.code, 'CAMERA_NOT_FOUND');
  ws.close();

  const ctl = new AbortController();
  const res = await fetch(`${app.url}/api/cameras/street/live.mjpeg`, { signal: ctl.signal });
  assert.match(res.headers.get('content-type') ?? '', /^multipart\/x-mixed-replace; boundary=/);
  const reader = res.body!.getReader();
  let bytes = Buffer.alloc(0);
  while (bytes.indexOf(Buffer.from([0xff, 0xd9])) < 0 || bytes.indexOf('--sightlineframe', 20) < 0) {
    const { value, done } = await reader.read();
    if (done) break;
    bytes = Buffer.concat([bytes, value]);
  }
  ctl.abort();
  assert.ok(bytes.includes('content-type: image/jpeg'), 'a JPEG part');
  assert.ok(bytes.indexOf(Buffer.from([0xff, 0xd8, 0xff])) > 0, 'JPEG bytes');
});

test('a recorded event clip plays in the browser', async () => {
  const event = await waitFor('an event', async () => {
    const body = (await (await fetch(`${app.url}/api/events?camera=street`)).json()) as any;
    return body.events.find((e: any) => Date.now() - e.startMs > 4000);
  }, 30_000);
  assert.equal(event.clipUrl, `/api/events/${event.id}/clip.mp4`);
  const head = await fetch(`${app.url}${event.clipUrl}`, { headers: { range: 'bytes=0-99' } });
  assert.equal(head.status, 206);
  // Any range of the recording downloads as one MP4 (the dashboard's recordings page links to it).
  const range = await fetch(`${app.url}/api/recordings/clip.mp4?camera=street&from=${event.startMs - 2000}&to=${event.startMs + 1000}`);
  assert.equal(range.status, 200);
  assert.equal(range.headers.get('content-type'), 'video/mp4');
  assert.match(range.headers.get('content-disposition') ?? '', /^attachment; filename="street-.*\.mp4"$/);
  assert.ok((await range.arrayBuffer()).byteLength > 10_000);
  const tooLong = await fetch(`${app.url}/api/recordings/clip.mp4?camera=street&from=${event.startMs}&to=${event.startMs + 20 * 60_000}`);
  assert.equal(tooLong.status, 400);
  assert.match(((await tooLong.json()) as any).error.message, /at most 15 minutes, got 20/);
  assert.equal((await fetch(`${app.url}/api/recordings/clip.mp4?camera=street&from=1000&to=2000`)).status, 404);
  assert.match(head.headers.get('content-range') ?? '', /^bytes 0-99\/\d+$/);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    await page.goto(`${app.url}/api/health`);
    const played = await page.evaluate(async (src) => {
      const v = document.createElement('video');
      Object.assign(v, { muted: true, src });
      v.style.width = '1280px';
      document.body.replaceChildren(v);
      await v.play();
      await new Promise((r) => setTimeout(r, 2500));
      return { currentTime: v.currentTime, duration: v.duration, width: v.videoWidth, error: v.error?.message ?? null };
    }, `${app.url}${event.clipUrl}`);
    await page.screenshot({ path: artifact('event-clip.png') });
    assert.equal(played.error, null);
    assert.equal(played.width, 1280);
    assert.ok(played.duration >= 2, `clip of ${played.duration} s (event with 2 s pre-roll)`);
    assert.ok(played.currentTime > 1.5, `clip played to ${played.currentTime} s`);
  } finally {
    await browser.close();
  }
  const rec = (await (await fetch(`${app.url}/api/recordings?camera=street`)).json()) as any;
  assert.ok(rec.segments.length > 0, 'segments listed');
  const seg = await fetch(`${app.url}${rec.segments[0].url}`);
  assert.equal(seg.headers.get('content-type'), 'video/mp4');
  const keep = await fetch(`${app.url}/api/events/${event.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ keep: true }) });
  assert.equal(((await keep.json()) as any).keep, true);
  const bad = await fetch(`${app.url}/api/events/${event.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ keep: 'yes' }) });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as any).error.message, /body\.keep: expected boolean, got "yes"/);
});
