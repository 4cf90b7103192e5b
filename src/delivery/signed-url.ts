/**
 * Signed, expiring links to an event's snapshot, for receivers that cannot log in (webhooks, e-mail): the path plus
 * `expires` (Unix seconds) and `sig` (base64url HMAC-SHA256 of `path?expires=...` with the server's link key). Pure:
 * the key and the time come in as arguments.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const sign = (key: Uint8Array, path: string, expiresS: number) => createHmac('sha256', key).update(`${path}?expires=${expiresS}`).digest('base64url');

/** `path?expires=..&sig=..`, valid until `expiresMs`. */
export function signPath(key: Uint8Array, path: string, expiresMs: number): string {
  const expiresS = Math.floor(expiresMs / 1000);
  return `${path}?expires=${expiresS}&sig=${sign(key, path, expiresS)}`;
}

/** Why a signed link is refused, or null when it is valid at `nowMs`. */
export function checkSignedPath(key: Uint8Array, path: string, expires: unknown, sig: unknown, nowMs: number): string | null {
  if (typeof expires !== 'string' || !/^\d{1,12}$/.test(expires) || typeof sig !== 'string') return 'expected the query parameters expires and sig of a signed link';
  if (Number(expires) * 1000 < nowMs) return `the link expired at ${new Date(Number(expires) * 1000).toISOString()}`;
  const want = Buffer.from(sign(key, path, Number(expires)));
  const got = Buffer.from(sig);
  return want.length === got.length && timingSafeEqual(want, got) ? null : 'the link signature does not match';
}
