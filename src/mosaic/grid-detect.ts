/**
 * Finds the tile grid of a DVR mosaic (pure): several camera pictures tiled N x M into one stream, with or without
 * border lines, tiles of equal or unequal size. Works on a few grey frames taken some time apart.
 *
 * Inside a camera picture, neighbouring columns of pixels are strongly correlated over the whole height (and over
 * time); across the edge between two tiles they are not, because the two sides show different scenes. So for every
 * column x the detector measures 1 - corr(column x-1, column x+2) in chunks of 24 rows of each frame and takes the
 * median (three apart, so that the blur of scaling does not hide the edge; in chunks, so that brightness differences
 * between tile rows cancel out); border lines are flat and count as edges. DVRs split the picture
 * equally, so the largest equal split whose every line is an edge wins; strong lines it does not explain mean unequal
 * tiles (or doubt). Then each band of tiles is checked on its own: a grid has every column edge in every row band.
 * Not sure means: a strong line that is not an edge, unequal tiles, or an edge missing in some band (not a grid).
 */

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
  /** 0..1: the gap between the weakest edge and the strongest line that is not an edge. */
  readonly confidence: number;
  /** Why it is not sure (empty when sure). */
  readonly doubts: readonly string[];
}

/** Decorrelation (1 - r, 0..2) at an expected grid line above which it is a tile edge. */
const EDGE = 0.8;
/** Within one band of tiles an edge is noisier: the lower bar that each band must clear. */
const BAND_EDGE = 0.6;
/** A line elsewhere at least this decorrelated (in chunks and whole) is a possible edge the grid does not explain. */
const STRONG = 0.75;
/** An unexplained line at least this decorrelated (in chunks and whole) is an edge between unequal tiles. */
const UNEQUAL_EDGE = 0.85;
/** Standard deviation (grey levels) below which a column or row is flat (a border line). */
const FLAT_STD = 2.5;
/** Distance between the two columns (rows) that are compared. */
const GAP = 3;
/** Most tiles per row or column tried. */
const MAX_SPLIT = 8;

type Axis = 'x' | 'y';

/** Lines are compared in chunks of this many pixels, so brightness differences between bands of tiles cancel out. */
const CHUNK = 24;

/**
 * Per line along `axis`, within the band [b0, b1) of the other axis: `d[i]` = the median over chunks (CHUNK pixels of
 * the other axis, in each frame) of 1 - corr(line i-1, line i+GAP-1); 2 where either line is flat over the whole band
 * (a border). Also which lines are flat.
 */
function profile(frames: readonly GreyImage[], axis: Axis, b0: number, b1: number, chunk = CHUNK): { d: Float64Array; flat: Uint8Array } {
  const { width, height } = frames[0]!;
  const n = axis === 'x' ? width : height;
  const at = (px: Uint8Array, i: number, o: number) => (axis === 'x' ? px[o * width + i]! : px[i * width + o]!);
  // Whole-band statistics for flat lines.
  const sum = new Float64Array(n);
  const sq = new Float64Array(n);
  let count = 0;
  const samples: number[][] = Array.from({ length: n }, () => []);
  const cs = new Float64Array(n);
  const cq = new Float64Array(n);
  const cx = new Float64Array(n);
  for (const f of frames) {
    const px = f.data;
    for (let c0 = b0; c0 < b1; c0 += chunk) {
      const c1 = Math.min(b1, c0 + chunk);
      if (c1 - c0 < Math.min(chunk, b1 - b0) / 2) break;
      cs.fill(0);
      cq.fill(0);
      cx.fill(0);
      for (let o = c0; o < c1; o++) {
        count++;
        for (let i = 0; i < n; i++) {
          const v = at(px, i, o);
          cs[i] = cs[i]! + v;
          cq[i] = cq[i]! + v * v;
          if (i >= GAP) cx[i - GAP] = cx[i - GAP]! + v * at(px, i - GAP, o);
        }
      }
      const m = c1 - c0;
      for (let i = 0; i < n; i++) {
        sum[i] = sum[i]! + cs[i]!;
        sq[i] = sq[i]! + cq[i]!;
      }
      for (let a = 0; a + GAP < n; a++) {
        const b = a + GAP;
        const va = cq[a]! / m - (cs[a]! / m) ** 2;
        const vb = cq[b]! / m - (cs[b]! / m) ** 2;
        if (va < FLAT_STD ** 2 || vb < FLAT_STD ** 2) continue; // a dark or even patch says nothing
        const r = (cx[a]! / m - (cs[a]! / m) * (cs[b]! / m)) / Math.sqrt(va * vb);
        samples[a + 1]!.push(1 - Math.max(-1, Math.min(1, r)));
      }
    }
  }
  const flat = new Uint8Array(n);
  for (let i = 0; i < n; i++) flat[i] = count > 0 && Math.sqrt(Math.max(0, sq[i]! / count - (sum[i]! / count) ** 2)) < FLAT_STD ? 1 : 0;
  const d = new Float64Array(n);
  for (let i = 1; i + GAP - 1 < n; i++) {
    if (flat[i - 1] || flat[i + GAP - 1]) {
      d[i] = 2;
      continue;
    }
    const v = samples[i]!.sort((x, y) => x - y);
    d[i] = v.length ? v[Math.floor(v.length / 2)]! : 0;
  }
  return { d, flat };
}

/** Strongest decorrelation within `radius` of `at`. */
function strengthNear(d: Float64Array, at: number, radius: number): number {
  let m = 0;
  for (let i = Math.max(1, Math.round(at - radius)); i <= Math.min(d.length - GAP, Math.round(at + radius)); i++) m = Math.max(m, d[i]!);
  return m;
}

/** Local maxima of `d` at least `min`, `sep` apart (strongest first kept), away from the frame's ends. */
function peaks(d: Float64Array, min: number, sep: number): { at: number; value: number }[] {
  const cands: { at: number; value: number }[] = [];
  for (let i = sep; i < d.length - sep; i++) if (d[i]! >= min) cands.push({ at: i, value: d[i]! });
  cands.sort((a, b) => b.value - a.value);
  const kept: { at: number; value: number }[] = [];
  for (const c of cands) if (kept.every((k) => Math.abs(k.at - c.at) > sep)) kept.push(c);
  return kept.sort((a, b) => a.at - b.at);
}

/** The lines of one axis: edges (positions between tiles) and the doubts about them. */
interface AxisEdges {
  /** Tiles in the largest equal split whose every line is an edge. */
  readonly split: number;
  /** Edge positions in pixels (the boundary between two tiles, borders included), in order. */
  readonly edges: number[];
  readonly weakest: number;
  /** Strongest line that no edge explains: its decorrelation (0 when none) and position in pixels. */
  readonly stray: number;
  readonly strayAt: number;
  readonly regular: boolean;
}

/** How far from its expected place an edge may lie (scaling rounds tile sizes). */
const edgeRadius = (n: number) => Math.max(GAP, n * 0.01);

/** The largest number of equal tiles (up to MAX_SPLIT) along a line of `n` pixels whose every dividing line is an edge. */
function equalSplit(d: Float64Array, n: number): number {
  let split = 1;
  for (let k = 2; k <= MAX_SPLIT; k++) {
    const lines = Array.from({ length: k - 1 }, (_, i) => ((i + 1) * n) / k);
    if (lines.every((p) => strengthNear(d, p, edgeRadius(n)) >= EDGE)) split = k;
  }
  return split;
}

/**
 * Edges along one axis. DVR mosaics are nearly always equal splits, so first the largest equal split whose every line
 * is an edge; a strong line it does not explain falls back to the strong lines themselves (unequal tiles).
 */
function axisEdges(d: Float64Array, whole: Float64Array, n: number): AxisEdges {
  const radius = edgeRadius(n);
  const split = equalSplit(d, n);
  const regular = Array.from({ length: split - 1 }, (_, i) => ((i + 1) * n) / split);
  // Other lines are judged on both measures: a pole's edge can look like a tile edge over whole lines, texture can
  // within short chunks, but only a real edge between two pictures is decorrelated in both.
  const both = d.map((v, i) => Math.min(v, whole[i]!));
  const strong = peaks(both, STRONG, Math.max(8, Math.round(n * 0.04)));
  const unexplained = strong.filter((p) => regular.every((r) => Math.abs(r - p.at) > radius * 2));
  const unequal = unexplained.filter((p) => p.value >= UNEQUAL_EDGE);
  if (unequal.length > 0) {
    // Unequal tiles: the strongest lines are edges too; weaker strong lines remain doubts.
    const edges = [...regular, ...unequal.map((p) => p.at)].sort((a, b) => a - b);
    const weakest = Math.min(...unequal.map((p) => p.value), ...regular.map((p) => strengthNear(d, p, radius)));
    return { split, edges, weakest, ...strongest(unexplained.filter((p) => p.value < UNEQUAL_EDGE)), regular: false };
  }
  const weakest = regular.length ? Math.min(...regular.map((p) => strengthNear(d, p, radius))) : 2;
  return { split, edges: regular, weakest, ...strongest(unexplained), regular: true };
}

/** The strongest of `lines` as a stray line (0 at -1 when there is none). */
function strongest(lines: readonly { at: number; value: number }[]): { stray: number; strayAt: number } {
  return lines.reduce((m, p) => (p.value > m.stray ? { stray: p.value, strayAt: p.at } : m), { stray: 0, strayAt: -1 });
}

/** Tile spans [start, end) between the edges, without the flat (border) lines at each side. */
function spansBetween(edges: readonly number[], n: number, flat: Uint8Array): [number, number][] {
  const cuts = [0, ...edges.map((e) => Math.round(e)), n];
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    let a = cuts[i]!;
    let b = cuts[i + 1]!;
    while (a < b - 1 && flat[a]) a++;
    while (b > a + 1 && flat[b - 1]) b--;
    out.push([a, b]);
  }
  return out;
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
  const px = profile(frames, 'x', 0, height);
  const py = profile(frames, 'y', 0, width);
  const cols = axisEdges(px.d, profile(frames, 'x', 0, height, Infinity).d, width);
  const rows = axisEdges(py.d, profile(frames, 'y', 0, width, Infinity).d, height);
  const colSpans = spansBetween(cols.edges, width, px.flat);
  const rowSpans = spansBetween(rows.edges, height, py.flat);
  const doubts: string[] = [];
  for (const [name, at, a] of [['column', 'x', cols], ['row', 'y', rows]] as const) {
    if (a.stray >= STRONG) doubts.push(`a ${name} line at ${at}=${a.strayAt} that is not a tile edge is as strong as one (${a.stray.toFixed(2)}): a partial edge, or a layout that is not a grid`);
  }
  // A grid has every edge in every band of tiles across it, and no band splits further on its own.
  const check = (axis: Axis, bands: readonly [number, number][], whole: AxisEdges, n: number) => {
    if (bands.length < 2) return;
    for (const [b0, b1] of bands) {
      const { d } = profile(frames, axis, b0, b1);
      const own = equalSplit(d, n);
      if (whole.regular && own > whole.split && own % whole.split === 0) {
        const what = axis === 'x' ? `between y=${b0} and ${b1} the picture splits into ${own} columns, elsewhere ${whole.split}` : `between x=${b0} and ${b1} the picture splits into ${own} rows, elsewhere ${whole.split}`;
        doubts.push(`${what}: a partial edge, not a regular grid`);
        return;
      }
      const weak = whole.edges.find((e) => strengthNear(d, e, edgeRadius(n)) < BAND_EDGE);
      if (weak !== undefined) {
        const what = axis === 'x' ? `the column edge at x=${Math.round(weak)} is missing between y=${b0} and ${b1}` : `the row edge at y=${Math.round(weak)} is missing between x=${b0} and ${b1}`;
        doubts.push(`${what}: not a regular grid`);
        return;
      }
    }
  };
  check('x', rowSpans, cols, width);
  check('y', colSpans, rows, height);

  const tiles: Tile[] = [];
  rowSpans.forEach(([y0, y1], r) =>
    colSpans.forEach(([x0, x1], c) =>
      tiles.push({ row: r, column: c, rect: [x0 / width, y0 / height, (x1 - x0) / width, (y1 - y0) / height], pixels: [x0, y0, x1 - x0, y1 - y0] }),
    ),
  );
  const margin = Math.min(cols.weakest, rows.weakest) - Math.max(cols.stray, rows.stray, EDGE / 2);
  const confidence = Math.max(0, Math.min(1, margin / EDGE));
  return { rows: rowSpans.length, columns: colSpans.length, tiles, sure: doubts.length === 0, confidence: Math.round(confidence * 100) / 100, doubts };
}

/** Grey (BT.601 luma) from packed RGB24. */
export function greyFromRgb(rgb: Uint8Array, width: number, height: number): GreyImage {
  const data = new Uint8Array(width * height);
  for (let i = 0, p = 0; i < data.length; i++, p += 3) data[i] = (rgb[p]! * 77 + rgb[p + 1]! * 150 + rgb[p + 2]! * 29) >> 8;
  return { width, height, data };
}
