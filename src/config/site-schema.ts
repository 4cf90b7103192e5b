import { z } from 'zod';
import { between, id, PointMSchema, PointNormSchema } from './schema-parts.ts';
import { SiteLineSchema, SiteRuleSchema } from './site-rules-schema.ts';

export { PointMSchema };

/** A plan image's point in pixels. */
const PointPxSchema = z.tuple([z.number().min(0), z.number().min(0)], { error: 'expected a plan image point [x, y] in pixels' });

/** A floor plan: an image and its scale, given as metres per pixel or two points a known distance apart. */
export const PlanSchema = z
  .object({
    id: id('plan').describe('Plan id; areas and camera calibrations name it.'),
    name: z.string().optional().describe('Display name; default: the id.'),
    image: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\.(png|jpe?g)$/i, { error: 'expected the file name of a PNG or JPEG picture in dataDir/plans (no folders), e.g. ground.png' }).optional()
      .describe('The plan picture: a PNG or JPEG file name in dataDir/plans/ (PUT /api/site/plans/:id/image stores one). Without one the map draws a grid.'),
    widthPx: between(1, 100_000, { int: true }).describe('Width of the plan image in pixels.'),
    heightPx: between(1, 100_000, { int: true }).describe('Height of the plan image in pixels.'),
    metresPerPixel: z.number().positive({ error: 'expected metres per plan pixel above 0' }).optional()
      .describe('Scale of the plan image; or give `reference` instead.'),
    reference: z
      .object({
        pointsPx: z.tuple([PointPxSchema, PointPxSchema]).describe('Two points on the plan image, in pixels.'),
        distanceM: z.number().describe('Their distance on the ground, in metres.'),
      })
      .strict()
      .optional()
      .describe('Scale from two points a known distance apart (a door width, a wall); used when metresPerPixel is absent.'),
  })
  .strict();

/** A room or region drawn on a plan. */
export const AreaSchema = z
  .object({
    id: id('area').describe('Area id, unique in the site; rules and /api/areas/:id name it.'),
    name: z.string().optional().describe('Display name; default: the id.'),
    plan: id('plan').describe('The plan the area is drawn on.'),
    polygonM: z.array(PointMSchema).min(3, { error: 'expected a polygon of at least 3 points' })
      .describe('Corners in order around the area, in plan metres. A person is inside when their ground position is.'),
  })
  .strict();

/** Cross-camera identity settings. */
export const FusionSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Join the tracks of calibrated cameras into people with one global id (needs at least one calibrated camera).'),
    windowMs: between(100, 10_000, { int: true }).default(1000).describe('Evidence window: tracks of two cameras are compared by their mean plan distance over this many milliseconds.'),
    memoryMs: between(0, 3_600_000, { int: true }).default(30_000).describe('A person no camera sees is remembered this long (milliseconds), to be recognised when coming back.'),
    appearance: z
      .object({
        enabled: z.boolean().default(true).describe('Compute re-id embeddings of new and ambiguous people tracks (a few good crops each) and use them beside positions; needs the model.'),
        model: z.string().min(1).default('osnet-x0.25-msmt17').describe('The re-id embedder: a catalog or added model id (task embed), or an .onnx path.'),
      })
      .strict()
      .default({ enabled: true, model: 'osnet-x0.25-msmt17' })
      .describe('Appearance for cross-camera identity (read at start).'),
    transitions: z
      .array(z.object({
        from: id('camera').describe('Camera people leave.'),
        to: id('camera').describe('Camera they appear on next.'),
        minGapMs: between(0, 3_600_000, { int: true }).describe('Shortest time between leaving and appearing.'),
        maxGapMs: between(0, 3_600_000, { int: true }).describe('Longest time between leaving and appearing.'),
      }).strict())
      .default([])
      .describe('Passages between cameras that do not overlap; a person reappearing within the window is recognised by appearance (re-id).'),
  })
  .strict();

/** Trajectories kept for the map, /api/tracks and heatmaps. */
export const TrajectoriesSchema = z
  .object({
    sampleMs: between(100, 60_000, { int: true }).default(1000).describe('One plan position per track is stored in each slot of this many milliseconds of the clock (the first frame of the track in the slot).'),
    keepHours: between(0, 87_600).default(168).describe('Stored positions older than this are deleted; 0 = kept until deleted.'),
  })
  .strict();

/** Floor plans, areas on them, cross-camera identity. */
export const SiteSchema = z
  .object({
    plans: z.array(PlanSchema).default([]).describe('Floor plans; cameras are calibrated to one of them.'),
    areas: z.array(AreaSchema).default([]).describe('Rooms and regions on the plans, counted without double counting where cameras overlap.'),
    lines: z.array(SiteLineSchema).default([]).describe('Counting lines drawn on the plans, for site line rules.'),
    rules: z.array(SiteRuleSchema).default([]).describe('Rules on the plan (presence, dwell, occupancy, line) over the people of the whole site, a person seen by several cameras counted once; their events name the camera that saw the person. Needs fusion on.'),
    fusion: FusionSchema.default(FusionSchema.parse({})),
    trajectories: TrajectoriesSchema.default(TrajectoriesSchema.parse({})),
  })
  .strict();

/** A camera's calibration to a plan: image points and where they are on the plan. */
export const CalibrationSchema = z
  .object({
    plan: id('plan').describe('The plan this camera is calibrated to.'),
    pointPairs: z
      .array(z.object({
        imageNorm: PointNormSchema.describe('A point on the camera image as [x, y] fractions of the frame.'),
        planM: PointMSchema.describe('The same point on the plan, in metres.'),
      }).strict())
      .describe('Four or more points on the floor, spread out, seen on the image and found on the plan (six or more let a wrong pair be pointed out).'),
  })
  .strict();

/** The validated site section. */
export type SiteConfig = z.infer<typeof SiteSchema>;
/** One validated plan. */
export type PlanConfig = z.infer<typeof PlanSchema>;
/** One validated area. */
export type AreaConfig = z.infer<typeof AreaSchema>;
/** A camera's validated calibration. */
export type CalibrationConfig = z.infer<typeof CalibrationSchema>;
