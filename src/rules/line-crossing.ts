/**
 * Directed crossings of a line (two or more points) by tracked objects, robust to what fools side-change counters:
 * - box jitter on the line: a track's side changes only when its anchor leaves a dead band around the line on the far
 *   side (a tenth of the object's height by default), so a box wobbling on the line never counts;
 * - a track that flickers (lost and found again under the same id) keeps its side while it is away, so the crossing
 *   it made while unseen is counted once when it is seen again;
 * - an id switch on the line: a new track that appears where a vanished track of the same label was heading takes over
 *   that track's side, so the person who crossed while their id changed is counted once, not zero times;
 * - unconfirmed tracks never count (only `confirmed` tracks are read).
 * A crossing is counted where the path from the last point on one side to the first point on the other meets the line
 * segment. `in` is a crossing towards the line's `in` side (right or left of points[0] -> points[1] as drawn on the
 * image, y down). Works in pixels of the frame; pure.
 */
import { cross, segmentIntersection } from '../core/geometry.ts';
import type { Point, Track } from '../core/types.ts';
import { confirmedOf, type RuleFrame } from './rule.ts';
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
}

/**
 * Defaults, each for a stated reason: the band is a tenth of the body height (twice the jitter of a good person
 * detector's box edges, ~5 % of the height); a handover must happen within a second (the time a tracker takes to drop a
 * lost track and confirm a new one is a few frames) and within half a body height of the predicted position (two
 * people are rarely closer); a side is kept 5 s, longer than the default tracker's 2.5 s lost-track buffer.
 */
export const DEFAULT_CROSSING_OPTIONS: CrossingOptions = Object.freeze({
  anchor: 'bottom-center',
  bandRatio: 0.1,
  minBandPx: 2,
  handoverMs: 1000,
  handoverRadiusRatio: 0.5,
  forgetAfterMs: 5000,
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
  /** Per segment: the last point where the side was decided (outside the band). */
  readonly decided: Point[];
  lastPoint: Point;
  lastSeenMs: number;
  heightPx: number;
  /** Velocity of the anchor in px per ms (smoothed). */
  vx: number;
  vy: number;
}

/** Weight of the newest step in the smoothed velocity. */
const VELOCITY_SMOOTHING = 0.5;

/** Counts the directed crossings of one line. */
export class LineCrossingDetector {
  private readonly states = new Map<number, TrackState>();
  private readonly labels: ReadonlySet<string> | null;

  /** `labels` null follows every label. */
  constructor(
    readonly line: LineSpec,
    labels: readonly string[] | null,
    private readonly options: CrossingOptions = DEFAULT_CROSSING_OPTIONS,
  ) {
    this.labels = labels === null ? null : new Set(labels);
  }

  /** Feeds one frame (in time order); returns the crossings counted in it. */
  update(f: RuleFrame): Crossing[] {
    const o = this.options;
    const pts = this.line.pointsNorm.map(([x, y]): Point => [x * f.widthPx, y * f.heightPx]);
    const crossings: Crossing[] = [];
    const fresh: { t: Track; p: Point }[] = [];
    const seenNow = new Set<number>();
    for (const t of confirmedOf(f.tracks, this.labels)) {
      seenNow.add(t.id);
      const p = anchorPoint(t.boxXyxy, o.anchor);
      const s = this.states.get(t.id);
      if (s) this.step(s, t, p, pts, f.timeMs, crossings);
      else fresh.push({ t, p });
    }
    // New ids after the known ones, so a vanished track is matched against every newcomer of this frame.
    for (const { t, p } of fresh) {
      const s = this.adopt(t, p, f.timeMs, seenNow) ?? this.newState(t, p, pts.length - 1, f.timeMs);
      this.states.set(t.id, s);
      this.step(s, t, p, pts, f.timeMs, crossings);
    }
    for (const [id, s] of this.states) if (f.timeMs - s.lastSeenMs > o.forgetAfterMs) this.states.delete(id);
    return crossings;
  }

  /** Forgets every track. */
  clear(): void {
    this.states.clear();
  }

  private newState(t: Track, p: Point, segments: number, timeMs: number): TrackState {
    return {
      label: t.label, sides: new Int8Array(segments), decided: Array.from({ length: segments }, () => p), lastPoint: p, lastSeenMs: timeMs,
      heightPx: t.boxXyxy[3] - t.boxXyxy[1], vx: 0, vy: 0,
    };
  }

  /** The state of a vanished track of the same label whose predicted position is nearest `p`, taken over; or null. */
  private adopt(t: Track, p: Point, timeMs: number, seenNow: ReadonlySet<number>): TrackState | null {
    const o = this.options;
    let best: { id: number; s: TrackState; d: number } | null = null;
    for (const [id, s] of this.states) {
      const gone = timeMs - s.lastSeenMs;
      if (seenNow.has(id) || s.label !== t.label || gone <= 0 || gone > o.handoverMs) continue;
      const px = s.lastPoint[0] + s.vx * gone;
      const py = s.lastPoint[1] + s.vy * gone;
      const d = Math.hypot(p[0] - px, p[1] - py);
      const radius = o.handoverRadiusRatio * Math.max(s.heightPx, t.boxXyxy[3] - t.boxXyxy[1]);
      if (d <= radius && (best === null || d < best.d)) best = { id, s, d };
    }
    if (!best) return null;
    this.states.delete(best.id);
    return best.s;
  }

  private step(s: TrackState, t: Track, p: Point, pts: readonly Point[], timeMs: number, out: Crossing[]): void {
    const o = this.options;
    const height = t.boxXyxy[3] - t.boxXyxy[1];
    const band = Math.max(o.minBandPx, o.bandRatio * height);
    let counted: 'in' | 'out' | null = null;
    for (let i = 0; i < s.sides.length; i++) {
      const a = pts[i]!, b = pts[i + 1]!;
      const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
      const d = cross(a, b, p) / len;
      const side = d > band ? 1 : d < -band ? -1 : 0;
      if (side === 0) continue;
      const before = s.sides[i]!;
      if (before !== 0 && side !== before) {
        const hit = segmentIntersection(s.decided[i]!, p, a, b);
        if (hit && hit.t >= 0 && hit.t <= 1) {
          const towardsRight = side > 0;
          const direction = towardsRight === (this.line.inSide === 'right') ? 'in' : 'out';
          // A path over a corner of the line crosses two segments at once: one crossing.
          if (counted !== direction) out.push({ lineId: this.line.id, trackId: t.id, label: t.label, direction, timeMs, track: t });
          counted = direction;
        }
      }
      s.sides[i] = side;
      s.decided[i] = p;
    }
    const dt = timeMs - s.lastSeenMs;
    if (dt > 0) {
      const k = VELOCITY_SMOOTHING;
      s.vx = (1 - k) * s.vx + (k * (p[0] - s.lastPoint[0])) / dt;
      s.vy = (1 - k) * s.vy + (k * (p[1] - s.lastPoint[1])) / dt;
    }
    s.lastPoint = p;
    s.lastSeenMs = timeMs;
    s.heightPx = height;
  }
}
