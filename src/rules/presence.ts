/**
 * `presence`: an object of a listed class is in a zone (Sightline's first rule, and the default when a camera lists no
 * rules). One episode per track: it starts once the track has been in the zone for `minDurationMs`, is updated on a
 * clearly better observation, and ends when the track has been out of the zone or unseen for `endAfterMs`.
 */
import { TrackInZoneRule, type ZoneRuleSpec } from './episode-rule.ts';
import { DEFAULT_HEARTBEAT_MS } from './episodes.ts';
import { subjectOf } from './rule.ts';

/** Settings of one presence rule (times in milliseconds). */
export interface PresenceRuleSpec extends ZoneRuleSpec {
  readonly minDurationMs: number;
  readonly endAfterMs: number;
  readonly cooldownMs: number;
}

/** An object of a listed class in a zone. */
export class PresenceRule extends TrackInZoneRule {
  readonly type = 'presence' as const;

  constructor(spec: PresenceRuleSpec) {
    const attributes = { zoneId: spec.zone.id };
    super(spec, { minDurationMs: spec.minDurationMs, endAfterMs: spec.endAfterMs, cooldownMs: spec.cooldownMs, heartbeatMs: DEFAULT_HEARTBEAT_MS }, {
      subjects: (t, timeMs) => [subjectOf(t, timeMs)],
      attributes: () => attributes,
    });
  }
}
