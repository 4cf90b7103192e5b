// POST /api/cameras/probe's adapter on real sources: an RTSP stream from the test RTSP server and a file answer with
// codec, size, rate and a JPEG frame; an HTTP camera that wants a password, a closed port, a missing mount or file, and
// a file that is not a video each answer with the reason, all within a few seconds.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, rtspClip, startRtspServer } from '../src/bench/rtsp-server.ts';
import { probeSource } from '../src/ingest/probe-source.ts';
import { asset } from './support/assets.ts';
import { startLocalServer } from './support/http-server.ts';

const isJpeg = (dataUrl: string | null) => dataUrl !== null && Buffer.from(dataUrl.replace(/^data:image\/jpeg;base64,/, ''), 'base64').subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]));

test('probe: RTSP and file sources answer with what they hold and a frame; failures say why, within seconds', { timeout: 120_000 }, async () => {
  const server = await startRtspServer({ cam: await rtspClip(asset('videos/vtest.avi'), 15, 360) });
  const http = await startLocalServer((req, res) => {
    if (req.headers.authorization) res.writeHead(403).end();
    else res.writeHead(401, { 'www-authenticate': 'Basic realm="camera"' }).end();
  });
  try {
    const rtsp = await probeSource(server.url('cam'), { timeoutMs: 6000 });
    assert.equal(rtsp.ok, true, rtsp.message ?? '');
    assert.equal(rtsp.codec, 'h264');
    assert.equal(rtsp.height, 360);
    assert.ok(isJpeg(rtsp.snapshot), 'a JPEG frame');
    assert.ok(rtsp.elapsedMs < 6000, `${rtsp.elapsedMs} ms`);

    const file = await probeSource(asset('videos/vtest.avi'));
    assert.equal(file.ok, true);
    assert.deepEqual([file.width, file.height], [768, 576]);
    assert.ok(file.fps !== null && Math.abs(file.fps - 10) < 0.5, `fps ${file.fps}`);
    assert.ok(isJpeg(file.snapshot));

    const cases: [string, string][] = [
      [`${http.base.replace('http://', 'http://viewer:wrong@')}/video.mjpg`, 'auth failed'],
      [`rtsp://127.0.0.1:${await freePort()}/cam`, 'unreachable'],
      [server.url('nope'), 'not found'],
      ['/no/such/camera.mp4', 'not found'],
    ];
    const notVideo = join(mkdtempSync(join(tmpdir(), 'sightline-probe-')), 'notes.mp4');
    writeFileSync(notVideo, 'these are notes, not a video\n'.repeat(100));
    cases.push([notVideo, 'no video']);
    for (const [url, reason] of cases) {
      const r = await probeSource(url, { timeoutMs: 5000 });
      assert.equal(r.ok, false, url);
      assert.equal(r.reason, reason, `${url}: ${r.message}`);
      assert.ok(r.message && r.message.length > 0);
      assert.ok(!r.url.includes('wrong'), 'the password is not echoed');
      assert.ok(r.elapsedMs < 7000, `${url}: ${r.elapsedMs} ms`);
    }
  } finally {
    http.close();
    await server.stop();
  }
});
