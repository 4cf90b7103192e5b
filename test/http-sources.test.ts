// Network sources besides RTSP over TCP, each from a real local server: RTSP over UDP (GStreamer's RTSP server), HLS
// (segments made by ffmpeg from a real clip, served over HTTP) and MJPEG over HTTP (multipart/x-mixed-replace, the
// stream cheap IP cameras serve). Each camera comes online at the detect size and rate; credentials stay redacted.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import pino from 'pino';
import { rtspClip, startRtspServer } from '../src/bench/rtsp-server.ts';
import type { Frame } from '../src/core/types.ts';
import { CameraSource } from '../src/ingest/camera-source.ts';
import { LatestQueue } from '../src/ingest/latest-queue.ts';
import { asset } from './support/assets.ts';
import { startLocalServer } from './support/http-server.ts';
import { ffmpegChildren, sleep, waitFor } from './support/wait.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'sightline-http-src-'));
const deps = { log: pino({ level: 'silent' }), now: () => performance.now(), random: Math.random };

/** Runs a camera on `url` until it has been online for 4 s; returns its status and first frame. */
async function watch(url: string, transport: 'tcp' | 'udp' = 'tcp') {
  const queue = new LatestQueue<Frame>();
  const source = new CameraSource(
    { url, loop: false, rtspTransport: transport, timeoutMs: 5000, stallTimeoutMs: 8000, fps: 5, width: 320, backoffBaseMs: 500, backoffCapMs: 2000 },
    queue,
    deps,
  );
  source.start();
  let first: Frame | undefined;
  const consumer = (async () => {
    for (let f = await queue.next(); f; f = await queue.next()) first ??= f;
  })();
  try {
    await waitFor(`${url} online`, () => source.status().state === 'online', 20_000);
    await sleep(4000);
    return { status: source.status(), first: first! };
  } finally {
    await source.stop();
    await consumer;
  }
}

test('RTSP over UDP', async () => {
  const server = await startRtspServer({ street: await rtspClip(asset('videos/people-walking-street-720p.mp4')) });
  try {
    const { status, first } = await watch(server.url('street'), 'udp');
    assert.equal(status.state, 'online');
    assert.deepEqual([first.width, first.height], [320, 180]);
    assert.ok(status.framesDecoded >= 15, `${status.framesDecoded} frames`);
  } finally {
    await server.stop();
  }
  assert.equal(ffmpegChildren(), '');
});

test('HLS over HTTP, with credentials in the URL redacted from the status', async () => {
  await run('ffmpeg', [
    '-v', 'error', '-i', asset('videos/cars-street-720p.mp4'), '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '30',
    '-f', 'hls', '-hls_time', '2', '-hls_list_size', '0', '-hls_playlist_type', 'vod', join(dir, 'cars.m3u8'),
  ]);
  const server = await startLocalServer((req, res) => {
    try {
      const body = readFileSync(join(dir, new URL(req.url!, 'http://x').pathname.slice(1)));
      res.writeHead(200, { 'content-type': req.url!.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  try {
    const url = server.base.replace('http://', 'http://viewer:secret@') + '/cars.m3u8';
    const { status, first } = await watch(url);
    assert.deepEqual([first.width, first.height], [320, 180]);
    assert.ok(status.framesDecoded >= 15, `${status.framesDecoded} frames`);
    assert.ok(!JSON.stringify(status).includes('secret'));
  } finally {
    server.close();
  }
});

test('MJPEG over HTTP (multipart/x-mixed-replace)', async () => {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', asset('videos/vtest.avi'), '-t', '10', '-vf', 'scale=640:-2', '-f', 'mjpeg', '-q:v', '5', 'pipe:1'], {
    encoding: 'buffer',
    maxBuffer: 1 << 28,
  });
  // Cut the MJPEG stream into JPEGs at their start-of-image markers.
  const jpegs: Buffer[] = [];
  for (let at = stdout.indexOf(Buffer.from([0xff, 0xd8, 0xff])); at >= 0; ) {
    const next = stdout.indexOf(Buffer.from([0xff, 0xd8, 0xff]), at + 3);
    jpegs.push(stdout.subarray(at, next < 0 ? stdout.length : next));
    at = next;
  }
  const server = await startLocalServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'multipart/x-mixed-replace; boundary=frame' });
    let i = 0;
    const timer = setInterval(() => {
      const jpeg = jpegs[i++ % jpegs.length]!;
      res.write(`--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
      res.write(jpeg);
      res.write('\r\n');
    }, 100);
    res.on('close', () => clearInterval(timer));
  });
  try {
    const { status, first } = await watch(`${server.base}/video.mjpg`);
    assert.deepEqual([first.width, first.height], [320, 240]);
    assert.ok(status.fpsMeasured > 3 && status.fpsMeasured < 7, `${status.fpsMeasured} frames/s at detect fps 5 from a 10 fps camera`);
  } finally {
    server.close();
  }
  assert.equal(ffmpegChildren(), '');
});
