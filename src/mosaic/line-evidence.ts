/**
 * Evidence for and against a tile edge at each line of a picture (pure; the statistics behind `detectGrid`).
 *
 * Along every column (for column edges; every row for row edges) the brightness change from one pixel to the next is
 * reduced to its sign, with a dead zone of DEAD_ZONE grey levels (so noise and slow gradients count as "no change").
 * Picture content that crosses a line (an edge, a shadow, a texture) changes brightness at the same place on
 * neighbouring lines, so a sign seen on line a-G and on line a (a feature extending towards the line) is normally seen
 * on line a+G as well. Between two tiles it is not: the far side is another camera, and matches only as often as
 * chance. So for the pair of lines (a, a+G) straddling a candidate edge we count, from each side, how many features
 * arrive, how many continue across, how many would continue by chance (how often the far line has that sign), and,
 * as the picture's own reference, how many continue one step further inside the same side.
 *
 * Counts are kept per frame and per chunk of 32 samples along the line, so any band of the picture can be judged on
 * its own, and one chunk where content clearly continues across the line refutes an edge there: summed over the
 * frames for what stands still (counting the frames as one sample, since static content repeats), frame by frame for
 * what moves across. The sign words are 32 samples wide, so counting is a few bit operations and popcounts per 32
 * pixels.
 */
import type { GreyImage } from './grid-detect.ts';

/** Which lines: 'x' = columns (vertical edges), 'y' = rows (horizontal edges). */
export type Axis = 'x' | 'y';

/** Distance in pixels between the two lines compared, at 960 pixels wide: so that the blur of scaling does not bridge
 * an edge, and natural content still continues over it. Scaled with the width of the frames (`gapFor`). */
const GAP_AT_960 = 3;

/** The gap between compared lines for frames `width` pixels wide: the same distance in the picture at any size. */
export const gapFor = (width: number): number => Math.max(2, Math.round((GAP_AT_960 * width) / 960));
/** Brightness steps (grey levels between neighbouring pixels) up to this size are not features. */
const DEAD_ZONE = 3;
/** Samples along a line per chunk (one 32-bit word). */
export const CHUNK = 32;

/** Content continues across a line in a chunk when crossing exceeds chance by this many standard errors... */
const CONTINUE_Z = 4;
/** ...reaches this fraction of the picture's own continuation rate at that line... */
const CONTINUE_SHARE = 0.5;
/** ...and continues on at least this many of the 32 samples (per frame, summed): more than one edge that happens to
 * line up with another on the far side can give (an edge is one or two samples, blurred over three at most). */
const CONTINUE_MIN = 4;
/** In a single frame (what moves across a line), the same test needs this many: up to three coincident edges. */
const CONTINUE_MIN_FRAME = 7;
/** A line whose grey levels stay within this range over its whole length in every frame is flat (a border). */
const FLAT_RANGE = 10;
/** A chunk steps across a line when the mean grey levels of the lines at either side differ by this much... */
const STEP_LEVEL = 8;
/** ...and by this many times more than those of the next lines on each side (a gradient is no step). */
const STEP_RATIO = 3;

/**
 * Per-chunk counts of one frame. Index: chunk * lines + line. `ext[i]`: samples where lines i and i+gap have the same
 * sign (a feature extending from i to i+gap); `through[i]`: the same sign on i, i+gap and i+2*gap; `chanceLeft[a]` /
 * `chanceRight[a]`: how many of the features arriving at the pair (a, a+gap) from the left / right would continue
 * across by chance, given how often the far line has each sign.
 */
interface FrameCounts {
  readonly ext: Int32Array;
  readonly through: Int32Array;
  readonly chanceLeft: Float32Array;
  readonly chanceRight: Float32Array;
  /** 1 for lines with at least one feature (a sign) anywhere along them. */
  readonly featured: Uint8Array;
  /** Sum of the grey levels of line i over the chunk's samples. */
  readonly level: Int32Array;
}

const popcount = (v: number): number => {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
};

/** Counts the features of every line of `axis` in one frame, in chunks of CHUNK samples. */
function countFrame(frame: GreyImage, axis: Axis, chunks: number, g: number): FrameCounts {
  const { width, height, data: px } = frame;
  const lines = axis === 'x' ? width : height;
  const size = chunks * lines;
  const k: FrameCounts = {
    ext: new Int32Array(size), through: new Int32Array(size), chanceLeft: new Float32Array(size), chanceRight: new Float32Array(size),
    featured: new Uint8Array(lines), level: new Int32Array(size),
  };
  // Sign words of one chunk: bit j of up[line] / down[line] = the sign at sample j of the chunk.
  const up = new Int32Array(lines), down = new Int32Array(lines), ext = new Int32Array(lines);
  const rises = new Int32Array(lines), falls = new Int32Array(lines), extRise = new Int32Array(lines), extFall = new Int32Array(lines);
  // Rows are read once, in order, for all their chunks at once (the words of every chunk kept: row * chunks + chunk).
  const rowUp = axis === 'y' ? new Int32Array(height * chunks) : up, rowDown = axis === 'y' ? new Int32Array(height * chunks) : down;
  if (axis === 'y') {
    for (let y = 0; y < height; y++) {
      let i = y * width, prev = px[i]!;
      for (let c = 0; c < chunks; c++) {
        let r = 0, f = 0, sum = prev;
        for (let j = 0; j < CHUNK; j++) {
          const cur = px[++i]!;
          const v = cur - prev;
          prev = cur;
          sum += cur;
          r |= ((DEAD_ZONE - v) >>> 31) << j;
          f |= ((v + DEAD_ZONE) >>> 31) << j;
        }
        rowUp[y * chunks + c] = r;
        rowDown[y * chunks + c] = f;
        k.level[c * lines + y] = sum - prev;
      }
    }
  }
  for (let c = 0; c < chunks; c++) {
    if (axis === 'x') {
      // Down each column through the chunk's 33 rows (they stay in cache from one column to the next).
      const top = c * CHUNK * width;
      for (let x = 0; x < width; x++) {
        let r = 0, f = 0, i = top + x, prev = px[i]!, sum = prev;
        for (let j = 0; j < CHUNK; j++) {
          i += width;
          const cur = px[i]!;
          const v = cur - prev;
          prev = cur;
          sum += cur;
          r |= ((DEAD_ZONE - v) >>> 31) << j;
          f |= ((v + DEAD_ZONE) >>> 31) << j;
        }
        up[x] = r;
        down[x] = f;
        k.level[c * lines + x] = sum - prev;
      }
    } else {
      for (let y = 0; y < height; y++) {
        up[y] = rowUp[y * chunks + c]!;
        down[y] = rowDown[y * chunks + c]!;
      }
    }
    for (let i = 0; i < lines; i++) {
      rises[i] = popcount(up[i]!);
      falls[i] = popcount(down[i]!);
      if (up[i]! | down[i]!) k.featured[i] = 1;
    }
    for (let i = 0; i + g < lines; i++) {
      const r = up[i]! & up[i + g]!, f = down[i]! & down[i + g]!;
      ext[i] = r | f;
      extRise[i] = popcount(r);
      extFall[i] = popcount(f);
    }
    const base = c * lines;
    for (let i = 0; i + 2 * g < lines; i++) {
      k.ext[base + i] = extRise[i]! + extFall[i]!;
      k.through[base + i] = popcount(ext[i]! & ext[i + g]!);
    }
    for (let a = g; a + 2 * g < lines; a++) {
      k.chanceLeft[base + a] = (extRise[a - g]! * rises[a + g]! + extFall[a - g]! * falls[a + g]!) / CHUNK;
      k.chanceRight[base + a] = (extRise[a + g]! * rises[a]! + extFall[a + g]! * falls[a]!) / CHUNK;
    }
  }
  return k;
}

/** How strongly some counts say "edge". */
export interface Break {
  /** Features arriving at the line. */
  readonly arriving: number;
  /** 0..1: (inside rate - crossing rate) / (inside rate - chance rate); 1: content continues across only by chance. */
  readonly index: number;
  /** Standard errors by which crossing falls short of the inside rate, counting the frames as one sample. */
  readonly z: number;
  /** Standard errors by which crossing exceeds chance (same counting): the two sides are not unrelated pictures. */
  readonly zc: number;
}

const noBreak: Break = { arriving: 0, index: 0, z: 0, zc: 0 };

/** Break of one side (or both pooled) from its counts over some chunks. */
function breakOf(arriving: number, crossing: number, chance: number, insideArriving: number, insideCrossing: number, frames: number): Break {
  if (arriving === 0 || insideArriving === 0) return { ...noBreak, arriving };
  const inside = insideCrossing / insideArriving;
  const rate = crossing / arriving;
  const p = chance / arriving;
  const index = inside > p ? Math.max(0, Math.min(1, (inside - rate) / (inside - p))) : 0;
  const z = (inside * arriving - crossing) / Math.sqrt(Math.max(1e-9, arriving * inside * (1 - inside))) / Math.sqrt(frames);
  const pc = Math.min(0.95, Math.max(0.02, p));
  const zc = (crossing - arriving * pc) / Math.sqrt(arriving * pc * (1 - pc)) / Math.sqrt(frames);
  return { arriving, index, z, zc };
}

/** The evidence about one pair of lines (a, a+gap) over a band of chunks. */
export interface LineEvidence {
  /** The first line of the pair; the candidate edge lies between a and a+gap. */
  readonly a: number;
  /** Both sides pooled, and each side alone. */
  readonly both: Break;
  readonly fromLeft: Break;
  readonly fromRight: Break;
  /** Chunks where content clearly continues across the line (a tile edge has none). */
  readonly continuing: number;
  /** 0..1: share of the chunks where the mean brightness steps across the line (STEP_LEVEL or more, STEP_RATIO times
   * the steps beside it): between two pictures it does in most chunks, along a natural line only where it is. */
  readonly stepping: number;
}

/** The evidence of one axis, ready to be asked about any line over any band. */
export interface AxisEvidence {
  readonly axis: Axis;
  /** Lines (columns for 'x', rows for 'y'). */
  readonly lines: number;
  /** Chunks of CHUNK samples along each line. */
  readonly chunks: number;
  /** Distance between the compared lines (pixels): the pair a, a+gap straddles a candidate edge. */
  readonly gap: number;
  /** Lines without a single feature along their whole length in any frame (flat or smooth: border candidates). */
  readonly featureless: Uint8Array;
  /**
   * Evidence at the pair (a, a+gap) over the chunks [c0, c1); chunks marked in `skip` (crossed by a perpendicular
   * edge, where both sides change at once) cannot refute.
   */
  at(a: number, c0: number, c1: number, skip?: Uint8Array): LineEvidence;
}

/** Whether `crossing` of `arriving` features, with `chance` expected, shows content continuing (frames as one sample). */
function continues(arriving: number, crossing: number, chance: number, frames: number, minCrossing: number, inside: number): boolean {
  if (crossing < minCrossing || crossing < CONTINUE_SHARE * inside * arriving) return false;
  const p = Math.min(0.95, Math.max(0.02, chance / arriving));
  return (crossing - arriving * p) / Math.sqrt(arriving * p * (1 - p)) / Math.sqrt(frames) >= CONTINUE_Z;
}

/** Counts the features of `axis` in the frames (all of the same size) and prepares the evidence about its lines. */
export function axisEvidence(frames: readonly GreyImage[], axis: Axis, gap = gapFor(frames[0]!.width)): AxisEvidence {
  const { width, height } = frames[0]!;
  const lines = axis === 'x' ? width : height;
  const chunks = Math.max(0, Math.floor(((axis === 'x' ? height : width) - 1) / CHUNK));
  const g = gap;
  const each = frames.map((f) => countFrame(f, axis, chunks, g));
  const F = frames.length;
  // Running sums over chunks (row c holds chunks 0..c-1) of the counts of all frames.
  const stride = lines;
  const ext = new Float64Array((chunks + 1) * stride), thr = new Float64Array((chunks + 1) * stride);
  const chL = new Float64Array((chunks + 1) * stride), chR = new Float64Array((chunks + 1) * stride);
  for (let c = 0; c < chunks; c++) {
    const o = c * lines, s0 = c * stride, s1 = (c + 1) * stride;
    for (let i = 0; i < lines; i++) {
      let e = 0, t = 0, l = 0, r = 0;
      for (let f = 0; f < F; f++) {
        const k = each[f]!;
        e += k.ext[o + i]!;
        t += k.through[o + i]!;
        l += k.chanceLeft[o + i]!;
        r += k.chanceRight[o + i]!;
      }
      ext[s1 + i] = ext[s0 + i]! + e;
      thr[s1 + i] = thr[s0 + i]! + t;
      chL[s1 + i] = chL[s0 + i]! + l;
      chR[s1 + i] = chR[s0 + i]! + r;
    }
  }
  const sum = (arr: Float64Array, i: number, c0: number, c1: number): number => arr[c1 * stride + i]! - arr[c0 * stride + i]!;

  // Running count over chunks of the chunks where the mean level steps across each pair.
  const steps = new Float64Array((chunks + 1) * stride);
  const mean = new Float64Array(lines);
  for (let c = 0; c < chunks; c++) {
    const o = c * lines, s0 = c * stride, s1 = (c + 1) * stride;
    mean.fill(0);
    for (const k of each) for (let i = 0; i < lines; i++) mean[i] = mean[i]! + k.level[o + i]!;
    for (let a = 0; a < lines; a++) {
      let step = 0;
      if (a >= g && a + 2 * g < lines) {
        const l = mean[a]!, r = mean[a + g]!;
        const across = Math.abs(r - l), beside = Math.max(Math.abs(l - mean[a - g]!), Math.abs(mean[a + 2 * g]! - r));
        if (across >= STEP_LEVEL * CHUNK * F && across >= STEP_RATIO * beside) step = 1;
      }
      steps[s1 + a] = steps[s0 + a]! + step;
    }
  }

  // Chunks that refute an edge at each pair, judged against the picture's own continuation along the whole line.
  const refutes = new Uint8Array(chunks * lines);
  for (let a = 2 * g; a + 3 * g < lines; a++) {
    const insideArriving = sum(ext, a - 2 * g, 0, chunks) + sum(ext, a + 2 * g, 0, chunks);
    const inside = insideArriving ? (sum(thr, a - 2 * g, 0, chunks) + sum(thr, a + g, 0, chunks)) / insideArriving : 0;
    for (let c = 0; c < chunks; c++) {
      const e = sum(ext, a - g, c, c + 1) + sum(ext, a + g, c, c + 1);
      const m = sum(thr, a - g, c, c + 1) + sum(thr, a, c, c + 1);
      let shows = m > 0 && continues(e, m, sum(chL, a, c, c + 1) + sum(chR, a, c, c + 1), F, CONTINUE_MIN * F, inside);
      for (let f = 0; !shows && F > 1 && f < F; f++) {
        const k = each[f]!, i = c * lines + a;
        const mf = k.through[i - g]! + k.through[i]!;
        if (mf >= CONTINUE_MIN_FRAME) shows = continues(k.ext[i - g]! + k.ext[i + g]!, mf, k.chanceLeft[i]! + k.chanceRight[i]!, 1, CONTINUE_MIN_FRAME, inside);
      }
      refutes[c * lines + a] = shows ? 1 : 0;
    }
  }

  return {
    axis, lines, chunks, gap,
    featureless: each.reduce((none, k) => none.map((v, i) => v & (1 - k.featured[i]!)), new Uint8Array(lines).fill(1)),
    at(a, c0, c1, skip) {
      if (a < 2 * g || a + 3 * g >= lines || c1 <= c0) return { a, both: noBreak, fromLeft: noBreak, fromRight: noBreak, continuing: 0, stepping: 0 };
      const le = sum(ext, a - g, c0, c1), lm = sum(thr, a - g, c0, c1), lc = sum(chL, a, c0, c1);
      const lie = sum(ext, a - 2 * g, c0, c1), lim = sum(thr, a - 2 * g, c0, c1);
      const re = sum(ext, a + g, c0, c1), rm = sum(thr, a, c0, c1), rc = sum(chR, a, c0, c1);
      const rie = sum(ext, a + 2 * g, c0, c1), rim = sum(thr, a + g, c0, c1);
      let continuing = 0;
      for (let c = c0; c < c1; c++) if (refutes[c * lines + a] && !skip?.[c]) continuing++;
      return {
        a,
        both: breakOf(le + re, lm + rm, lc + rc, lie + rie, lim + rim, F),
        fromLeft: breakOf(le, lm, lc, lie, lim, F),
        fromRight: breakOf(re, rm, rc, rie, rim, F),
        continuing,
        stepping: sum(steps, a, c0, c1) / (c1 - c0),
      };
    },
  };
}

/** Whether line i of `axis` (a column for 'x') is one flat colour, within `maxRange` grey levels, in every frame. */
export function isFlatLine(frames: readonly GreyImage[], axis: Axis, i: number, maxRange = FLAT_RANGE): boolean {
  const { width, height } = frames[0]!;
  let lo = 255, hi = 0;
  for (const f of frames) {
    const px = f.data;
    const [start, step, count] = axis === 'x' ? [i, width, height] : [i * width, 1, width];
    for (let k = 0, o = start; k < count; k++, o += step) {
      const v = px[o]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi - lo > maxRange) return false;
  }
  return true;
}

/**
 * Columns and rows that are one flat colour over their whole length in every frame: border lines, black bars. Only
 * lines without a single feature (`featureless`, from the evidence) can be, so only those are scanned.
 */
export function flatLines(frames: readonly GreyImage[], cols: Uint8Array, rows: Uint8Array): { readonly x: Uint8Array; readonly y: Uint8Array } {
  return {
    x: cols.map((candidate, i) => (candidate && isFlatLine(frames, 'x', i) ? 1 : 0)),
    y: rows.map((candidate, i) => (candidate && isFlatLine(frames, 'y', i) ? 1 : 0)),
  };
}
