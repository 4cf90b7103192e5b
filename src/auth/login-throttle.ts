/**
 * Lockout of user names after repeated failed logins, and the slow-down of addresses that try many (pure; time passed
 * in). A name that does not exist is counted and locked like one that does, so the answers tell an attacker nothing.
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
  failures: number;
  lockedUntilMs: number;
}

const MAX_NAMES = 100_000;

export class LoginThrottle {
  private readonly names = new Map<string, NameState>();
  private readonly addresses: TokenBuckets;

  constructor(private readonly settings: LockoutSettings) {
    this.addresses = new TokenBuckets(settings.addressPerMinute / 60, settings.addressPerMinute);
  }

  /** Checks (and counts) an attempt for `username` from `address`; null when it may be tried. */
  admit(username: string, address: string, nowMs: number): LoginRefusal | null {
    const state = this.names.get(username.toLowerCase());
    if (state && state.lockedUntilMs > nowMs) return { reason: 'user-locked', retryAfterMs: state.lockedUntilMs - nowMs };
    const bucket = this.addresses.take(address, nowMs);
    if (!bucket.ok) return { reason: 'address-slowed', retryAfterMs: bucket.retryAfterMs };
    return null;
  }

  /** A wrong password (or unknown name): the name is locked at the `failures`-th in a row. Returns the lock end, if any. */
  failed(username: string, nowMs: number): number | null {
    const key = username.toLowerCase();
    let state = this.names.get(key);
    if (!state) {
      if (this.names.size >= MAX_NAMES) this.names.delete(this.names.keys().next().value!);
      state = { failures: 0, lockedUntilMs: 0 };
      this.names.set(key, state);
    }
    if (state.lockedUntilMs <= nowMs && state.lockedUntilMs !== 0) state.lockedUntilMs = 0;
    state.failures += 1;
    if (state.failures >= this.settings.failures) {
      state.failures = 0;
      state.lockedUntilMs = nowMs + this.settings.lockMinutes * 60_000;
      return state.lockedUntilMs;
    }
    return null;
  }

  /** A successful login clears the name's count. */
  succeeded(username: string): void {
    this.names.delete(username.toLowerCase());
  }

  /** An admin unlocks a name (e.g. after resetting its password). */
  unlock(username: string): void {
    this.names.delete(username.toLowerCase());
  }
}
