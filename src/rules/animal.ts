/**
 * `animal`: an animal in a zone, graded by how dangerous it is there and then (its threat table, `animal-threat.ts`).
 * One episode per track of an animal class of the table (and of the rule's labels): it starts once the track has been
 * in the zone for `minDurationMs`, is updated on a clearly better observation, when its threat rises (a dog in the
 * yard as the night window begins) and every heartbeat, and ends when the animal has been out of the zone or unseen
 * for `endAfterMs`. Other classes (a person, the "traffic light" a swiftlet clip also yields) never raise anything.
 *
 * Each hit carries the event's severity: that of its threat (`THREAT_SEVERITY`: none and low info, medium warning,
 * high critical), never below the rule's own severity, which is a floor. An event's threat is the highest seen since
 * it started: a bear does not become harmless when the night window ends while it is still in the yard.
 */
import type { ThreatLevel } from '../core/animals.ts';
import type { EndReason, Severity, Track } from '../core/types.ts';
import { animalLabels, higherThreat, severityOfThreat, threatOf, type ThreatTable } from './animal-threat.ts';
import { TrackInZoneRule, type ZoneRuleSpec } from './episode-rule.ts';
import { DEFAULT_HEARTBEAT_MS } from './episodes.ts';
import { subjectOf, type RuleFrame, type RuleHit } from './rule.ts';

/** Settings of one animal rule (times in milliseconds). */
export interface AnimalRuleSpec extends Omit<ZoneRuleSpec, 'labels'> {
  /** The lowest severity of its events (the configured `severity`; `info` leaves the threat alone). */
  readonly severity: Severity;
  /** Classes the rule applies to (its `objects`); only the table's animals among them count; absent: all of them. */
  readonly labels?: readonly string[] | undefined;
  readonly table: ThreatTable;
  readonly minDurationMs: number;
  readonly endAfterMs: number;
  readonly cooldownMs: number;
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 };

/** An animal in a zone, with its species group and threat. */
export class AnimalRule extends TrackInZoneRule {
  readonly type = 'animal' as const;
  /** Highest threat reported per open episode (by track id). */
  private readonly peaks: Map<number, ThreatLevel>;

  constructor(spec: AnimalRuleSpec) {
    const { table } = spec;
    const zoneId = spec.zone.id;
    const peaks = new Map<number, ThreatLevel>();
    // The episodes only ever hold tracks of these labels, so every payload is an animal of the table.
    const labels = (spec.labels ?? animalLabels(table)).filter((l) => table.classes.has(l));
    const now = (t: Track, timeMs: number) => threatOf(t.label, zoneId, timeMs, table)!;
    super({ ...spec, labels }, { minDurationMs: spec.minDurationMs, endAfterMs: spec.endAfterMs, cooldownMs: spec.cooldownMs, heartbeatMs: DEFAULT_HEARTBEAT_MS }, {
      subjects: (t, timeMs) => [subjectOf(t, timeMs)],
      attributes: (t, _first, last) => {
        const { species, threat } = now(t, last);
        const peak = higherThreat(peaks.get(t.id) ?? 'none', threat);
        peaks.set(t.id, peak);
        return { zoneId, species, label: t.label, threat: peak };
      },
      changed: (reported, t, _first, last) => {
        const before = reported['threat'] as ThreatLevel;
        return higherThreat(before, now(t, last).threat) !== before;
      },
    });
    this.peaks = peaks;
  }

  protected override step(f: RuleFrame): RuleHit[] {
    return this.graded(super.step(f));
  }

  protected override endAll(timeMs: number, reason: EndReason): RuleHit[] {
    return this.graded(super.endAll(timeMs, reason));
  }

  protected override clear(): void {
    super.clear();
    this.peaks.clear();
  }

  /** Gives each hit its severity from its threat (with the rule's as the floor); forgets the peak of ended episodes. */
  private graded(hits: RuleHit[]): RuleHit[] {
    for (let i = 0; i < hits.length; i++) {
      const hit = hits[i]!;
      const fromThreat = severityOfThreat(hit.attributes['threat'] as ThreatLevel);
      hits[i] = { ...hit, severity: SEVERITY_RANK[fromThreat] >= SEVERITY_RANK[this.severity] ? fromThreat : this.severity };
      if (hit.kind === 'end') this.peaks.delete(Number(hit.key));
    }
    return hits;
  }
}
