/** The configuration of `violence` rules (see rules/violence.ts and pipeline/clip-stage.ts). */
import { z } from 'zod';
import { ruleFields, zoneRef } from './rule-fields.ts';
import { between } from './schema-parts.ts';

/** `violence`: a fight, from a clip classifier gated by the people in the picture. */
export const ViolenceRuleSchema = z
  .object({
    ...ruleFields('violence', 'warning'),
    zone: zoneRef.default('all'),
    model: z.string().min(1).default('violence-classifier')
      .describe('The clip classifier: an added model id (`sightline models add FILE --id violence-classifier`, see docs/clip-classifiers.md) or a path to its .onnx file with a manifest.'),
    label: z.string().min(1).optional().describe("The model's label whose score is the fight probability; default: the manifest's positiveLabel."),
    threshold: between(0, 1).default(0.7)
      .describe('Smoothed fight probability at or above which a fight is going on (single windows of ordinary busy scenes reach 0.7 with the small test model; smoothing keeps them below).'),
    minSeconds: between(0, 60).default(1).describe('The smoothed score must stay above the threshold over this much video before the event starts.'),
    smoothing: between(0.05, 1).default(0.5).describe('Weight of each new window score in the smoothed score (1 = none).'),
    strideFrames: between(1, 1000, { int: true }).optional().describe('Classify a window every this many frames while the gate is open; default: half the clip length.'),
    minSpeed: between(0, 100).default(1)
      .describe('The gate opens when two people are close together and one of them moves (box position and size) at least this many of their heights per second.'),
    gateHoldSeconds: between(0, 60).default(3).describe('The gate stays open this long after its condition last held.'),
    endAfterSeconds: between(0, 600).default(4).describe('The event ends once no window has been above the threshold for this long.'),
  })
  .strict()
  .describe('`violence`: a fight; a clip classifier scores the last frames while at least two people are close together and moving fast, the scores are smoothed, and the event needs them above the threshold for minSeconds; it carries the score.');

/** One validated violence rule. */
export type ViolenceRuleConfig = z.infer<typeof ViolenceRuleSchema>;
