// The fragmented-MP4 reader on real ffmpeg output (stream copy of a real H.264 clip, keyframe every second):
// the init segment's codec and size, per-frame fragments with times and keyframes, any chunking of the byte stream,
// a torn tail, and fragments of two runs joined into one timeline.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { completePrefix, Fmp4Splitter, joinFragments, type Fragment, type InitSegment } from '../src/media/fmp4.ts';
import { asset } from './support/assets.ts';

/** 3 s of the street clip at 15 fps, 320 px, keyframe every 15 frames, as ffmpeg's per-frame fragmented MP4. */
function fragmentedClip(): Buffer {
  return execFileSync('ffmpeg', [
    '-v', 'error', '-i', asset('videos/people-walking-street-720p.mp4'), '-t', '3', '-an', '-vf', 'fps=15,scale=320:-2',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '15', '-bf', '0', '-f', 'mp4',
    '-movflags', 'empty_moov+default_base_moof+frag_every_frame', 'pipe:1',
  ], { maxBuffer: 64 << 20 });
}

const bytes = fragmentedClip();

function split(data: Buffer, chunk: number) {
  const s = new Fmp4Splitter();
  const parts = [];
  for (let i = 0; i < data.length; i += chunk) parts.push(...s.push(data.subarray(i, i + chunk)));
  return { init: parts[0] as InitSegment, fragments: parts.slice(1) as Fragment[] };
}

test('the init segment names the codec for MSE and the picture size', () => {
  const { init, fragments } = split(bytes, bytes.length);
  assert.equal(init.kind, 'init');
  assert.match(init.codec ?? '', /^avc1\.[0-9a-f]{6}$/);
  assert.deepEqual([init.width, init.height], [320, 180]);
  assert.equal(fragments.length, 45, 'one fragment per frame');
  assert.ok(fragments.every((f) => f.kind === 'fragment'));
});

test('fragments carry their start, duration and keyframe flag', () => {
  const { init, fragments } = split(bytes, bytes.length);
  const keyframes = fragments.map((f, i) => (f.keyframe ? i : -1)).filter((i) => i >= 0);
  assert.deepEqual(keyframes, [0, 15, 30]);
  const frame = init.timescale / 15;
  fragments.forEach((f, i) => {
    assert.equal(f.durationTicks, frame, `fragment ${i} lasts one frame`);
    assert.equal(f.startTicks, i * frame, `fragment ${i} starts at frame ${i}`);
  });
});

test('with B-frames, each fragment\'s presentation time is its decode time plus the composition offset (as ffprobe reads it)', () => {
  // The source's own H.264 stream copied, as the live view does: B-frames, so samples are stored out of display order.
  const withB = execFileSync('ffmpeg', [
    '-v', 'error', '-i', asset('videos/people-walking-street-720p.mp4'), '-t', '1', '-an', '-c:v', 'copy', '-f', 'mp4',
    '-movflags', 'empty_moov+default_base_moof+frag_every_frame', 'pipe:1',
  ], { maxBuffer: 64 << 20 });
  const { init, fragments } = split(withB, 4096);
  const probed = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'packet=pts', '-of', 'csv=p=0', '-i', 'pipe:0'], { input: withB })
    .toString().trim().split('\n').map(Number);
  assert.equal(probed.length, fragments.length);
  assert.deepEqual(fragments.map((f) => f.ptsTicks), probed, 'presentation times in timescale units, in storage order');
  assert.ok(fragments.some((f) => f.ptsTicks !== f.startTicks), 'the clip does reorder frames');
  assert.ok(fragments[0]!.ptsTicks > 0 && init.timescale > 0, 'the first frame is presented after its decode time');
});

test('any chunking of the stream gives the same parts', () => {
  const whole = split(bytes, bytes.length);
  for (const size of [1, 7, 100, 4096]) {
    const parts = split(bytes, size);
    assert.equal(parts.fragments.length, whole.fragments.length, `chunks of ${size}`);
    assert.ok(parts.fragments.every((f, i) => f.data.equals(whole.fragments[i]!.data)));
  }
});

test('a torn file keeps its complete prefix', () => {
  const cut = bytes.subarray(0, Math.floor(bytes.length * 0.6));
  const { bytes: n, init, fragments } = completePrefix(cut);
  assert.ok(init);
  assert.ok(n < cut.length && n > 0);
  assert.equal(n, init.data.length + fragments.reduce((s, f) => s + f.data.length, 0));
  assert.equal(completePrefix(bytes.subarray(0, 100)).bytes, 0, 'no init: nothing usable');
});

test('fragments from two runs join into one continuous timeline that ffprobe reads', () => {
  const { init, fragments } = split(bytes, bytes.length);
  const joined = joinFragments(init.data, [...fragments.slice(0, 30), ...fragments.slice(15, 45)]);
  const again = split(joined, joined.length).fragments;
  assert.equal(again.length, 60);
  again.forEach((f, i) => assert.equal(f.startTicks, i * (init.timescale / 15)));
  const probe = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', '-i', 'pipe:0'], { input: joined }).toString().trim();
  assert.equal(probe, '60');
});
