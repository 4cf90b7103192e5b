/**
 * Request and response schemas of the HTTP API, in zod: the routes validate requests with them, `/api/openapi.json`
 * is generated from them, and the tests check every response they see against them.
 */
import { z } from 'zod';
import { EventSchema } from '../events/event-schema.ts';
import { ROLES } from '../auth/roles.ts';

export const ErrorSchema = z
  .object({ error: z.object({ code: z.string().describe('Stable code; docs/errors.md lists them.'), message: z.string().describe('What was expected and what arrived.') }).strict() })
  .strict()
  .describe('Every error answer.');

/** The error answers every route may give, beside its own. */
export const ERRORS = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 413: ErrorSchema, 429: ErrorSchema } as const;

const count = z.number().int().min(0);
const ms = z.number().describe('Milliseconds since the Unix epoch.');
const nullableMs = ms.nullable();

/** A path or query id: printable, at most 200 characters (longer ones are refused before any lookup). */
export const IdParam = z.string().min(1).max(200).regex(/^[^\u0000-\u001f/\\]+$/, { error: 'expected an id without slashes or control characters' });
export const IdParams = z.object({ id: IdParam }).strict();
/** A whole number in a query string, e.g. `?limit=50`. */
export const queryInt = (min: number, max: number) =>
  z.string().regex(/^-?\d{1,16}$/, { error: `expected a whole number between ${min} and ${max}` }).refine((s) => Number(s) >= min && Number(s) <= max, { error: `expected a whole number between ${min} and ${max}` });
/** Text that is stored or compared in SQL: PostgreSQL's text cannot hold NUL, so it is refused here (else a 500). */
const noNul = (s: z.ZodString) => s.regex(/^[^\u0000]*$/, { error: 'expected text without NUL (\\u0000) characters' });
const queryText = noNul(z.string().max(200));

export const CameraStatusSchema = z
  .looseObject({
    id: z.string(), name: z.string(), url: z.string(), enabled: z.boolean(), state: z.enum(['starting', 'online', 'stalled', 'backoff', 'offline', 'ended', 'stopped', 'disabled']),
    model: z.string().nullable(), lastError: z.string().nullable(), fpsMeasured: z.number(), fpsProcessed: z.number(), framesDecoded: count, framesProcessed: count,
    activeTracks: count, openEvents: count, width: z.number().nullable(), height: z.number().nullable(),
    lines: z.array(z.object({ id: z.string(), in: count, out: count })), zones: z.array(z.looseObject({ id: z.string(), count })),
  })
  .describe('A camera\'s state and counters.');

export const GridSchema = z.looseObject({
  rows: count, columns: count, sure: z.boolean(), confidence: z.number(), doubts: z.array(z.string()), frames: count, width: count, height: count,
  tiles: z.array(z.looseObject({ row: count, column: count, rect: z.array(z.number()).length(4), pixels: z.array(z.number()).length(4) })),
  suggestedCameras: z.array(z.object({ id: z.string(), source: z.object({ url: z.string(), crop: z.array(z.number()).length(4) }) })),
});

export const EventListQuery = z
  .object({
    camera: queryText.optional(), label: queryText.optional(), type: queryText.optional(), rule: queryText.optional(), severity: queryText.optional(),
    keep: z.string().max(5).optional().describe('`true`: only events marked keep; `false`: only the others.'),
    limit: z.string().max(20).optional(), before: z.string().max(20).optional().describe('Paging: events that started before this time (ms), e.g. the startMs of the last one seen.'),
    from: z.string().max(20).optional().describe('Events that started at or after this time (ms since the epoch).'),
    to: z.string().max(20).optional().describe('Events that started before this time (ms since the epoch).'),
  })
  .strict();
export const EventListSchema = z.object({ events: z.array(EventSchema), total: count });
export const EventHistogramQuery = z
  .object({
    camera: queryText.optional(), label: queryText.optional(), type: queryText.optional(), rule: queryText.optional(), severity: queryText.optional(),
    keep: z.string().max(5).optional().describe('`true`: only events marked keep; `false`: only the others.'),
    from: z.string().max(20).optional().describe('Start of the range (ms since the epoch); default 24 hours before `to`.'),
    to: z.string().max(20).optional().describe('End of the range (ms since the epoch, exclusive); default now.'),
    buckets: z.string().max(5).optional().describe('Number of buckets, 1..1000; default 96.'),
  })
  .strict();
export const EventHistogramSchema = z.object({
  fromMs: ms, toMs: ms, bucketMs: count,
  counts: z.array(count).describe('Events that started in each bucket: counts[i] covers [fromMs + i * bucketMs, fromMs + (i + 1) * bucketMs).'),
  total: count,
});
export { EventSchema };

export const OccupancyQuery = z.object({ camera: queryText.optional(), zone: queryText.optional(), from: z.string().max(20).optional(), to: z.string().max(20).optional() }).strict();
export const OccupancySchema = z.object({
  cameraId: z.string(), zoneId: z.string(), fromMs: ms, toMs: ms, bucketMs: count,
  points: z.array(z.object({ startMs: ms, mean: z.number(), max: z.number(), min: z.number(), samples: count })),
});
export const LinesQuery = z.object({ camera: queryText.optional(), line: queryText.optional(), label: queryText.optional(), from: z.string().max(20).optional(), to: z.string().max(20).optional(), bucket: z.string().max(10).optional() }).strict();
export const LinesSchema = z.object({
  cameraId: z.string(), fromMs: ms, toMs: ms, bucketMs: count, label: z.string().nullable(),
  lines: z.array(z.object({ lineId: z.string(), in: count, out: count, points: z.array(z.object({ startMs: ms, in: count, out: count })) })),
});

export const RecordingsQuery = z.object({ camera: queryText.optional(), from: z.string().max(20).optional(), to: z.string().max(20).optional() }).strict();
export const SegmentListSchema = z.object({
  segments: z.array(z.looseObject({ cameraId: z.string(), startMs: ms, endMs: ms, path: z.string(), url: z.string() })),
});
export const RecordingStatusSchema = z.looseObject({ segments: count, totalBytes: count, freeBytes: z.number().nullable(), warnings: z.array(z.string()) });
export const KeepBody = z.object({ keep: z.boolean() }).strict();

export const DestinationSchema = z.looseObject({
  id: z.string(), type: z.enum(['webhook', 'mqtt', 'email']), enabled: z.boolean(), target: z.string(), disabled: z.boolean(), disabledReason: z.string().nullable(),
});
const AttemptSchema = z.object({ attempt: count, atMs: ms, verdict: z.string(), statusCode: z.number().nullable(), error: z.string().nullable(), latencyMs: z.number() });
export const DeliverySchema = z.looseObject({
  id: z.string(), destinationId: z.string(), messageId: z.string(), eventId: z.string(), version: count, kind: z.string(), status: z.enum(['pending', 'failed', 'delivered', 'dead']),
  attempts: count, createdMs: ms, nextAttemptMs: nullableMs, lastAttemptMs: nullableMs, deliveredMs: nullableMs, lastStatusCode: z.number().nullable(), lastError: z.string().nullable(),
  attemptLog: z.array(AttemptSchema).optional(),
});
export const DeliveryQuery = z.object({ status: queryText.optional(), destination: queryText.optional(), event: queryText.optional(), before: z.string().max(20).optional(), limit: z.string().max(20).optional() }).strict();
export const TestResultSchema = z.looseObject({ ok: z.boolean() });

// --- accounts ---

export const RoleSchema = z.enum(ROLES);
const Username = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, { error: 'expected a user name of 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit' });
const Password = z.string().min(1).max(1024);

export const UserSchema = z.object({
  id: z.string(), username: z.string(), role: RoleSchema, mustChangePassword: z.boolean(), disabled: z.boolean(), createdMs: ms, updatedMs: ms,
});
export const LoginBody = z.object({ username: noNul(z.string().min(1).max(256)), password: Password }).strict();
export const SessionSchema = z.object({
  kind: z.enum(['session', 'key', 'open']), role: RoleSchema, user: UserSchema.nullable(), cameraIds: z.array(z.string()).nullable(),
  csrfToken: z.string().nullable().describe('Send it as the x-csrf-token header with every change made through the session cookie.'),
  expiresMs: nullableMs, mustChangePassword: z.boolean(),
});
export const PasswordBody = z.object({ currentPassword: Password, newPassword: Password }).strict();
export const CreateUserBody = z.object({ username: Username, password: Password, role: RoleSchema }).strict();
export const UpdateUserBody = z.object({ role: RoleSchema.optional(), password: Password.optional(), disabled: z.boolean().optional() }).strict()
  .refine((b) => Object.keys(b).length > 0, { error: 'expected at least one of role, password, disabled' });
export const UserListSchema = z.object({ users: z.array(UserSchema) });

export const KeySchema = z.object({
  id: z.string(), name: z.string(), prefix: z.string(), role: RoleSchema, cameraIds: z.array(z.string()).nullable(), userId: z.string().nullable(),
  createdMs: ms, lastUsedMs: nullableMs, expiresMs: nullableMs, revokedMs: nullableMs,
});
export const CreateKeyBody = z.object({
  name: noNul(z.string().min(1).max(100)), role: RoleSchema,
  cameras: z.array(noNul(z.string().min(1).max(64))).min(1).max(1000).optional().describe('Limit the key to these cameras; absent = all.'),
  expiresMs: z.number().int().positive().max(8.64e15).optional().describe('When the key stops working; absent = never.'),
}).strict();
export const CreatedKeySchema = z.object({ key: z.string().describe('Shown once; only its hash is stored.'), record: KeySchema });
export const KeyListSchema = z.object({ keys: z.array(KeySchema) });

export const AuditQuery = z.object({ actor: queryText.optional(), action: queryText.optional(), from: z.string().max(20).optional(), to: z.string().max(20).optional(), before: z.string().max(20).optional(), limit: z.string().max(20).optional() }).strict();
export const AuditListSchema = z.object({
  entries: z.array(z.object({
    id: z.string(), timeMs: ms, actor: z.string(), action: z.string(), target: z.string().nullable(), address: z.string().nullable(),
    outcome: z.enum(['ok', 'denied', 'failed']), before: z.unknown(), after: z.unknown(),
  })),
});

export const HealthSchema = z.object({ ok: z.literal(true), cameras: count });
