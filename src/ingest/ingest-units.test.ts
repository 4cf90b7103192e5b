import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelayMs } from './backoff.ts';
import { ffmpegDecodeArgs, scaledHeight } from './ffmpeg-args.ts';
import { FrameAssembler } from './frame-assembler.ts';
import { TimestampLines } from './timestamp-lines.ts';
import { LatestQueue } from './latest-queue.ts';
import { RateMeter } from './rate-meter.ts';
import { redactUrl } from './redact.ts';

test('TimestampLines reads mkvtimestamp_v2 output across chunk borders, one time per frame', () => {
  const lines = new TimestampLines();
  assert.deepEqual(lines.push(Buffer.from('# timecode format v2\n0\n6')), [0]);
  assert.deepEqual(lines.push(Buffer.from('7\n133\n')), [67, 133]);
  assert.deepEqual(lines.push(Buffer.from('what\n200\n')).map(String), ['NaN', '200'], 'a stray line keeps its place (unknown time)');
});

test('FrameAssembler cuts a stream into whole frames across chunk borders', () => {
  const fa = new FrameAssembler(4);
  assert.equal(fa.push(new Uint8Array([1, 2, 3])).length, 0);
  const frames = fa.push(new Uint8Array([4, 5, 6, 7, 8, 9]));
  assert.deepEqual(frames.map((f) => [...f]), [[1, 2, 3, 4], [5, 6, 7, 8]]);
  assert.equal(fa.pendingBytes, 1);
  assert.notEqual(frames[0]!.buffer, frames[1]!.buffer, 'each frame owns its buffer');
});

test('LatestQueue keeps the newest item, counts drops and never grows', async () => {
  const q = new LatestQueue<number>();
  for (let i = 0; i < 1000; i++) q.push(i);
  assert.equal(await q.next(), 999);
  assert.equal(q.dropped, 999);
  const waiting = q.next();
  q.push(7);
  assert.equal(await waiting, 7);
  q.close();
  assert.equal(await q.next(), undefined);
});

test('backoffDelayMs doubles, caps and jitters within 20 %', () => {
  const opts = { baseMs: 1000, capMs: 30_000 };
  assert.deepEqual([0, 1, 2, 3].map((a) => backoffDelayMs(a, opts, 0.5)), [1000, 2000, 4000, 8000]);
  assert.equal(backoffDelayMs(20, opts, 0.5), 30_000);
  assert.equal(backoffDelayMs(0, opts, 0), 800);
  assert.equal(backoffDelayMs(20, opts, 0.999), 30_000, 'jitter never exceeds the cap');
});

test('RateMeter measures events per second over its window', () => {
  const m = new RateMeter(5000);
  for (let t = 0; t <= 10_000; t += 200) m.tick(t);
  assert.equal(m.rate(10_000), 5);
  assert.equal(m.rate(30_000), 0);
});

test('redactUrl hides passwords', async (t) => {
  const cases = [
    ['rtsp://admin:secret@10.0.0.2:554/stream1', 'rtsp://admin:***@10.0.0.2:554/stream1'],
    ['http://u:p@host/x', 'http://u:***@host/x'],
    ['rtsp://host/stream', 'rtsp://host/stream'],
    ['/videos/a.mp4', '/videos/a.mp4'],
  ] as const;
  for (const [input, want] of cases) await t.test(input, () => assert.equal(redactUrl(input), want));
});

test('ffmpegDecodeArgs: RTSP over TCP with a socket timeout; files loop and pace', () => {
  const base = { width: 640, height: 360, fps: 5, realtime: true, loop: true, rtspTransport: 'tcp', timeoutMs: 5000 } as const;
  const rtsp = ffmpegDecodeArgs({ ...base, url: 'rtsp://cam/1' }).join(' ');
  assert.match(rtsp, /-rtsp_transport tcp -timeout 5000000 -analyzeduration 500000 -i rtsp:\/\/cam\/1/);
  assert.doesNotMatch(rtsp, /-stream_loop|-re |-user_agent/);
  // A cluster node names itself to the camera (its log then says which node pulls the stream); not to files.
  const named = ffmpegDecodeArgs({ ...base, url: 'rtsp://cam/1', userAgent: 'Sightline/0.1.0 (worker-2)' });
  assert.deepEqual(named.slice(named.indexOf('-user_agent'), named.indexOf('-user_agent') + 2), ['-user_agent', 'Sightline/0.1.0 (worker-2)']);
  assert.doesNotMatch(ffmpegDecodeArgs({ ...base, url: 'a.mp4', userAgent: 'x' }).join(' '), /-user_agent/);
  const file = ffmpegDecodeArgs({ ...base, url: 'a.mp4' }).join(' ');
  assert.match(file, /-re -stream_loop -1 -i a\.mp4/);
  // Live: at most 5 frames a second, never a duplicate; each output passes frames through as selected.
  assert.match(file, /-vf select='isnan\(prev_selected_t\)\+gte\(t-prev_selected_t,0\.18\)',scale=640:360:flags=fast_bilinear -fps_mode passthrough -pix_fmt rgb24 -f rawvideo pipe:1/);
  assert.match(ffmpegDecodeArgs({ ...base, url: 'http://cam/video.mjpg', wallclockTimestamps: true }).join(' '), /-use_wallclock_as_timestamps 1 -i http:\/\/cam\/video\.mjpg/);
  const offline = ffmpegDecodeArgs({ ...base, url: 'a.mp4', realtime: false, loop: false }).join(' ');
  assert.match(offline, /-vf fps=5,scale=640:360:flags=fast_bilinear -fps_mode passthrough/);
  const twoOutputs = ffmpegDecodeArgs({ ...base, url: 'a.mp4', realtime: false, detectorImage: { width: 416, height: 234, float: false } }).join(' ');
  // The detector image is scaled from the decoded (YUV) picture, not from the whole RGB one.
  assert.match(twoOutputs, /-filter_complex \[0:v\]fps=5,split=2\[full\]\[small\];\[full\]scale=640:360:flags=fast_bilinear,format=rgb24\[rgb\];\[small\]scale=416:234:flags=bilinear,format=gbrp\[det\]/);
  assert.match(twoOutputs, /-map \[rgb\] -fps_mode passthrough -pix_fmt rgb24 -f rawvideo pipe:1 -map \[det\] -fps_mode passthrough -pix_fmt gbrp -f rawvideo pipe:3$/);
  assert.doesNotMatch(twoOutputs, / -vf /);
  // The detector image alone (offline, nothing needs the whole picture): the same filters, fd 3 only, no stdout.
  const only = ffmpegDecodeArgs({ ...base, url: 'a.mp4', realtime: false, detectorImage: { width: 416, height: 234, float: false }, detectorImageOnly: true }).join(' ');
  assert.match(only, /-filter_complex \[0:v\]fps=5,scale=416:234:flags=bilinear,format=gbrp\[det\] -map \[det\] -fps_mode passthrough -pix_fmt gbrp -f rawvideo pipe:3$/);
  assert.doesNotMatch(only, /pipe:1/);
  // With the live view's output the whole picture is always decoded.
  assert.match(ffmpegDecodeArgs({ ...base, url: 'a.mp4', detectorImage: { width: 416, height: 234, float: false }, detectorImageOnly: true, media: { transcode: false } }).join(' '), / pipe:1 /);
  // The live view's output: H.264 copied (or re-encoded when unplayable) as per-frame fragmented MP4 on fd 4.
  const media = ffmpegDecodeArgs({ ...base, url: 'rtsp://cam/1', media: { transcode: false } }).join(' ');
  assert.match(media, /-map 0:v:0 -c:v copy -f mp4 -movflags empty_moov\+default_base_moof\+frag_every_frame pipe:4$/);
  // ...and each decoded frame's presentation time on fd 5, split from the same selected frames.
  assert.match(media, /split=2\[full\]\[ts\];\[full\]scale=640:360:flags=fast_bilinear,format=rgb24\[rgb\] -map \[rgb\] .* pipe:1 -map \[ts\] -fps_mode passthrough -enc_time_base -1 -c:v wrapped_avframe -flush_packets 1 -f mkvtimestamp_v2 pipe:5 /);
  const three = ffmpegDecodeArgs({ ...base, url: 'a.mp4', detectorImage: { width: 416, height: 234, float: true }, media: { transcode: false } }).join(' ');
  assert.match(three, /split=3\[full\]\[small\]\[ts\];\[full\]scale=640:360:flags=fast_bilinear,format=rgb24\[rgb\];\[small\]scale=416:234:flags=bilinear,format=gbrpf32le\[det\] .* pipe:1 .* pipe:3 .* pipe:5 .* pipe:4$/);
  assert.match(ffmpegDecodeArgs({ ...base, url: 'a.avi', media: { transcode: true } }).join(' '), /-map 0:v:0 -c:v libx264 -preset ultrafast -tune zerolatency .* pipe:4$/);
  assert.equal(scaledHeight(1920, 1080, 640), 360);
  assert.equal(scaledHeight(768, 576, 640), 480);
});
