/**
 * The event shape as a zod schema: the single source of `docs/event.schema.json` (served at /api/schemas/event.json)
 * and the check every event passes before it is stored and sent. Attributes are described per rule type.
 */
import { z } from 'zod';
import { EVENT_SCHEMA_VERSION } from '../core/types.ts';
import { AnimalEventAttributesSchema } from './animal-event-schema.ts';
import type { EventJson } from './event-json.ts';

const ms = (what: string) => z.number().describe(`${what}, in milliseconds since the Unix epoch (live cameras) or since the start of the video (offline analysis).`);
const zoneId = z.string().describe('The zone the rule watches (`all`: the whole frame); for a site rule (`planId` set), the area of the plan.');
const planId = z.string().optional()
  .describe('Set when a site rule raised the event (site.rules): the floor plan it watches; zoneId is then an area and lineId a line of that plan, counted over distinct people whatever cameras see them, and cameraId is the camera that saw the person at the start.');

const SubjectSchema = z
  .object({
    trackId: z.number().int().positive().describe('Id of the object\'s track on its camera (unique per camera run).'),
    label: z.string().min(1).describe('Object class, e.g. `person`.'),
    score: z.number().min(0).max(1).describe('Best detection score seen during the event, 0..1.'),
    boxXyxy: z.array(z.number()).length(4).describe('Box of that observation as [x1, y1, x2, y2] in pixels of the analysed frame.'),
    timeMs: ms('Time of that observation'),
    globalId: z.number().int().positive().nullable().optional()
      .describe('The person\'s id across the site\'s cameras (calibrated cameras, cross-camera identity on): the same person seen by two cameras has one; null or absent when not known.'),
    cameraId: z.string().min(1).optional()
      .describe('The camera whose track this is (trackId, boxXyxy), when it may differ from the event\'s camera: events of site rules (`attributes.planId`) follow a person from camera to camera.'),
  })
  .strict()
  .describe('An object the event is about, at its best observation (the one in the snapshot).');

const base = {
  schema: z.literal(EVENT_SCHEMA_VERSION).describe('Version of this shape.'),
  id: z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/).describe('Event id (UUID).'),
  severity: z.enum(['info', 'warning', 'critical']).describe('Set per rule; rules that grade their events set it per version (a fall becomes critical with time, an animal\'s threat level).'),
  cameraId: z.string().min(1).describe('Camera that saw it.'),
  ruleId: z.string().min(1).describe('Rule that raised it.'),
  startMs: ms('When the episode began'),
  endMs: ms('When it ended').nullable().describe('When it ended (ms, same clock as startMs); null while in progress.'),
  endReason: z.enum(['left', 'cleared', 'instant', 'stopped', 'restart']).nullable()
    .describe('Why it ended: `left` (its object left or was lost), `cleared` (the condition stopped holding), `instant` (a point event such as a line crossing), `stopped` (camera stopped or video ended), `restart` (closed at the next start after the server died); null while in progress.'),
  frameIndex: z.number().int().min(0).nullable().describe('Index of the frame that produced this version; null for events stored before frames were counted.'),
  latencyMs: z.number().min(0).nullable().describe('Milliseconds from the capture of that frame to this version being stored; null offline (media time has no wall clock).'),
  lastSeenMs: ms('Last time the condition was seen to hold'),
  subjects: z.array(SubjectSchema).describe('The objects the event is about (empty when a count fell below a minimum with nobody in the zone).'),
  snapshotUrl: z.string().nullable().describe('URL of the snapshot JPEG (the best observation with its box), or null before one exists.'),
  clipUrl: z.string().describe('URL of the clip with pre- and post-roll (404 while nothing of the event is recorded).'),
  keep: z.boolean().describe('Marked keep by a user: retention never deletes its recordings.'),
};

/** `presence` events: an object of a listed class in a zone. */
const PresenceEventSchema = z.object({
  ...base,
  type: z.literal('presence'),
  attributes: z.object({ zoneId, planId }).strict(),
}).strict();

/** `line` events: one crossing of a counting line. */
const LineEventSchema = z.object({
  ...base,
  type: z.literal('line'),
  attributes: z.object({
    lineId: z.string().describe('The line crossed.'),
    planId,
    direction: z.enum(['in', 'out']).describe('`in`: towards the line\'s inside.'),
    countIn: z.number().int().min(0).describe('Crossings in of this rule since its camera started.'),
    countOut: z.number().int().min(0).describe('Crossings out of this rule since its camera started.'),
  }).strict(),
}).strict();

/** `dwell` events: an object staying in a zone. */
const DwellEventSchema = z.object({
  ...base,
  type: z.literal('dwell'),
  attributes: z.object({
    zoneId,
    planId,
    dwellSeconds: z.number().min(0).describe('Seconds in the zone so far (final at the end).'),
  }).strict(),
}).strict();

/** `occupancy` events: too many or too few objects in a zone. */
const OccupancyEventSchema = z.object({
  ...base,
  type: z.literal('occupancy'),
  attributes: z.object({
    zoneId,
    planId,
    count: z.number().int().min(0).describe('Objects in the zone in the newest frame of this version.'),
    condition: z.enum(['above', 'below']).describe('`above`: more than the rule\'s max; `below`: fewer than its min.'),
    threshold: z.number().int().min(0).describe('The rule\'s max or min.'),
  }).strict(),
}).strict();

/** `fall` events: a person fell and is down. */
const FallEventSchema = z.object({
  ...base,
  type: z.literal('fall'),
  attributes: z.object({
    zoneId,
    posture: z.enum(['standing', 'sitting', 'bending', 'lying', 'unknown']).describe('The person\'s posture in the newest observation.'),
    downSeconds: z.number().min(0).describe('Seconds since the person was first seen down after the fall (final at the end).'),
    method: z.enum(['pose', 'box']).describe('`pose`: posture from body keypoints (a pose model); `box`: from the box shape and motion only (no pose model on the camera).'),
    confirmed: z.boolean().describe('True once the person stayed down for the rule\'s downSeconds; false for a fall reported because the camera stopped or the video ended before that.'),
  }).strict(),
}).strict();

/** `animal` events: an animal in a zone, with its species group and threat level. */
const AnimalEventSchema = z.object({ ...base, type: z.literal('animal'), attributes: AnimalEventAttributesSchema }).strict();

/** `violence` events: a fight seen by a clip classifier. */
const ViolenceEventSchema = z.object({
  ...base,
  type: z.literal('violence'),
  attributes: z.object({
    zoneId,
    score: z.number().min(0).max(1).describe('Smoothed fight probability of the newest window (0..1).'),
    peakScore: z.number().min(0).max(1).describe('Highest smoothed fight probability of the event so far.'),
  }).strict(),
}).strict();

/** An event as clients receive it: one of the rule types, each with its attributes. */
export const EventSchema = z.discriminatedUnion('type', [PresenceEventSchema, LineEventSchema, DwellEventSchema, OccupancyEventSchema, FallEventSchema, AnimalEventSchema, ViolenceEventSchema]);

/** The event schema as a JSON Schema document (draft 2020-12). */
export function eventJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(EventSchema, { io: 'output' }) as Record<string, unknown>;
  return {
    $schema,
    $id: 'https://sightline.dev/schemas/event.json',
    title: 'Sightline event',
    description: 'A Sightline event, as sent by the REST API, the WebSocket and every delivery channel; `type` says which rule type raised it and what its attributes hold.',
    ...rest,
  };
}

/** Problems of an event against the schema, as `path: message` lines (empty when it is valid). */
export function eventProblems(event: EventJson | unknown): string[] {
  const r = EventSchema.safeParse(event);
  if (r.success) return [];
  return r.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`);
}
