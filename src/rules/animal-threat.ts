/**
 * The threat table of an animal rule: which detected classes are animals, their species group, and how dangerous each
 * is in a zone at a local hour. Pure: time comes in as milliseconds and the local hour is computed with
 * `Intl.DateTimeFormat` (built into the runtime, no I/O, no clock).
 *
 * The table starts from `DEFAULT_ANIMAL_CLASSES` (core/animals.ts: bear and elephant high; horse, cow and dog medium;
 * cat, sheep, bird, zebra and giraffe low). A rule's entries then apply in two tiers:
 * - an entry without `zones` and `hours` sets the threat of its class (`label`) or of every class of its group
 *   (`species`) everywhere and always; a label the defaults lack becomes an animal of the table (group: its entry's
 *   `species`, else `other`; threat `low` until an entry says otherwise);
 * - an entry with `zones` and/or `hours` overrides that threat only in those zones and/or local hours
 *   (`{ label: dog, zones: [yard], hours: "20-6", threat: high }`: a dog in the yard at night).
 * Within a tier the last entry that applies wins, so list general entries first.
 *
 * Times are epoch milliseconds: a live camera's capture time, or offline the media time, which starts at 0 and so
 * reads as 1970-01-01 00:00 UTC; offline with the default `UTC` zone an hour window counts hours into the video.
 */
import {
  DEFAULT_ANIMAL_CLASSES, inHourWindow, parseHourWindow, THREAT_LEVELS,
  type AnimalThreat, type HourWindow, type SpeciesGroup, type ThreatLevel,
} from '../core/animals.ts';
import type { Severity } from '../core/types.ts';

/** One configured threat entry: what it applies to (a class, a group or both), where and when, and the threat. */
export interface ThreatEntry {
  /** A detected class, e.g. `dog`. */
  readonly label?: string | undefined;
  /** A species group; with `label`, the group of a class the defaults lack. */
  readonly species?: SpeciesGroup | undefined;
  /** Zone ids where the entry applies; absent: every zone. */
  readonly zones?: readonly string[] | undefined;
  /** Local hours when it applies (`"20-6"`, see `parseHourWindow`); absent: all day. */
  readonly hours?: string | undefined;
  readonly threat: ThreatLevel;
}

/** An entry with zones or hours, ready for lookups. */
export interface ThreatOverride {
  readonly label: string | undefined;
  readonly species: SpeciesGroup | undefined;
  readonly zones: ReadonlySet<string> | null;
  readonly window: HourWindow | null;
  readonly threat: ThreatLevel;
}

/** A rule's threat table, built once by `buildThreatTable`. */
export interface ThreatTable {
  /** Every animal class with its group and its threat where no conditional entry applies. */
  readonly classes: ReadonlyMap<string, AnimalThreat>;
  /** The entries with zones or hours, in configuration order. */
  readonly overrides: readonly ThreatOverride[];
  /** IANA time zone of the hour windows. */
  readonly timeZone: string;
  /** Local hour (0..23) in `timeZone` at a time in epoch ms. */
  readonly hourAt: (timeMs: number) => number;
}

/** A function giving the local hour (0..23) in `timeZone` at a time in epoch ms; throws RangeError for an unknown zone. */
export function localHourClock(timeZone: string): (timeMs: number) => number {
  // One formatter per table: building one costs ~100x a call to it.
  const format = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23' });
  return (timeMs) => Number(format.format(timeMs));
}

const appliesTo = (e: { label?: string | undefined; species?: SpeciesGroup | undefined }, label: string, species: SpeciesGroup) =>
  (e.label === undefined || e.label === label) && (e.species === undefined || e.species === species);

/**
 * Builds the table of a rule from its entries (validated configuration) and time zone (default `UTC`); throws
 * RangeError for an hour window or time zone the configuration check would have refused.
 */
export function buildThreatTable(entries: readonly ThreatEntry[] = [], timeZone = 'UTC'): ThreatTable {
  const classes = new Map(DEFAULT_ANIMAL_CLASSES);
  const added = new Map<string, SpeciesGroup>();
  for (const e of entries) {
    if (e.label === undefined || DEFAULT_ANIMAL_CLASSES.has(e.label)) continue;
    if (!added.has(e.label) || (added.get(e.label) === 'other' && e.species)) added.set(e.label, e.species ?? 'other');
  }
  for (const [label, species] of added) classes.set(label, { species, threat: 'low' });
  const overrides: ThreatOverride[] = [];
  for (const e of entries) {
    if (e.zones === undefined && e.hours === undefined) {
      for (const [label, c] of classes) if (appliesTo(e, label, c.species)) classes.set(label, { species: c.species, threat: e.threat });
      continue;
    }
    const window = e.hours === undefined ? null : parseHourWindow(e.hours);
    if (window === null && e.hours !== undefined) throw new RangeError(`threat entry hours "${e.hours}" is not an hour window such as 20-6`);
    overrides.push({ label: e.label, species: e.species, zones: e.zones ? new Set(e.zones) : null, window, threat: e.threat });
  }
  return { classes, overrides, timeZone, hourAt: localHourClock(timeZone) };
}

/** The labels the table counts as animals: the defaults, then the classes its entries add. */
export function animalLabels(table: ThreatTable): string[] {
  return [...table.classes.keys()];
}

/**
 * Group and threat of a `label` seen in zone `zoneId` at `timeMs` (epoch ms; offline media time counts from 0), or
 * null when the label is not an animal of the table (a person, a "traffic light").
 */
export function threatOf(label: string, zoneId: string, timeMs: number, table: ThreatTable): AnimalThreat | null {
  const base = table.classes.get(label);
  if (!base) return null;
  let hour = -1;
  for (let i = table.overrides.length - 1; i >= 0; i--) {
    const o = table.overrides[i]!;
    if (!appliesTo(o, label, base.species) || (o.zones !== null && !o.zones.has(zoneId))) continue;
    if (o.window !== null) {
      // The local hour only when an entry asks for it (a few microseconds each).
      if (hour < 0) hour = table.hourAt(timeMs);
      if (!inHourWindow(hour, o.window)) continue;
    }
    return o.threat === base.threat ? base : { species: base.species, threat: o.threat };
  }
  return base;
}

/** The severity of an event at each threat level: none and low info, medium warning, high critical. */
export const THREAT_SEVERITY: Readonly<Record<ThreatLevel, Severity>> = Object.freeze({
  none: 'info', low: 'info', medium: 'warning', high: 'critical',
});

/** The event severity of a threat level (`THREAT_SEVERITY`). */
export function severityOfThreat(threat: ThreatLevel): Severity {
  return THREAT_SEVERITY[threat];
}

/** The higher of two threat levels. */
export function higherThreat(a: ThreatLevel, b: ThreatLevel): ThreatLevel {
  return THREAT_LEVELS.indexOf(a) >= THREAT_LEVELS.indexOf(b) ? a : b;
}
