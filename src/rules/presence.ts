/**
 * `presence`: an object of a listed class is in a zone (Sightline's first rule, and the default when a camera lists no
 * rules). One episode per track: it starts once the track has been in the zone for `minDurationMs`, is updated on a
 * clearly better observation, and ends when the track has been out of the zone or unseen for `endAfterMs`.
 */
import type { EndReason, Severity, Track } from '../core/types.ts';
import { DEFAULT_HEARTBEAT_MS, Episodes } from './episodes.ts';
import { BaseRule, subjectOf, type RuleFrame, type RuleHit } from './rule.ts';
import { insideFlags, type Anchor, type Zone } from './zones.ts';

/** Settings of one presence rule (times in milliseconds). */
export interface PresenceRuleSpec {
  readonly id: string;
  readonly severity: Severity;
  readonly zone: Zone;
  readonly labels: readonly string[];
  readonly anchor: Anchor;
  readonly minDurationMs: number;
  readonly endAfterMs: number;
  readonly cooldownMs: number;
}

/** An object of a listed class in a zone. */
export class PresenceRule extends BaseRule {
  readonly type = 'presence' as const;
  private readonly labels: ReadonlySet<string>;
  private readonly episodes: Episodes<Track>;

  constructor(private readonly spec: PresenceRuleSpec) {
    super(spec.id, spec.severity);
    this.labels = new Set(spec.labels);
    const attributes = { zoneId: spec.zone.id };
    this.episodes = new Episodes<Track>({ ...spec, heartbeatMs: DEFAULT_HEARTBEAT_MS }, 'left', {
      subjects: (t, timeMs) => [subjectOf(t, timeMs)],
      attributes: () => attributes,
    });
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
