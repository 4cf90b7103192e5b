/** The threat table: defaults, overrides by class, group, zone and local hour (time zones, midnight, DST), severity. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_ANIMAL_LABELS, inHourWindow, parseHourWindow } from '../core/animals.ts';
import { animalLabels, buildThreatTable, localHourClock, severityOfThreat, threatOf, type ThreatEntry } from './animal-threat.ts';

/** Epoch ms of a UTC wall-clock time on 1 July 2024 (Paris is UTC+2 then, New York UTC-4). */
const julyUtc = (h: number, m = 0) => Date.UTC(2024, 6, 1, h, m);
const HOUR_MS = 3_600_000;

describe('defaults', () => {
  const table = buildThreatTable();
  const rows: [string, string, string][] = [
    ['bear', 'wild-large', 'high'], ['elephant', 'wild-large', 'high'],
    ['horse', 'livestock', 'medium'], ['cow', 'livestock', 'medium'], ['dog', 'pet', 'medium'],
    ['cat', 'pet', 'low'], ['sheep', 'livestock', 'low'], ['bird', 'bird', 'low'],
    ['zebra', 'wild-large', 'low'], ['giraffe', 'wild-large', 'low'],
  ];
  for (const [label, species, threat] of rows) {
    test(label, () => assert.deepEqual(threatOf(label, 'all', julyUtc(12), table), { species, threat }));
  }
  test('the ten COCO animals, and nothing else, are animals', () => {
    assert.deepEqual(animalLabels(table).sort(), rows.map((r) => r[0]).sort());
    assert.deepEqual([...DEFAULT_ANIMAL_LABELS].sort(), rows.map((r) => r[0]).sort());
  });
  for (const label of ['person', 'traffic light', 'car', '']) {
    test(`"${label}" is not an animal: null`, () => assert.equal(threatOf(label, 'all', 0, table), null));
  }
});

interface Row {
  readonly name: string;
  readonly entries: readonly ThreatEntry[];
  readonly timeZone?: string;
  readonly label: string;
  readonly zoneId: string;
  readonly timeMs: number;
  readonly expected: { species: string; threat: string } | null;
}

const dogYardNight: ThreatEntry = { label: 'dog', zones: ['yard'], hours: '20-6', threat: 'high' };

const ROWS: readonly Row[] = [
  { name: 'an unconditional label entry replaces the default', entries: [{ label: 'zebra', threat: 'medium' }], label: 'zebra', zoneId: 'all', timeMs: 0, expected: { species: 'wild-large', threat: 'medium' } },
  { name: 'a group entry applies to every class of the group', entries: [{ species: 'livestock', threat: 'high' }], label: 'sheep', zoneId: 'all', timeMs: 0, expected: { species: 'livestock', threat: 'high' } },
  { name: 'a group entry leaves other groups alone', entries: [{ species: 'livestock', threat: 'high' }], label: 'dog', zoneId: 'all', timeMs: 0, expected: { species: 'pet', threat: 'medium' } },
  { name: 'zone: a dog in the yard', entries: [{ label: 'dog', zones: ['yard'], threat: 'high' }], label: 'dog', zoneId: 'yard', timeMs: 0, expected: { species: 'pet', threat: 'high' } },
  { name: 'zone: a dog on the road keeps its default', entries: [{ label: 'dog', zones: ['yard'], threat: 'high' }], label: 'dog', zoneId: 'road', timeMs: 0, expected: { species: 'pet', threat: 'medium' } },
  { name: 'hours across midnight: yard at 21:30 Paris', entries: [dogYardNight], timeZone: 'Europe/Paris', label: 'dog', zoneId: 'yard', timeMs: julyUtc(19, 30), expected: { species: 'pet', threat: 'high' } },
  { name: 'hours across midnight: yard at 00:30 Paris', entries: [dogYardNight], timeZone: 'Europe/Paris', label: 'dog', zoneId: 'yard', timeMs: julyUtc(22, 30), expected: { species: 'pet', threat: 'high' } },
  { name: 'hours across midnight: yard at 05:59 Paris (still in)', entries: [dogYardNight], timeZone: 'Europe/Paris', label: 'dog', zoneId: 'yard', timeMs: julyUtc(3, 59), expected: { species: 'pet', threat: 'high' } },
  { name: 'hours across midnight: yard at 06:00 Paris (end excluded)', entries: [dogYardNight], timeZone: 'Europe/Paris', label: 'dog', zoneId: 'yard', timeMs: julyUtc(4, 0), expected: { species: 'pet', threat: 'medium' } },
  { name: 'hours: yard at 19:59 Paris (not yet)', entries: [dogYardNight], timeZone: 'Europe/Paris', label: 'dog', zoneId: 'yard', timeMs: julyUtc(17, 59), expected: { species: 'pet', threat: 'medium' } },
  { name: 'hours: yard at noon Paris', entries: [dogYardNight], timeZone: 'Europe/Paris', label: 'dog', zoneId: 'yard', timeMs: julyUtc(10), expected: { species: 'pet', threat: 'medium' } },
  { name: 'hours: the road at 21:30 Paris (zone and hours both needed)', entries: [dogYardNight], timeZone: 'Europe/Paris', label: 'dog', zoneId: 'road', timeMs: julyUtc(19, 30), expected: { species: 'pet', threat: 'medium' } },
  { name: 'time zone: the same instant is 19:30 in UTC, before the window', entries: [dogYardNight], label: 'dog', zoneId: 'yard', timeMs: julyUtc(19, 30), expected: { species: 'pet', threat: 'medium' } },
  { name: 'time zone: and 15:30 in New York', entries: [{ label: 'dog', hours: '15-16', threat: 'high' }], timeZone: 'America/New_York', label: 'dog', zoneId: 'yard', timeMs: julyUtc(19, 30), expected: { species: 'pet', threat: 'high' } },
  { name: 'DST: 01:30 Paris on 31 March 2024 is in 1-2', entries: [{ label: 'cat', hours: '1-2', threat: 'high' }], timeZone: 'Europe/Paris', label: 'cat', zoneId: 'all', timeMs: Date.UTC(2024, 2, 31, 0, 30), expected: { species: 'pet', threat: 'high' } },
  { name: 'DST: an hour later the clocks read 03:30, out of 1-3', entries: [{ label: 'cat', hours: '1-3', threat: 'high' }], timeZone: 'Europe/Paris', label: 'cat', zoneId: 'all', timeMs: Date.UTC(2024, 2, 31, 1, 30), expected: { species: 'pet', threat: 'low' } },
  { name: 'offline: media time 21 h into the video in UTC is hour 21', entries: [dogYardNight], label: 'dog', zoneId: 'yard', timeMs: 21 * HOUR_MS, expected: { species: 'pet', threat: 'high' } },
  { name: 'offline: media time 0 is midnight UTC', entries: [{ label: 'bird', hours: '0-1', threat: 'medium' }], label: 'bird', zoneId: 'all', timeMs: 0, expected: { species: 'bird', threat: 'medium' } },
  { name: 'the last conditional entry that applies wins', entries: [dogYardNight, { label: 'dog', zones: ['yard'], threat: 'none' }], timeZone: 'Europe/Paris', label: 'dog', zoneId: 'yard', timeMs: julyUtc(19, 30), expected: { species: 'pet', threat: 'none' } },
  { name: 'a conditional entry beats an unconditional one listed after it', entries: [{ label: 'dog', zones: ['yard'], threat: 'high' }, { label: 'dog', threat: 'low' }], label: 'dog', zoneId: 'yard', timeMs: 0, expected: { species: 'pet', threat: 'high' } },
  { name: 'the unconditional one applies elsewhere', entries: [{ label: 'dog', zones: ['yard'], threat: 'high' }, { label: 'dog', threat: 'low' }], label: 'dog', zoneId: 'road', timeMs: 0, expected: { species: 'pet', threat: 'low' } },
  { name: 'among unconditional entries the later wins', entries: [{ label: 'dog', threat: 'high' }, { species: 'pet', threat: 'none' }], label: 'dog', zoneId: 'all', timeMs: 0, expected: { species: 'pet', threat: 'none' } },
  { name: 'a group override by zone', entries: [{ species: 'livestock', zones: ['road'], threat: 'high' }], label: 'cow', zoneId: 'road', timeMs: 0, expected: { species: 'livestock', threat: 'high' } },
  { name: 'a tracked class the defaults lack becomes an animal with its group', entries: [{ label: 'fox', species: 'wild-small', threat: 'medium' }], label: 'fox', zoneId: 'all', timeMs: 0, expected: { species: 'wild-small', threat: 'medium' } },
  { name: 'an added class without a group is other, low until an entry says more', entries: [{ label: 'fox', zones: ['coop'], threat: 'high' }], label: 'fox', zoneId: 'all', timeMs: 0, expected: { species: 'other', threat: 'low' } },
  { name: 'an added class takes the group its entries give, whichever entry gives it', entries: [{ label: 'fox', zones: ['coop'], threat: 'high' }, { label: 'fox', species: 'wild-small', threat: 'low' }], label: 'fox', zoneId: 'coop', timeMs: 0, expected: { species: 'wild-small', threat: 'high' } },
  { name: 'entries do not make a person an animal unless they name it', entries: [{ species: 'pet', threat: 'high' }], label: 'person', zoneId: 'all', timeMs: 0, expected: null },
];

describe('overrides', () => {
  for (const r of ROWS) {
    test(r.name, () => assert.deepEqual(threatOf(r.label, r.zoneId, r.timeMs, buildThreatTable(r.entries, r.timeZone)), r.expected));
  }
});

describe('hour windows', () => {
  const parsed: [string, { startHour: number; endHour: number } | null][] = [
    ['20-6', { startHour: 20, endHour: 6 }], ['8-17', { startHour: 8, endHour: 17 }], ['0-24', { startHour: 0, endHour: 24 }],
    ['22-0', { startHour: 22, endHour: 24 }], [' 7-9 ', { startHour: 7, endHour: 9 }],
    ['6-6', null], ['0-0', null], ['24-3', null], ['3-25', null], ['8', null], ['8:30-9', null], ['a-b', null], ['', null], ['-1-3', null],
  ];
  for (const [text, expected] of parsed) test(`parse "${text}"`, () => assert.deepEqual(parseHourWindow(text), expected));

  const inside: [string, number, boolean][] = [
    ['20-6', 20, true], ['20-6', 23, true], ['20-6', 0, true], ['20-6', 5, true], ['20-6', 6, false], ['20-6', 19, false], ['20-6', 12, false],
    ['8-17', 8, true], ['8-17', 16, true], ['8-17', 17, false], ['8-17', 7, false], ['0-24', 0, true], ['0-24', 23, true], ['22-0', 23, true], ['22-0', 0, false],
  ];
  for (const [text, hour, expected] of inside) test(`${hour} h ${expected ? 'in' : 'not in'} ${text}`, () => assert.equal(inHourWindow(hour, parseHourWindow(text)!), expected));
});

test('local hours follow the time zone, half-hour offsets included', () => {
  assert.equal(localHourClock('UTC')(0), 0);
  assert.equal(localHourClock('Asia/Kolkata')(0), 5);
  assert.equal(localHourClock('Europe/Paris')(julyUtc(22, 30)), 0);
  assert.equal(localHourClock('America/New_York')(julyUtc(3)), 23);
});

test('a time zone or hour window the configuration would refuse throws when the table is built', () => {
  assert.throws(() => buildThreatTable([], 'Mars/Olympus'), RangeError);
  assert.throws(() => buildThreatTable([{ label: 'dog', hours: '6-6', threat: 'high' }]), /hours "6-6"/);
});

test('severity: none and low info, medium warning, high critical', () => {
  assert.deepEqual((['none', 'low', 'medium', 'high'] as const).map(severityOfThreat), ['info', 'info', 'warning', 'critical']);
});
