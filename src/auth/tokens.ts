/**
 * Secrets handed out: session tokens (cookie), CSRF tokens, API keys (`slk_` + 8 visible characters + `_` + 43
 * secret characters) and generated passwords. Only SHA-256 digests of session tokens and keys are stored: they carry
 * 256 random bits, so a fast hash is enough (a slow one is for low-entropy passwords).
 */
import { createHash, randomBytes } from 'node:crypto';

/** SHA-256 of `secret`, hex. */
export function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** 32 random bytes, base64url (43 characters). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

const KEY_PATTERN = /^slk_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}$/;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function alnum(n: number): string {
  // 62 does not divide 256: bytes >= 248 are drawn again so every character is equally likely.
  let out = '';
  while (out.length < n) for (const b of randomBytes(n * 2)) if (b < 248 && out.length < n) out += ALNUM[b % 62];
  return out;
}

/** A new API key and its visible prefix. */
export function newApiKey(): { key: string; prefix: string } {
  const prefix = `slk_${alnum(8)}`;
  return { key: `${prefix}_${newToken()}`, prefix };
}

/** True when `s` has the shape of an API key (checked before any lookup). */
export function looksLikeApiKey(s: string): boolean {
  return KEY_PATTERN.test(s);
}

/** A generated password: 20 characters from 62, about 119 bits. */
export function newPassword(): string {
  return alnum(20);
}
