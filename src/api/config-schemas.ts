/** Request and response schemas of the runtime-configuration routes (the OpenAPI document is generated from them). */
import { z } from 'zod';

/** A configuration object as in the file (docs/config.md); validated by the configuration schema in the handler. */
export const ConfigObject = (what: string) => z.record(z.string(), z.unknown()).describe(`${what}, as in the configuration file (docs/config.md); secrets shown as ******** mean "keep the stored value"`);

export const ChangeSchema = z.object({
  path: z.string().describe('Where: `cameras[front].rules[intrusion].zone`.'),
  before: z.unknown().optional().describe('Absent: added.'),
  after: z.unknown().optional().describe('Absent: removed.'),
}).strict();

export const VersionInfoSchema = z.object({
  version: z.number().int(),
  createdMs: z.number().describe('Milliseconds since the Unix epoch.'),
  actor: z.string().describe('Who: `user:NAME`, `key:NAME`, `config file`, `open` (authentication off).'),
  action: z.string(),
  changes: z.array(ChangeSchema),
}).strict();

/** The answer to every change. */
export const ChangeResultSchema = z.object({
  version: z.number().int().describe('The configuration version now in force.'),
  changes: z.array(ChangeSchema),
}).strict();

export const CameraChangeSchema = ChangeResultSchema.extend({
  camera: z.record(z.string(), z.unknown()).nullable().describe('The camera as stored (secrets masked); null once deleted.'),
}).strict();

export const ItemChangeSchema = ChangeResultSchema.extend({
  item: z.record(z.string(), z.unknown()).nullable().describe('The zone, line or rule as stored; null once deleted.'),
  appliedAtFrame: z.number().int().nullable().describe('Index of the first frame analysed with the change; null when the camera is not running.'),
}).strict();

export const DocumentSchema = z.object({
  version: z.number().int(),
  document: z.record(z.string(), z.unknown()).describe('cameras, delivery, recording, models.default (secrets masked).'),
}).strict();

export const SettingsSchema = z.object({
  recording: z.record(z.string(), z.unknown()).describe('Global recording retention: maxSizeMb, minFreeMb, checkSeconds.'),
  models: z.object({ default: z.string() }).strict().describe('The detector of cameras that name none.'),
}).strict();

export const ProbeBody = z.object({
  url: z.string().min(1).max(2048).describe('rtsp://, http(s):// or a file path on the server.'),
  rtspTransport: z.enum(['tcp', 'udp']).optional(),
  timeoutMs: z.number().int().min(500).max(20_000).optional().describe('Give up after this long (default 6000).'),
}).strict();

export const ProbeSchema = z.object({
  ok: z.boolean(),
  url: z.string().describe('The URL, password masked.'),
  reason: z.enum(['unreachable', 'auth failed', 'not found', 'no video', 'timeout', 'unsupported']).nullable()
    .describe('Why it failed; null when ok.'),
  message: z.string().nullable(),
  codec: z.string().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  fps: z.number().nullable(),
  snapshot: z.string().nullable().describe('One frame as a data: URL (image/jpeg); null when none could be taken.'),
  elapsedMs: z.number(),
}).strict();

export const GridAcceptBody = z.object({
  confirm: z.boolean().optional().describe('Accept a proposal that is not sure (after looking at it).'),
}).strict();
