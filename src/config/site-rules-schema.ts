/**
 * Rules on the floor plan (`site.lines`, `site.rules`): presence, dwell, occupancy and line crossing watched over the
 * people of the whole site, joined across cameras, so a room's count is the number of distinct people in it whatever
 * cameras see them. The timing fields are the camera rules' own (same names, same meaning, same defaults).
 */
import { z } from 'zod';
import { between, id, PointMSchema } from './schema-parts.ts';
import { DwellRuleSchema, OccupancyRuleSchema, PresenceRuleSchema } from './rules-schema.ts';

/** A counting line drawn on a plan. */
export const SiteLineSchema = z
  .object({
    id: id('line').describe('Line id, unique in the site; site line rules name it.'),
    plan: id('plan').describe('The plan the line is drawn on.'),
    pointsM: z.array(PointMSchema).min(2, { error: 'expected a line of at least 2 points' })
      .describe('Two or more points in plan metres; a person crosses when their ground position does.'),
    in: z.enum(['right', 'left']).default('right')
      .describe('The inside of the line: walking from its first point to its second as drawn on the plan, crossing towards this hand counts `in`, the other way `out`.'),
  })
  .strict();

const siteRuleId = id('rule').describe('Rule id, unique in the site and not used by a camera rule; events carry it as ruleId.');
const severity = (fallback: 'info' | 'warning') =>
  z.enum(['info', 'warning', 'critical']).default(fallback).describe(`Severity of the events this rule raises (default ${fallback}).`);
const areaRef = id('area').describe('Id of an area of the site (site.areas).');

/** `presence` on the plan: a person in an area. */
export const SitePresenceRuleSchema = z
  .object({
    type: z.literal('presence').describe('Rule type.'),
    id: siteRuleId,
    area: areaRef,
    severity: severity('info'),
    minDurationMs: between(0, 60_000, { int: true }).default(500).describe(PresenceRuleSchema.shape.minDurationMs.description ?? ''),
    endAfterMs: between(0, 600_000, { int: true }).default(3000).describe('The event ends after the person is out of the area or unseen by every camera this long.'),
    cooldownMs: between(0, 3_600_000, { int: true }).default(10_000).describe('No new event for the same person after an end for this long.'),
  })
  .strict()
  .describe('`presence` on the plan: a person in an area for minDurationMs, whatever cameras see them; one event per person (global id).');

/** `dwell` on the plan: a person stays in an area. */
export const SiteDwellRuleSchema = z
  .object({
    type: z.literal('dwell').describe('Rule type.'),
    id: siteRuleId,
    area: areaRef,
    severity: severity('warning'),
    seconds: DwellRuleSchema.shape.seconds,
    toleranceSeconds: DwellRuleSchema.shape.toleranceSeconds,
  })
  .strict()
  .describe('`dwell` on the plan: a person stays in an area for `seconds`, followed from camera to camera.');

/** `occupancy` on the plan: too many (or too few) distinct people in an area. */
export const SiteOccupancyRuleSchema = z
  .object({
    type: z.literal('occupancy').describe('Rule type.'),
    id: siteRuleId,
    area: areaRef,
    severity: severity('warning'),
    max: OccupancyRuleSchema.shape.max,
    min: OccupancyRuleSchema.shape.min,
    seconds: OccupancyRuleSchema.shape.seconds,
    clearSeconds: OccupancyRuleSchema.shape.clearSeconds,
    holdSeconds: between(0, 60).default(0).describe('A person no camera sees for up to this many seconds still counts at their last place. The site already keeps a person present through a missed detection (2.5 frame intervals), so the default is 0: a longer hold counts a person twice for that long when two ids are found to be one.'),
  })
  .strict()
  .describe('`occupancy` on the plan: more than `max` (or fewer than `min`) distinct people in an area for `seconds`, a person seen by two cameras counted once.');

/** `line` on the plan: directed crossings of a site line. */
export const SiteLineRuleSchema = z
  .object({
    type: z.literal('line').describe('Rule type.'),
    id: siteRuleId,
    line: id('line').describe('Id of a line of the site (site.lines).'),
    severity: severity('info'),
    emit: z.enum(['event', 'count']).default('event').describe('`event`: one event per crossing (with its direction); `count`: counts only.'),
  })
  .strict()
  .describe('`line` on the plan: a person\'s ground position crossing a site line, in or out, once per person whatever cameras see it.');

/** A rule on the plan, tagged by `type`. */
export const SiteRuleSchema = z.discriminatedUnion('type', [SitePresenceRuleSchema, SiteDwellRuleSchema, SiteOccupancyRuleSchema, SiteLineRuleSchema], {
  error: (iss) => (iss.code === 'invalid_union' ? 'expected a site rule type: presence, dwell, occupancy or line' : undefined),
});

/** One validated site line. */
export type SiteLineConfig = z.infer<typeof SiteLineSchema>;
/** One validated site rule. */
export type SiteRuleConfig = z.infer<typeof SiteRuleSchema>;

/** What the site rule cross-checks read. */
interface SiteRulesPart {
  readonly areas: readonly { readonly id: string }[];
  readonly plans: readonly { readonly id: string }[];
  readonly lines: readonly SiteLineConfig[];
  readonly rules: readonly SiteRuleConfig[];
}

/**
 * Cross-checks of the site's lines and rules (pure): unique ids, lines on a plan of the site with distinct points,
 * rules naming an area or line of the site, occupancy with exactly one limit, rule ids no camera rule uses (events of
 * both carry `ruleId`). Paths start at `site`.
 */
export function checkSiteRules(site: SiteRulesPart, cameras: readonly { readonly id: string; readonly rules: readonly { readonly id: string }[] }[]): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  const planIds = site.plans.map((p) => p.id);
  const seenLines = new Set<string>();
  site.lines.forEach((l, i) => {
    if (seenLines.has(l.id)) out.push({ path: ['site', 'lines', i, 'id'], message: `line id "${l.id}" is used twice; give each line its own id` });
    seenLines.add(l.id);
    if (!planIds.includes(l.plan)) out.push({ path: ['site', 'lines', i, 'plan'], message: `line "${l.id}" is drawn on plan "${l.plan}", which this site does not have; plans: ${planIds.join(', ') || 'none'}` });
    for (let k = 0; k + 1 < l.pointsM.length; k++) {
      const [a, b] = [l.pointsM[k]!, l.pointsM[k + 1]!];
      if (a[0] === b[0] && a[1] === b[1]) out.push({ path: ['site', 'lines', i, 'pointsM', k + 1], message: `line "${l.id}": points ${k} and ${k + 1} are the same place [${a.join(', ')}]; give each segment two distinct points` });
    }
  });
  const areaIds = site.areas.map((a) => a.id);
  const lineIds = site.lines.map((l) => l.id);
  const cameraRule = new Map<string, string>();
  for (const c of cameras) for (const r of c.rules) if (!cameraRule.has(r.id)) cameraRule.set(r.id, c.id);
  const seenRules = new Set<string>();
  site.rules.forEach((r, i) => {
    if (seenRules.has(r.id)) out.push({ path: ['site', 'rules', i, 'id'], message: `site rule id "${r.id}" is used twice; give each rule its own id` });
    seenRules.add(r.id);
    const camera = cameraRule.get(r.id);
    if (camera !== undefined) out.push({ path: ['site', 'rules', i, 'id'], message: `rule id "${r.id}" is also a rule of camera "${camera}"; events of both carry it as ruleId, give the site rule its own id` });
    if (r.type === 'line') {
      if (!lineIds.includes(r.line)) out.push({ path: ['site', 'rules', i, 'line'], message: `site rule "${r.id}" names line "${r.line}", which the site does not declare (site.lines: ${lineIds.join(', ') || 'none'}); add it under site.lines or fix the id` });
    } else if (!areaIds.includes(r.area)) {
      out.push({ path: ['site', 'rules', i, 'area'], message: `site rule "${r.id}" names area "${r.area}", which the site does not declare (site.areas: ${areaIds.join(', ') || 'none'}); add it under site.areas or fix the id` });
    }
    if (r.type === 'occupancy' && (r.max === undefined) === (r.min === undefined)) {
      out.push({ path: ['site', 'rules', i], message: `occupancy rule "${r.id}" needs exactly one of max or min, got ${r.max === undefined ? 'neither' : 'both'}; use two rules for both limits` });
    }
  });
  return out;
}
