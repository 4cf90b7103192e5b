/**
 * `occupancy`: the number of objects of the listed classes in a zone is above `max` (or below `min`) for at least
 * `minDurationMs` (more than five people in a room; nobody at the desk). One episode per rule; the event carries the
 * count and is updated whenever it changes, with a snapshot when the count reaches a new extreme.
 */
import { DEFAULT_HEARTBEAT_MS, Episodes } from './episodes.ts';
import { EpisodeRule, type ZoneRuleSpec } from './episode-rule.ts';
import { subjectOf, type RuleFrame, type RuleHit } from './rule.ts';
import { ZoneCounter } from './zone-count.ts';

/** Most subjects an occupancy event lists (the count itself is exact). */
const MAX_SUBJECTS = 50;

/** Settings of one occupancy rule (times in milliseconds); exactly one of `max` and `min`. */
export interface OccupancyRuleSpec extends ZoneRuleSpec {
  /** The condition holds while the count is above this. */
  readonly max: number | null;
  /** The condition holds while the count is below this. */
  readonly min: number | null;
  /** The condition must hold this long before the event starts. */
  readonly minDurationMs: number;
  /** The event ends once the condition has not held for this long. */
  readonly endAfterMs: number;
  /** A tracked object missed for up to this long still counts, at its last place. */
  readonly holdMs: number;
}

/** Too many (or too few) objects in a zone. */
export class OccupancyRule extends EpisodeRule<{ frame: RuleFrame; count: number }> {
  readonly type = 'occupancy' as const;
  private readonly counter: ZoneCounter;
  protected readonly episodes: Episodes<{ frame: RuleFrame; count: number }>;

  constructor(private readonly spec: OccupancyRuleSpec) {
    super(spec.id, spec.severity);
    this.counter = new ZoneCounter(spec.zone, spec.labels, spec.anchor, spec.holdMs);
    const above = spec.max !== null;
    this.episodes = new Episodes(
      { minDurationMs: spec.minDurationMs, endAfterMs: spec.endAfterMs, cooldownMs: 0, heartbeatMs: DEFAULT_HEARTBEAT_MS },
      'cleared',
      {
        subjects: (p, timeMs) => this.counter.insideTracks(p.frame).slice(0, MAX_SUBJECTS).map((t) => subjectOf(t, timeMs)),
        attributes: (p) => ({ zoneId: spec.zone.id, count: p.count, condition: above ? 'above' : 'below', threshold: (above ? spec.max : spec.min)! }),
        changed: (reported, p) => reported['count'] !== p.count,
      },
    );
  }

  protected step(f: RuleFrame): RuleHit[] {
    const hits = this.episodes.expire(f.timeMs);
    const count = this.counter.update(f);
    const { max, min } = this.spec;
    const above = max !== null && count > max;
    const below = min !== null && count < min;
    if (above || below) {
      // The snapshot follows the extreme: the most objects for `max`, the fewest for `min`.
      const hit = this.episodes.observe(this.spec.zone.id, f.timeMs, above ? count : -count, { frame: f, count });
      if (hit) hits.push(hit);
    }
    return hits;
  }

  protected override clear(): void {
    this.counter.clear();
    super.clear();
  }
}
