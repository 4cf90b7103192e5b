/**
 * The configuration of a camera's geometry and rules: zones (polygons) and lines declared once, rules (a tagged union
 * on `type`) that reference them, and the cross-checks whose messages say how to fix what is wrong.
 */
import { z } from 'zod';
import { polygonArea2, polygonSelfIntersection } from '../core/geometry.ts';
import type { Point } from '../core/types.ts';
import { between, id, PointNormSchema } from './schema-parts.ts';
import { ruleFields, zoneRef } from './rule-fields.ts';
import { FallRuleSchema } from './fall-schema.ts';
import { AnimalRuleSchema, checkAnimalRule } from './animal-schema.ts';
import { ViolenceRuleSchema } from './violence-schema.ts';

/** A polygon zone inside a camera's view. */
export const ZoneSchema = z
  .object({
    id: id('zone').describe('Zone id, unique within the camera; rules name it.'),
    polygon: z.array(PointNormSchema).min(3, { error: 'expected a polygon of at least 3 points' })
      .describe('Corners in order around the zone, as [x, y] fractions of the frame (0..1, origin top-left). An object is inside when the bottom-centre of its box is.'),
    objects: z.array(z.string().min(1)).min(1).optional()
      .describe("Labels counted in this zone (occupancy series, and the default presence rule); default: the camera's objects.track."),
  })
  .strict();

/** A counting line inside a camera's view. */
export const LineSchema = z
  .object({
    id: id('line').describe('Line id, unique within the camera; line rules name it.'),
    points: z.array(PointNormSchema).min(2, { error: 'expected a line of at least 2 points' })
      .describe('Two or more points as [x, y] fractions of the frame; an object crosses when the bottom-centre of its box does.'),
    in: z.enum(['right', 'left']).default('right')
      .describe('The inside of the line: walking from its first point to its second as drawn on the image, crossing towards this hand counts `in`, the other way `out`.'),
  })
  .strict();

/** `presence`: an object of a listed class in a zone. */
export const PresenceRuleSchema = z
  .object({
    ...ruleFields('presence', 'info'),
    zone: zoneRef,
    minDurationMs: between(0, 60_000, { int: true }).optional().describe('Time in the zone before the event starts; default: events.minDurationMs.'),
    endAfterMs: between(0, 600_000, { int: true }).optional().describe('The event ends after the object is out of the zone or unseen this long; default: events.endAfterMs.'),
    cooldownMs: between(0, 3_600_000, { int: true }).optional().describe('No new event for the same object after an end for this long; default: events.cooldownMs.'),
  })
  .strict()
  .describe('`presence`: an object of a listed class in a zone for minDurationMs; one event per object, updated on a better view, ended when it leaves.');

/** `line`: directed crossings of a line. */
export const LineRuleSchema = z
  .object({
    ...ruleFields('line', 'info'),
    line: z.string().min(1).describe('Id of a line of this camera.'),
    emit: z.enum(['event', 'count']).default('event')
      .describe('`event`: one event per crossing (with its direction); `count`: counts only (analytics and /metrics).'),
  })
  .strict()
  .describe('`line`: directed crossings of a line (bottom-centre of the box), counted in and out; each crossing an event, or a count.');

/** `dwell`: an object stays in a zone. */
export const DwellRuleSchema = z
  .object({
    ...ruleFields('dwell', 'warning'),
    zone: zoneRef,
    seconds: between(0.1, 86_400).describe('Time in the zone, in seconds, that raises the event.'),
    toleranceSeconds: between(0, 600).default(2).describe('Absences (occlusion, a missed detection) up to this many seconds do not end the stay.'),
  })
  .strict()
  .describe('`dwell`: an object stays in a zone for `seconds`; the event carries the dwell time and is updated while it lasts.');

/** `occupancy`: too many (or too few) objects in a zone. */
export const OccupancyRuleSchema = z
  .object({
    ...ruleFields('occupancy', 'warning'),
    zone: zoneRef,
    max: between(0, 10_000, { int: true }).optional().describe('The event is raised while more than this many objects are in the zone.'),
    min: between(1, 10_000, { int: true }).optional().describe('The event is raised while fewer than this many objects are in the zone.'),
    seconds: between(0, 3600).default(5).describe('The count must stay past the limit this many seconds before the event starts.'),
    clearSeconds: between(0, 3600).default(3).describe('The event ends once the count has been within the limit this many seconds.'),
    holdSeconds: between(0, 60).default(1).describe('An object the detector misses for up to this many seconds still counts at its last place.'),
  })
  .strict()
  .describe('`occupancy`: more than `max` (or fewer than `min`) objects in a zone for `seconds`; the event carries the count.');

/** A rule of a camera, tagged by `type`. */
export const RuleSchema = z.discriminatedUnion('type', [PresenceRuleSchema, LineRuleSchema, DwellRuleSchema, OccupancyRuleSchema, FallRuleSchema, AnimalRuleSchema, ViolenceRuleSchema], {
  error: (iss) => (iss.code === 'invalid_union' ? 'expected a rule type: presence, line, dwell, occupancy, fall, animal or violence' : undefined),
});

/** One validated zone. */
export type ZoneConfig = z.infer<typeof ZoneSchema>;
/** One validated line. */
export type LineConfig = z.infer<typeof LineSchema>;
/** One validated rule. */
export type RuleConfig = z.infer<typeof RuleSchema>;

/** What `checkGeometryAndRules` reads of a camera. */
interface CameraPart {
  readonly id: string;
  readonly objects: { readonly track: readonly string[] };
  readonly zones: readonly ZoneConfig[];
  readonly lines: readonly LineConfig[];
  readonly rules: readonly RuleConfig[];
}

/** A problem found by the cross-checks: path inside the camera and the message. */
export interface GeometryIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

const fmt = (p: readonly number[]) => `[${p.map((v) => Math.round(v * 1000) / 1000).join(', ')}]`;

/**
 * Cross-checks of a camera's zones, lines and rules (pure): unique ids, polygons that do not cross themselves and
 * enclose an area, lines whose points are distinct, rules that name a declared zone or line and only tracked labels,
 * occupancy rules with exactly one limit. Every message names the camera and says how to fix it.
 */
export function checkGeometryAndRules(cam: CameraPart): GeometryIssue[] {
  const issues: GeometryIssue[] = [];
  const unique = (kind: 'zone' | 'line' | 'rule', list: readonly { id: string }[], key: 'zones' | 'lines' | 'rules') => {
    const seen = new Set<string>();
    list.forEach((x, i) => {
      if (seen.has(x.id)) issues.push({ path: [key, i, 'id'], message: `${kind} id "${x.id}" is used twice in camera "${cam.id}"; give each ${kind} its own id` });
      seen.add(x.id);
    });
  };
  unique('zone', cam.zones, 'zones');
  unique('line', cam.lines, 'lines');
  unique('rule', cam.rules, 'rules');
  const tracked = cam.objects.track;
  cam.zones.forEach((zone, i) => {
    const poly = zone.polygon as Point[];
    const crossing = polygonSelfIntersection(poly);
    if (Math.abs(polygonArea2(poly)) < 1e-9) {
      issues.push({ path: ['zones', i, 'polygon'], message: `zone "${zone.id}" encloses no area (its corners are on one line); give it at least 3 corners around an area` });
    } else if (crossing) {
      const [a, b] = crossing;
      const edge = (k: number) => `${fmt(poly[k]!)}-${fmt(poly[(k + 1) % poly.length]!)}`;
      issues.push({ path: ['zones', i, 'polygon'], message: `zone "${zone.id}" crosses itself: edge ${edge(a)} meets edge ${edge(b)}; list the corners in order around the zone` });
    }
    zone.objects?.forEach((label, j) => {
      if (!tracked.includes(label)) {
        issues.push({ path: ['zones', i, 'objects', j], message: `zone "${zone.id}" tracks "${label}", which is not in objects.track (${tracked.join(', ')}); add it there` });
      }
    });
  });
  cam.lines.forEach((line, i) => {
    for (let k = 0; k + 1 < line.points.length; k++) {
      const [a, b] = [line.points[k]!, line.points[k + 1]!];
      if (a[0] === b[0] && a[1] === b[1]) {
        issues.push({ path: ['lines', i, 'points', k + 1], message: `line "${line.id}": points ${k} and ${k + 1} are the same place ${fmt(a)}, a segment of zero length; give each segment two distinct points` });
      }
    }
  });
  const zoneIds = cam.zones.map((z) => z.id);
  const lineIds = cam.lines.map((l) => l.id);
  cam.rules.forEach((rule, i) => {
    if (rule.type === 'line') {
      if (!lineIds.includes(rule.line)) {
        issues.push({ path: ['rules', i, 'line'], message: `rule "${rule.id}" names line "${rule.line}", which camera "${cam.id}" does not declare (lines: ${lineIds.join(', ') || 'none'}); add it under lines or fix the id` });
      }
    } else if (!zoneIds.includes(rule.zone) && rule.zone !== 'all') {
      issues.push({ path: ['rules', i, 'zone'], message: `rule "${rule.id}" names zone "${rule.zone}", which camera "${cam.id}" does not declare (zones: ${zoneIds.join(', ') || 'none'}); add it under zones, fix the id, or use "all" for the whole frame` });
    }
    rule.objects?.forEach((label, j) => {
      if (!tracked.includes(label)) {
        issues.push({ path: ['rules', i, 'objects', j], message: `rule "${rule.id}" applies to "${label}", which is not in objects.track (${tracked.join(', ')}) of camera "${cam.id}"; add it there` });
      }
    });
    if (rule.type === 'animal') {
      for (const issue of checkAnimalRule(rule, tracked, { id: cam.id, zones: zoneIds })) issues.push({ path: ['rules', i, ...issue.path], message: issue.message });
    }
    if (rule.type === 'fall' && rule.unseenEndSeconds < rule.downSeconds) {
      issues.push({ path: ['rules', i, 'unseenEndSeconds'], message: `fall rule "${rule.id}": unseenEndSeconds (${rule.unseenEndSeconds}) must be at least downSeconds (${rule.downSeconds}), or a person lost on the floor is forgotten before the event could start` });
    }
    if (rule.type === 'fall' && !(rule.objects ?? ['person']).every((l) => tracked.includes(l))) {
      issues.push({ path: ['rules', i], message: `fall rule "${rule.id}" watches ${(rule.objects ?? ['person']).join(', ')}, which camera "${cam.id}" does not track (objects.track: ${tracked.join(', ')}); add person to objects.track` });
    }
    if (rule.type === 'violence' && cam.rules.findIndex((r) => r.type === 'violence') !== i) {
      issues.push({ path: ['rules', i], message: `camera "${cam.id}" has more than one violence rule; one clip classifier runs per camera: keep one violence rule (use zone "all")` });
    }
    if (rule.type === 'occupancy' && (rule.max === undefined) === (rule.min === undefined)) {
      issues.push({ path: ['rules', i], message: `occupancy rule "${rule.id}" needs exactly one of max or min, got ${rule.max === undefined ? 'neither' : 'both'}; use two rules for both limits` });
    }
  });
  return issues;
}
