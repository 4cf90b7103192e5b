import { z } from 'zod';
import { AuthSchema, DEFAULT_AUTH, isLoopbackHost, TlsSchema } from './auth-schema.ts';
import { checkDeliveryReferences, DeliverySchema } from './delivery-schema.ts';
import { between, id, PointNormSchema } from './schema-parts.ts';
import { checkGeometryAndRules, LineSchema, RuleSchema, ZoneSchema } from './rules-schema.ts';
import { CalibrationSchema, SiteSchema } from './site-schema.ts';
import { checkSiteRules } from './site-rules-schema.ts';
import { ClusterSchema } from './cluster-schema.ts';

/** Where a camera's video comes from. */
export const SourceSchema = z
  .object({
    url: z.string().min(1, { error: 'expected a file path, rtsp:// or http(s):// URL, sample:ID or tile:CAMERA' })
      .describe('A file path, an rtsp:// or http(s):// URL, `sample:ID` for a catalog sample clip (downloaded when missing), or `tile:CAMERA` for one tile of another camera\'s mosaic (with `crop`).'),
    crop: z.tuple([between(0, 1), between(0, 1), between(0, 1), between(0, 1)], { error: 'expected [x, y, width, height] as fractions of the frame' }).optional()
      .describe('With `tile:CAMERA`: the tile as [x, y, width, height] fractions of that camera\'s frame (GET /api/cameras/CAMERA/grid proposes them).'),
    loop: z.boolean().default(true).describe('Files only: start again at the end (true) or stop the camera (false).'),
    rtspTransport: z.enum(['tcp', 'udp']).default('tcp').describe('RTSP only: transport for the media streams.'),
    timeoutMs: between(1000, 120_000, { int: true }).default(10_000)
      .describe('Socket timeout for network sources, in milliseconds; ffmpeg gives up on a silent server after this.'),
    stallTimeoutMs: between(2000, 300_000, { int: true }).default(20_000)
      .describe('Restart the source when no frame arrived for this many milliseconds.'),
  })
  .strict();

/** Object-detection settings of one camera. */
export const DetectSchema = z
  .object({
    fps: between(1, 30).default(5).describe('Frames per second decoded and sent to the detector.'),
    width: between(64, 3840, { int: true }).default(640)
      .describe('Frames are scaled to this width in pixels before detection (height keeps the aspect ratio).'),
    model: z.string().min(1).optional().describe('Detector: a catalog or added model id (`sightline models list`), or a path to an .onnx file; default: models.default.'),
    scoreThreshold: between(0, 1).optional().describe("Minimum detection score 0..1; default: the model's own threshold."),
    tiling: z.enum(['off', 'auto']).default('off')
      .describe('`auto` adds overlapping tiled passes when the frame is over 2.5x the model input (finds small objects, costs more).'),
    cameraMotion: z.boolean().default(false)
      .describe('The camera moves (PTZ, a shaky pole, a vehicle): measure how the picture moved between frames (phase correlation of small grey pictures, about 1 ms a frame) and move every track\'s prediction with it, so a pan does not lose the people in view. A still picture measures no motion.'),
  })
  .strict();

/** Motion gating of one camera. */
export const MotionSchema = z
  .object({
    enabled: z.boolean().default(true)
      .describe('Run the object detector only on frames with motion or while objects are tracked (saves CPU on quiet cameras).'),
    threshold: between(1, 255, { int: true }).default(25)
      .describe('A pixel of the grey motion picture changed when it differs from the background by more than this (0-255).'),
    minArea: between(0, 1).default(0.002)
      .describe('Smallest changed region that counts as motion, as a fraction of the frame.'),
    mask: z.array(z.array(PointNormSchema).min(3, { error: 'expected a polygon of at least 3 points' })).default([])
      .describe('Polygons (corners as [x, y] fractions of the frame) where changes are ignored: clocks, trees, busy roads.'),
  })
  .strict();

/** Event lifecycle settings of one camera. */
export const EventsSchema = z
  .object({
    minDurationMs: between(0, 60_000, { int: true }).default(500)
      .describe('An object must stay in a zone this long (milliseconds) before an event starts.'),
    endAfterMs: between(0, 600_000, { int: true }).default(3000)
      .describe('An event ends when its object has been out of the zone or unseen for this long (milliseconds).'),
    cooldownMs: between(0, 3_600_000, { int: true }).default(10_000)
      .describe('After an event ends, the same object in the same zone starts no new event for this long (milliseconds).'),
  })
  .strict();

/** Live view of one camera. */
export const LiveSchema = z
  .object({
    enabled: z.boolean().default(true)
      .describe('Serve the video as fragmented MP4 at /api/cameras/:id/live (H.264 stream-copied from the same ffmpeg; other codecs re-encoded).'),
  })
  .strict();

/** Recording of one camera. */
export const RecordSchema = z
  .object({
    mode: z.enum(['off', 'continuous', 'motion', 'events']).default('events')
      .describe('`continuous` keeps every segment, `motion` segments with motion, `events` segments around events (with pre- and post-roll); `off` records nothing.'),
    segmentSeconds: between(2, 600, { int: true }).default(10)
      .describe('Length of a recording segment in seconds (segments are cut at the first keyframe after this).'),
    preRollSeconds: between(0, 120, { int: true }).default(5).describe('Seconds kept before an event starts (events mode and event clips).'),
    postRollSeconds: between(0, 120, { int: true }).default(5).describe('Seconds kept after an event ends (events mode and event clips).'),
    maxAgeHours: between(0, 87_600).default(168).describe('Segments older than this are deleted; 0 = no age limit.'),
    maxSizeMb: between(0, 100_000_000).default(0).describe('Most megabytes of recordings this camera keeps (oldest deleted first); 0 = no per-camera limit.'),
  })
  .strict();

/** One camera and its pipeline. */
export const CameraSchema = z
  .object({
    id: id('camera').describe('Camera id used in the API and in stored events.'),
    name: z.string().optional().describe('Display name; default: the id.'),
    enabled: z.boolean().default(true).describe('A disabled camera is listed but not started.'),
    source: SourceSchema,
    detect: DetectSchema.default(DetectSchema.parse({})),
    motion: MotionSchema.default(MotionSchema.parse({})),
    objects: z
      .object({
        track: z.array(z.string().min(1)).min(1).default(['person']).describe('Labels to detect and track on this camera.'),
      })
      .strict()
      .default({ track: ['person'] }),
    zones: z.array(ZoneSchema).default([]).describe('Polygon zones, referenced by rules and counted in the occupancy series; none = the whole frame, `all`.'),
    lines: z.array(LineSchema).default([]).describe('Counting lines, referenced by line rules; crossings of every line are counted by direction (analytics, /metrics).'),
    rules: z.array(RuleSchema).default([])
      .describe('What raises events (presence, line, dwell, occupancy, fall, animal, violence); none = a presence rule per zone (or for the whole frame), with the zone\'s id.'),
    events: EventsSchema.default(EventsSchema.parse({})).describe('Default timing of presence rules.'),
    live: LiveSchema.default(LiveSchema.parse({})),
    record: RecordSchema.default(RecordSchema.parse({})),
    calibration: CalibrationSchema.optional()
      .describe('Where this camera looks on a floor plan (site.plans): point pairs from which each track gets a plan position; see docs/maps.md.'),
  })
  .strict()
  .superRefine((cam, ctx) => {
    if (cam.source.url.startsWith('tile:') !== (cam.source.crop !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['source', 'crop'], message: `a tile camera needs both url "tile:CAMERA" and crop [x, y, width, height]; got url "${cam.source.url}" and crop ${JSON.stringify(cam.source.crop ?? null)}` });
    }
    for (const issue of checkGeometryAndRules(cam)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });

/** The demo camera used when the configuration names no cameras. */
export const DEMO_CAMERA = { id: 'demo', name: 'Demo (sample clip)', source: { url: 'sample:vtest', loop: true } } as const;

/** The whole configuration: the single source of truth for settings, their defaults and their docs. */
export const ConfigSchema = z
  .object({
    server: z
      .object({
        host: z.string().default('127.0.0.1').describe('Address the HTTP server listens on.'),
        port: between(0, 65_535, { int: true }).default(8080).describe('TCP port of the HTTP server; 0 = any free port.'),
        publicUrl: z.string().url({ error: 'expected the URL receivers reach this server at, e.g. https://cams.example.com' }).optional()
          .describe('Base of the links sent in webhooks and e-mails (signed snapshot URLs); default http://HOST:PORT.'),
        tls: TlsSchema.optional().describe('Serve HTTPS with these PEM files (reloaded when they change); session cookies are then Secure.'),
        corsOrigins: z.array(z.string().url({ error: 'expected an origin such as https://dash.example.com' })).default([])
          .describe('Origins other sites may call the API from (CORS); empty = none.'),
        bodyLimitKb: between(1, 102_400, { int: true }).default(1024).describe('Largest request body accepted, in KiB; larger ones get 413.'),
        trustProxy: z.array(z.string().min(1)).default([])
          .describe('Addresses or CIDR ranges of reverse proxies in front of the server whose X-Forwarded-For names the client (for rate limits, lockout and the audit log); empty = none.'),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8080, corsOrigins: [], bodyLimitKb: 1024, trustProxy: [] }),
    auth: AuthSchema.default(DEFAULT_AUTH).describe('Users, sessions, API keys, lockout, rate limits and audit; see docs/security.md.'),
    dataDir: z.string().min(1).default('data').describe('Folder for the embedded database, media (snapshots) and downloaded models.'),
    assets: z.string().min(1).optional()
      .describe('Folder with `models/` and `videos/` that are used before anything is downloaded (env SIGHTLINE_ASSETS).'),
    database: z
      .object({
        url: z.string().regex(/^postgres(ql)?:\/\//, { error: 'expected a postgres:// or postgresql:// URL' }).optional()
          .describe('PostgreSQL URL; when absent the embedded database (PGlite) under dataDir/db is used.'),
      })
      .strict()
      .default({}),
    models: z
      .object({
        default: z.string().min(1).default('yolox-nano').describe('Detector used by cameras that name none: a catalog or added model id, or an .onnx path.'),
        download: z.boolean().default(true).describe('Download catalog models and sample clips that are missing (with sha256 check).'),
        mirror: z.string().url().optional()
          .describe('Base URL of a server holding catalog files by file name (`<mirror>/yolox_nano.onnx`, `<mirror>/vtest.avi`), downloaded from instead of their own URLs: for sites without internet access, and for catalog models with no public URL. Files are checked against the catalog sha256 as always (env SIGHTLINE_MODELS__MIRROR).'),
        threads: between(0, 256, { int: true }).default(0).describe('Threads per inference; 0 = one per CPU core.'),
        spinning: z.boolean().default(false)
          .describe("Let onnxruntime's inference threads spin-wait between calls (its own default): a little less latency per call, for a core kept busy while the model waits; off, the cores go to decoding and the rest of the pipeline (measured in the README's performance section)."),
        maxUploadMb: between(1, 100_000, { int: true }).default(512).describe('Largest ONNX file accepted by POST /api/models, in MiB; larger ones get 413 and nothing is kept.'),
        provider: z
          .enum(['cpu', 'cuda', 'tensorrt'])
          .default('cpu')
          .describe('Execution provider to try first; when the runtime cannot use it, models run on the CPU with one warning.'),
      })
      .strict()
      .default({ default: 'yolox-nano', download: true, threads: 0, spinning: false, provider: 'cpu', maxUploadMb: 512 }),
    recording: z
      .object({
        maxSizeMb: between(0, 100_000_000).default(0).describe('Most megabytes of recordings kept over all cameras (oldest deleted first); 0 = no total limit.'),
        minFreeMb: between(0, 100_000_000).default(1024)
          .describe('When the disk holding dataDir has less free space than this, the oldest recordings are deleted and a warning is logged.'),
        checkSeconds: between(1, 3600, { int: true }).default(30).describe('How often retention runs, in seconds.'),
      })
      .strict()
      .default({ maxSizeMb: 0, minFreeMb: 1024, checkSeconds: 30 }),
    jobs: z
      .object({
        maxUploadMb: between(1, 1_000_000, { int: true }).default(1024).describe('Largest video accepted by POST /api/jobs/upload, in MiB; larger ones get 413 and nothing is kept.'),
        keepDays: between(0, 3650).default(7).describe('Finished batch jobs (their events, tracks and files) are deleted this many days after they end; 0 = kept until deleted.'),
      })
      .strict()
      .default({ maxUploadMb: 1024, keepDays: 7 })
      .describe('Batch video jobs: uploads and how long results are kept.'),
    log: z
      .object({
        level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info').describe('Log level.'),
      })
      .strict()
      .default({ level: 'info' }),
    cameras: z.array(CameraSchema).default([]).describe('Cameras; when empty, a demo camera plays the sample clip `sample:vtest`.'),
    site: SiteSchema.default(SiteSchema.parse({})).describe('Floor plans, areas on them, cross-camera identity and stored trajectories; see docs/maps.md.'),
    delivery: DeliverySchema.describe('Where events are sent: webhooks, MQTT (Home Assistant), e-mail; see the README section on delivery.'),
    cluster: ClusterSchema.default(ClusterSchema.parse({})).describe('Roles and shared services when the server runs as several nodes; see docs/cluster.md.'),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.cameras.forEach((cam, i) => {
      if (seen.has(cam.id)) ctx.addIssue({ code: 'custom', path: ['cameras', i, 'id'], message: `camera id "${cam.id}" is used twice; give each camera its own id` });
      seen.add(cam.id);
    });
    cfg.cameras.forEach((cam, i) => {
      const parent = cam.source.url.startsWith('tile:') ? cam.source.url.slice(5) : null;
      const target = parent === null ? null : cfg.cameras.find((c) => c.id === parent);
      if (parent !== null && (!target || target.source.url.startsWith('tile:'))) {
        ctx.addIssue({ code: 'custom', path: ['cameras', i, 'source', 'url'], message: `"tile:${parent}" must name another camera that is not itself a tile; cameras: ${cfg.cameras.map((c) => c.id).join(', ')}` });
      }
    });
    if (!cfg.auth.enabled && !isLoopbackHost(cfg.server.host)) {
      ctx.addIssue({ code: 'custom', path: ['auth', 'enabled'], message: `authentication cannot be off while the server listens on "${cfg.server.host}", which other machines reach; set auth.enabled: true (the default), or server.host: 127.0.0.1` });
    }
    for (const issue of checkDeliveryReferences(cfg.delivery, cfg.cameras)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    for (const issue of checkSiteReferences(cfg.site, cfg.cameras)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    for (const issue of checkSiteRules(cfg.site, cfg.cameras)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    if (cfg.cluster.role !== 'all') {
      if (!cfg.database.url) {
        ctx.addIssue({ code: 'custom', path: ['database', 'url'], message: `role "${cfg.cluster.role}" is part of a cluster, whose nodes share one PostgreSQL; the embedded database (PGlite) belongs to one process. Set database.url (env SIGHTLINE_DATABASE__URL) to postgres://USER:PASSWORD@HOST:PORT/DATABASE, or run with --role all` });
      }
      if (!cfg.cluster.redisUrl) {
        ctx.addIssue({ code: 'custom', path: ['cluster', 'redisUrl'], message: `role "${cfg.cluster.role}" needs Redis to carry live messages between nodes; set cluster.redisUrl (env SIGHTLINE_CLUSTER__REDIS_URL) to redis://HOST:6379, or run with --role all` });
      }
    }
  });

/**
 * Ids in the site section that must be unique or name something: plan and area ids, cameras in fusion passages.
 * Geometry (scales, calibrations, areas inside their plan) is checked by `mapping/site-map.ts` and reported as warnings:
 * a camera with a bad calibration keeps running without a map position.
 */
function checkSiteReferences(site: z.infer<typeof SiteSchema>, cameras: readonly { id: string }[]): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  for (const [key, items] of [['plans', site.plans], ['areas', site.areas]] as const) {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      if (seen.has(item.id)) out.push({ path: ['site', key, i, 'id'], message: `${key === 'plans' ? 'plan' : 'area'} id "${item.id}" is used twice; give each its own id` });
      seen.add(item.id);
    });
  }
  const ids = cameras.map((c) => c.id);
  site.fusion.transitions.forEach((t, i) => {
    for (const end of ['from', 'to'] as const) {
      if (!ids.includes(t[end])) out.push({ path: ['site', 'fusion', 'transitions', i, end], message: `"${t[end]}" is not a camera; cameras: ${ids.join(', ') || 'none'}` });
    }
    if (t.maxGapMs < t.minGapMs) out.push({ path: ['site', 'fusion', 'transitions', i, 'maxGapMs'], message: `expected maxGapMs >= minGapMs (${t.minGapMs}), got ${t.maxGapMs}` });
  });
  return out;
}

/** The validated configuration. */
export type Config = z.infer<typeof ConfigSchema>;
/** One validated camera. */
export type CameraConfig = z.infer<typeof CameraSchema>;
export type { LineConfig, RuleConfig, ZoneConfig } from './rules-schema.ts';
