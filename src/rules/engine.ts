/**
 * Runs a camera's rules on each frame, and counts what its declared geometry sees whatever the rules: crossings of
 * every line by direction and the number of objects in every zone (for the analytics series and /metrics). Pure.
 */
import type { CameraGeometry } from './build.ts';
import { LineCrossingDetector, type Crossing } from './line-crossing.ts';
import { LineRule } from './line.ts';
import type { Rule, RuleFrame, RuleHit } from './rule.ts';
import { ZoneCounter } from './zone-count.ts';

/** A hit with the rule that made it. */
export interface RuleHitOf {
  readonly rule: Rule;
  readonly hit: RuleHit;
}

/** What one frame produced. */
export interface RuleEngineOutput {
  readonly hits: readonly RuleHitOf[];
  /** Crossings of every declared line (every tracked label) in this frame. */
  readonly crossings: readonly Crossing[];
  /** Objects in each zone (the zone's labels). */
  readonly zoneCounts: readonly { readonly zoneId: string; readonly count: number }[];
}

/** How long an object missed by the detector still counts in a zone's occupancy series (ms). */
export const ZONE_COUNT_HOLD_MS = 1000;

/** The rules and geometry counters of one camera. */
export class RuleEngine {
  /** Per declared line: its own detector, or the line rule whose crossings are the line's (same line, labels, anchor). */
  private readonly lineCounters: (LineCrossingDetector | LineRule)[];
  private readonly zoneCounters: ZoneCounter[];
  private lastTimeMs = -Infinity;

  constructor(
    readonly rules: readonly Rule[],
    geometry: CameraGeometry,
  ) {
    this.lineCounters = geometry.lines.map(
      (l) => rules.find((r): r is LineRule => r instanceof LineRule && r.countsAllOf(l.id, geometry.labels)) ?? new LineCrossingDetector(l, null),
    );
    this.zoneCounters = geometry.zones.map((z) => new ZoneCounter(z, z.labels, 'bottom-center', ZONE_COUNT_HOLD_MS));
  }

  /** Feeds one frame to every rule and counter. */
  evaluate(frame: RuleFrame): RuleEngineOutput {
    if (frame.timeMs < this.lastTimeMs) this.clearCounters();
    this.lastTimeMs = frame.timeMs;
    const hits: RuleHitOf[] = [];
    for (const rule of this.rules) for (const hit of rule.evaluate(frame)) hits.push({ rule, hit });
    const crossings = this.lineCounters.flatMap((c) => (c instanceof LineRule ? c.lastCrossings : c.update(frame)));
    const zoneCounts = this.zoneCounters.map((c) => ({ zoneId: c.zone.id, count: c.update(frame) }));
    return { hits, crossings, zoneCounts };
  }

  /** Objects in each zone by label as of the last frame (`ZoneCounter.countsByLabel`), keyed by zone id. */
  zoneCountsByLabel(): Map<string, Record<string, number>> {
    return new Map(this.zoneCounters.map((c) => [c.zone.id, c.countsByLabel()]));
  }

  /** Ends every open episode of every rule (`stopped`). */
  flush(timeMs: number): RuleHitOf[] {
    return this.rules.flatMap((rule) => rule.flush(timeMs).map((hit) => ({ rule, hit })));
  }

  /** Episodes in progress over all rules. */
  get openEpisodes(): number {
    return this.rules.reduce((n, r) => n + r.openEpisodes, 0);
  }

  private clearCounters(): void {
    for (const c of this.lineCounters) if (c instanceof LineCrossingDetector) c.clear();
    for (const c of this.zoneCounters) c.clear();
  }
}
