/**
 * `dwell`: an object stays in a zone for at least `minDwellMs` (lingering at an entrance, a car parked in a fire lane).
 * One episode per track: short absences (occlusion, a missed detection) up to `toleranceMs` do not interrupt the
 * stay; the event carries the dwell time so far and is updated while it lasts, at most every second and then every
 * tenth of the time already spent (1 s, ..., 10 s, 11 s, 12.1 s ...: a long stay does not write once a second forever).
 */
import type { EndReason, Severity, Track } from '../core/types.ts';
import { DEFAULT_HEARTBEAT_MS, Episodes } from './episodes.ts';
import { BaseRule, subjectOf, type RuleFrame, type RuleHit } from './rule.ts';
import { insideFlags, type Anchor, type Zone } from './zones.ts';

/** Settings of one dwell rule (times in milliseconds). */
export interface DwellRuleSpec {
  readonly id: string;
  readonly severity: Severity;
  readonly zone: Zone;
  readonly labels: readonly string[];
  readonly anchor: Anchor;
  /** Time in the zone that raises the event. */
  readonly minDwellMs: number;
  /** Absences up to this long do not end the stay. */
  readonly toleranceMs: number;
}

/** Seconds in the zone from the first to the last sighting, to a tenth. */
const dwellSeconds = (firstSeenMs: number, lastSeenMs: number) => Math.round((lastSeenMs - firstSeenMs) / 100) / 10;

/** An object lingering in a zone. */
export class DwellRule extends BaseRule {
  readonly type = 'dwell' as const;
  private readonly labels: ReadonlySet<string>;
  private readonly episodes: Episodes<Track>;

  constructor(private readonly spec: DwellRuleSpec) {
    super(spec.id, spec.severity);
    this.labels = new Set(spec.labels);
    this.episodes = new Episodes<Track>(
      { minDurationMs: spec.minDwellMs, endAfterMs: spec.toleranceMs, cooldownMs: 0, heartbeatMs: DEFAULT_HEARTBEAT_MS },
      'left',
      {
        subjects: (t, timeMs) => [subjectOf(t, timeMs)],
        attributes: (_t, first, last) => ({ zoneId: spec.zone.id, dwellSeconds: dwellSeconds(first, last) }),
        // An update every second, then every tenth of the time already spent (rounded to tenths: a little slack).
        changed: (reported, _t, first, last) => {
          const before = Number(reported['dwellSeconds']);
          return dwellSeconds(first, last) - before >= Math.max(1, before / 10) - 1e-9;
        },
      },
    );
  }

  get openEpisodes(): number {
    return this.episodes.open;
  }

  protected step(f: RuleFrame): RuleHit[] {
    const hits = this.episodes.expire(f.timeMs);
    const inside = insideFlags(f, this.spec.zone, this.spec.anchor);
    for (let i = 0; i < f.tracks.length; i++) {
      const t = f.tracks[i]!;
      if (inside[i] === 0 || t.state !== 'confirmed' || !this.labels.has(t.label)) continue;
      const hit = this.episodes.observe(t.id, f.timeMs, t.score, t);
      if (hit) hits.push(hit);
    }
    return hits;
  }

  protected endAll(_timeMs: number, reason: EndReason): RuleHit[] {
    return this.episodes.endAll(reason);
  }

  protected clear(): void {
    this.episodes.clear();
  }
}
