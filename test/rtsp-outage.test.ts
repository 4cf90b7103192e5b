// RTSP cameras against a real RTSP server (GStreamer's gst-rtsp-server serving a real clip as 720p15 H.264): the
// camera comes online, survives the server being stopped for 20 s and frozen (SIGSTOP) for 20 s, comes back by
// itself within the backoff cap, never runs two ffmpeg at once or leaves one behind, and keeps its memory flat over
// repeated outages.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pino from 'pino';
import type { Frame } from '../src/core/types.ts';
import { CameraSource, type SourceState } from '../src/ingest/camera-source.ts';
import { LatestQueue } from '../src/ingest/latest-queue.ts';
import { asset } from './support/assets.ts';
import { rtspClip, startRtspServer, type RtspServer } from '../src/bench/rtsp-server.ts';
import { ffmpegChildren, sleep, waitFor } from './support/wait.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const STALL_MS = 3000;
const BACKOFF_CAP_MS = 4000;
const deps = { log: pino({ level: 'silent' }), now: () => performance.now(), random: Math.random };
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

/** A source on the test stream with a consumer draining its queue; `states` records every state it passed through. */
function camera() {
  const queue = new LatestQueue<Frame>();
  const source = new CameraSource({ ...opts, url: server.url('street') }, queue, deps);
  const frames: Frame[] = [];
  const states: SourceState[] = [];
  let maxFfmpeg = 0;
  const watch = setInterval(() => {
    const s = source.status().state;
    if (states.at(-1) !== s) states.push(s);
    maxFfmpeg = Math.max(maxFfmpeg, ffmpegChildren().split('\n').filter(Boolean).length);
  }, 50);
  source.start();
  const consumer = (async () => {
    for (let f = await queue.next(); f; f = await queue.next()) if (frames.length < 1000) frames.push(f);
  })();
  return {
    source, frames, states,
    maxFfmpeg: () => maxFfmpeg,
    state: () => source.status().state,
    async stop() {
      clearInterval(watch);
      await source.stop();
      await consumer;
    },
  };
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

test('server stopped for 20 s: the camera leaves online within the stall timeout, retries, and is back within the backoff cap', async () => {
  const cam = camera();
  try {
    await waitFor('online', () => cam.state() === 'online', 10_000);
    await server.stop();
    const down = performance.now();
    await waitFor('the camera to notice', () => cam.state() !== 'online', STALL_MS + 1000);
    await sleep(20_000 - (performance.now() - down));
    assert.ok(cam.state() === 'backoff' || cam.state() === 'starting', `during the outage: ${cam.state()}`);
    assert.ok(cam.source.status().restarts >= 3, `restarts during 20 s: ${cam.source.status().restarts}`);
    assert.match(cam.source.status().lastError ?? '', /\S/, 'the last error is reported');
    await server.restart();
    const up = performance.now();
    await waitFor('online again', () => cam.state() === 'online', BACKOFF_CAP_MS + 6000);
    const framesBefore = cam.frames.length;
    await waitFor('frames again', () => cam.frames.length > framesBefore + 3, 5000);
    assert.ok(performance.now() - up < BACKOFF_CAP_MS + 6000);
    assert.ok(cam.states.includes('backoff'), `states: ${cam.states.join(' -> ')}`);
    assert.ok(cam.maxFfmpeg() <= 1, `at most one ffmpeg at a time, saw ${cam.maxFfmpeg()}`);
  } finally {
    await cam.stop();
  }
  assert.equal(ffmpegChildren(), '', 'no ffmpeg left');
});

test('server frozen (SIGSTOP) for 20 s: the camera goes stalled within the stall timeout, the hung ffmpeg is killed, and it recovers after SIGCONT', async () => {
  const cam = camera();
  try {
    await waitFor('online', () => cam.state() === 'online', 10_000);
    server.freeze();
    const frozen = performance.now();
    await waitFor('stalled', () => cam.state() === 'stalled' || cam.state() === 'backoff', STALL_MS + 1500);
    await sleep(20_000 - (performance.now() - frozen));
    assert.notEqual(cam.state(), 'online');
    assert.ok(cam.states.includes('stalled'), `states: ${cam.states.join(' -> ')}`);
    assert.ok(cam.maxFfmpeg() <= 1, `at most one ffmpeg at a time, saw ${cam.maxFfmpeg()}`);
    server.thaw();
    await waitFor('online again', () => cam.state() === 'online', BACKOFF_CAP_MS + 8000);
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
  try {
    await waitFor('online', () => cam.state() === 'online', 10_000);
    await sleep(2000);
    const before = heap();
    for (let i = 0; i < 10; i++) {
      await server.stop();
      await waitFor(`outage ${i + 1} noticed`, () => cam.state() !== 'online', STALL_MS + 1000);
      await server.restart();
      await waitFor(`online after outage ${i + 1}`, () => cam.state() === 'online', BACKOFF_CAP_MS + 6000);
    }
    await sleep(2000);
    const afterOutages = heap();
    assert.ok(afterOutages < before * 1.1, `heap ${(before / 2 ** 20).toFixed(1)} MiB before, ${(afterOutages / 2 ** 20).toFixed(1)} MiB after 10 outages`);
    assert.ok(cam.source.status().restarts >= 10);
  } finally {
    await cam.stop();
  }
  assert.equal(ffmpegChildren(), '', 'no ffmpeg left');
});
