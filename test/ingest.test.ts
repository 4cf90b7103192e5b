// ffmpeg ingest on the real clips: frame size and rate, supervision states, bad sources, no leftover processes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pino from 'pino';
import type { Frame } from '../src/core/types.ts';
import { CameraSource } from '../src/ingest/camera-source.ts';
import { probeVideo } from '../src/ingest/ffprobe.ts';
import { LatestQueue } from '../src/ingest/latest-queue.ts';
import { isAppError } from '../src/core/errors.ts';
import { asset } from './support/assets.ts';
import { ffmpegChildren, sleep, waitFor } from './support/wait.ts';

const deps = { log: pino({ level: 'silent' }), now: () => performance.now(), random: () => 0.5 };
const opts = { loop: false, rtspTransport: 'tcp' as const, timeoutMs: 2000, stallTimeoutMs: 5000, fps: 10, width: 320, backoffBaseMs: 200, backoffCapMs: 400 };
test('probeVideo reads size, rate and frame count of the real clips', async () => {
  const v = await probeVideo(asset('videos/vtest.avi'));
  assert.deepEqual([v.width, v.height, v.fps, v.codec], [768, 576, 10, 'msmpeg4v3']);
  const cars = await probeVideo(asset('videos/cars-street-720p.mp4'));
  assert.deepEqual([cars.width, cars.height, cars.frameCount], [1280, 720, 268]);
});

test('a file source plays once at the configured size and rate, then ends', async () => {
  const q = new LatestQueue<Frame>();
  const src = new CameraSource({ ...opts, url: asset('videos/pose_1.mp4') }, q, deps);
  const frames: Frame[] = [];
  src.start();
  const consumer = (async () => {
    for (let f = await q.next(); f; f = await q.next()) frames.push(f);
  })();
  await waitFor('the end of the clip', () => src.status().state === 'ended', 20_000);
  const s = src.status();
  await src.stop();
  await consumer;
  // pose_1.mp4 is 4 s at 30 fps, 576x576: at 10 fps and width 320 that is about 40 frames of 320x320.
  assert.ok(s.framesDecoded >= 38 && s.framesDecoded <= 42, `frames decoded ${s.framesDecoded}`);
  assert.ok(frames.length > 0);
  assert.deepEqual([frames[0]!.width, frames[0]!.height, frames[0]!.rgb!.length], [320, 320, 320 * 320 * 3]);
  assert.ok(s.fpsMeasured > 5 && s.fpsMeasured < 15, `measured ${s.fpsMeasured} fps (realtime pacing)`);
  assert.equal(ffmpegChildren(), '', 'no ffmpeg left');
});

/** A LatestQueue that keeps a weak reference to every frame offered, so a test can count the ones still alive. */
class WatchedQueue extends LatestQueue<Frame> {
  readonly offeredFrames: WeakRef<Frame>[] = [];
  override push(frame: Frame): void {
    this.offeredFrames.push(new WeakRef(frame));
    super.push(frame);
  }
}

/**
 * Bytes held by live ArrayBuffers (frame pixels among them) after a full garbage collection. The flag is set at run
 * time, so the test runs without `--expose-gc`. V8 frees dead ArrayBuffers in a background sweep after a GC, so the
 * count is read after a second GC, 50 ms on, which waits for that sweep; RSS is no use here: the allocator hands
 * freed memory back when it likes, and RSS swings by 30 MB either way while the buffers alive stay at 1-2 MB.
 */
async function arrayBufferBytesAfterGc(): Promise<number> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // Each GC after a turn of the event loop, which lets go of objects the last job touched (WeakRef rules).
  await new Promise((r) => setImmediate(r));
  gc();
  await sleep(50);
  gc();
  return process.memoryUsage().arrayBuffers;
}

test('a slow consumer never makes memory grow: over 120 frames at most 2 stay alive, pixel memory stays flat, and the rest are dropped and counted', async () => {
  const q = new WatchedQueue();
  const src = new CameraSource({ ...opts, url: asset('videos/pose_1.mp4'), fps: 30, loop: true }, q, deps);
  let taken = 0;
  let consuming = true;
  src.start();
  // A consumer at about 4 frames/s (a slow detector) against 30 decoded per second; each frame is held while "busy".
  const consumer = (async () => {
    for (let f = await q.next(); f && consuming; f = await q.next()) {
      taken++;
      await sleep(250);
    }
  })();
  try {
    // The baseline after 40 frames, once ffmpeg's pipes and the decoder's buffers have reached their working size.
    await waitFor('the first 40 frames', () => src.status().framesDecoded >= 40, 20_000);
    const baseBytes = await arrayBufferBytesAfterGc();
    const baseDecoded = src.status().framesDecoded;
    await waitFor('120 more frames', () => src.status().framesDecoded >= baseDecoded + 120, 30_000);
    const endBytes = await arrayBufferBytesAfterGc();
    const alive = q.offeredFrames.filter((w) => w.deref() !== undefined).length;
    const s = src.status();
    console.log(`# ${s.framesDecoded} frames decoded, ${taken} taken, ${s.framesDropped} dropped; alive after GC: ${alive}; ArrayBuffers ${(baseBytes / 1e6).toFixed(1)} -> ${(endBytes / 1e6).toFixed(1)} MB`);
    // At most the frame waiting in the queue and the one the consumer holds.
    assert.ok(alive <= 2, `${alive} of ${q.offeredFrames.length} frames still alive after GC`);
    // A 320x320 frame is 307 kB: keeping the 120 would add 37 MB; 10 MB leaves room for pipe and decoder buffers.
    assert.ok(endBytes - baseBytes < 10e6, `ArrayBuffers grew by ${((endBytes - baseBytes) / 1e6).toFixed(1)} MB over 120 frames`);
    assert.ok(s.framesDropped >= s.framesDecoded * 0.7, `dropped ${s.framesDropped} of ${s.framesDecoded}`);
    const unaccounted = s.framesDecoded - s.framesDropped - taken;
    assert.ok(unaccounted === 0 || unaccounted === 1, `every frame is taken, dropped, or the one waiting: ${s.framesDecoded} decoded, ${taken} taken, ${s.framesDropped} dropped`);
  } finally {
    consuming = false;
    await src.stop();
    await consumer;
  }
});

test('a missing file goes to backoff with a clear error and is retried, without crashing', async () => {
  const q = new LatestQueue<Frame>();
  const src = new CameraSource({ ...opts, url: '/nonexistent/clip.mp4' }, q, deps);
  src.start();
  const s = await waitFor('a retry', () => (src.status().restarts >= 2 ? src.status() : undefined));
  assert.equal(s.state, 'backoff');
  assert.match(s.lastError ?? '', /video file \/nonexistent\/clip\.mp4 does not exist/);
  await src.stop();
  assert.equal(src.status().state, 'stopped');
});

test('an RTSP URL that does not answer fails within the timeout, with the password redacted', async () => {
  const q = new LatestQueue<Frame>();
  const src = new CameraSource({ ...opts, url: 'rtsp://admin:hunter2@127.0.0.1:1/stream' }, q, deps);
  src.start();
  const s = await waitFor('an error', () => (src.status().lastError ? src.status() : undefined), 10_000);
  assert.match(s.lastError!, /cannot open rtsp:\/\/admin:\*\*\*@127\.0\.0\.1:1\/stream/);
  assert.doesNotMatch(s.lastError!, /hunter2/);
  await src.stop();
  assert.equal(ffmpegChildren(), '');
});

test('probing a file that is not a video is SOURCE_UNAVAILABLE', async () => {
  await assert.rejects(probeVideo(asset('MANIFEST.md')), (err) => isAppError(err, 'SOURCE_UNAVAILABLE'));
});
