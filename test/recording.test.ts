// Recording with real video and real files: a real clip encoded by ffmpeg as the live view's per-frame fragmented MP4
// (keyframe every second) is fed through a camera's media stream into the recorder with arrival times that follow the
// video, so 24 s of recording take well under a second. Segments start at keyframes and play on their own; retention
// with a budget of a few MB deletes oldest first, spares segments of events marked "keep" and the segment being
// written, and honours the free-space floor; a restart rebuilds the index and repairs or drops half-written segments;
// event clips have their pre- and post-roll. The free-space figure is injected: this machine's disk cannot be filled
// for a test.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { CameraSchema } from '../src/config/schema.ts';
import { CameraMediaStream } from '../src/live/media-stream.ts';
import { Fmp4Splitter, type Fragment, type InitSegment } from '../src/media/fmp4.ts';
import { RecordingStore, segmentPath } from '../src/recording/recording-store.ts';
import { Recordings } from '../src/recording/recordings.ts';
import { SqlEventStore } from '../src/store/event-repository.ts';
import { openDatabase } from '../src/store/open-database.ts';
import type { SqlDatabase } from '../src/store/sql-database.ts';
import { asset } from './support/assets.ts';
import { presenceEvent } from './support/events.ts';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const log = pino({ level: 'silent' });

/** 24 s of the street clip, 640x360 at 15 fps, keyframe every 15 frames, as per-frame fragmented MP4 parts. */
const stream = (() => {
  const bytes = execFileSync('ffmpeg', [
    '-v', 'error', '-stream_loop', '2', '-i', asset('videos/people-walking-street-720p.mp4'), '-t', '24', '-an',
    '-vf', 'fps=15,scale=640:-2', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '15', '-bf', '0', '-f', 'mp4',
    '-movflags', 'empty_moov+default_base_moof+frag_every_frame', 'pipe:1',
  ], { maxBuffer: 256 << 20 });
  const parts = new Fmp4Splitter().push(bytes);
  return { bytes, init: parts[0] as InitSegment, fragments: parts.slice(1) as Fragment[] };
})();
const arrival = (f: Fragment) => T0 + (f.startTicks / stream.init.timescale) * 1000;

let db: SqlDatabase;
let events: SqlEventStore;
const dirs: string[] = [];
before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-rec-db-'));
  dirs.push(dir);
  db = await openDatabase({ dataDir: dir });
  events = new SqlEventStore(db);
});
after(async () => {
  await db.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function camera(record: Record<string, unknown>) {
  return CameraSchema.parse({ id: 'gate', source: { url: 'rtsp://x/y' }, record: { segmentSeconds: 4, ...record } });
}

/** A recorder on a fresh media folder; `feed(fromS, toS)` plays that part of the stream into it. */
function setup(record: Record<string, unknown>, settings: { maxSizeMb?: number; minFreeMb?: number; free?: () => number | null } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'sightline-rec-'));
  dirs.push(root);
  const cam = camera(record);
  let now = T0;
  const store = new RecordingStore(root);
  const limits = { maxSizeMb: settings.maxSizeMb ?? 0, minFreeMb: settings.minFreeMb ?? 0, checkSeconds: 3600 };
  const recordings = new Recordings(limits, [cam], {
    store, events, log, now: () => now,
    ...(settings.free ? { freeBytes: async () => settings.free!() } : {}),
  });
  const media = new CameraMediaStream();
  recordings.attach(cam, media);
  media.begin();
  media.data(stream.init.data, T0);
  return {
    root, store, recordings, media, limits,
    setNow: (t: number) => (now = t),
    feed(fromS: number, toS: number) {
      for (const f of stream.fragments) {
        const at = arrival(f);
        if (at >= T0 + fromS * 1000 && at < T0 + toS * 1000) {
          now = at;
          media.data(f.data, at);
        }
      }
    },
  };
}

const frames = (file: string) =>
  Number(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file]).toString().trim());

test('continuous recording: segments of ~4 s cut at keyframes, each playable on its own, the last one still being written', async () => {
  const r = setup({ mode: 'continuous' });
  r.feed(0, 24);
  await r.recordings.tick();
  const segs = r.store.segments('gate');
  assert.equal(segs.length, 5, `5 closed segments of 4 s in 24 s (the 6th is being written): ${segs.map((s) => s.path).join(', ')}`);
  for (const s of segs) {
    assert.equal(s.endMs - s.startMs, 4000);
    assert.equal(frames(join(r.root, s.path)), 60, `${s.path} holds 60 frames`);
    assert.equal(statSync(join(r.root, s.path)).size, s.bytes);
  }
  const writing = r.store.writingSegment('gate')!;
  assert.equal(writing.path, segmentPath('gate', T0 + 20_000, null));
  await r.recordings.stop();
  assert.equal(r.store.segments('gate').length, 6, 'stop closes the last segment');
});

test('retention with a tiny budget: oldest first, never a "keep" event\'s segment, never the one being written', async () => {
  const r = setup({ mode: 'continuous', preRollSeconds: 0, postRollSeconds: 0 });
  r.feed(0, 24);
  await r.recordings.tick();
  const all = r.store.segments('gate');
  const size = all.reduce((n, s) => n + s.bytes, 0);
  assert.ok(size > 1024 * 1024, `a few MB recorded: ${size} bytes`);
  // An event during the first segment, marked keep.
  const event = presenceEvent({ cameraId: 'gate', startMs: T0 + 500, endMs: T0 + 1500, endReason: 'left' });
  await events.upsert(event);
  await events.setKeep(event.id, true);
  // Budget: the kept segment and the newest closed one fit, nothing more.
  const budget = all[0]!.bytes + all[4]!.bytes + 1;
  r.limits.maxSizeMb = budget / (1024 * 1024);
  await r.recordings.tick();
  const left = r.store.segments('gate').map((s) => s.path);
  assert.deepEqual(left, [all[0]!.path, all[4]!.path], 'the kept event\'s segment and the newest that fits');
  assert.deepEqual(r.recordings.status().deleted['total-size'], 3);
  assert.ok(existsSync(join(r.root, r.store.writingSegment('gate')!.path)), 'the segment being written stays');
  assert.deepEqual(r.recordings.status().warnings, []);
  await events.setKeep(event.id, false);
  await r.recordings.stop();
});

test('below the free-space floor the oldest recordings go first and a warning is raised', async () => {
  let free = 500 * 1024 * 1024;
  const r = setup({ mode: 'continuous' }, { minFreeMb: 100, free: () => free });
  r.feed(0, 24);
  await r.recordings.tick();
  assert.equal(r.store.segments('gate').length, 5, 'plenty of space: nothing deleted');
  const [first, second] = r.store.segments('gate');
  free = 100 * 1024 * 1024 - first!.bytes - 1; // one segment short of the floor, plus a byte
  await r.recordings.tick();
  assert.ok(!existsSync(join(r.root, first!.path)) && !existsSync(join(r.root, second!.path)), 'the two oldest are gone');
  assert.equal(r.store.segments('gate').length, 3);
  assert.match(r.recordings.status().warnings.join('\n'), /below the 100\.0 MB floor: deleting the 2 oldest recording segments/);
  assert.ok(existsSync(join(r.root, r.store.writingSegment('gate')!.path)));
  await r.recordings.stop();
});

test('events mode keeps the segments around events (pre- and post-roll) and deletes the rest', async () => {
  const r = setup({ mode: 'events', preRollSeconds: 2, postRollSeconds: 1 });
  const event = presenceEvent({ cameraId: 'gate', startMs: T0 + 9000 });
  r.feed(0, 9);
  r.recordings.event(event);
  r.feed(9, 13);
  r.recordings.event({ ...event, endMs: T0 + 13_000 });
  r.feed(13, 24);
  r.setNow(T0 + 30_000);
  await r.recordings.stop();
  await r.recordings.tick();
  // Segments [0,4) [4,8) [8,12) [12,16) [16,20) [20,24): the event with roll spans 7 s..14 s.
  assert.deepEqual(r.store.segments('gate').map((s) => s.startMs - T0), [4000, 8000, 12_000]);
  const clip = await r.recordings.clip({ ...event, endMs: T0 + 13_000 });
  assert.ok(clip);
  // From the keyframe at or before 7 s to 14 s.
  assert.equal(clip.startMs - T0, 7000);
  const file = join(r.root, 'clip.mp4');
  writeFileSync(file, clip.data);
  assert.equal(frames(file), 15 * 7 + 1, '7 s of video plus the frame at 14 s');
});

test('a restart rebuilds the index from disk; a half-written segment is repaired, an unplayable one dropped', async () => {
  const r = setup({ mode: 'continuous' });
  r.feed(0, 12);
  await r.recordings.stop();
  const closed = r.store.segments('gate');
  assert.equal(closed.length, 3);
  // A crash mid-segment: a .part file cut in the middle of a fragment, and one that holds only the init segment.
  const day = join(r.root, 'recordings/gate/2026-11-21');
  const torn = join(r.root, segmentPath('gate', T0 + 12_000, null));
  const body = Buffer.concat([stream.init.data, ...stream.fragments.slice(180, 210).map((f) => f.data)]);
  writeFileSync(torn, body.subarray(0, body.length - 100));
  writeFileSync(join(r.root, segmentPath('gate', T0 + 16_000, null)), stream.init.data);
  const store = new RecordingStore(r.root);
  const report = await store.rebuild();
  assert.deepEqual(report, { segments: 4, repaired: 1, dropped: 1 });
  const repaired = store.segments('gate').at(-1)!;
  assert.equal(repaired.startMs, T0 + 12_000);
  assert.equal(repaired.endMs - repaired.startMs, Math.round((29 / 15) * 1000), 'the 29 whole frames');
  assert.equal(frames(join(r.root, repaired.path)), 29, 'the repaired segment plays');
  assert.deepEqual(readdirSync(day).filter((n) => n.includes('.part')), [], 'no half-written file is left');
  assert.deepEqual(store.segments('gate').slice(0, 3).map((s) => s.path), closed.map((s) => s.path));
});
