/**
 * The configuration of an `animal` rule (a tagged member of the rule union in `rules-schema.ts`): its threat entries
 * over the default table of `core/animals.ts`, the local time zone of their hour windows, its event timing, and the
 * detection settings that make small animals visible. `checkAnimalRule` is its cross-check against the camera.
 */
import { z } from 'zod';
import {
  DEFAULT_ANIMAL_CLASSES, DEFAULT_ANIMAL_LABELS, HOUR_WINDOW_FORMAT, isTimeZone, parseHourWindow, SPECIES_GROUPS, THREAT_LEVELS,
} from '../core/animals.ts';
import type { GeometryIssue } from './rules-schema.ts';
import { between, id } from './schema-parts.ts';

/** Default detection score threshold of an animal rule: birds and cats at night often score 0.15-0.3. */
export const DEFAULT_ANIMAL_MIN_SCORE = 0.15;

/** One entry over the default threat table: a class or a group, optionally only in some zones or hours, and its threat. */
export const ThreatEntrySchema = z
  .object({
    label: z.string().min(1).optional()
      .describe('Class the entry applies to, e.g. `dog`: a COCO animal (bird, cat, dog, horse, sheep, cow, elephant, bear, zebra, giraffe) or another label of objects.track, which the entry makes an animal of the table.'),
    species: z.enum(SPECIES_GROUPS).optional()
      .describe('Species group the entry applies to (every class of it); with `label` of a class that is not a COCO animal, that class\'s group (default `other`).'),
    zones: z.array(z.string().min(1)).min(1).optional()
      .describe('Zone ids where the entry applies, compared with the rule\'s zone (share one table between the rules of several zones with a YAML anchor); default: every zone.'),
    hours: z.string()
      .refine((s) => parseHourWindow(s) !== null, { error: (iss) => `expected hours as ${HOUR_WINDOW_FORMAT}; got "${String(iss.input)}"` })
      .optional()
      .describe(`Local hours, in the rule's timeZone, when the entry applies: ${HOUR_WINDOW_FORMAT}; default: all day.`),
    threat: z.enum(THREAT_LEVELS)
      .describe('Threat where the entry applies: `none` or `low` (info events), `medium` (warning), `high` (critical).'),
  })
  .strict()
  .refine((e) => e.label !== undefined || e.species !== undefined, { error: 'expected a label or a species in a threat entry; got neither' })
  .describe('Entries without zones and hours set a class\'s (or group\'s) threat everywhere; entries with zones or hours override it there and then. Within each kind, the last entry that applies wins.');

/** `animal`: an animal in a zone, with its species group and threat level. */
export const AnimalRuleSchema = z
  .object({
    type: z.literal('animal').describe('Rule type.'),
    id: id('rule').describe('Rule id, unique within the camera; events carry it as ruleId.'),
    objects: z.array(z.string().min(1)).min(1).optional()
      .describe('Classes this rule applies to; only the animals of its threat table count (a person never raises an animal event); default: every animal of the table. The camera must track them (objects.track).'),
    anchor: z.enum(['bottom-center', 'center']).default('bottom-center')
      .describe('The point of a box that stands for the object: where it touches the ground, or its centre (top-down cameras).'),
    severity: z.enum(['info', 'warning', 'critical']).default('info')
      .describe('Lowest severity of this rule\'s events: each event takes its threat\'s severity (none, low: info; medium: warning; high: critical) but never less than this (default info: the threat alone decides).'),
    zone: z.string().min(1).default('all').describe('Id of a zone of this camera (`all` = the whole frame when no zone has that id).'),
    threats: z.array(ThreatEntrySchema).default([])
      .describe('Changes to the default threat table (bear, elephant: high; horse, cow, dog: medium; cat, sheep, bird, zebra, giraffe: low), e.g. `{ label: dog, zones: [yard], hours: "20-6", threat: high }`.'),
    timeZone: z.string().min(1).default('UTC')
      .describe('IANA time zone of the threat entries\' hours, e.g. `Europe/Paris`. Offline, video time 0 reads as midnight UTC, so with `UTC` the hours count from the start of the video.'),
    minDurationMs: between(0, 60_000, { int: true }).optional().describe('Time in the zone before the event starts; default: events.minDurationMs.'),
    endAfterMs: between(0, 600_000, { int: true }).optional().describe('The event ends after the animal is out of the zone or unseen this long; default: events.endAfterMs.'),
    cooldownMs: between(0, 3_600_000, { int: true }).optional().describe('No new event for the same animal after an end for this long; default: events.cooldownMs.'),
    minScore: between(0, 1).default(DEFAULT_ANIMAL_MIN_SCORE)
      .describe(`Detection score (0..1) this rule needs the camera's detector to keep for its animal classes; default ${DEFAULT_ANIMAL_MIN_SCORE}, low because small animals and animals at night score low. It lowers the camera's detection threshold for every label it tracks, so keep objects.track to the animals on such a camera.`),
    tiling: z.enum(['off', 'auto']).default('auto')
      .describe('Tiling this rule needs from the camera\'s detector: `auto` adds overlapping tiled passes on frames over 2.5x the model input, which finds birds and cats a few pixels wide (costs more); default auto.'),
  })
  .strict()
  .describe('`animal`: an animal of the threat table in a zone for minDurationMs; one event per animal with its species group and threat (which sets the severity), updated when the threat rises, ended when it leaves.');

/** One validated threat entry. */
export type ThreatEntryConfig = z.infer<typeof ThreatEntrySchema>;
/** One validated animal rule. */
export type AnimalRuleConfig = z.infer<typeof AnimalRuleSchema>;

/** What `checkAnimalRule` may know of the camera besides its tracked labels. */
export interface AnimalRuleCamera {
  readonly id: string;
  /** Ids of the camera's declared zones. */
  readonly zones: readonly string[];
}

/**
 * Cross-checks of an animal rule against the labels its camera tracks (pure): threat entries naming a class that is
 * neither a COCO animal nor tracked, or giving a COCO animal another group; objects that are not animals of the table;
 * a time zone the runtime does not know; given the camera, entries naming a zone it does not declare. Paths are inside
 * the rule; messages say what was expected, what arrived and how to fix it.
 */
export function checkAnimalRule(rule: AnimalRuleConfig, trackedLabels: readonly string[], camera?: AnimalRuleCamera): GeometryIssue[] {
  const issues: GeometryIssue[] = [];
  const where = camera === undefined ? `rule "${rule.id}"` : `rule "${rule.id}" of camera "${camera.id}"`;
  if (!isTimeZone(rule.timeZone)) {
    issues.push({ path: ['timeZone'], message: `${where}: timeZone "${rule.timeZone}" is not a time zone; expected an IANA name such as "Europe/Paris", "America/New_York" or "UTC"` });
  }
  const animals = new Set(DEFAULT_ANIMAL_LABELS);
  rule.threats.forEach((e, i) => {
    e.zones?.forEach((zone, k) => {
      if (camera === undefined || zone === 'all' || camera.zones.includes(zone)) return;
      issues.push({
        path: ['threats', i, 'zones', k],
        message: `${where}: threat entry ${i} names zone "${zone}"; expected a zone of the camera (${camera.zones.join(', ') || 'none'}) or "all"; add it under zones or fix the id`,
      });
    });
    if (e.label === undefined) return;
    const coco = DEFAULT_ANIMAL_CLASSES.get(e.label);
    if (coco === undefined && !trackedLabels.includes(e.label)) {
      issues.push({
        path: ['threats', i, 'label'],
        message: `${where}: threat entry ${i} names "${e.label}"; expected a COCO animal (${DEFAULT_ANIMAL_LABELS.join(', ')}) or a label of objects.track (${trackedLabels.join(', ')}); fix the name or add it to objects.track`,
      });
      return;
    }
    if (coco !== undefined && e.species !== undefined && e.species !== coco.species) {
      issues.push({
        path: ['threats', i, 'species'],
        message: `${where}: threat entry ${i} gives "${e.label}" the group "${e.species}", but it is "${coco.species}" in the threat table; leave species out (a COCO animal keeps its group)`,
      });
    }
    animals.add(e.label);
  });
  rule.objects?.forEach((label, j) => {
    if (!animals.has(label)) {
      issues.push({
        path: ['objects', j],
        message: `${where} applies to "${label}", which is not an animal of its threat table (${[...animals].join(', ')}), so it would never raise an event for it; remove it, or add a threat entry for it if it is an animal`,
      });
    }
  });
  return issues;
}
