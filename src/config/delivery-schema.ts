/**
 * The `delivery` section: where events go beyond Sightline (webhooks, MQTT, e-mail), each destination with its filter
 * and retry settings. Cross-checks against the cameras (a filter naming an unknown camera or rule) are in
 * `checkDeliveryReferences`, run by the whole configuration's schema.
 */
import { z } from 'zod';
import { SECRET_PATTERN } from '../delivery/webhook-signature.ts';
import { RULE_TYPES } from '../rules/rule.ts';
import { between, id } from './schema-parts.ts';


export const DeliveryFilterSchema = z
  .object({
    types: z.array(z.enum(RULE_TYPES, { error: `expected an event type: ${RULE_TYPES.join(', ')}` })).min(1).optional()
      .describe('Event types sent (rule types); absent = all.'),
    cameras: z.array(z.string().min(1)).min(1).optional().describe('Camera ids whose events are sent; absent = all.'),
    rules: z.array(z.string().min(1)).min(1).optional().describe('Rule ids whose events are sent; absent = all.'),
    labels: z.array(z.string().min(1)).min(1).optional().describe('Only events with a subject of one of these labels (person, car, dog ...); absent = all.'),
    minSeverity: z.enum(['info', 'warning', 'critical']).optional().describe('Lowest severity sent; absent = all.'),
    versions: z.array(z.enum(['start', 'update', 'end'])).min(1).optional()
      .describe('Which versions of an event are sent (a point event such as a line crossing counts as start and end); absent = all.'),
  })
  .strict()
  .default({});

export const RetrySchema = z
  .object({
    baseSeconds: between(0.01, 3600).default(5).describe('Delay before the first retry, doubled after each failed attempt (with jitter).'),
    capSeconds: between(0.01, 86_400).default(3600).describe('Longest delay between two attempts.'),
    horizonHours: between(0.0001, 24 * 30).default(24).describe('After this long since the first attempt a failing delivery is dead-lettered.'),
  })
  .strict()
  .default({ baseSeconds: 5, capSeconds: 3600, horizonHours: 24 });

const common = {
  id: id('destination'),
  enabled: z.boolean().default(true).describe('false: nothing is queued for this destination.'),
  filter: DeliveryFilterSchema.describe('Which event versions this destination receives.'),
  retry: RetrySchema.describe('Retries of failed attempts.'),
};

const httpUrl = z.string().refine((s) => { try { return ['http:', 'https:'].includes(new URL(s).protocol); } catch { return false; } }, {
  error: 'expected an http:// or https:// URL',
});

export const WebhookDestinationSchema = z
  .object({
    type: z.literal('webhook'),
    ...common,
    url: httpUrl.describe('Where each event version is POSTed as JSON.'),
    secret: z.string({ error: 'expected a signing secret "whsec_..." (Standard Webhooks)' })
      .regex(SECRET_PATTERN, { error: 'expected "whsec_" + base64 of at least 24 random bytes, e.g. "whsec_$(openssl rand -base64 32)"' })
      .describe('Signing secret, "whsec_" + base64 (Standard Webhooks); never shown by the API or logged.'),
    timeoutSeconds: between(0.1, 300).default(10).describe('Each attempt is cut after this long, answer body included.'),
    snapshot: z.enum(['url', 'inline', 'none']).default('url')
      .describe('How the snapshot travels: a signed, expiring URL (needs server.publicUrl reachable by the receiver), inline base64, or not at all.'),
    snapshotUrlHours: between(0.01, 24 * 30).default(24).describe('How long a signed snapshot URL stays valid.'),
    concurrency: between(1, 256, { int: true }).default(16).describe('Attempts in flight at once to this destination.'),
  })
  .strict();

export const MqttDestinationSchema = z
  .object({
    type: z.literal('mqtt'),
    ...common,
    url: z.string().refine((s) => { try { return ['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(new URL(s).protocol); } catch { return false; } }, {
      error: 'expected a broker URL mqtt://HOST:PORT (or mqtts://, ws://, wss://)',
    }).describe('Broker URL, e.g. mqtt://localhost:1883.'),
    username: z.string().optional().describe('Broker user name.'),
    password: z.string().optional().describe('Broker password; never shown by the API or logged.'),
    clientId: z.string().min(1).optional().describe('MQTT client id; default sightline-DESTINATION_ID.'),
    topicPrefix: z.string().regex(/^[^#+]+$/, { error: 'expected a topic prefix without "#" or "+"' }).default('sightline')
      .describe('Every topic starts with this (events, counts, camera state, availability).'),
    discovery: z
      .object({
        enabled: z.boolean().default(true).describe('Publish Home Assistant MQTT discovery messages.'),
        prefix: z.string().min(1).default('homeassistant').describe('Home Assistant discovery prefix (its birth message is PREFIX/status).'),
      })
      .strict()
      .default({ enabled: true, prefix: 'homeassistant' }),
    snapshots: z.boolean().default(true).describe('Publish each event snapshot (JPEG, retained) for the Home Assistant camera entity.'),
    stateSeconds: between(0.2, 3600).default(2).describe('How often counts, occupancy and camera state are compared and changes published.'),
  })
  .strict();

export const EmailDestinationSchema = z
  .object({
    type: z.literal('email'),
    ...common,
    smtp: z
      .object({
        host: z.string().min(1).describe('SMTP server host.'),
        port: between(1, 65_535, { int: true }).default(587).describe('SMTP port (587 STARTTLS, 465 TLS, 25 plain).'),
        security: z.enum(['starttls', 'tls', 'none']).default('starttls')
          .describe('starttls: upgrade required; tls: TLS from the start (port 465); none: plain text (only on a trusted network).'),
        user: z.string().optional().describe('Login user.'),
        password: z.string().optional().describe('Login password; never shown by the API or logged.'),
        rejectUnauthorized: z.boolean().default(true).describe('false accepts a self-signed server certificate.'),
      })
      .strict(),
    from: z.string().min(3).describe('Sender address, e.g. "Sightline <cams@example.com>".'),
    to: z.array(z.string().min(3, { error: 'expected an e-mail address' })).min(1, { error: 'expected at least one recipient address' }).describe('Recipients.'),
    subjectPrefix: z.string().default('[Sightline]').describe('Start of every subject line.'),
    snapshot: z.enum(['attach', 'inline', 'none']).default('inline').describe('The snapshot as an attachment, shown inline in the HTML body, or left out.'),
    throttle: z
      .object({
        maxMails: between(1, 10_000, { int: true }).default(10).describe('At most this many mails ...'),
        perMinutes: between(0.01, 10_080).default(10).describe('... per this many minutes; the events beyond are folded into one digest mail.'),
      })
      .strict()
      .default({ maxMails: 10, perMinutes: 10 }),
    timeoutSeconds: between(1, 300).default(30).describe('Each SMTP session is cut after this long.'),
  })
  .strict();

export const DestinationSchema = z.discriminatedUnion('type', [WebhookDestinationSchema, MqttDestinationSchema, EmailDestinationSchema], {
  error: 'expected a destination with type "webhook", "mqtt" or "email"',
});

export const DeliverySchema = z
  .object({
    destinations: z.array(DestinationSchema).default([]).describe('Where events are sent; none by default.'),
    pollSeconds: between(0.05, 60).default(1).describe('How often the outbox is checked for due retries (new events wake it at once).'),
    keepDays: between(0.01, 3650).default(7).describe('Delivered and dead deliveries (and their attempt logs) are deleted after this many days.'),
  })
  .strict()
  .default({ destinations: [], pollSeconds: 1, keepDays: 7 });

export type DestinationConfig = z.infer<typeof DestinationSchema>;
export type WebhookDestinationConfig = z.infer<typeof WebhookDestinationSchema>;
export type MqttDestinationConfig = z.infer<typeof MqttDestinationSchema>;
export type EmailDestinationConfig = z.infer<typeof EmailDestinationSchema>;
export type DeliveryConfig = z.infer<typeof DeliverySchema>;

/** A problem found by `checkDeliveryReferences`, with its path under the configuration root. */
export interface DeliveryIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/**
 * Checks what the schema alone cannot: destination ids used once, filters that name cameras and rules that exist
 * (when cameras are configured), pure.
 */
export function checkDeliveryReferences(
  delivery: DeliveryConfig,
  cameras: readonly { id: string; rules: readonly { id: string }[]; zones: readonly { id: string }[] }[],
): DeliveryIssue[] {
  const issues: DeliveryIssue[] = [];
  const seen = new Set<string>();
  const cameraIds = cameras.map((c) => c.id);
  // A camera without rules has a presence rule per zone, named after the zone (or "all").
  const ruleIds = new Set(cameras.flatMap((c) => (c.rules.length > 0 ? c.rules : c.zones.length > 0 ? c.zones : [{ id: 'all' }]).map((r) => r.id)));
  delivery.destinations.forEach((d, i) => {
    const at = (...p: (string | number)[]) => ['delivery', 'destinations', i, ...p];
    if (seen.has(d.id)) issues.push({ path: at('id'), message: `destination id "${d.id}" is used twice; give each destination its own id` });
    seen.add(d.id);
    if (cameras.length === 0) return;
    (d.filter.cameras ?? []).forEach((c, k) => {
      if (!cameraIds.includes(c)) issues.push({ path: at('filter', 'cameras', k), message: `destination "${d.id}": no camera "${c}"; cameras: ${cameraIds.join(', ')}` });
    });
    (d.filter.rules ?? []).forEach((r, k) => {
      if (!ruleIds.has(r)) issues.push({ path: at('filter', 'rules', k), message: `destination "${d.id}": no rule "${r}" on any camera; rules: ${[...ruleIds].join(', ') || 'none'}` });
    });
  });
  return issues;
}
