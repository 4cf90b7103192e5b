/**
 * The plain side-change line counter: per object id, the side of the line its anchor is on (the sign of the cross
 * product); a change of side between two consecutive observations of the id, where the path between them meets the
 * line segment, is one crossing. No dead band, no hand-over between ids, no memory limit. This is what simpler
 * libraries count, the `naive` baseline of `sightline count eval`, and, fed with ground-truth boxes, the truth. Pure.
 */

import { cross, pointInPolygon, segmentIntersection } from '../../core/geometry.ts';
import type { Point } from '../../core/types.ts';
import type { SequenceCountSpec } from './lines-file.ts';

/** One object seen in a frame: its id and its anchor (bottom-centre) in pixels. */
export interface AnchorObservation {
  readonly id: number;
  readonly pointPx: Point;
}

/** Crossings in each direction: `in` from the left of points[0] -> points[1] to its right (image coordinates, y down). */
export interface DirectedCounts {
  in: number;
  out: number;
}

interface Sided {
  readonly side: -1 | 1;
  readonly pointPx: Point;
}

/** Counts the crossings of one line segment by ids fed frame by frame. */
export class SideChangeCounter {
  private readonly last = new Map<number, Sided>();
  private readonly counts: DirectedCounts = { in: 0, out: 0 };

  constructor(readonly linePx: readonly [Point, Point]) {}

  /**
   * Feeds the observations of the next frame; returns the crossings they made. An anchor exactly on the line (cross
   * product 0) has no side: the id keeps its last side, and the next observation with a side is compared with the last
   * one that had a side (and the path between those two must meet the segment).
   */
  update(observations: readonly AnchorObservation[]): DirectedCounts {
    const [a, b] = this.linePx;
    const made: DirectedCounts = { in: 0, out: 0 };
    for (const o of observations) {
      const c = cross(a, b, o.pointPx);
      if (c === 0) continue;
      const side = c > 0 ? 1 : -1;
      const before = this.last.get(o.id);
      this.last.set(o.id, { side, pointPx: o.pointPx });
      if (before === undefined || before.side === side) continue;
      const hit = segmentIntersection(before.pointPx, o.pointPx, a, b);
      if (hit === null || hit.t < 0 || hit.t > 1) continue;
      if (side > 0) made.in++;
      else made.out++;
    }
    this.counts.in += made.in;
    this.counts.out += made.out;
    return made;
  }

  /** Crossings counted since construction. */
  get total(): DirectedCounts {
    return { ...this.counts };
  }
}

/** What a plain count of one sequence gives: crossings per line id, and per zone id the count in every frame. */
export interface PlainCounts {
  readonly lines: ReadonlyMap<string, DirectedCounts>;
  readonly zones: ReadonlyMap<string, readonly number[]>;
}

/**
 * Counts a whole sequence given as the anchors of each frame, in frame order: every line with a `SideChangeCounter`,
 * every zone as the number of anchors inside its polygon in each frame (nothing held over from earlier frames).
 */
export function countPlain(frames: readonly (readonly AnchorObservation[])[], spec: SequenceCountSpec): PlainCounts {
  const counters = spec.lines.map((l) => new SideChangeCounter(l.pointsPx));
  const zones = spec.zones.map(() => [] as number[]);
  for (const obs of frames) {
    for (const c of counters) c.update(obs);
    spec.zones.forEach((z, i) => zones[i]!.push(obs.filter((o) => pointInPolygon(o.pointPx, z.polygonPx)).length));
  }
  return {
    lines: new Map(spec.lines.map((l, i) => [l.id, counters[i]!.total])),
    zones: new Map(spec.zones.map((z, i) => [z.id, zones[i]!])),
  };
}
