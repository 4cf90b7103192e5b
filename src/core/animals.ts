/**
 * The animal vocabulary the configuration and the animal rule share: the animal classes the catalog's detectors output
 * (COCO names) with their default species group and threat level, and the formats a threat entry uses (local hour
 * windows, IANA time zones). Pure data and parsers; the lookup itself is `rules/animal-threat.ts`.
 */

/** How dangerous an animal is where and when it is seen, lowest first. */
export const THREAT_LEVELS = ['none', 'low', 'medium', 'high'] as const;
/** One of `THREAT_LEVELS`. */
export type ThreatLevel = (typeof THREAT_LEVELS)[number];

/**
 * Species groups: `bird`; `pet` (cat, dog); `livestock` (horse, sheep, cow); `wild-large` (elephant, bear, zebra,
 * giraffe); `wild-small` for a custom model's fox or raccoon; `other` for a class a threat entry adds without a group.
 */
export const SPECIES_GROUPS = ['bird', 'pet', 'livestock', 'wild-large', 'wild-small', 'other'] as const;
/** One of `SPECIES_GROUPS`. */
export type SpeciesGroup = (typeof SPECIES_GROUPS)[number];

/** An animal class's group and threat. */
export interface AnimalThreat {
  readonly species: SpeciesGroup;
  readonly threat: ThreatLevel;
}

/**
 * The ten COCO animal classes with their default group and threat, before any threat entry of a rule. Bears and
 * elephants can kill a person: high. Horses, cows and dogs can injure one (a kick, a charge, a bite), and a loose one
 * on a road causes crashes: medium. Cats, sheep and birds are rarely a danger: low. Zebras and giraffes are low too:
 * where a camera can see them (a reserve, a lodge, a zoo) they are the normal view and seldom go for people, and
 * anywhere else a detection is almost always a false positive (a zebra crossing, a striped awning, a giraffe print);
 * a site where they matter raises them with one entry (`{ label: zebra, threat: medium }`).
 */
export const DEFAULT_ANIMAL_CLASSES: ReadonlyMap<string, AnimalThreat> = new Map<string, AnimalThreat>([
  ['bird', { species: 'bird', threat: 'low' }],
  ['cat', { species: 'pet', threat: 'low' }],
  ['dog', { species: 'pet', threat: 'medium' }],
  ['horse', { species: 'livestock', threat: 'medium' }],
  ['sheep', { species: 'livestock', threat: 'low' }],
  ['cow', { species: 'livestock', threat: 'medium' }],
  ['elephant', { species: 'wild-large', threat: 'high' }],
  ['bear', { species: 'wild-large', threat: 'high' }],
  ['zebra', { species: 'wild-large', threat: 'low' }],
  ['giraffe', { species: 'wild-large', threat: 'low' }],
]);

/** The labels of `DEFAULT_ANIMAL_CLASSES`, in COCO order. */
export const DEFAULT_ANIMAL_LABELS: readonly string[] = Object.freeze([...DEFAULT_ANIMAL_CLASSES.keys()]);

/** A window of local hours: from `startHour` (inclusive) to `endHour` (exclusive); start > end crosses midnight. */
export interface HourWindow {
  /** 0..23. */
  readonly startHour: number;
  /** 1..24; 24 (or 0) is midnight at the end of the day. */
  readonly endHour: number;
}

/** What an hour window looks like in the configuration, for messages and docs. */
export const HOUR_WINDOW_FORMAT = 'START-END in whole local hours, end excluded: 20-6 (20:00 to 05:59, across midnight), 8-17, 0-24 (all day)';

/** Parses `"20-6"` into a window; null unless both are whole hours (start 0..23, end 0..24) and they differ. */
export function parseHourWindow(text: string): HourWindow | null {
  const m = /^(\d{1,2})-(\d{1,2})$/.exec(text.trim());
  if (!m) return null;
  const startHour = Number(m[1]);
  const end = Number(m[2]);
  // start === end would be either empty or the whole day; 0-24 says the latter unambiguously.
  if (startHour > 23 || end > 24 || end === startHour) return null;
  return { startHour, endHour: end === 0 ? 24 : end };
}

/** Whether local hour `hour` (0..23) lies in the window. */
export function inHourWindow(hour: number, w: HourWindow): boolean {
  return w.startHour < w.endHour ? hour >= w.startHour && hour < w.endHour : hour >= w.startHour || hour < w.endHour;
}

/** Whether `name` is a time zone this runtime knows (an IANA name such as `Europe/Paris`, or `UTC`). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
