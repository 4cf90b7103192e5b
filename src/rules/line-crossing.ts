/**
 * Directed crossings of a line (two or more points) by tracked objects, robust to what fools side-change counters:
 * - box jitter on the line: a track's side changes only when its anchor leaves a dead band around the line on the far
 *   side (a tenth of the object's height by default), so a box wobbling on the line never counts;
 * - a track that flickers (lost and found again under the same id) keeps its side while it is away, so the crossing
 *   it made while unseen is counted once when it is seen again;
 * - an id switch on the line: a new track that appears where a vanished track of the same label was heading takes over
 *   that track's side, so the person who crossed while their id changed is counted once, not zero times; and a track
 *   that jumps to another object across the line (faster than a person moves) changes side without counting;
 * - unconfirmed tracks never count (only `confirmed` tracks are read).
 * A crossing is counted where the path from the last point on one side to the first point on the other meets the line
 * segment. `in` is a crossing towards the line's `in` side (right or left of points[0] -> points[1] as drawn on the
 * image, y down). Works in pixels of the frame; pure.
 */
import { segmentIntersection } from '../core/geometry.ts';
import type { Point, Track } from '../core/types.ts';
import type { RuleFrame } from './rule.ts';
import { anchorPoint, type Anchor } from './zones.ts';

/** A counting line: corners as 0..1 fractions of the frame; crossing towards `inSide` is `in`. */
export interface LineSpec {
  readonly id: string;
  readonly pointsNorm: readonly Point[];
  readonly inSide: 'left' | 'right';
}

/** Tuning of the crossing detector (the defaults are explained in `DEFAULT_CROSSING_OPTIONS`). */
export interface CrossingOptions {
  readonly anchor: Anchor;
  /** Half-width of the dead band around the line, as a fraction of the object's box height. */
  readonly bandRatio: number;
  /** Smallest half-width of the dead band, in pixels. */
  readonly minBandPx: number;
  /** A track vanished at most this long ago can hand its side over to a new track (id switch), in ms. */
  readonly handoverMs: number;
  /** ... when the new track appears within this many box heights of where the vanished one was heading. */
  readonly handoverRadiusRatio: number;
  /** The side of a track unseen for this long is forgotten, in ms (longer than the tracker keeps a lost track). */
  readonly forgetAfterMs: number;
  /** A track first seen inside the band takes the side its anchor is on, rather than none until it leaves the band. */
  readonly firstSideInBand: boolean;
  /** A track must stay on the far side this long (ms of frame time) before its crossing counts; 0 = at once. */
  readonly minSideMs: number;
  /**
   * A side change faster than this many box heights per second is a track jumping to another object (an id switch),
   * not a crossing: the side is taken over without counting. 0 = no limit.
   */
  readonly maxHeightsPerS: number;
}

/**
 * Defaults, each for a stated reason: the band is a tenth of the body height (twice the jitter of a good person
 * detector's box edges, ~5 % of the height); a handover must happen within a second (the time a tracker takes to drop a
 * lost track and confirm a new one is a few frames) and within half a body height of the predicted position (two
 * people are rarely closer); a side is kept 5 s, longer than the default tracker's 2.5 s lost-track buffer; a track
 * first seen inside the band is on the side its anchor is on (its first position is evidence; only changes of side
 * need the band); a side change faster than 5 body heights a second (a sprint is about 6, walking under 1.5) is a track
 * jumping to another person, not a crossing. On `count eval`'s tune lines the last two changed the error by at most
 * one crossing either way; they are kept for their reasons (bench/count.ts reports both halves).
 */
export const DEFAULT_CROSSING_OPTIONS: CrossingOptions = Object.freeze({
  anchor: 'bottom-center',
  bandRatio: 0.1,
  minBandPx: 2,
  handoverMs: 1000,
  handoverRadiusRatio: 0.5,
  forgetAfterMs: 5000,
  firstSideInBand: true,
  minSideMs: 0,
  maxHeightsPerS: 5,
});

/** One counted crossing. */
export interface Crossing {
  readonly lineId: string;
  readonly trackId: number;
  readonly label: string;
  readonly direction: 'in' | 'out';
  readonly timeMs: number;
  /** The track as seen in the frame where the crossing was counted. */
  readonly track: Track;
}

interface TrackState {
  readonly label: string;
  /** Per segment: -1 left, +1 right, 0 not yet known. */
  readonly sides: Int8Array;
  /** Per segment: the last point where the side was decided (outside the band), x and y, and when. */
  readonly decidedX: Float64Array;
  readonly decidedY: Float64Array;
  readonly decidedMs: Float64Array;
  /** Per segment: the far side the track is on but has not held for `minSideMs` yet (0: none), since when, and where. */
  readonly pending: Int8Array;
  readonly pendingSinceMs: Float64Array;
  readonly pendingX: Float64Array;
  readonly pendingY: Float64Array;
  lastX: number;
  lastY: number;
  lastSeenMs: number;
  heightPx: number;
  /** Velocity of the anchor in px per ms (smoothed). */
  vx: number;
  vy: number;
}

/** The line in pixels of a frame size, with each segment's length (computed once per frame size). */
interface PixelLine {
  readonly widthPx: number;
  readonly heightPx: number;
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly lengths: Float64Array;
}

/** Weight of the newest step in the smoothed velocity. */
const VELOCITY_SMOOTHING = 0.5;

/** Counts the directed crossings of one line. */
export class LineCrossingDetector {
  private readonly states = new Map<number, TrackState>();
  private readonly labels: ReadonlySet<string> | null;
  private pixels: PixelLine | null = null;

  /** `labels` null follows every label. */
  constructor(
    readonly line: LineSpec,
    labels: readonly string[] | null,
    readonly options: CrossingOptions = DEFAULT_CROSSING_OPTIONS,
  ) {
    this.labels = labels === null ? null : new Set(labels);
  }

  /** Feeds one frame (in time order); returns the crossings counted in it. */
  update(f: RuleFrame): Crossing[] {
    const o = this.options;
    const px = this.pixelLine(f.widthPx, f.heightPx);
    const crossings: Crossing[] = [];
    let fresh: Track[] | null = null;
    for (const t of f.tracks) {
      if (t.state !== 'confirmed' || (this.labels !== null && !this.labels.has(t.label))) continue;
      const s = this.states.get(t.id);
      if (s) this.step(s, t, px, f.timeMs, crossings);
      else (fresh ??= []).push(t);
    }
    // New ids after the known ones, so a vanished track is matched against every newcomer of this frame.
    if (fresh) {
      for (const t of fresh) {
        const [x, y] = anchorPoint(t.boxXyxy, o.anchor);
        const s = this.adopt(t, x, y, f) ?? this.newState(t, x, y, px.lengths.length, f.timeMs);
        this.states.set(t.id, s);
        this.step(s, t, px, f.timeMs, crossings);
      }
    }
    // forEach rather than for-of over entries: no [key, value] pair allocated per track and line, every frame.
    this.states.forEach((s, id, states) => {
      if (f.timeMs - s.lastSeenMs > o.forgetAfterMs) states.delete(id);
    });
    return crossings;
  }

  /** Forgets every track. */
  clear(): void {
    this.states.clear();
  }

  private pixelLine(widthPx: number, heightPx: number): PixelLine {
    if (this.pixels?.widthPx === widthPx && this.pixels.heightPx === heightPx) return this.pixels;
    const n = this.line.pointsNorm.length;
    const xs = new Float64Array(n), ys = new Float64Array(n), lengths = new Float64Array(n - 1);
    this.line.pointsNorm.forEach(([x, y], i) => {
      xs[i] = x * widthPx;
      ys[i] = y * heightPx;
      if (i > 0) lengths[i - 1] = Math.hypot(xs[i]! - xs[i - 1]!, ys[i]! - ys[i - 1]!);
    });
    this.pixels = { widthPx, heightPx, xs, ys, lengths };
    return this.pixels;
  }

  private newState(t: Track, x: number, y: number, segments: number, timeMs: number): TrackState {
    return {
      label: t.label, sides: new Int8Array(segments), decidedX: new Float64Array(segments).fill(x), decidedY: new Float64Array(segments).fill(y),
      decidedMs: new Float64Array(segments).fill(timeMs), pending: new Int8Array(segments), pendingSinceMs: new Float64Array(segments), pendingX: new Float64Array(segments), pendingY: new Float64Array(segments),
      lastX: x, lastY: y, lastSeenMs: timeMs, heightPx: t.boxXyxy[3] - t.boxXyxy[1], vx: 0, vy: 0,
    };
  }

  /** The state of a vanished track of the same label whose predicted position is nearest (x, y), taken over; or null. */
  private adopt(t: Track, x: number, y: number, f: RuleFrame): TrackState | null {
    const o = this.options;
    let best: { id: number; s: TrackState; d: number } | null = null;
    for (const [id, s] of this.states) {
      const gone = f.timeMs - s.lastSeenMs;
      if (s.label !== t.label || gone <= 0 || gone > o.handoverMs) continue;
      const d = Math.hypot(x - (s.lastX + s.vx * gone), y - (s.lastY + s.vy * gone));
      const radius = o.handoverRadiusRatio * Math.max(s.heightPx, t.boxXyxy[3] - t.boxXyxy[1]);
      if (d <= radius && (best === null || d < best.d)) best = { id, s, d };
    }
    if (!best) return null;
    this.states.delete(best.id);
    return best.s;
  }

  private step(s: TrackState, t: Track, px: PixelLine, timeMs: number, out: Crossing[]): void {
    const o = this.options;
    const b = t.boxXyxy;
    const x = (b[0] + b[2]) / 2;
    const y = o.anchor === 'center' ? (b[1] + b[3]) / 2 : b[3];
    const height = b[3] - b[1];
    const band = Math.max(o.minBandPx, o.bandRatio * height);
    let counted: 'in' | 'out' | null = null;
    for (let i = 0; i < s.sides.length; i++) {
      const ax = px.xs[i]!, ay = px.ys[i]!, bx = px.xs[i + 1]!, by = px.ys[i + 1]!;
      // Signed distance to the segment's line, > 0 on its right (image y down).
      const d = ((bx - ax) * (y - ay) - (by - ay) * (x - ax)) / px.lengths[i]!;
      const before = s.sides[i]!;
      let side = d > band ? 1 : d < -band ? -1 : 0;
      if (side === 0) {
        if (before !== 0 || !o.firstSideInBand || d === 0) continue;
        side = d > 0 ? 1 : -1;
      }
      if (before === 0 || side === before) {
        s.sides[i] = side;
        s.pending[i] = 0;
        s.decidedX[i] = x;
        s.decidedY[i] = y;
        s.decidedMs[i] = timeMs;
        continue;
      }
      if (s.pending[i] !== side) {
        s.pending[i] = side;
        s.pendingSinceMs[i] = timeMs;
        s.pendingX[i] = x;
        s.pendingY[i] = y;
      }
      if (timeMs - s.pendingSinceMs[i]! < o.minSideMs) continue;
      const hit = segmentIntersection([s.decidedX[i]!, s.decidedY[i]!], [s.pendingX[i]!, s.pendingY[i]!], [ax, ay], [bx, by]);
      const jumpPx = Math.hypot(s.pendingX[i]! - s.decidedX[i]!, s.pendingY[i]! - s.decidedY[i]!);
      const jumpS = Math.max(1, s.pendingSinceMs[i]! - s.decidedMs[i]!) / 1000;
      const plausible = o.maxHeightsPerS <= 0 || jumpPx / Math.max(1, height) / jumpS <= o.maxHeightsPerS;
      if (hit && hit.t >= 0 && hit.t <= 1 && plausible) {
        const towardsRight = side > 0;
        const direction = towardsRight === (this.line.inSide === 'right') ? 'in' : 'out';
        // A path over a corner of the line crosses two segments at once: one crossing.
        if (counted !== direction) out.push({ lineId: this.line.id, trackId: t.id, label: t.label, direction, timeMs, track: t });
        counted = direction;
      }
      s.sides[i] = side;
      s.pending[i] = 0;
      s.decidedX[i] = x;
      s.decidedY[i] = y;
      s.decidedMs[i] = timeMs;
    }
    const dt = timeMs - s.lastSeenMs;
    if (dt > 0) {
      const k = VELOCITY_SMOOTHING;
      s.vx = (1 - k) * s.vx + (k * (x - s.lastX)) / dt;
      s.vy = (1 - k) * s.vy + (k * (y - s.lastY)) / dt;
    }
    s.lastX = x;
    s.lastY = y;
    s.lastSeenMs = timeMs;
    s.heightPx = height;
  }
}
