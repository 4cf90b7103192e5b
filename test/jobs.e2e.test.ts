// Batch video jobs on a real server process: vtest.avi uploaded as a job, the server killed with SIGKILL in the middle,
// started again: the job runs again and completes, with the same tracks (MOT file, byte for byte) and the same events
// as `sightline analyze` on the same video; progress is pushed over the WebSocket. Bad uploads (not a video, over the
// limit by its declared length and while streaming) get a clear 4xx and leave nothing on disk; a job can be cancelled;
// an annotated video is written on request.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { request } from 'node:http';
import WebSocket from 'ws';
import { stringify } from 'yaml';
import { freePort } from '../src/bench/rtsp-server.ts';
import { asset, ASSETS } from './support/assets.ts';
import { waitFor } from './support/wait.ts';

const BIN = new URL('../bin/sightline.mjs', import.meta.url).pathname;
const FPS = 5;

interface Job {
  id: string;
  status: string;
  attempts: number;
  error: string | null;
  progress: { frames: number; totalFrames: number | null; percent: number | null; framesPerSecond: number; etaMs: number | null } | null;
  result: { framesAnalyzed: number; events: number } | null;
}

interface EventLike {
  ruleId: string;
  startMs: number;
  endMs: number | null;
  subjects: { trackId: number; label: string }[];
}

/** `sightline serve` as a child process on `port`; resolves once it answers. */
async function serve(configFile: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--config', configFile], { env: { ...process.env, SIGHTLINE_ASSETS: ASSETS }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
    if (process.env['JOBS_TEST_LOG']) process.stderr.write(d);
  });
  await waitFor(`the server on port ${port} (${err})`, async () => (await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null))?.ok, 60_000, 200);
  return child;
}

function stopped(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

/** Events without their ids, in the order of the analysis (what must be the same in both runs). */
const shape = (events: EventLike[]) => events.map((e) => ({ ruleId: e.ruleId, startMs: e.startMs, endMs: e.endMs, subjects: e.subjects.map((s) => `${s.label}#${s.trackId}`) }));

test('a job on vtest.avi survives kill -9 and completes with the tracks and events of `sightline analyze`', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-jobs-'));
  const port = await freePort();
  const configFile = join(dir, 'sightline.yaml');
  writeFileSync(configFile, stringify({
    server: { port }, auth: { enabled: false }, dataDir: join(dir, 'data'), log: { level: 'info' }, models: { download: false },
    cameras: [{ id: 'idle', enabled: false, source: { url: 'rtsp://127.0.0.1:9/none' } }],
  }));
  let server: ChildProcess | null = null;
  try {
    // The reference: the command line on the same video and settings.
    const mot = join(dir, 'analyze.txt');
    const json = join(dir, 'analyze.json');
    await promisify(execFile)(process.execPath, [BIN, 'analyze', asset('videos/vtest.avi'), '--fps', String(FPS), '--mot', mot, '--json', json, '--config', configFile], {
      env: { ...process.env, SIGHTLINE_ASSETS: ASSETS }, maxBuffer: 1 << 24,
    });
    const reference = { tracks: readFileSync(mot, 'utf8'), events: (JSON.parse(readFileSync(json, 'utf8')) as { events: EventLike[] }).events };
    assert.ok(reference.tracks.length > 1000 && reference.events.length > 0);

    server = await serve(configFile, port);
    const base = `http://127.0.0.1:${port}`;
    const messages: Job[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/ws`);
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; job?: Job };
      if (m.type === 'job') messages.push(m.job!);
    });
    await new Promise((r) => ws.once('open', r));
    const video = readFileSync(asset('videos/vtest.avi'));
    const res = await fetch(`${base}/api/jobs/upload?fps=${FPS}&name=vtest.avi`, { method: 'POST', headers: { 'content-type': 'video/x-msvideo' }, body: video });
    assert.equal(res.status, 201, await res.clone().text());
    const job = (await res.json()) as Job;
    const progressed = await waitFor('the job past 20 %', async () => {
      const j = (await (await fetch(`${base}/api/jobs/${job.id}`)).json()) as Job;
      return j.progress && (j.progress.percent ?? 0) >= 20 ? j : undefined;
    }, 120_000, 100);
    assert.equal(progressed.status, 'running');
    assert.ok(progressed.progress!.totalFrames! > 300 && progressed.progress!.framesPerSecond > 0 && progressed.progress!.etaMs !== null, JSON.stringify(progressed.progress));
    assert.ok(messages.some((m) => m.id === job.id && m.progress !== null), 'progress pushed over the WebSocket');
    ws.close();

    server.kill('SIGKILL');
    await stopped(server);
    server = await serve(configFile, port);
    const done = await waitFor('the job done after the restart', async () => {
      const j = (await (await fetch(`${base}/api/jobs/${job.id}`)).json()) as Job;
      assert.notEqual(j.status, 'failed', j.error ?? '');
      return j.status === 'done' ? j : undefined;
    }, 240_000, 250);
    assert.equal(done.attempts, 2, 'it ran again after the kill');
    const tracks = await (await fetch(`${base}/api/jobs/${job.id}/tracks.txt`)).text();
    assert.equal(tracks, reference.tracks, 'the MOT file is the one `sightline analyze --mot` wrote');
    const events = ((await (await fetch(`${base}/api/jobs/${job.id}/events`)).json()) as { events: (EventLike & { cameraId: string })[] }).events;
    assert.deepEqual(shape(events), shape(reference.events), 'the same events');
    assert.ok(events.every((e) => e.cameraId === `job:${job.id}`), 'marked with the job');
  } finally {
    server?.kill('SIGKILL');
    if (server) await stopped(server);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('uploads that are not videos or are too large get a clear 4xx and leave nothing on disk; jobs can be cancelled; annotated video on request', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-jobs-bad-'));
  const port = await freePort();
  const configFile = join(dir, 'sightline.yaml');
  const dataDir = join(dir, 'data');
  writeFileSync(configFile, stringify({
    server: { port }, auth: { enabled: false }, dataDir, log: { level: 'warn' }, models: { download: false }, jobs: { maxUploadMb: 5 },
    cameras: [{ id: 'idle', enabled: false, source: { url: 'rtsp://127.0.0.1:9/none' } }],
  }));
  let server: ChildProcess | null = null;
  const jobFiles = () => (existsSync(join(dataDir, 'jobs')) ? readdirSync(join(dataDir, 'jobs')) : []);
  try {
    server = await serve(configFile, port);
    const base = `http://127.0.0.1:${port}`;
    const upload = (body: BodyInit, type = 'video/mp4') => fetch(`${base}/api/jobs/upload`, { method: 'POST', headers: { 'content-type': type }, body, duplex: 'half' } as RequestInit);

    const notVideo = await upload(Buffer.from('this is a text file, not a video\n'.repeat(1000)));
    assert.equal(notVideo.status, 400);
    const nv = (await notVideo.json()) as { error: { code: string; message: string } };
    assert.equal(nv.error.code, 'VIDEO_INVALID');
    assert.match(nv.error.message, /expected a video file/);
    assert.deepEqual(jobFiles(), [], 'nothing left of the text file');

    // 2 GB declared: refused from the header, before a byte is stored.
    const huge = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${base}/api/jobs/upload`, { method: 'POST', headers: { 'content-type': 'video/mp4', 'content-length': String(2 * 1024 ** 3) } }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.write(Buffer.alloc(1 << 20));
      // The answer comes without the rest of the body.
      setTimeout(() => req.destroy(), 20_000).unref();
    });
    assert.equal(huge.status, 413, huge.body);
    assert.match(huge.body, /jobs\.maxUploadMb allows 5 MiB/);
    // Streamed without a length (chunked): stopped at the limit.
    const chunks = Readable.from((function* () {
      for (let i = 0; i < 8; i++) yield Buffer.alloc(1 << 20, i);
    })());
    const streamed = await upload(Readable.toWeb(chunks) as unknown as BodyInit, 'application/octet-stream').catch((err: unknown) => ({ status: 0, err }));
    if (streamed.status !== 0) assert.equal(streamed.status, 413);
    await waitFor('nothing left of the large uploads', () => jobFiles().length === 0, 5000);

    const wrongType = await upload('{}', 'application/json');
    assert.equal(wrongType.status, 415);
    const badModel = await fetch(`${base}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ source: { url: 'http://127.0.0.1:9/v.mp4' }, model: 'nope' }) });
    assert.equal(badModel.status, 404);

    // A job from a URL that cannot be read fails with the reason; another is cancelled while queued or running.
    const url = await fetch(`${base}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ source: { url: 'http://127.0.0.1:9/v.mp4' } }) });
    assert.equal(url.status, 201);
    const failing = (await url.json()) as Job;
    const failed = await waitFor('the URL job failed', async () => {
      const j = (await (await fetch(`${base}/api/jobs/${failing.id}`)).json()) as Job;
      return j.status === 'failed' ? j : undefined;
    }, 60_000, 200);
    assert.match(failed.error!, /127\.0\.0\.1:9/);
    const small = readFileSync(asset('videos/people-walking-street-720p.mp4'));
    const made = (await (await upload(small)).json()) as Job;
    const cancelled = (await (await fetch(`${base}/api/jobs/${made.id}/cancel`, { method: 'POST' })).json()) as Job;
    assert.ok(['cancelled', 'running'].includes(cancelled.status));
    await waitFor('the job cancelled', async () => ((await (await fetch(`${base}/api/jobs/${made.id}`)).json()) as Job).status === 'cancelled', 30_000, 100);
    assert.equal((await fetch(`${base}/api/jobs/${made.id}/tracks.txt`)).status, 409);
    assert.equal((await fetch(`${base}/api/jobs/${made.id}`, { method: 'DELETE' })).status, 204);
    assert.ok(!jobFiles().includes(made.id), 'its files went with it');

    // An annotated video on request: the same size and frames as the input, the tracks' boxes drawn.
    const pose = readFileSync(asset('videos/pose_1.mp4'));
    const annotatedJob = (await (await upload(pose)).json()) as Job;
    assert.equal((await fetch(`${base}/api/jobs/${annotatedJob.id}/annotated.mp4`)).status, 409, 'not before it is done');
    const plain = (await (await fetch(`${base}/api/jobs/upload?annotate=true`, { method: 'POST', headers: { 'content-type': 'video/mp4' }, body: pose })).json()) as Job;
    await waitFor('the annotated job done', async () => {
      const j = (await (await fetch(`${base}/api/jobs/${plain.id}`)).json()) as Job;
      assert.notEqual(j.status, 'failed', j.error ?? '');
      return j.status === 'done';
    }, 120_000, 200);
    const mp4 = Buffer.from(await (await fetch(`${base}/api/jobs/${plain.id}/annotated.mp4`)).arrayBuffer());
    const annotatedFile = join(dir, 'annotated.mp4');
    writeFileSync(annotatedFile, mp4);
    const probe = async (file: string) => JSON.parse((await promisify(execFile)('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=codec_name,width,height,nb_read_frames', '-of', 'json', file])).stdout).streams[0];
    const [a, b] = [await probe(annotatedFile), await probe(asset('videos/pose_1.mp4'))];
    assert.deepEqual([a.codec_name, a.width, a.height, a.nb_read_frames], ['h264', b.width, b.height, b.nb_read_frames]);
    const rows = (await (await fetch(`${base}/api/jobs/${plain.id}/tracks.txt`)).text()).trim().split('\n').map((l) => l.split(',').map(Number));
    const row = rows.find((r) => r[0] === 10)!;
    const frame = async (file: string) => (await promisify(execFile)('ffmpeg', ['-v', 'error', '-i', file, '-vf', 'select=eq(n\\,9)', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { encoding: 'buffer', maxBuffer: 1 << 26 })).stdout as Buffer;
    const [drawn, original] = [await frame(annotatedFile), await frame(asset('videos/pose_1.mp4'))];
    const diff = (x: number, y: number) => [0, 1, 2].reduce((d, c) => d + Math.abs(drawn[(y * b.width + x) * 3 + c]! - original[(y * b.width + x) * 3 + c]!), 0) / 3;
    const [x, y, w, h] = [Math.round(row[2]!), Math.round(row[3]!), Math.round(row[4]!), Math.round(row[5]!)];
    const onBox = [0.25, 0.5, 0.75].map((f) => diff(Math.round(x + f * w), Math.max(1, y + 1)));
    const inside = [0.25, 0.5, 0.75].map((f) => diff(Math.round(x + f * w), Math.round(y + h / 2)));
    assert.ok(Math.min(...onBox) > 30, `the box is drawn on frame 10 (difference on its top edge ${onBox.map((v) => v.toFixed(0))})`);
    assert.ok(Math.max(...inside) < 25, `the picture is otherwise the input (difference inside ${inside.map((v) => v.toFixed(0))})`);
  } finally {
    server?.kill('SIGKILL');
    if (server) await stopped(server);
    rmSync(dir, { recursive: true, force: true });
  }
});
