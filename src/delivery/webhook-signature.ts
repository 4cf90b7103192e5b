/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): `webhook-id` (the idempotency key: stable for one event
 * version and destination), `webhook-timestamp` (Unix seconds), `webhook-signature` (`v1,` + base64 HMAC-SHA256 of
 * `id.timestamp.body` with the destination's secret). Signing and verifying use the `standardwebhooks` package, the
 * reference implementation receivers use too, so both sides agree byte for byte. Pure (no I/O).
 */
import { Webhook } from 'standardwebhooks';
import { AppError } from '../core/errors.ts';

/** The headers that carry a signed delivery. */
export interface WebhookHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/** Secrets look like `whsec_` + base64 of at least 24 random bytes, as Standard Webhooks senders issue them. */
export const SECRET_PATTERN = /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/;

/** Throws CONFIG_INVALID naming the destination when `secret` is not a Standard Webhooks secret. */
export function checkSecret(secret: string, destination: string): void {
  if (!SECRET_PATTERN.test(secret)) {
    throw new AppError(
      'CONFIG_INVALID',
      `destination "${destination}": expected a secret "whsec_" + base64 of at least 24 bytes (make one with \`openssl rand -base64 32\` and prefix it), got ${secret ? `a ${secret.length}-character value` : 'none'}`,
    );
  }
}

/** Headers for `body` (the exact bytes sent) of message `id` at `timestampMs`. */
export function signWebhook(secret: string, id: string, timestampMs: number, body: string): WebhookHeaders {
  const at = new Date(Math.floor(timestampMs / 1000) * 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestampMs / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

/**
 * What a receiver does (and what the README shows): checks the signature and the timestamp (within 5 minutes of its
 * clock) and returns the parsed body; throws when either is wrong.
 */
export function verifyWebhook(secret: string, headers: Record<string, string>, body: string): unknown {
  return new Webhook(secret).verify(body, headers);
}
