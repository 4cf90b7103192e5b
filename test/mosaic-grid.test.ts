// DVR mosaic grid detection on mosaics built by ffmpeg (xstack) from the real clips: 1x2, 2x2, 3x3 and 4x4, with and
// without border lines, tiles of unequal size, a single camera, and a layout that is not a grid (which must come back
// "not sure"). Five frames a second apart, scaled to 960 px wide as a camera would decode them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { detectGrid, type GreyImage } from '../src/mosaic/grid-detect.ts';
import { asset } from './support/assets.ts';

const CLIPS = [
  'videos/people-walking-street-720p.mp4', 'videos/cars-street-720p.mp4', 'videos/swiftlet-birds-cctv-720p.mp4',
  'videos/vtest.avi', 'videos/pose_1.mp4', 'videos/pose_squats.mp4',
];
const OUT_WIDTH = 960;
const FRAMES = 5;

/** A tile of the mosaic before scaling: where its picture is, in pixels. */
interface Placed {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** Builds the mosaic of `tiles` (pictures placed on a black canvas of `width` x `height`) and returns grey frames. */
function mosaic(tiles: readonly Placed[], width: number, height: number): GreyImage[] {
  const inputs = tiles.flatMap((_, i) => ['-stream_loop', '-1', '-ss', String((i * 1.7) % 4), '-i', asset(CLIPS[i % CLIPS.length]!)]);
  const scaled = tiles.map((t, i) => `[${i}:v]fps=5,scale=${t.w}:${t.h},setsar=1${i >= CLIPS.length ? ',hflip' : ''}[t${i}]`);
  const overlay = tiles.reduce(
    (acc, t, i) => `${acc};[m${i}][t${i}]overlay=${t.x}:${t.y}:shortest=1[m${i + 1}]`,
    `color=black:size=${width}x${height}:rate=5[m0]`,
  );
  const outHeight = Math.round((height * OUT_WIDTH) / width / 2) * 2;
  const graph = `${scaled.join(';')};${overlay};[m${tiles.length}]fps=1,scale=${OUT_WIDTH}:${outHeight},format=gray[out]`;
  const raw = execFileSync('ffmpeg', ['-v', 'error', ...inputs, '-filter_complex', graph, '-map', '[out]', '-frames:v', String(FRAMES), '-f', 'rawvideo', 'pipe:1'], {
    maxBuffer: 64 << 20,
  });
  const size = OUT_WIDTH * outHeight;
  assert.equal(raw.length, size * FRAMES, 'ffmpeg made the frames');
  return Array.from({ length: FRAMES }, (_, i) => ({ width: OUT_WIDTH, height: outHeight, data: raw.subarray(i * size, (i + 1) * size) }));
}

/** A regular rows x columns grid of w x h pictures, each with a border of `border` px on every side. */
function grid(rows: number, columns: number, w: number, h: number, border: number) {
  const tiles: Placed[] = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) tiles.push({ x: c * (w + 2 * border) + border, y: r * (h + 2 * border) + border, w, h });
  return { tiles, width: columns * (w + 2 * border), height: rows * (h + 2 * border) };
}

/** Asserts the found tiles match the placed ones within 1 % of the frame. */
function assertTiles(found: ReturnType<typeof detectGrid>, placed: readonly Placed[], width: number, height: number, name: string) {
  assert.equal(found.tiles.length, placed.length, `${name}: ${found.tiles.length} tiles found`);
  placed.forEach((p, i) => {
    const want = [p.x / width, p.y / height, p.w / width, p.h / height];
    const got = found.tiles[i]!.rect;
    want.forEach((v, k) => assert.ok(Math.abs(got[k]! - v) <= 0.01, `${name} tile ${i}: found ${got.map((n) => n.toFixed(3))}, placed ${want.map((n) => n.toFixed(3))}`));
  });
}

const cases = [
  { name: '1x2', rows: 1, columns: 2, w: 640, h: 360 },
  { name: '2x2', rows: 2, columns: 2, w: 640, h: 360 },
  { name: '3x3', rows: 3, columns: 3, w: 426, h: 240 },
  { name: '4x4', rows: 4, columns: 4, w: 320, h: 180 },
];

for (const c of cases) {
  for (const border of [0, 4]) {
    const name = `${c.name} ${border ? `with ${border} px borders` : 'without borders'}`;
    test(`mosaic ${name}: layout, tiles and sure`, () => {
      const g = grid(c.rows, c.columns, c.w, c.h, border);
      const found = detectGrid(mosaic(g.tiles, g.width, g.height));
      console.log(`# ${name}: ${found.rows}x${found.columns}, sure ${found.sure}, confidence ${found.confidence}${found.doubts.length ? `, ${found.doubts.join('; ')}` : ''}`);
      assert.deepEqual([found.rows, found.columns], [c.rows, c.columns]);
      assertTiles(found, g.tiles, g.width, g.height, name);
      assert.ok(found.sure, `${name}: ${found.doubts.join('; ')}`);
    });
  }
}

test('unequal tiles: a wide and a narrow camera side by side are found, and sure', () => {
  const side = [{ x: 0, y: 0, w: 800, h: 450 }, { x: 800, y: 0, w: 480, h: 450 }];
  const a = detectGrid(mosaic(side, 1280, 450));
  assert.deepEqual([a.rows, a.columns, a.sure], [1, 2, true], a.doubts.join('; '));
  assertTiles(a, side, 1280, 450, 'side by side');
});

// A known limit, asserted as it is: with the street squashed to 480 lines over the cars squashed to 240, the far edge
// of the road inside the cars picture decorrelates a little more than the edge between the pictures (0.89 against
// 0.85), so the detector puts the row edge there. What the user gets is still usable: not sure, and the doubt names
// the line of the true edge.
test('unequal tiles: a tall and a short one stacked are not found; the answer is not sure and its doubt names the true edge', () => {
  const stacked = [{ x: 0, y: 0, w: 1280, h: 480 }, { x: 0, y: 480, w: 1280, h: 240 }];
  const b = detectGrid(mosaic(stacked, 1280, 720));
  console.log(`# stacked: ${b.rows}x${b.columns}, sure ${b.sure}, confidence ${b.confidence}, ${b.doubts.join('; ')}`);
  assert.deepEqual([b.rows, b.columns, b.sure], [2, 1, false]);
  const height = (720 * OUT_WIDTH) / 1280;
  const trueEdgeY = (480 / 720) * height;
  const proposedEdgeY = b.tiles[1]!.pixels[1];
  assert.ok(Math.abs(proposedEdgeY - trueEdgeY) > 0.01 * height, `the stacked edge is now found (y=${proposedEdgeY}): assert the right tiles and sure here`);
  assert.equal(b.doubts.length, 1, b.doubts.join('; '));
  const named = /^a row line at y=(\d+) that is not a tile edge/.exec(b.doubts[0]!);
  assert.ok(named, b.doubts[0]);
  assert.ok(Math.abs(Number(named[1]) - trueEdgeY) <= 0.01 * height, `the doubt names y=${named[1]}, the true edge is at y=${trueEdgeY}`);
});

test('a single camera is one tile, and sure', () => {
  const one = [{ x: 0, y: 0, w: 1280, h: 720 }];
  const found = detectGrid(mosaic(one, 1280, 720));
  assert.deepEqual([found.rows, found.columns, found.sure], [1, 1, true], found.doubts.join('; '));
});

test('a layout that is not a grid (one large picture beside two stacked) is reported as not sure', () => {
  const tiles = [{ x: 0, y: 0, w: 640, h: 720 }, { x: 640, y: 0, w: 640, h: 360 }, { x: 640, y: 360, w: 640, h: 360 }];
  const found = detectGrid(mosaic(tiles, 1280, 720));
  console.log(`# 1 + 2 layout: ${found.rows}x${found.columns}, sure ${found.sure}: ${found.doubts.join('; ')}`);
  assert.equal(found.sure, false);
  assert.ok(found.doubts.length > 0);
});

test('frames of different sizes are refused with what was expected', () => {
  assert.throws(() => detectGrid([{ width: 4, height: 2, data: new Uint8Array(8) }, { width: 4, height: 3, data: new Uint8Array(12) }]), /every frame must be 4x2 grey bytes, got 4x3/);
});
