/**
 * Lockout of user names after repeated failed logins, and the slow-down of addresses that try many (pure; time passed
 * in). A name that does not exist is counted and locked like one that does, so the answers tell an attacker nothing.
 * An attempt is counted when it is admitted, before the password is checked, so parallel guesses cannot pass the
 * limit while the hashes run; a success clears the count.
 */
import { TokenBuckets } from './token-bucket.ts';

export interface LockoutSettings {
  readonly failures: number;
  readonly lockMinutes: number;
  readonly addressPerMinute: number;
}

/** Why a login may not even be tried now, and for how long. */
export interface LoginRefusal {
  readonly reason: 'user-locked' | 'address-slowed';
  readonly retryAfterMs: number;
}

interface NameState {
  attempts: number;
  lockedUntilMs: number;
}

const MAX_NAMES = 100_000;

/** The bucket of an address: IPv6 by its /64 (one host usually holds a whole /64), IPv4 as it is. */
export function addressKey(address: string): string {
  if (!address.includes(':') || address.startsWith('::ffff:')) return address;
  const full = address.includes('::') ? expandV6(address) : address.split(':');
  return `${full.slice(0, 4).join(':')}::/64`;
}

function expandV6(address: string): string[] {
  const [head, tail] = address.split('::') as [string, string];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  return [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
}

export class LoginThrottle {
  private readonly names = new Map<string, NameState>();
  private readonly addresses: TokenBuckets;

  constructor(private readonly settings: LockoutSettings) {
    this.addresses = new TokenBuckets(settings.addressPerMinute / 60, settings.addressPerMinute);
  }

  /** Checks and counts an attempt for `username` from `address`; null when it may be tried. */
  admit(username: string, address: string, nowMs: number): LoginRefusal | null {
    const key = username.toLowerCase();
    const state = this.names.get(key);
    if (state && state.lockedUntilMs > nowMs) return { reason: 'user-locked', retryAfterMs: state.lockedUntilMs - nowMs };
    const bucket = this.addresses.take(addressKey(address), nowMs);
    if (!bucket.ok) return { reason: 'address-slowed', retryAfterMs: bucket.retryAfterMs };
    const s = state ?? this.add(key, nowMs);
    s.attempts += 1;
    if (s.attempts >= this.settings.failures) {
      s.attempts = 0;
      s.lockedUntilMs = nowMs + this.settings.lockMinutes * 60_000;
    }
    return null;
  }

  /** The admitted attempt failed: the end of the lock it completed, if any (for the audit log). */
  failed(username: string, nowMs: number): number | null {
    const state = this.names.get(username.toLowerCase());
    return state && state.lockedUntilMs > nowMs ? state.lockedUntilMs : null;
  }

  /** Clears the name's count and lock: a successful login (also a lock its own attempt set), or an admin's reset. */
  clear(username: string): void {
    this.names.delete(username.toLowerCase());
  }

  private add(key: string, nowMs: number): NameState {
    if (this.names.size >= MAX_NAMES) {
      // Forget names that are not locked first; a live lock is never dropped to make room.
      for (const [k, s] of this.names) if (s.lockedUntilMs <= nowMs) this.names.delete(k);
      if (this.names.size >= MAX_NAMES) for (const [k] of [...this.names].slice(0, MAX_NAMES / 10)) this.names.delete(k);
    }
    const state = { attempts: 0, lockedUntilMs: 0 };
    this.names.set(key, state);
    return state;
  }
}
