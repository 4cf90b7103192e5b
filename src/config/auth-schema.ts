/** The `auth` section (who may do what, sessions, lockout, rate limits, audit) and the server's TLS/CORS/body settings. */
import { z } from 'zod';
import { between } from './schema-parts.ts';

const SessionSchema = z
  .object({
    idleMinutes: between(1, 525_600, { int: true }).default(120).describe('A browser session ends after this many minutes without a request.'),
    maxHours: between(1, 8760, { int: true }).default(168).describe('A browser session ends this many hours after login, however active (absolute expiry).'),
  })
  .strict();

const LockoutSchema = z
  .object({
    failures: between(1, 1000, { int: true }).default(5).describe('Failed logins in a row (for one user name) that lock it.'),
    lockMinutes: between(1, 1440, { int: true }).default(15).describe('How long a locked user name is refused, in minutes.'),
    addressPerMinute: between(1, 10_000, { int: true }).default(10)
      .describe('Login attempts one address may make per minute (token bucket, burst of the same size); more get 429 with Retry-After.'),
  })
  .strict();

const RateLimitSchema = z
  .object({
    perSecond: between(0.1, 100_000).default(50).describe('Requests per second each key, session or (anonymous) address may make on average; 0.1..100000.'),
    burst: between(1, 100_000, { int: true }).default(200).describe('Requests a key, session or address may make at once before the per-second rate applies.'),
  })
  .strict();

/** Who may do what; see docs/security.md for the route × role table. */
export const AuthSchema = z
  .object({
    enabled: z.boolean().default(true)
      .describe('Require a session or an API key on every route but /api/health and the login. Turning it off is allowed only while server.host is a loopback address.'),
    session: SessionSchema.default(SessionSchema.parse({})),
    lockout: LockoutSchema.default(LockoutSchema.parse({})),
    rateLimit: RateLimitSchema.default(RateLimitSchema.parse({})),
    openMetrics: z.boolean().default(false).describe('Serve /metrics without a session or key (for a Prometheus scraper on a trusted network).'),
    auditKeepDays: between(1, 36_500, { int: true }).default(365).describe('Days the audit log is kept.'),
  })
  .strict();

/** TLS certificate and key files (PEM); reloaded when either changes. */
export const TlsSchema = z
  .object({
    certFile: z.string().min(1).describe('PEM certificate chain.'),
    keyFile: z.string().min(1).describe('PEM private key.'),
  })
  .strict();

export type AuthConfig = z.infer<typeof AuthSchema>;

/** The default auth section. */
export const DEFAULT_AUTH: AuthConfig = AuthSchema.parse({});

/** True for an address only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
