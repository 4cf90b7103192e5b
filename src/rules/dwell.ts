/**
 * `dwell`: an object stays in a zone for at least `minDwellMs` (lingering at an entrance, a car parked in a fire lane).
 * One episode per track: short absences (occlusion, a missed detection) up to `toleranceMs` do not interrupt the
 * stay; the event carries the dwell time so far and is updated while it lasts, at most every second and then every
 * tenth of the time already spent (1 s, ..., 10 s, 11 s, 12.1 s ...: a long stay does not write once a second forever).
 */
import { TrackInZoneRule, type ZoneRuleSpec } from './episode-rule.ts';
import { DEFAULT_HEARTBEAT_MS } from './episodes.ts';
import { subjectOf } from './rule.ts';

/** Settings of one dwell rule (times in milliseconds). */
export interface DwellRuleSpec extends ZoneRuleSpec {
  /** Time in the zone that raises the event. */
  readonly minDwellMs: number;
  /** Absences up to this long do not end the stay. */
  readonly toleranceMs: number;
}

/** Seconds in the zone from the first to the last sighting, to a tenth. */
const dwellSeconds = (firstSeenMs: number, lastSeenMs: number) => Math.round((lastSeenMs - firstSeenMs) / 100) / 10;

/** An object lingering in a zone. */
export class DwellRule extends TrackInZoneRule {
  readonly type = 'dwell' as const;

  constructor(spec: DwellRuleSpec) {
    super(spec, { minDurationMs: spec.minDwellMs, endAfterMs: spec.toleranceMs, cooldownMs: 0, heartbeatMs: DEFAULT_HEARTBEAT_MS }, {
      subjects: (t, timeMs) => [subjectOf(t, timeMs)],
      attributes: (_t, first, last) => ({ zoneId: spec.zone.id, dwellSeconds: dwellSeconds(first, last) }),
      // An update every second, then every tenth of the time already spent (rounded to tenths: a little slack).
      changed: (reported, _t, first, last) => {
        const before = Number(reported['dwellSeconds']);
        return dwellSeconds(first, last) - before >= Math.max(1, before / 10) - 1e-9;
      },
    });
  }
}
