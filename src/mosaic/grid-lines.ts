/**
 * Questions about the lines of one axis of a picture (pure), asked of its `line-evidence`: is there an edge near this
 * position, over this band; which equal splits have an edge at every line; which lines off them break like edges.
 * `grid-detect.ts` decides the layout from the answers.
 */
import { CHUNK, type AxisEvidence, type LineEvidence } from './line-evidence.ts';

/** Break index (0..1) a tile edge reaches: its content continues across at most 30 % as often as within a picture. */
const EDGE_INDEX = 0.7;
/** Significance (standard errors, frames counted as one sample) of that break. */
const EDGE_Z = 3;
/** Features arriving at a line, fewer than this say nothing. */
const EDGE_MIN_FEATURES = 40;
/** A sure edge breaks by at least this many standard errors; so must a line off the equal splits to be a doubt. */
export const SURE_Z = 4;
/** Within one band of tiles, an edge is refuted where content continues, or where enough features show no break. */
const REFUTE_INDEX = 0.4;
/** Standard errors above chance by which a line's crossings show that its two sides belong to one picture. */
const CONTINUES_ZC = 3;
/** Share of a line's length along which the brightness steps across it, as between two pictures. No natural line in
 * the real clips did along more than 55 % of its length; tile edges did along 75 % (median). */
export const STEP_SHARE = 0.7;
/** A line off the equal splits must stop content this completely to be a doubt: between two pictures nothing
 * continues but by chance (index 1, less the noise of a few hundred features); along a natural line (a door frame, a
 * floor meeting a wall) some content does, where the line is crossed or interrupted. */
const STRAY_INDEX = 0.9;
/** Most tiles per row or column tried. */
export const MAX_SPLIT = 8;

/** One axis of the picture: its evidence, its flat lines, and the chunks that cannot refute. */
export interface AxisView {
  readonly ev: AxisEvidence;
  /** Lines (pixels) of this axis. */
  readonly n: number;
  /** Length of each line (pixels): the size of the other axis. */
  readonly length: number;
  /** 1 for lines flat over their whole length in every frame (borders, black bars). */
  readonly flat: Uint8Array;
  /** Chunks crossed by an edge of the other axis: both sides change there at once, so they cannot refute. */
  skip: Uint8Array;
}

/** A pixel band [p0, p1) of the other axis. */
export type Band = readonly [number, number];

/** The whole length of the lines. */
export const whole = (view: AxisView): Band => [0, view.length];

/** The evidence at pair a over a band (the chunks whose centres lie in it). */
export function at(view: AxisView, a: number, band: Band): LineEvidence {
  const c0 = Math.max(0, Math.ceil((band[0] - CHUNK / 2) / CHUNK));
  const c1 = Math.min(view.ev.chunks, Math.ceil((band[1] - CHUNK / 2) / CHUNK));
  return view.ev.at(a, c0, Math.max(c0, c1), view.skip);
}

/** Breaks like a tile edge (whatever the chunks say). */
const breaks = (e: LineEvidence): boolean => e.both.index >= EDGE_INDEX && e.both.z >= EDGE_Z && e.both.arriving >= EDGE_MIN_FEATURES;
/** An edge: breaks, and no chunk shows content continuing across. */
export const isEdge = (e: LineEvidence): boolean => breaks(e) && e.continuing === 0;
/** Refuted: content seen continuing in some chunk, or enough features that mostly continue. */
const refuted = (e: LineEvidence): boolean => e.continuing > 0 || (e.both.arriving >= EDGE_MIN_FEATURES && e.both.index < REFUTE_INDEX);
/** May be an edge, however few features: breaks, is not refuted, and its two sides match no more than chance. */
const mayBeEdge = (e: LineEvidence): boolean => e.both.index >= EDGE_INDEX && !refuted(e) && e.both.zc < CONTINUES_ZC;
/** A sure edge: breaks by SURE_Z, or may be an edge and the brightness steps across it along most of its length. */
const sureEdge = (e: LineEvidence): boolean => (isEdge(e) && e.both.z >= SURE_Z) || (mayBeEdge(e) && e.stepping >= STEP_SHARE);

/** How far from its expected place an edge may lie (scaling rounds tile sizes; borders widen it). */
export const edgeRadius = (view: AxisView): number => Math.max(view.ev.gap, view.n * 0.01);

/** The boundary (pixels) between the lines of pair a. */
export const boundary = (view: AxisView, a: number): number => a + view.ev.gap / 2;

/** The pairs whose boundary lies within the radius of `p`. */
function pairsNear(view: AxisView, p: number): number[] {
  const r = edgeRadius(view), g = view.ev.gap;
  const out: number[] = [];
  for (let a = Math.max(0, Math.round(p - g / 2 - r)); a <= Math.min(view.n - 1, Math.round(p - g / 2 + r)); a++) out.push(a);
  return out;
}

/** The evidence near the boundary `p` over a band: the best pair within the radius (edges first, then by z). */
export function near(view: AxisView, p: number, band: Band): LineEvidence {
  let best: LineEvidence | undefined;
  for (const a of pairsNear(view, p)) {
    const e = at(view, a, band);
    if (!best || Number(isEdge(e)) > Number(isEdge(best)) || (isEdge(e) === isEdge(best) && e.both.z > best.both.z)) best = e;
  }
  return best!;
}

/** Refuted near `p` over a band: at every pair within the radius, content is seen to continue. */
export const refutedNear = (view: AxisView, p: number, band: Band): boolean => pairsNear(view, p).every((a) => refuted(at(view, a, band)));

/** The k-1 lines (pixels) of an equal split into k. */
export const splitLines = (k: number, n: number): number[] => Array.from({ length: k - 1 }, (_, i) => ((i + 1) * n) / k);

/**
 * Equal splits (1..MAX_SPLIT) over a band: `sure` those with a sure edge at every line; `weak` the others whose every
 * line may be an edge (breaks and is not seen crossed, however little evidence there is).
 */
export function equalSplits(view: AxisView, band: Band): { readonly sure: number[]; readonly weak: number[] } {
  const sure = [1], weak: number[] = [];
  for (let k = 2; k <= MAX_SPLIT && view.n / k >= 6 * view.ev.gap; k++) {
    const lines = splitLines(k, view.n);
    if (lines.every((p) => pairsNear(view, p).some((a) => sureEdge(at(view, a, band))))) sure.push(k);
    else if (lines.every((p) => pairsNear(view, p).some((a) => mayBeEdge(at(view, a, band))))) weak.push(k);
  }
  return { sure, weak };
}

/** A line off the cuts that looks like a tile edge over the whole length. */
export interface Stray {
  /** Boundary position (pixels). */
  readonly at: number;
  readonly evidence: LineEvidence;
}

/** The strongest line per neighbourhood (2 radii), strongest first. */
function strongest(view: AxisView, found: Stray[], strength: (s: Stray) => number): Stray[] {
  const r = edgeRadius(view);
  const kept: Stray[] = [];
  for (const s of found.sort((p, q) => strength(q) - strength(p))) if (kept.every((k) => Math.abs(k.at - s.at) > 2 * r)) kept.push(s);
  return kept;
}

/** Lines whose boundary lies in [p0, p1), away from the cuts, that pass `test` over the whole length. */
function linesWhere(view: AxisView, cuts: readonly number[], p0: number, p1: number, test: (e: LineEvidence) => boolean): Stray[] {
  const r = edgeRadius(view);
  const found: Stray[] = [];
  for (let a = 0; a < view.n; a++) {
    const p = boundary(view, a);
    if (p < p0 || p >= p1 || cuts.some((c) => Math.abs(p - c) <= 2 * r)) continue;
    const e = at(view, a, whole(view));
    if (test(e)) found.push({ at: p, evidence: e });
  }
  return found;
}

/**
 * Edges off the cuts, breaking by SURE_Z or more, that leave at least `minPart` of the picture on either side; with
 * `complete`, only those that stop content completely (break index STRAY_INDEX).
 */
export const edgesOffCuts = (view: AxisView, cuts: readonly number[], minPart: number, complete: boolean): Stray[] =>
  strongest(
    view,
    linesWhere(view, cuts, minPart * view.n, (1 - minPart) * view.n, (e) => isEdge(e) && e.both.z >= SURE_Z && (!complete || e.both.index >= STRAY_INDEX)),
    (s) => s.evidence.both.z,
  );

/** Lines off the cuts within [p0, p1) across which the brightness steps along STEP_SHARE of the length, not refuted. */
export const steppingLines = (view: AxisView, cuts: readonly number[], p0: number, p1: number): Stray[] =>
  strongest(view, linesWhere(view, cuts, p0, p1, (e) => e.stepping >= STEP_SHARE && e.continuing === 0), (s) => s.evidence.stepping);

/** Marks the chunks of `view` crossed by a break or a flat line of the other axis: both sides change there at once. */
export function markCrossed(view: AxisView, other: AxisView): void {
  const skip = new Uint8Array(view.ev.chunks);
  const mark = (p0: number, p1: number) => {
    for (let c = 0; c < skip.length; c++) if (p1 >= c * CHUNK && p0 < (c + 1) * CHUNK + 1) skip[c] = 1;
  };
  for (let a = 0; a < other.n; a++) if (breaks(other.ev.at(a, 0, other.ev.chunks))) mark(a - 2, a + other.ev.gap + 2);
  other.flat.forEach((f, i) => f && mark(i - 2, i + 2));
  view.skip = skip;
}

/** The picture's content along the axis, [start, end): without the flat bars along its margins. */
export function contentRange(view: AxisView): [number, number] {
  let a = 0;
  let b = view.n;
  while (a < b - 1 && view.flat[a]) a++;
  while (b > a + 1 && view.flat[b - 1]) b--;
  return [a, b];
}

/** Spans [start, end) between the cuts, without the flat (border) lines at each side. */
export function spansBetween(view: AxisView, cuts: readonly number[]): [number, number][] {
  const at = [0, ...cuts.map((e) => Math.round(e)), view.n];
  return at.slice(1).map((end, i) => {
    let a = at[i]!;
    let b = end;
    while (a < b - 1 && view.flat[a]) a++;
    while (b > a + 1 && view.flat[b - 1]) b--;
    return [a, b];
  });
}
