// Benchmark: the dashboard in Debian's chromium (playwright-core, headless) against a real server on this machine.
//   node --import tsx bench/dashboard.ts [--cameras 16] [--minutes 10] [--events 20000] [--only interactive,wall,events] [--still]
//
// On a 2-core machine the server, its 16 cameras and chromium share the cores: `--still` serves a still picture (the
// motion gate then skips the detector), which leaves the cores to the browser being measured.
// The server runs CAMERAS cameras, each an RTSP stream of the street clip at 360p15 from the test RTSP server
// (GStreamer), analysed at 2 fps (yolox-nano), with EVENTS events stored beforehand (PGlite), auth off. Measured:
// - interactive: a fresh page opens /live (1 tile, then the whole wall): time from navigation to the wall rendered
//   (every tile and its caption in the DOM), to interactive (rendered, and the main thread then free of long tasks for
//   1 s: Lighthouse's rule with a shorter quiet window), and to every tile's first presented frame. Medians of ROUNDS.
// - wall: the CAMERAS-tile wall played for MINUTES: main-thread busy share per minute (Chrome's TaskDuration through the
//   DevTools protocol, over wall time), long tasks, the JS heap after a forced GC at the end of every minute (slope by
//   least squares, MB/min), frames presented per tile per second and the share drawn with their own analysis. Baseline
//   in the same run: the same streams played by a bare page (MSE only: no React, no overlay, no analysis), the
//   dashboard's busy share printed as a ratio to it.
// - events: the Events page over EVENTS events, scrolled from top to bottom (the list fetches pages of 100 as it goes):
//   long tasks during the scroll (count over 50 ms, the longest) and the time to reach the end.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { startApp } from '../src/app.ts';
import { formatMachine, machineInfo } from '../src/bench/machine.ts';
import { rtspClip, startRtspServer } from '../src/bench/rtsp-server.ts';
import { validateConfig } from '../src/config/load.ts';
import { SqlEventStore } from '../src/store/event-repository.ts';
import { openDatabase } from '../src/store/open-database.ts';
import { asset, ASSETS } from '../test/support/assets.ts';
import { launchBrowser } from '../test/support/browser.ts';
import { presenceEvent } from '../test/support/events.ts';

const { values } = parseArgs({
  options: {
    cameras: { type: 'string', default: '16' }, minutes: { type: 'string', default: '10' }, events: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '5' }, only: { type: 'string', default: 'interactive,wall,events' }, still: { type: 'boolean', default: false },
  },
});
const CAMERAS = Number(values.cameras);
const MINUTES = Number(values.minutes);
const EVENTS = Number(values.events);
const ROUNDS = Number(values.rounds);
const ONLY = new Set(values.only.split(','));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (s: string) => console.log(s);

/** Stores `count` events over the last 7 days, spread over the cameras, before the server starts. */
async function storeEvents(dataDir: string, ids: string[], count: number): Promise<void> {
  const db = await openDatabase({ dataDir: join(dataDir, 'db') });
  try {
    const store = new SqlEventStore(db);
    const now = Date.now();
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const startMs = now - Math.round((i / count) * 7 * 86_400_000) - 60_000;
      await store.upsert(presenceEvent({ cameraId: ids[i % ids.length]!, startMs, endMs: startMs + 5000, frameIndex: i }));
      if (i % 5000 === 4999) log(`# stored ${i + 1} of ${count} events (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    }
  } finally {
    await db.close();
  }
}

/** Chrome's cumulative metrics (seconds for durations, bytes for the heap). */
async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics: list } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

/** A fresh browser context; tsx names inner functions through a `__name` helper that pages lack, so they get one. */
async function newContext(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  await context.addInitScript('window.__name = (f) => f');
  return context;
}

/** Records long tasks in the page from now on (window.longTasks: [startTime, duration] in ms). */
const WATCH_LONG_TASKS = () => {
  const w = window as unknown as { longTasks: [number, number][] };
  w.longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.longTasks.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
};

/** A bare page that plays the cameras over MSE with nothing else: the baseline for the wall. */
const BARE_PLAYERS = ({ ids, host }: { ids: string[]; host: string }) => {
  document.body.style.cssText = 'margin:0;display:grid;grid-template-columns:repeat(4,1fr);background:#000';
  for (const id of ids) {
    const video = document.createElement('video');
    video.muted = true;
    video.style.width = '100%';
    document.body.append(video);
    const queue: ArrayBuffer[] = [];
    let sb: SourceBuffer | null = null;
    const pump = () => {
      if (!sb || sb.updating || queue.length === 0) return;
      const b = sb.buffered;
      if (b.length > 0 && b.end(b.length - 1) - video.currentTime > 0.8) video.currentTime = b.end(b.length - 1) - 0.1;
      if (b.length > 0 && video.currentTime - b.start(0) > 40) {
        sb.remove(b.start(0), video.currentTime - 20);
        return;
      }
      sb.appendBuffer(queue.shift()!);
      if (video.paused) void video.play().catch(() => undefined);
    };
    const ws = new WebSocket(`ws://${host}/api/cameras/${id}/live`);
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (m) => {
      if (typeof m.data === 'string') {
        const msg = JSON.parse(m.data) as { type: string; mime?: string };
        if (msg.type !== 'init') return;
        const ms = new MediaSource();
        video.src = URL.createObjectURL(ms);
        queue.length = 0;
        ms.addEventListener('sourceopen', () => {
          sb = ms.addSourceBuffer(msg.mime!);
          sb.mode = 'segments';
          sb.addEventListener('updateend', pump);
          pump();
        }, { once: true });
        return;
      }
      queue.push(m.data as ArrayBuffer);
      pump();
    };
    let frames = 0;
    const count = () => video.requestVideoFrameCallback(() => {
      frames++;
      count();
    });
    count();
    (window as unknown as { bareFrames: () => number }).bareFrames ??= () => 0;
    const prev = (window as unknown as { bareFrames: () => number }).bareFrames;
    (window as unknown as { bareFrames: () => number }).bareFrames = () => prev() + frames;
  }
};

/** Frames presented and drawn with their own analysis, summed over the dashboard's players. */
const PLAYER_TOTALS = () => {
  let presented = 0;
  let matched = 0;
  for (const v of document.querySelectorAll('video[data-camera]')) {
    const s = (v as unknown as { sightlinePlayer?: { stats: { framesPresented: number; framesMatched: number } } }).sightlinePlayer?.stats;
    presented += s?.framesPresented ?? 0;
    matched += s?.framesMatched ?? 0;
  }
  return { presented, matched };
};

interface WallMinute { busy: number; heapMB: number; longTasks: number; fpsPerTile: number; ownShare: number }

/** Plays a page for `minutes`, one sample a minute (busy share, heap after GC, long tasks, frames). */
async function sampleMinutes(page: Page, minutes: number, frames: () => Promise<{ presented: number; matched: number }>): Promise<WallMinute[]> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
  const out: WallMinute[] = [];
  let m0 = await metrics(cdp);
  let f0 = await frames();
  let t0 = performance.now();
  for (let i = 0; i < minutes; i++) {
    await sleep(60_000);
    await cdp.send('HeapProfiler.collectGarbage');
    const m1 = await metrics(cdp);
    const f1 = await frames();
    const t1 = performance.now();
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: unknown[] }).longTasks.splice(0).length);
    const presented = f1.presented - f0.presented;
    out.push({
      busy: (m1['TaskDuration']! - m0['TaskDuration']!) / ((t1 - t0) / 1000),
      heapMB: m1['JSHeapUsedSize']! / 2 ** 20,
      longTasks,
      fpsPerTile: presented / CAMERAS / ((t1 - t0) / 1000),
      ownShare: presented > 0 ? (f1.matched - f0.matched) / presented : NaN,
    });
    const last = out.at(-1)!;
    log(`#   minute ${i + 1}: main thread busy ${(last.busy * 100).toFixed(1)} %, heap after GC ${last.heapMB.toFixed(1)} MB, long tasks ${longTasks}, ${last.fpsPerTile.toFixed(1)} frames/s per tile${Number.isNaN(last.ownShare) ? '' : `, ${(last.ownShare * 100).toFixed(0)} % drawn with their own analysis`}`);
    m0 = m1;
    f0 = f1;
    t0 = t1;
  }
  await cdp.detach();
  return out;
}

/** Least-squares slope of y over its index (per minute). */
function slope(ys: number[]): number {
  const n = ys.length;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return den ? num / den : 0;
}

async function interactive(browser: Browser, url: string, size: number): Promise<{ renderedMs: number; interactiveMs: number; framesMs: number }> {
  const context = await newContext(browser);
  try {
    const page = await context.newPage();
    await page.addInitScript(WATCH_LONG_TASKS);
    await page.goto(`${url}/live?size=${size}`);
    await page.waitForFunction((n) => document.querySelectorAll('figure.tile figcaption').length >= n, size, { timeout: 30_000, polling: 10 });
    const renderedMs = await page.evaluate(() => performance.now());
    await page.waitForFunction((n) => {
      const vs = [...document.querySelectorAll('video[data-camera]')];
      return vs.length >= n && vs.every((v) => ((v as unknown as { sightlinePlayer?: { stats: { framesPresented: number } } }).sightlinePlayer?.stats.framesPresented ?? 0) > 0);
    }, size, { timeout: 60_000, polling: 10 });
    const framesMs = await page.evaluate(() => performance.now());
    // Interactive: rendered, and then one quiet second (no long task starting in it).
    await sleep(1500);
    const tasks = await page.evaluate(() => (window as unknown as { longTasks: [number, number][] }).longTasks);
    let interactiveMs = renderedMs;
    for (const [start, duration] of tasks.sort((a, b) => a[0] - b[0])) {
      if (start + duration < interactiveMs) continue;
      if (start > interactiveMs + 1000) break;
      interactiveMs = start + duration;
    }
    return { renderedMs, interactiveMs, framesMs };
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  log(`# ${formatMachine(machineInfo('cpu', 2))}; chromium ${'/usr/bin/chromium'}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'sightline-bench-dashboard-'));
  const ids = Array.from({ length: CAMERAS }, (_, i) => `cam${String(i + 1).padStart(2, '0')}`);
  const clip = await rtspClip(asset('videos/people-walking-street-720p.mp4'), 15, 360, { still: values.still });
  const rtsp = await startRtspServer(Object.fromEntries(ids.map((id) => [id, clip])));
  let app: Awaited<ReturnType<typeof startApp>> | null = null;
  let browser: Browser | null = null;
  try {
    if (ONLY.has('events')) await storeEvents(dataDir, ids, EVENTS);
    const r = validateConfig({
      server: { port: 0, host: '127.0.0.1' }, auth: { enabled: false }, dataDir, assets: ASSETS, log: { level: 'silent' }, models: { download: false },
      cameras: ids.map((id) => ({ id, source: { url: rtsp.url(id) }, detect: { fps: 2 }, record: { mode: 'off' } })),
    });
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.problems));
    app = await startApp(r.config, pino({ level: 'silent' }));
    const url = app.url;
    browser = await launchBrowser();
    // Every camera online before measuring.
    for (let i = 0; ; i++) {
      const cams = ((await (await fetch(`${url}/api/cameras`)).json()) as { cameras: { state: string }[] }).cameras;
      if (cams.every((c) => c.state === 'online')) break;
      assert.ok(i < 120, 'cameras online within 60 s');
      await sleep(500);
    }
    log(`# server: ${CAMERAS} cameras (RTSP 640x360 at 15 fps${values.still ? ', a still street: motion gating skips the detector' : ''}, analysed at 2 fps), ${ONLY.has('events') ? EVENTS : 0} events stored`);

    if (ONLY.has('interactive')) {
      for (const size of [1, CAMERAS]) {
        const runs = [];
        for (let i = 0; i < ROUNDS; i++) runs.push(await interactive(browser, url, size));
        log(`interactive, /live with ${size} tile(s), median of ${ROUNDS} fresh pages: rendered ${median(runs.map((r) => r.renderedMs)).toFixed(0)} ms, interactive ${median(runs.map((r) => r.interactiveMs)).toFixed(0)} ms (target < 1500), every tile's first frame ${median(runs.map((r) => r.framesMs)).toFixed(0)} ms`);
      }
    }

    if (ONLY.has('wall')) {
      const context = await newContext(browser);
      const bare = await context.newPage();
      await bare.addInitScript(WATCH_LONG_TASKS);
      // A document of the server's origin (chromium shows JSON in an HTML page), emptied: the players' WebSockets are
      // same-origin as the dashboard's.
      await bare.goto(`${url}/api/health`);
      await bare.setContent('<!doctype html><title>bare</title><body></body>');
      await bare.evaluate('window.__name = (f) => f');
      await bare.evaluate(WATCH_LONG_TASKS);
      await bare.evaluate(BARE_PLAYERS, { ids, host: new URL(url).host });
      await sleep(5000);
      log(`# baseline: the ${CAMERAS} streams in a bare MSE page, 1 minute`);
      const baseline = await sampleMinutes(bare, 1, () => bare.evaluate(() => ({ presented: (window as unknown as { bareFrames: () => number }).bareFrames(), matched: 0 })));
      await bare.close();

      const page = await context.newPage();
      await page.addInitScript(WATCH_LONG_TASKS);
      await page.goto(`${url}/live?size=${CAMERAS}`);
      await page.waitForFunction((n) => document.querySelectorAll('video[data-camera]').length >= n, CAMERAS);
      await sleep(5000);
      log(`# the dashboard's ${CAMERAS}-tile wall, ${MINUTES} minute(s)`);
      const wall = await sampleMinutes(page, MINUTES, () => page.evaluate(PLAYER_TOTALS));
      await context.close();
      const busy = median(wall.map((m) => m.busy));
      const heaps = wall.map((m) => m.heapMB);
      log(`wall, ${CAMERAS} tiles over ${MINUTES} min: main thread busy ${(busy * 100).toFixed(1)} % (median minute; target < 50 %), ${(busy / baseline[0]!.busy).toFixed(2)}x the bare MSE page's ${(baseline[0]!.busy * 100).toFixed(1)} %; JS heap after GC ${heaps[0]!.toFixed(1)} -> ${heaps.at(-1)!.toFixed(1)} MB, slope ${slope(heaps).toFixed(2)} MB/min; long tasks ${wall.reduce((a, m) => a + m.longTasks, 0)}; ${median(wall.map((m) => m.fpsPerTile)).toFixed(1)} frames/s per tile (bare page ${baseline[0]!.fpsPerTile.toFixed(1)}); ${(median(wall.map((m) => m.ownShare)) * 100).toFixed(0)} % of frames drawn with their own analysis`);
    }

    if (ONLY.has('events')) {
      const context = await newContext(browser);
      const page = await context.newPage();
      await page.addInitScript(WATCH_LONG_TASKS);
      await page.goto(`${url}/events`);
      await page.locator('.event-row').first().waitFor({ timeout: 30_000 });
      await page.evaluate(() => (window as unknown as { longTasks: unknown[] }).longTasks.splice(0));
      const started = performance.now();
      // Scroll as a user flinging the list would: 2000 px per animation frame, until the last event is listed.
      const result = await page.evaluate(async (total) => {
        const list = document.querySelector('.list') as HTMLElement;
        const frame = () => new Promise((r) => requestAnimationFrame(r));
        const deadline = performance.now() + 600_000;
        let steps = 0;
        let seen = 0;
        while (performance.now() < deadline) {
          list.scrollTop += 2000;
          steps++;
          await frame();
          const rows = [...list.querySelectorAll('[data-index]')].map((e) => Number((e as HTMLElement).dataset['index']));
          seen = Math.max(seen, ...rows);
          if (seen >= total - 1) break;
        }
        return { steps, seen };
      }, EVENTS);
      const seconds = (performance.now() - started) / 1000;
      const tasks = await page.evaluate(() => (window as unknown as { longTasks: [number, number][] }).longTasks);
      await context.close();
      const over = tasks.filter(([, d]) => d > 50);
      log(`events, ${EVENTS} stored, scrolled to the end: ${result.seen + 1} rows reached in ${seconds.toFixed(1)} s (${result.steps} scroll steps); long tasks over 50 ms: ${over.length} (target 0), longest task ${tasks.length ? Math.max(...tasks.map(([, d]) => d)).toFixed(0) : '< 50'} ms`);
    }
  } finally {
    await browser?.close();
    await app?.stop();
    await rtsp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
