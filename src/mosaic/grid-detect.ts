/**
 * Finds the tile grid of a DVR mosaic (pure): several camera pictures tiled N x M into one stream, with or without
 * border lines. Works on a few grey frames taken seconds apart (the camera worker keeps five, one a second).
 *
 * What a tile edge is, physically: the line where one camera's picture stops and another's starts. So along its
 * whole length, in every frame, content arriving at it from either side (a brightness change extending towards it)
 * continues across it only as often as chance would have it, and the mean brightness steps across it almost
 * everywhere. Inside one camera picture, content continues across any line about as often as it continues anywhere
 * else in that picture; a natural straight line (a lamp post, a horizon, a door frame) stops it only where the line
 * is, not quite completely, and somewhere along it, or as something moves across it, content visibly continues.
 * `line-evidence.ts` measures this per column and row, in chunks of 32 pixels along them: the break index (0: content
 * continues as within the picture, 1: only by chance), its significance, the chunks that refute an edge (content
 * clearly continuing there, judged frame by frame for what moves), and the share of the length along which the
 * brightness steps across. `grid-lines.ts` asks those questions of positions and bands.
 *
 * How it decides:
 * - An edge breaks (index 0.7 or more, 3 standard errors, counting repeated frames as one) and no chunk refutes it.
 *   A sure edge breaks by 4, or may be one (breaks, nothing shows it crossed) and the brightness steps across it along
 *   70 % of its length. A border is an edge of this kind: content on both sides stops at a flat line.
 * - DVRs split the picture equally, so every equal split up to 8 whose every line is a sure edge is a candidate, and
 *   the layout is the largest pair of them whose tiles are camera-shaped (9:16 to 21:9; one tile is always allowed):
 *   a 4:3 plaza does not become four 4:1 strips, whatever its paving does. A larger pair that needs a split with edges
 *   too weak for sure is taken, not sure, when the other split has sure edges (a mosaic's edges can be faint between
 *   dark tiles); otherwise it is only a doubt.
 * - A straight line off the equal splits cannot be told from a straight structure in one camera by the picture alone.
 *   On an axis without edges it is a doubt when it breaks by 4 and, in a camera-shaped picture, stops content
 *   completely (index 0.9; a door frame does not quite), or when the brightness steps across it along 70 % of its
 *   length (no natural line in the real clips did along more than 55 %). Only in a picture that no single camera has
 *   (not camera-shaped itself) is it taken as the edge between tiles of unequal size, and even then not sure.
 * - A grid has every edge in every band of tiles across it, and no band splits further on its own; otherwise the
 *   layout is not a grid (a big tile beside small ones) and the answer is not sure.
 * - Sure means: no doubt, and at least three frames (with two, what moves has too few chances to show a natural line
 *   crossed).
 *
 * Frames 1280 pixels wide or more are first reduced by an integer factor (cost; every picture is then judged at 640
 * to 1279 pixels wide), and the gap between compared lines is 3 pixels at 960 wide, scaled with the width. The answer
 * is in the caller's pixels; tile borders are found on the full-size frames.
 */
import { axisEvidence, flatLines, gapFor, isFlatLine } from './line-evidence.ts';
import {
  contentRange, edgesOffCuts, equalSplits, markCrossed, MAX_SPLIT, near, refutedNear, spansBetween, splitLines, steppingLines, whole,
  type AxisView, type Band,
} from './grid-lines.ts';

/** A grey picture, one byte per pixel, row-major. */
export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** A tile as fractions of the frame (0..1, origin top-left) and in pixels of the analysed frames. */
export interface Tile {
  readonly row: number;
  readonly column: number;
  /** [x, y, width, height] as fractions of the frame. */
  readonly rect: readonly [number, number, number, number];
  /** [x, y, width, height] in pixels of the analysed frames. */
  readonly pixels: readonly [number, number, number, number];
}

/** The layout found. */
export interface GridLayout {
  readonly rows: number;
  readonly columns: number;
  readonly tiles: readonly Tile[];
  /** True when every edge is clear and the grid is regular; false: ask the user to confirm or correct. */
  readonly sure: boolean;
  /** 0..1: the evidence of the weakest edge (its z over 8, at most 1; 1 without edges); halved when not sure. */
  readonly confidence: number;
  /** Why it is not sure (empty when sure). */
  readonly doubts: readonly string[];
}

/** Width / height of a camera-shaped tile: portrait 9:16 (corridor view) up to 21:9. */
const TILE_ASPECT = [0.5, 2.4] as const;
/** Fewer frames than this are never sure: what moves has too few chances to show a natural line crossed. */
const MIN_SURE_FRAMES = 3;
/** A line off the equal splits that would leave less than this share of the picture on a side is not a doubt. */
const MIN_PART = 0.25;
/** Frames at least twice this wide are reduced by an integer factor before analysis. */
const WORK_WIDTH = 640;

const cameraShaped = (w: number, h: number): boolean => w / h >= TILE_ASPECT[0] && w / h <= TILE_ASPECT[1];

/** The frames reduced by the largest integer factor that keeps them at least WORK_WIDTH wide (box average). */
function workingFrames(frames: readonly GreyImage[]): readonly GreyImage[] {
  const { width, height } = frames[0]!;
  const f = Math.floor(width / WORK_WIDTH);
  if (f < 2) return frames;
  const w = Math.floor(width / f), h = Math.floor(height / f), area = f * f;
  return frames.map((frame) => {
    const px = frame.data;
    const data = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) {
      const top = y * f * width;
      for (let x = 0; x < w; x++) {
        let sum = 0;
        for (let dy = 0, o = top + x * f; dy < f; dy++, o += width) for (let dx = 0; dx < f; dx++) sum += px[o + dx]!;
        data[y * w + x] = (sum + (area >> 1)) / area;
      }
    }
    return { width: w, height: h, data };
  });
}

/** The two axes of the working frames, with the chunks crossed by the other axis' edges marked. */
function axes(work: readonly GreyImage[]): { cols: AxisView; rows: AxisView } {
  const { width, height } = work[0]!;
  const gap = gapFor(width);
  const colEv = axisEvidence(work, 'x', gap), rowEv = axisEvidence(work, 'y', gap);
  const flat = flatLines(work, colEv.featureless, rowEv.featureless);
  const cols: AxisView = { ev: colEv, n: width, length: height, flat: flat.x, skip: new Uint8Array(0) };
  const rows: AxisView = { ev: rowEv, n: height, length: width, flat: flat.y, skip: new Uint8Array(0) };
  markCrossed(cols, rows);
  markCrossed(rows, cols);
  return { cols, rows };
}

type AxisName = 'x' | 'y';
const NAME = { x: 'column', y: 'row' } as const;
const OTHER = { x: 'y', y: 'x' } as const;

/** The picture being judged: its two axes at working size, its content (without flat margins), the caller's size. */
interface Picture {
  readonly view: { readonly x: AxisView; readonly y: AxisView };
  /** Content span (working pixels) along each axis, without the flat bars at its margins. */
  readonly content: { readonly x: readonly [number, number]; readonly y: readonly [number, number] };
  readonly size: { readonly x: number; readonly y: number };
  /** The caller's frame size. */
  readonly frame: { readonly x: number; readonly y: number };
}

/** A position along an axis, from working pixels to the caller's. */
const toPx = (pic: Picture, axis: AxisName, p: number): number => Math.round((p * pic.frame[axis]) / pic.view[axis].n);

/**
 * The largest pair of equal splits with sure edges and camera-shaped tiles. A larger pair that needs a split whose
 * lines are edges too weak for sure is taken, not sure, where the other split has sure edges (a mosaic's edges can be
 * faint between dark tiles); a larger pair of weak splits only is just a doubt.
 */
function chooseSplits(pic: Picture, doubts: string[]): { x: number[]; y: number[] } {
  const splits = { x: equalSplits(pic.view.x, whole(pic.view.x)), y: equalSplits(pic.view.y, whole(pic.view.y)) };
  const shaped = ([a, b]: readonly [number, number]) => cameraShaped(pic.size.x / a, pic.size.y / b);
  const pairs = (xs: readonly number[], ys: readonly number[]) =>
    xs.flatMap((a) => ys.map((b) => [a, b] as const)).filter(shaped).sort((p, q) => q[0] * q[1] - p[0] * p[1]);
  let [kx, ky] = pairs(splits.x.sure, splits.y.sure)[0] ?? [1, 1];
  const weaker = pairs([...splits.x.sure, ...splits.x.weak], [...splits.y.sure, ...splits.y.weak]).find(([a, b]) => a * b > kx * ky);
  if (weaker) {
    const [a, b] = weaker;
    const backed = (splits.x.sure.includes(a) && a > 1) || (splits.y.sure.includes(b) && b > 1);
    if (backed) [kx, ky] = [a, b];
    doubts.push(`${backed ? 'taken as' : 'the picture may be'} ${b}x${a} tiles: every line of that split breaks and none is seen crossed, but some too weakly to be sure`);
  }
  return { x: splitLines(kx, pic.view.x.n), y: splitLines(ky, pic.view.y.n) };
}

/**
 * Lines off the equal splits, on an axis without edges: doubts. In a camera-shaped picture only lines that stop
 * content completely count (a door frame does not quite); in a picture no single camera has, a line that leaves
 * camera-shaped tiles is taken as the edge between tiles of unequal size (still a doubt). Lines the features cannot
 * show (a plain area against fine texture, a black vignette) but across which the brightness steps are doubts too.
 */
function linesOffSplits(pic: Picture, cuts: { x: number[]; y: number[] }, doubts: string[]): void {
  const framed = cameraShaped(pic.size.x, pic.size.y);
  for (const axis of ['x', 'y'] as const) {
    if (cuts[axis].length > 0) continue;
    const view = pic.view[axis], across = pic.size[OTHER[axis]];
    for (const s of edgesOffCuts(view, cuts[axis], MIN_PART, framed)) {
      const how = `(break ${s.evidence.both.index.toFixed(2)}, z ${s.evidence.both.z.toFixed(1)})`;
      const where = `${NAME[axis]} line at ${axis}=${toPx(pic, axis, s.at)}`;
      const parts = spansBetween(view, [...cuts[axis], s.at].sort((p, q) => p - q));
      const tilesShaped = parts.every(([p0, p1]) => (axis === 'x' ? cameraShaped(p1 - p0, across) : cameraShaped(across, p1 - p0)));
      if (tilesShaped && !framed) {
        cuts[axis].push(s.at);
        cuts[axis].sort((p, q) => p - q);
        doubts.push(`the ${where} is taken as an edge between tiles of unequal size ${how}: no equal split explains it`);
      } else {
        doubts.push(`a ${where} that is not a tile edge breaks like one ${how}: tiles of unequal size, or a straight structure in one camera`);
      }
    }
    const [m0, m1] = pic.content[axis];
    const margin = (m1 - m0) / MAX_SPLIT;
    for (const s of steppingLines(view, cuts[axis], m0 + margin, m1 - margin)) {
      const share = Math.round(s.evidence.stepping * 100);
      doubts.push(`the brightness steps across the ${NAME[axis]} line at ${axis}=${toPx(pic, axis, s.at)} along ${share} % of its length, as between two pictures: a tile edge the features do not show?`);
    }
  }
}

/** A grid has every edge in every band of tiles across it, and no band splits further on its own. */
function checkBands(pic: Picture, cuts: { x: number[]; y: number[] }, spans: { x: Band[]; y: Band[] }, doubts: string[]): void {
  for (const axis of ['x', 'y'] as const) {
    const view = pic.view[axis], k = cuts[axis].length + 1, bands = spans[OTHER[axis]];
    if (bands.length < 2) continue;
    for (const band of bands) {
      const between = `between ${OTHER[axis]}=${toPx(pic, OTHER[axis], band[0])} and ${toPx(pic, OTHER[axis], band[1])}`;
      const own = equalSplits(view, band);
      const finer = Math.max(...own.sure, ...own.weak);
      const missing = cuts[axis].find((p) => refutedNear(view, p, band));
      if (finer > k && finer % k === 0) doubts.push(`${between} the picture splits into ${finer} ${NAME[axis]}s, elsewhere ${k}: a partial edge, not a regular grid`);
      else if (missing !== undefined) doubts.push(`the ${NAME[axis]} edge at ${axis}=${toPx(pic, axis, missing)} is missing ${between}: not a regular grid`);
      else continue;
      break;
    }
  }
}

/** The tiles in the caller's pixels: from each cut, past the flat (border) lines of the full-size frames. */
function tilesOf(frames: readonly GreyImage[], pic: Picture, cuts: { x: number[]; y: number[] }): Tile[] {
  const spans = (axis: AxisName): [number, number][] => {
    const at = [0, ...cuts[axis].map((p) => toPx(pic, axis, p)), pic.frame[axis]];
    return at.slice(1).map((end, i) => {
      let a = at[i]!;
      let b = end;
      const middle = (a + b) >> 1;
      while (a < middle && isFlatLine(frames, axis, a)) a++;
      while (b > middle + 1 && isFlatLine(frames, axis, b - 1)) b--;
      return [a, b];
    });
  };
  const { x: width, y: height } = pic.frame;
  const xs = spans('x');
  return spans('y').flatMap(([y, y1], row) =>
    xs.map(([x, x1], column) => ({ row, column, rect: [x / width, y / height, (x1 - x) / width, (y1 - y) / height], pixels: [x, y, x1 - x, y1 - y] }) as const),
  );
}

/** Detects the grid of a mosaic from a few grey frames of it (same size, ideally seconds apart). */
export function detectGrid(frames: readonly GreyImage[]): GridLayout {
  if (frames.length === 0) throw new Error('detectGrid needs at least one frame');
  const { width, height } = frames[0]!;
  for (const f of frames) {
    if (f.width !== width || f.height !== height || f.data.length !== width * height) {
      throw new Error(`detectGrid: every frame must be ${width}x${height} grey bytes, got ${f.width}x${f.height} (${f.data.length} bytes)`);
    }
  }
  const { cols, rows } = axes(workingFrames(frames));
  const content = { x: contentRange(cols), y: contentRange(rows) };
  const pic: Picture = {
    view: { x: cols, y: rows }, content, size: { x: content.x[1] - content.x[0], y: content.y[1] - content.y[0] }, frame: { x: width, y: height },
  };
  const doubts: string[] = [];
  const cuts = chooseSplits(pic, doubts);
  linesOffSplits(pic, cuts, doubts);
  const spans = { x: spansBetween(cols, cuts.x), y: spansBetween(rows, cuts.y) };
  checkBands(pic, cuts, spans, doubts);
  if (frames.length < MIN_SURE_FRAMES) doubts.push(`only ${frames.length} frame(s): sure needs ${MIN_SURE_FRAMES}, seconds apart, for what moves to show natural lines crossed`);

  const edgeZ = (['x', 'y'] as const).flatMap((axis) => cuts[axis].map((p) => near(pic.view[axis], p, whole(pic.view[axis])).both.z));
  const evidence = edgeZ.length ? Math.max(0, Math.min(1, Math.min(...edgeZ) / 8)) : 1;
  const sure = doubts.length === 0;
  const confidence = Math.round((sure ? evidence : evidence / 2) * 100) / 100;
  return { rows: spans.y.length, columns: spans.x.length, tiles: tilesOf(frames, pic, cuts), sure, confidence, doubts };
}

/** Grey (BT.601 luma) from packed RGB24. */
export function greyFromRgb(rgb: Uint8Array, width: number, height: number): GreyImage {
  const data = new Uint8Array(width * height);
  for (let i = 0, p = 0; i < data.length; i++, p += 3) data[i] = (rgb[p]! * 77 + rgb[p + 1]! * 150 + rgb[p + 2]! * 29) >> 8;
  return { width, height, data };
}
