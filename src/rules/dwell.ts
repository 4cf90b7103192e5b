/**
 * `dwell`: an object stays in a zone for at least `minDwellMs` (lingering at an entrance, a car parked in a fire lane).
 * One episode per track: short absences (occlusion, a missed detection) up to `toleranceMs` do not interrupt the
 * stay; the event carries the dwell time so far and is updated while it lasts, at most every second and then every
 * tenth of the time already spent (1 s, ..., 10 s, 11 s, 12.1 s ...: a long stay does not write once a second forever).
 */
import type { EndReason, EventAttributes, Severity } from '../core/types.ts';
import { DEFAULT_HEARTBEAT_MS, Episodes } from './episodes.ts';
import { BaseRule, confirmedOf, subjectOf, type RuleFrame, type RuleHit } from './rule.ts';
import { inZone, type Anchor, type Zone } from './zones.ts';

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

/** Seconds between dwell updates: one second, or a tenth of the time already spent when that is longer. */
function dwellGrew(reported: EventAttributes, now: EventAttributes): boolean {
  const a = Number(reported['dwellSeconds']);
  const b = Number(now['dwellSeconds']);
  // dwellSeconds are rounded to tenths: compare with a little slack so 12.1 - 11 counts as the 1.1 s step.
  return b - a >= Math.max(1, a / 10) - 1e-9;
}

/** An object lingering in a zone. */
export class DwellRule extends BaseRule {
  readonly type = 'dwell' as const;
  private readonly labels: ReadonlySet<string>;
  private readonly episodes: Episodes;
  /** First time each followed track was seen in the zone in its current stay. */
  private readonly since = new Map<string, number>();

  constructor(private readonly spec: DwellRuleSpec) {
    super(spec.id, spec.severity);
    this.labels = new Set(spec.labels);
    this.episodes = new Episodes(
      { minDurationMs: spec.minDwellMs, endAfterMs: spec.toleranceMs, cooldownMs: 0, heartbeatMs: DEFAULT_HEARTBEAT_MS },
      'left',
      dwellGrew,
    );
  }

  get openEpisodes(): number {
    return this.episodes.open;
  }

  protected step(f: RuleFrame): RuleHit[] {
    const hits = this.episodes.expire(f.timeMs);
    for (const key of this.since.keys()) if (!this.episodes.has(key)) this.since.delete(key);
    for (const t of confirmedOf(f.tracks, this.labels)) {
      if (!inZone(t, this.spec.zone, f.widthPx, f.heightPx, this.spec.anchor)) continue;
      const key = String(t.id);
      const since = this.since.get(key) ?? f.timeMs;
      this.since.set(key, since);
      const dwellSeconds = Math.round((f.timeMs - since) / 100) / 10;
      const hit = this.episodes.observe(key, f.timeMs, {
        subjects: [subjectOf(t, f.timeMs)],
        attributes: { zoneId: this.spec.zone.id, dwellSeconds },
        quality: t.score,
      });
      if (hit) hits.push(hit);
    }
    return hits;
  }

  protected endAll(_timeMs: number, reason: EndReason): RuleHit[] {
    this.since.clear();
    return this.episodes.endAll(reason);
  }

  protected clear(): void {
    this.since.clear();
    this.episodes.clear();
  }
}
