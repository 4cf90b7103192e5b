// RTSP cameras against a real RTSP server (GStreamer's gst-rtsp-server serving a real clip as 720p15 H.264): the
// camera comes online, survives the server being stopped for 20 s and frozen (SIGSTOP) for 20 s, tries again within
// the backoff cap and comes back by itself, never runs two ffmpeg at once or leaves one behind, and keeps its memory
// flat over repeated outages. Every test restarts or thaws the server in `finally`, so one failure does not break the
// next; time limits count from the event they follow (the camera's last frame, the server coming back), not from the
// outage starting, because frames already in flight keep arriving for up to ~2.5 s after a freeze or stop.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pino from 'pino';
import type { Frame } from '../src/core/types.ts';
import type { SourceState } from '../src/core/camera-status.ts';
import { CameraSource } from '../src/ingest/camera-source.ts';
import { LatestQueue } from '../src/ingest/latest-queue.ts';
import { asset } from './support/assets.ts';
import { rtspClip, startRtspServer, type RtspServer } from '../src/bench/rtsp-server.ts';
import { ffmpegChildren, sleep, waitFor } from './support/wait.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const STALL_MS = 3000;
/** How often the source's stall watchdog looks (min(1000, STALL_MS / 4)). */
const WATCHDOG_MS = 750;
/** Allowance for timers and ffmpeg running late on a machine busy with other work. */
const SLACK_MS = 1500;
const BACKOFF_CAP_MS = 4000;
const opts = {
  loop: false, rtspTransport: 'tcp' as const, timeoutMs: 2000, stallTimeoutMs: STALL_MS, fps: 5, width: 320,
  backoffBaseMs: 500, backoffCapMs: BACKOFF_CAP_MS,
};

let server: RtspServer;
before(async () => {
  server = await startRtspServer({ street: await rtspClip(asset('videos/people-walking-street-720p.mp4')) });
});
after(async () => {
  await server.stop();
});

/** A state the source entered, and when (performance.now() ms). */
interface Transition {
  readonly state: SourceState;
  readonly atMs: number;
}

/**
 * A source on the test stream with a consumer draining its queue. `transitions` lists every state it passed through
 * with the time it entered it, taken from the source's own state log line (polling could miss a short `stalled`).
 */
function camera() {
  const queue = new LatestQueue<Frame>();
  const transitions: Transition[] = [];
  const log = pino({ level: 'info' }, {
    write(line: string) {
      const entry = JSON.parse(line) as { msg?: string; state?: SourceState };
      if (entry.msg === 'camera source state' && entry.state) transitions.push({ state: entry.state, atMs: performance.now() });
    },
  });
  const source = new CameraSource({ ...opts, url: server.url('street') }, queue, { log, now: () => performance.now(), random: Math.random });
  const frames: Frame[] = [];
  let lastFrameMs = Number.NaN;
  let maxFfmpeg = 0;
  const watch = setInterval(() => {
    maxFfmpeg = Math.max(maxFfmpeg, ffmpegChildren().split('\n').filter(Boolean).length);
  }, 50);
  source.start();
  const consumer = (async () => {
    for (let f = await queue.next(); f; f = await queue.next()) {
      lastFrameMs = f.timeMs;
      if (frames.length < 1000) frames.push(f);
    }
  })();
  return {
    source, frames, transitions,
    states: () => transitions.map((t) => t.state),
    /** When the source decoded its latest frame (performance.now() ms). */
    lastFrameMs: () => lastFrameMs,
    /** The first time the source entered `state` at or after `sinceMs`, or null. */
    entered: (state: SourceState, sinceMs: number) => transitions.find((t) => t.state === state && t.atMs >= sinceMs)?.atMs ?? null,
    maxFfmpeg: () => maxFfmpeg,
    state: () => source.status().state,
    async stop() {
      clearInterval(watch);
      await source.stop();
      await consumer;
    },
  };
}
type Camera = ReturnType<typeof camera>;

/** The states entered since `sinceMs` with their times, and the last error, for failure messages. */
function history(cam: Camera, sinceMs: number): string {
  const steps = cam.transitions.filter((t) => t.atMs >= sinceMs).map((t) => `${t.state} +${Math.round(t.atMs - sinceMs)} ms`);
  return `${steps.join(' -> ') || 'no state change'}; last error: ${cam.source.status().lastError ?? 'none'}`;
}

/**
 * Waits for the camera to be online again after the server came back at `upMs`. Its next attempt must start within
 * the probe timeout (an attempt in flight fails first) plus the backoff cap; once an attempt starts, connecting takes as
 * long as the machine needs (ffprobe and ffmpeg on a busy machine can miss the probe timeout and retry), so only a hang
 * is a failure there.
 */
async function backOnline(cam: Camera, what: string, upMs: number): Promise<void> {
  const retryMs = opts.timeoutMs + BACKOFF_CAP_MS + SLACK_MS;
  await waitFor(`${what}: a new attempt`, () => cam.entered('starting', upMs) ?? cam.entered('online', upMs), retryMs).catch(() => {
    throw new Error(`${what}: no new attempt within ${retryMs} ms of the server coming back (${history(cam, upMs)})`);
  });
  await waitFor(what, () => cam.entered('online', upMs), 30_000).catch(() => {
    throw new Error(`${what}: not online 30 s after the server came back (${history(cam, upMs)})`);
  });
}

/**
 * Waits for the camera to leave `online` after an outage began at `sinceMs`, failing once it has had no frame for the
 * stall timeout plus a watchdog period and slack; returns when it left.
 */
async function leavesOnline(cam: Camera, what: string, sinceMs: number): Promise<number> {
  const limitMs = STALL_MS + WATCHDOG_MS + SLACK_MS;
  return waitFor(what, () => {
    const left = cam.transitions.find((t) => t.state !== 'online' && t.atMs >= sinceMs)?.atMs;
    if (left !== undefined) return left;
    const quietMs = performance.now() - cam.lastFrameMs();
    if (quietMs > limitMs) throw new Error(`${what}: still online ${Math.round(quietMs)} ms after the last frame (stall timeout ${STALL_MS} ms)`);
    return false;
  }, 60_000);
}

test('an RTSP camera comes online and delivers frames at the detect rate and size', async () => {
  const cam = camera();
  try {
    await waitFor('online', () => cam.state() === 'online', 10_000);
    // ffmpeg's stream probing delivers the first ~2 s at once; the rate is measured after that.
    await sleep(3000);
    const decoded = cam.source.status().framesDecoded;
    await sleep(4000);
    const rate = (cam.source.status().framesDecoded - decoded) / 4;
    assert.deepEqual([cam.frames[0]!.width, cam.frames[0]!.height], [320, 180]);
    assert.ok(rate > 4 && rate < 6, `${rate} frames/s decoded (detect fps 5)`);
    assert.equal(cam.source.status().lastError, null);
  } finally {
    await cam.stop();
  }
  assert.equal(ffmpegChildren(), '', 'no ffmpeg left');
});

test('server stopped for 20 s: the camera leaves online within the stall timeout of its last frame, retries within the backoff cap, and comes back', async () => {
  const cam = camera();
  let serverDown = false;
  try {
    await waitFor('online', () => cam.state() === 'online', 10_000);
    serverDown = true;
    await server.stop();
    const down = performance.now();
    await leavesOnline(cam, 'the camera to notice the stopped server', down);
    await sleep(20_000 - (performance.now() - down));
    assert.ok(cam.state() === 'backoff' || cam.state() === 'starting', `during the outage: ${cam.state()}`);
    assert.ok(cam.source.status().restarts >= 3, `restarts during 20 s: ${cam.source.status().restarts}`);
    assert.match(cam.source.status().lastError ?? '', /\S/, 'the last error is reported');
    await server.restart();
    serverDown = false;
    await backOnline(cam, 'online again', performance.now());
    const framesBefore = cam.frames.length;
    await waitFor('frames again', () => cam.frames.length > framesBefore + 3, 5000);
    assert.ok(cam.states().includes('backoff'), `states: ${cam.states().join(' -> ')}`);
    assert.ok(cam.maxFfmpeg() <= 1, `at most one ffmpeg at a time, saw ${cam.maxFfmpeg()}`);
  } finally {
    if (serverDown) await server.restart();
    await cam.stop();
  }
  assert.equal(ffmpegChildren(), '', 'no ffmpeg left');
});

test('server frozen (SIGSTOP) for 20 s: the camera goes stalled within the stall timeout, the hung ffmpeg is killed, and it recovers after SIGCONT', async (t) => {
  const cam = camera();
  try {
    await waitFor('online', () => cam.state() === 'online', 10_000);
    server.freeze();
    try {
      const frozen = performance.now();
      const left = await leavesOnline(cam, 'the camera to notice the frozen server', frozen);
      // Stalled comes a stall timeout (plus up to one watchdog period) after the last frame, not after the freeze.
      const stalled = cam.entered('stalled', frozen);
      assert.equal(stalled, left, `the first state after online is stalled: ${cam.states().join(' -> ')}`);
      const quietMs = stalled! - cam.lastFrameMs();
      assert.ok(quietMs >= STALL_MS && quietMs <= STALL_MS + WATCHDOG_MS + SLACK_MS, `stalled ${Math.round(quietMs)} ms after the last frame`);
      t.diagnostic(`last frame ${Math.round(cam.lastFrameMs() - frozen)} ms after the freeze; stalled ${Math.round(quietMs)} ms after it`);
      await sleep(20_000 - (performance.now() - frozen));
      assert.notEqual(cam.state(), 'online');
      assert.ok(cam.maxFfmpeg() <= 1, `at most one ffmpeg at a time, saw ${cam.maxFfmpeg()}`);
    } finally {
      server.thaw();
    }
    await backOnline(cam, 'online again after SIGCONT', performance.now());
  } finally {
    await cam.stop();
  }
  assert.equal(ffmpegChildren(), '', 'no ffmpeg left');
});

test('memory after 10 outages is within 10 % of before', async () => {
  const cam = camera();
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  let serverDown = false;
  try {
    await waitFor('online', () => cam.state() === 'online', 10_000);
    await sleep(2000);
    const before = heap();
    for (let i = 0; i < 10; i++) {
      serverDown = true;
      await server.stop();
      await leavesOnline(cam, `outage ${i + 1} noticed`, performance.now());
      await server.restart();
      serverDown = false;
      await backOnline(cam, `online after outage ${i + 1}`, performance.now());
    }
    await sleep(2000);
    const afterOutages = heap();
    assert.ok(afterOutages < before * 1.1, `heap ${(before / 2 ** 20).toFixed(1)} MiB before, ${(afterOutages / 2 ** 20).toFixed(1)} MiB after 10 outages`);
    assert.ok(cam.source.status().restarts >= 10);
  } finally {
    if (serverDown) await server.restart();
    await cam.stop();
  }
  assert.equal(ffmpegChildren(), '', 'no ffmpeg left');
});
