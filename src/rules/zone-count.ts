/**
 * How many objects are in a zone, frame by frame: confirmed tracks of the listed labels whose anchor is inside, with a
 * track missed by the detector for a moment (occluded, a dropped detection) still counted for `holdMs` at its last
 * place. Shared by the occupancy rule and the per-zone occupancy series. Pure.
 */
import type { Track } from '../core/types.ts';
import type { RuleFrame } from './rule.ts';
import { insideFlags, type Anchor, type Zone } from './zones.ts';

interface Seen {
  inside: boolean;
  lastSeenMs: number;
  label: string;
}

/** The count of one zone. */
export class ZoneCounter {
  private readonly labels: ReadonlySet<string> | null;
  private readonly seen = new Map<number, Seen>();
  /** Labels listed for the zone or seen inside it so far: each keeps its entry (0) in `countsByLabel`. */
  private readonly labelsSeen: Set<string>;

  /** `labels` null counts every label. */
  constructor(
    readonly zone: Zone,
    labels: readonly string[] | null,
    private readonly anchor: Anchor,
    private readonly holdMs: number,
  ) {
    this.labels = labels === null ? null : new Set(labels);
    this.labelsSeen = new Set(labels ?? []);
  }

  /** Feeds a frame; returns the count. */
  update(f: RuleFrame): number {
    const flags = insideFlags(f, this.zone, this.anchor);
    for (let i = 0; i < f.tracks.length; i++) {
      const t = f.tracks[i]!;
      if (!this.counts(t)) continue;
      const s = this.seen.get(t.id);
      if (s) {
        s.inside = flags[i] === 1;
        s.lastSeenMs = f.timeMs;
        s.label = t.label;
      } else this.seen.set(t.id, { inside: flags[i] === 1, lastSeenMs: f.timeMs, label: t.label });
      if (flags[i] === 1) this.labelsSeen.add(t.label);
    }
    let count = 0;
    // forEach rather than for-of over entries: no [key, value] pair allocated per track, every frame.
    this.seen.forEach((s, id, seen) => {
      if (f.timeMs - s.lastSeenMs > this.holdMs) seen.delete(id);
      else if (s.inside) count++;
    });
    return count;
  }

  /**
   * The last `update`'s count split by label: every label listed for the zone or seen inside it so far, 0 when none is
   * there now (so a label, once reported, never disappears). Computed on demand, not per frame.
   */
  countsByLabel(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const label of this.labelsSeen) out[label] = 0;
    this.seen.forEach((s) => {
      if (s.inside) out[s.label] = (out[s.label] ?? 0) + 1;
    });
    return out;
  }

  /** The tracks of frame `f` seen inside the zone (not those held from earlier frames). */
  insideTracks(f: RuleFrame): Track[] {
    const flags = insideFlags(f, this.zone, this.anchor);
    return f.tracks.filter((t, i) => flags[i] === 1 && this.counts(t));
  }

  private counts(t: Track): boolean {
    return t.state === 'confirmed' && (this.labels === null || this.labels.has(t.label));
  }

  /** Forgets every track. */
  clear(): void {
    this.seen.clear();
  }
}
