/** The configuration of `fall` rules (see rules/fall.ts for what each setting does). */
import { z } from 'zod';
import { ruleFields, zoneRef } from './rule-fields.ts';
import { between } from './schema-parts.ts';

/** `fall`: a person falls and stays down. */
export const FallRuleSchema = z
  .object({
    ...ruleFields('fall', 'warning'),
    zone: zoneRef.default('all'),
    downSeconds: between(0, 600).default(2).describe('The person must still be down this many seconds after the fall before the event starts (its start is the moment the fall began).'),
    dropSeconds: between(0.2, 5).default(1).describe('A fall is a drop that happens within this many seconds.'),
    dropRatio: between(0.1, 1).default(0.4).describe('The top of the body must drop by this share of the body\'s length (its box\'s longer side before the fall).'),
    getUpSeconds: between(0, 60).default(0.5).describe('Seen upright this many seconds in a row, the person got up: a pending fall is dropped, an event ends (`cleared`).'),
    criticalAfterSeconds: between(0, 86_400).default(30).describe('Down this many seconds, the event\'s severity becomes critical.'),
    unseenEndSeconds: between(1, 86_400).default(600)
      .describe('A person down whom the detector no longer sees keeps the event open this long (people on the floor are often missed), then it ends (`left`).'),
    fallback: z.boolean().default(true)
      .describe("Without a pose model as the camera's detector (detect.model), judge posture from the box shape and motion only (weaker; events say `method: box`); false: refuse to start without one."),
  })
  .strict()
  .describe("`fall`: a person falls (a fast drop to lying) and stays down; raised after downSeconds, updated while down with the time down, critical after criticalAfterSeconds. Best with a pose model as the camera's detector (detect.model: yolo11n-pose).");

/** One validated fall rule. */
export type FallRuleConfig = z.infer<typeof FallRuleSchema>;
