/**
 * How many objects are in a zone, frame by frame: confirmed tracks of the listed labels whose anchor is inside, with a
 * track missed by the detector for a moment (occluded, a dropped detection) still counted for `holdMs` at its last
 * place. Shared by the occupancy rule and the per-zone occupancy series. Pure.
 */
import type { Track } from '../core/types.ts';
import { confirmedOf, type RuleFrame } from './rule.ts';
import { inZone, type Anchor, type Zone } from './zones.ts';

interface Seen {
  inside: boolean;
  lastSeenMs: number;
}

/** The count of one zone. */
export class ZoneCounter {
  private readonly labels: ReadonlySet<string> | null;
  private readonly seen = new Map<number, Seen>();

  /** `labels` null counts every label. */
  constructor(
    readonly zone: Zone,
    labels: readonly string[] | null,
    private readonly anchor: Anchor,
    private readonly holdMs: number,
  ) {
    this.labels = labels === null ? null : new Set(labels);
  }

  /** Feeds a frame; returns the count and the tracks of this frame inside the zone. */
  update(f: RuleFrame): { count: number; inside: Track[] } {
    const inside: Track[] = [];
    for (const t of confirmedOf(f.tracks, this.labels)) {
      const isIn = inZone(t, this.zone, f.widthPx, f.heightPx, this.anchor);
      this.seen.set(t.id, { inside: isIn, lastSeenMs: f.timeMs });
      if (isIn) inside.push(t);
    }
    let count = 0;
    for (const [id, s] of this.seen) {
      if (f.timeMs - s.lastSeenMs > this.holdMs) this.seen.delete(id);
      else if (s.inside) count++;
    }
    return { count, inside };
  }

  /** Forgets every track. */
  clear(): void {
    this.seen.clear();
  }
}
