/**
 * Password hashing with scrypt (memory-hard; Node's OpenSSL implementation, run on the libuv thread pool so logins do
 * not block the event loop). Parameters: N = 2^15, r = 8, p = 1 (32 MiB and about 160 ms per hash on a 2-core EPYC;
 * OWASP's floor is N = 2^17, which costs 128 MiB per login in flight, too much for the small boxes this runs on).
 * A hash names its parameters (`scrypt$N$r$p$salt$hash`, base64url), so they can be raised later: a login with an
 * older hash is rehashed with the current ones.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export const SCRYPT_PARAMS = { N: 32_768, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

function derive(password: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_BYTES, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** A new self-describing hash of `password`. */
export async function hashPassword(password: string, params: { N: number; r: number; p: number } = SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params.N, params.r, params.p);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Whether `password` matches `stored` (constant time), and whether the hash should be renewed with today's parameters. */
export async function verifyPassword(password: string, stored: string): Promise<{ ok: boolean; outdated: boolean }> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return { ok: false, outdated: true };
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const expected = Buffer.from(parts[5]!, 'base64url');
  const key = await derive(password, Buffer.from(parts[4]!, 'base64url'), N, r, p);
  const ok = key.length === expected.length && timingSafeEqual(key, expected);
  return { ok, outdated: N !== SCRYPT_PARAMS.N || r !== SCRYPT_PARAMS.r || p !== SCRYPT_PARAMS.p };
}

/** A hash no password matches, checked against when the user name is unknown, so both cost the same time. */
export const DUMMY_HASH = `scrypt$${SCRYPT_PARAMS.N}$${SCRYPT_PARAMS.r}$${SCRYPT_PARAMS.p}$AAAAAAAAAAAAAAAAAAAAAA$${'A'.repeat(43)}`;
