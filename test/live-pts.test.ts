// Each live frame is placed on the live video's own timeline: a clip whose every frame shows its number (B-frames, so
// stored out of display order) runs as a live camera from a file and over RTSP; the frames the pipeline analyses get
// a presentation time from the stream, and the fragmented MP4 the browser plays, decoded by ffmpeg, shows at that very
// time the same picture. The old estimate from arrival times is reported beside it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { rtspClip, startRtspServer } from '../src/bench/rtsp-server.ts';
import type { Frame } from '../src/core/types.ts';
import { CameraSource } from '../src/ingest/camera-source.ts';
import { LatestQueue } from '../src/ingest/latest-queue.ts';
import { CameraMediaStream } from '../src/live/media-stream.ts';
import { type Fragment, type InitSegment } from '../src/media/fmp4.ts';
import { CODED_FPS, codedClip, frameCode } from './support/coded-clip.ts';
import { sleep, waitFor } from './support/wait.ts';

const deps = { log: pino({ level: 'silent' }), now: () => performance.now(), random: () => 0.5 };

interface Seen { code: number; exact: number | null; estimated: number | null }

/** Runs `url` as a live camera with a media output for `seconds`; each frame's code and its two presentation times. */
async function liveRun(url: string, seconds: number): Promise<{ seen: Seen[]; init: InitSegment; fragments: Fragment[] }> {
  const q = new LatestQueue<Frame>();
  const media = new CameraMediaStream();
  let init: InitSegment | null = null;
  const fragments: Fragment[] = [];
  media.subscribe({ init: (i) => (init = i), fragment: (f) => fragments.push(f) }, 0);
  const src = new CameraSource(
    { url, loop: true, rtspTransport: 'tcp', timeoutMs: 5000, stallTimeoutMs: 10_000, fps: CODED_FPS, width: 320, media },
    q, deps,
  );
  const frames: Frame[] = [];
  src.start();
  const consumer = (async () => {
    for (let f = await q.next(); f; f = await q.next()) frames.push(f);
  })();
  try {
    await waitFor('first frame', () => frames.length > 0, 20_000);
    await sleep(seconds * 1000);
  } finally {
    await src.stop();
    await consumer;
  }
  assert.ok(init, 'the media output began with an init segment');
  // Times are read after the run, when every fragment is in: the exact one needs the first; the estimate any before.
  const seen = frames.map((f) => {
    const { streamPtsMs, ...withoutPts } = f;
    assert.equal(typeof streamPtsMs, 'number', 'a live frame with a media output carries its pts');
    return { code: frameCode(f.rgb!, f.width, f.height), exact: media.presentationTime(f), estimated: media.presentationTime(withoutPts) };
  });
  return { seen, init: init!, fragments };
}

/** The code shown at each presentation time (ms, rounded) of the fragmented MP4, decoded by ffmpeg. */
function codesOnTimeline(init: InitSegment, fragments: Fragment[]): Map<number, number> {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-pts-'));
  try {
    const file = join(dir, 'live.mp4');
    writeFileSync(file, Buffer.concat([init.data, ...fragments.map((f) => f.data)]));
    const stamps = join(dir, 'times.txt');
    const rgb = execFileSync('ffmpeg', [
      '-v', 'error', '-copyts', '-i', file, '-filter_complex', '[0:v]scale=320:240:flags=fast_bilinear,split=2[a][b]',
      '-map', '[a]', '-fps_mode', 'passthrough', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1',
      '-map', '[b]', '-fps_mode', 'passthrough', '-enc_time_base', '-1', '-c:v', 'wrapped_avframe', '-f', 'mkvtimestamp_v2', stamps,
    ], { maxBuffer: 1 << 28 });
    const times = readFileSync(stamps, 'utf8').split('\n').filter((l) => /^\d/.test(l)).map((l) => Number(l) / 1000);
    const size = 320 * 240 * 3;
    assert.equal(rgb.length / size, times.length, 'one picture per presentation time');
    return new Map(times.map((t, i) => [t * 1000, frameCode(rgb.subarray(i * size, (i + 1) * size), 320, 240)]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function check(name: string, run: Awaited<ReturnType<typeof liveRun>>): void {
  const onTimeline = codesOnTimeline(run.init, run.fragments);
  // The picture shown at a time: the one whose presentation time is nearest, within `withinMs`.
  const shownAt = (t: number | null, withinMs: number) => {
    if (t === null) return undefined;
    let best: [number, number] | undefined;
    for (const [ms, code] of onTimeline) if (!best || Math.abs(ms - t * 1000) < Math.abs(best[0] - t * 1000)) best = [ms, code];
    return best && Math.abs(best[0] - t * 1000) <= withinMs ? best[1] : undefined;
  };
  // The decoder's times come in whole milliseconds: the exact time is within 2 ms of its picture's; an estimate is
  // given the benefit of half a frame (the player draws a message on the frame within half a frame of it).
  const exact = run.seen.filter((s) => shownAt(s.exact, 2) === s.code).length;
  const estimated = run.seen.filter((s) => shownAt(s.estimated, 1000 / CODED_FPS / 2) === s.code).length;
  console.log(`# ${name}: ${exact}/${run.seen.length} frames placed on their own picture from the stream's pts; ${estimated}/${run.seen.length} from arrival times (within half a frame)`);
  assert.ok(run.seen.length >= 25, `frames analysed: ${run.seen.length}`);
  const wrong = run.seen.filter((s) => shownAt(s.exact, 2) !== s.code).map((s) => `code ${s.code} at ${s.exact} shows ${shownAt(s.exact, 2)}`);
  assert.deepEqual(wrong, [], 'every frame lands on the picture it was decoded from');
}

test('live frames from a file with B-frames land on their own picture of the live video', { timeout: 60_000 }, async () => {
  check('file with B-frames', await liveRun(await codedClip(), 4));
});

test('live frames from an RTSP camera land on their own picture of the live video', { timeout: 60_000 }, async () => {
  const server = await startRtspServer({ coded: await rtspClip(await codedClip(), CODED_FPS, 240) }, { fps: CODED_FPS });
  try {
    check('RTSP', await liveRun(server.url('coded'), 4));
  } finally {
    await server.stop();
  }
});
