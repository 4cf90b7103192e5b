/**
 * Accounts, logins, sessions and API keys over the `AuthStore` port. Sessions and keys are cached in memory after
 * their first check (a request costs a Map lookup, not a query); every revocation goes through this service, drops
 * the cache entry at once and tells the listeners (open WebSockets close). Last-seen/last-used times are written at
 * most once a minute per session or key.
 */
import { AppError } from '../core/errors.ts';
import type { ApiKeyRecord, AuditEntry, AuthStore, SessionRecord, UserRecord } from './auth-store.ts';
import { LoginThrottle, type LockoutSettings } from './login-throttle.ts';
import { DUMMY_HASH, hashPassword, verifyPassword } from './password-hash.ts';
import { passwordProblem } from './password-policy.ts';
import type { Principal } from './principal.ts';
import { includesRole, type Role } from './roles.ts';
import { digest, looksLikeApiKey, newApiKey, newPassword, newToken } from './tokens.ts';

export interface AuthSettings {
  readonly session: { readonly idleMinutes: number; readonly maxHours: number };
  readonly lockout: LockoutSettings;
}

export interface AuthServicePorts {
  readonly store: AuthStore;
  readonly now: () => number;
  readonly newId: () => string;
  /** Failures of background writes (last-seen times); they never fail a request. */
  readonly onBackgroundError: (err: unknown) => void;
  /** Called when a generated password has been replaced (the composition root deletes the file that held it). */
  readonly onGeneratedPasswordReplaced?: () => Promise<void>;
}

/** A revocation the open WebSockets must act on. */
export type Revocation = { readonly sessionIds: readonly string[] } | { readonly keyId: string };

/** Where a request came from, for the audit log and the session list. */
export interface Origin {
  readonly address: string | null;
  readonly userAgent?: string | null;
}

/** A user without the password hash (what the API shows). */
export type PublicUser = Omit<UserRecord, 'passwordHash'>;
/** A key without its hash (what the API shows). */
export type PublicKey = Omit<ApiKeyRecord, 'hash'>;

const TOUCH_EVERY_MS = 60_000;
/** Most sessions (and keys) kept in memory. */
const MAX_CACHED = 10_000;
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export const publicUser = ({ passwordHash: _h, ...u }: UserRecord): PublicUser => u;
export const publicKey = ({ hash: _h, ...k }: ApiKeyRecord): PublicKey => k;

export class AuthService {
  private readonly throttle: LoginThrottle;
  private readonly sessions = new Map<string, { session: SessionRecord; user: UserRecord; touchedMs: number }>();
  private readonly keys = new Map<string, { key: ApiKeyRecord; touchedMs: number }>();
  private readonly listeners = new Set<(r: Revocation) => void>();

  constructor(
    private readonly settings: AuthSettings,
    private readonly ports: AuthServicePorts,
  ) {
    this.throttle = new LoginThrottle(settings.lockout);
  }

  get store(): AuthStore {
    return this.ports.store;
  }

  /** Calls `fn` on every revocation; returns the function that stops it. */
  onRevoke(fn: (r: Revocation) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * With no user yet, creates the first admin: with `presetPassword` (SIGHTLINE_ADMIN_PASSWORD; no forced change), or
   * with a generated password that must be changed at the first login, which is returned to be shown once.
   */
  async ensureFirstAdmin(presetPassword: string | undefined): Promise<{ created: false } | { created: true; generatedPassword: string | null }> {
    if ((await this.store.countUsers()) > 0) return { created: false };
    if (presetPassword !== undefined) {
      const problem = passwordProblem(presetPassword, 'admin');
      if (problem) throw new AppError('PASSWORD_REJECTED', `SIGHTLINE_ADMIN_PASSWORD: ${problem}`);
    }
    const password = presetPassword ?? newPassword();
    const nowMs = this.ports.now();
    await this.store.createUser({
      id: this.ports.newId(), username: 'admin', role: 'admin', passwordHash: await hashPassword(password),
      mustChangePassword: presetPassword === undefined, disabled: false, createdMs: nowMs, updatedMs: nowMs,
    });
    await this.audit({ actor: 'system', action: 'user.create', target: 'admin', address: null, outcome: 'ok', before: null, after: { username: 'admin', role: 'admin', passwordFrom: presetPassword === undefined ? 'generated' : 'SIGHTLINE_ADMIN_PASSWORD' } });
    return { created: true, generatedPassword: presetPassword === undefined ? password : null };
  }

  /** Checks a login; on success a new session (its token goes in the cookie). Unknown users and wrong passwords get one answer. */
  async login(username: string, password: string, origin: Origin): Promise<{ token: string; session: SessionRecord; user: PublicUser }> {
    const nowMs = this.ports.now();
    const address = origin.address ?? 'unknown';
    const refusal = this.throttle.admit(username, address, nowMs);
    if (refusal) {
      await this.audit({ actor: 'anonymous', action: 'auth.login', target: username.slice(0, 64), address: origin.address, outcome: 'denied', before: null, after: { reason: refusal.reason } });
      const seconds = Math.ceil(refusal.retryAfterMs / 1000);
      throw Object.assign(new AppError('LOGIN_LOCKED', `too many failed logins; try again in ${seconds} s`), { retryAfterSeconds: seconds });
    }
    const user = USERNAME.test(username) ? await this.store.getUserByName(username) : null;
    // The hash is checked even for an unknown name, so the answer takes as long.
    const { ok, outdated } = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok || user.disabled) {
      const lockedUntil = this.throttle.failed(username, nowMs);
      await this.audit({ actor: 'anonymous', action: 'auth.login', target: username.slice(0, 64), address: origin.address, outcome: 'failed', before: null, after: lockedUntil ? { lockedUntilMs: lockedUntil } : null });
      throw new AppError('LOGIN_FAILED', 'unknown user or wrong password');
    }
    this.throttle.clear(username);
    if (outdated) await this.store.updateUser(user.id, { passwordHash: await hashPassword(password), updatedMs: nowMs });
    const token = newToken();
    const session: SessionRecord = {
      id: digest(token), userId: user.id, createdMs: nowMs, lastSeenMs: nowMs, expiresMs: nowMs + this.settings.session.maxHours * 3_600_000,
      csrfToken: newToken(), revokedMs: null, address: origin.address, userAgent: origin.userAgent?.slice(0, 256) ?? null,
    };
    await this.store.createSession(session);
    this.cacheSession(session.id, { session, user, touchedMs: nowMs }, nowMs);
    await this.audit({ actor: `user:${user.username}`, action: 'auth.login', target: user.username, address: origin.address, outcome: 'ok', before: null, after: null });
    return { token, session, user: publicUser(user) };
  }

  /** The principal of a session cookie's token; `expired` for a session that ended; null for an unknown token. */
  async sessionPrincipal(token: string): Promise<Principal | 'expired' | null> {
    const id = digest(token);
    const nowMs = this.ports.now();
    let entry = this.sessions.get(id);
    if (!entry) {
      const session = await this.store.getSession(id);
      const user = session ? await this.store.getUser(session.userId) : null;
      if (!session || !user) return null;
      entry = { session, user, touchedMs: session.lastSeenMs };
      if (session.revokedMs === null) this.cacheSession(id, entry, nowMs);
    }
    const { session, user } = entry;
    const idleEndMs = entry.touchedMs + this.settings.session.idleMinutes * 60_000;
    if (session.revokedMs !== null || user.disabled || nowMs >= session.expiresMs || nowMs >= idleEndMs) {
      this.sessions.delete(id);
      return 'expired';
    }
    if (nowMs - entry.touchedMs >= TOUCH_EVERY_MS || nowMs < entry.touchedMs) {
      entry.touchedMs = nowMs;
      this.store.touchSession(id, nowMs).catch(this.ports.onBackgroundError);
    }
    return {
      kind: 'session', role: user.role, userId: user.id, username: user.username, actor: `user:${user.username}`, cameraIds: null,
      sessionId: id, csrfToken: session.csrfToken, mustChangePassword: user.mustChangePassword,
    };
  }

  /** The principal of an API key; null for a malformed, unknown, revoked or expired key (one answer for all). */
  async keyPrincipal(key: string): Promise<Principal | null> {
    if (!looksLikeApiKey(key)) return null;
    const hash = digest(key);
    const nowMs = this.ports.now();
    let entry = this.keys.get(hash);
    if (!entry) {
      const record = await this.store.getKeyByHash(hash);
      if (!record) return null;
      entry = { key: record, touchedMs: record.lastUsedMs ?? 0 };
      if (this.keys.size >= MAX_CACHED) this.keys.clear();
      if (record.revokedMs === null) this.keys.set(hash, entry);
    }
    const k = entry.key;
    if (k.revokedMs !== null || (k.expiresMs !== null && nowMs >= k.expiresMs)) return null;
    if (nowMs - entry.touchedMs >= TOUCH_EVERY_MS) {
      entry.touchedMs = nowMs;
      this.store.touchKey(k.id, nowMs).catch(this.ports.onBackgroundError);
    }
    return { kind: 'key', role: k.role, userId: k.userId, username: null, actor: `key:${k.prefix}`, cameraIds: k.cameraIds, keyId: k.id, mustChangePassword: false };
  }

  /** Whether an open connection's principal still holds (checked periodically for WebSockets). */
  async stillValid(p: Principal): Promise<boolean> {
    if (p.kind === 'open') return true;
    if (p.kind === 'key') {
      const k = p.keyId ? await this.store.getKey(p.keyId) : null;
      return !!k && k.revokedMs === null && (k.expiresMs === null || this.ports.now() < k.expiresMs);
    }
    if (!p.sessionId) return false;
    const nowMs = this.ports.now();
    const entry = this.sessions.get(p.sessionId);
    // Not cached (evicted, or ended): the store has the truth.
    const session = entry?.session ?? (await this.store.getSession(p.sessionId));
    return !!session && session.revokedMs === null && nowMs < session.expiresMs && !(entry?.user.disabled ?? false);
  }

  async logout(p: Principal, origin: Origin): Promise<void> {
    if (!p.sessionId) return;
    await this.revokeSessions([p.sessionId]);
    await this.audit({ actor: p.actor, action: 'auth.logout', target: p.username, address: origin.address, outcome: 'ok', before: null, after: null });
  }

  /** Changes the caller's own password; their other sessions end. */
  async changePassword(p: Principal, current: string, next: string, origin: Origin): Promise<PublicUser> {
    if (!p.userId || p.kind !== 'session') throw new AppError('FORBIDDEN', 'a password is changed from a login session, not with an API key');
    const user = await this.store.getUser(p.userId);
    if (!user) throw new AppError('SESSION_EXPIRED', 'the account of this session was deleted');
    // Guesses of the current password count like failed logins (a stolen session must not become a password oracle).
    const refusal = this.throttle.admit(user.username, origin.address ?? 'unknown', this.ports.now());
    if (refusal) {
      const seconds = Math.ceil(refusal.retryAfterMs / 1000);
      throw Object.assign(new AppError('LOGIN_LOCKED', `too many wrong passwords; try again in ${seconds} s`), { retryAfterSeconds: seconds });
    }
    if (!(await verifyPassword(current, user.passwordHash)).ok) {
      await this.audit({ actor: p.actor, action: 'auth.password', target: user.username, address: origin.address, outcome: 'failed', before: null, after: null });
      throw new AppError('PASSWORD_REJECTED', 'currentPassword: the current password is wrong');
    }
    this.throttle.clear(user.username);
    const problem = passwordProblem(next, user.username) ?? (next === current ? 'the new password must differ from the current one' : null);
    if (problem) throw new AppError('PASSWORD_REJECTED', `newPassword: ${problem}`);
    const updated = (await this.store.updateUser(user.id, { passwordHash: await hashPassword(next), mustChangePassword: false, updatedMs: this.ports.now() }))!;
    this.refreshUser(updated);
    if (user.mustChangePassword) await this.ports.onGeneratedPasswordReplaced?.();
    const ended = await this.store.revokeUserSessions(user.id, this.ports.now(), p.sessionId);
    this.dropSessions(ended);
    await this.audit({ actor: p.actor, action: 'auth.password', target: user.username, address: origin.address, outcome: 'ok', before: null, after: { otherSessionsEnded: ended.length } });
    return publicUser(updated);
  }

  // --- users (admin) ---

  async createUser(actor: Principal, input: { username: string; password: string; role: Role }, origin: Origin): Promise<PublicUser> {
    const problem = passwordProblem(input.password, input.username);
    if (problem) throw new AppError('PASSWORD_REJECTED', `password: ${problem}`);
    const nowMs = this.ports.now();
    const user: UserRecord = {
      id: this.ports.newId(), username: input.username, role: input.role, passwordHash: await hashPassword(input.password),
      mustChangePassword: false, disabled: false, createdMs: nowMs, updatedMs: nowMs,
    };
    await this.store.createUser(user);
    await this.audit({ actor: actor.actor, action: 'user.create', target: user.username, address: origin.address, outcome: 'ok', before: null, after: { username: user.username, role: user.role } });
    return publicUser(user);
  }

  async updateUser(actor: Principal, id: string, patch: { role?: Role; password?: string; disabled?: boolean }, origin: Origin): Promise<PublicUser> {
    const user = await this.store.getUser(id);
    if (!user) throw new AppError('USER_NOT_FOUND', `no user with id "${id}"`);
    const demotes = (patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true;
    if (user.role === 'admin' && demotes) await this.assertAnotherAdmin(user.id);
    let passwordHash: string | undefined;
    if (patch.password !== undefined) {
      const problem = passwordProblem(patch.password, user.username);
      if (problem) throw new AppError('PASSWORD_REJECTED', `password: ${problem}`);
      passwordHash = await hashPassword(patch.password);
    }
    const updated = (await this.store.updateUser(id, {
      ...(patch.role !== undefined ? { role: patch.role } : {}), ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
      ...(passwordHash ? { passwordHash, mustChangePassword: false } : {}), updatedMs: this.ports.now(),
    }))!;
    // A new role, a reset password or a disabled account ends the user's sessions: they log in again under the new terms.
    this.dropSessions(await this.store.revokeUserSessions(id, this.ports.now()));
    // Their keys go too when the account is disabled, and those above a lowered role.
    for (const k of await this.store.listKeys(id)) {
      if (k.revokedMs !== null || !(updated.disabled || !includesRole(updated.role, k.role))) continue;
      await this.store.revokeKey(k.id, this.ports.now());
      this.dropKey(k);
    }
    if (passwordHash) this.throttle.clear(user.username);
    const view = (u: UserRecord) => ({ role: u.role, disabled: u.disabled, passwordChanged: u.passwordHash !== user.passwordHash });
    await this.audit({ actor: actor.actor, action: 'user.update', target: user.username, address: origin.address, outcome: 'ok', before: { role: user.role, disabled: user.disabled }, after: view(updated) });
    return publicUser(updated);
  }

  async deleteUser(actor: Principal, id: string, origin: Origin): Promise<void> {
    const user = await this.store.getUser(id);
    if (!user) throw new AppError('USER_NOT_FOUND', `no user with id "${id}"`);
    if (user.role === 'admin') await this.assertAnotherAdmin(id);
    const keys = await this.store.listKeys(id);
    const sessions = await this.store.revokeUserSessions(id, this.ports.now());
    await this.store.deleteUser(id);
    this.dropSessions(sessions);
    for (const k of keys) this.dropKey(k);
    await this.audit({ actor: actor.actor, action: 'user.delete', target: user.username, address: origin.address, outcome: 'ok', before: { username: user.username, role: user.role }, after: null });
  }

  private async assertAnotherAdmin(exceptId: string): Promise<void> {
    const admins = (await this.store.listUsers()).filter((u) => u.role === 'admin' && !u.disabled && u.id !== exceptId);
    if (admins.length === 0) throw new AppError('LAST_ADMIN', 'this is the only enabled admin; make another user admin first');
  }

  // --- API keys ---

  /** Creates a key for `actor` (or, with `actor` null, on the server machine); the key is returned once. */
  async createKey(
    actor: Principal | null,
    input: { name: string; role: Role; cameraIds?: readonly string[] | null; expiresMs?: number | null },
    origin: Origin,
  ): Promise<{ key: string; record: PublicKey }> {
    // A key cannot make keys: a leaked key must not be able to plant others that outlive it.
    if (actor?.kind === 'key') throw new AppError('FORBIDDEN', 'API keys are made from a login session or on the server machine (sightline keys create), not with another key');
    if (actor && !includesRole(actor.role, input.role)) throw new AppError('FORBIDDEN', `a ${actor.role} can create keys up to role ${actor.role}, not ${input.role}`);
    if (actor?.cameraIds && (!input.cameraIds || input.cameraIds.some((c) => !actor.cameraIds!.includes(c)))) {
      throw new AppError('FORBIDDEN', `a key limited to cameras ${actor.cameraIds.join(', ')} can create keys only for those`);
    }
    const nowMs = this.ports.now();
    if (input.expiresMs != null && input.expiresMs <= nowMs) throw new AppError('BAD_REQUEST', `expiresMs: expected a time in the future, got ${input.expiresMs} (now is ${nowMs})`);
    const { key, prefix } = newApiKey();
    const record: ApiKeyRecord = {
      id: this.ports.newId(), name: input.name, prefix, hash: digest(key), role: input.role, cameraIds: input.cameraIds ?? null,
      userId: actor?.userId ?? null, createdMs: nowMs, lastUsedMs: null, expiresMs: input.expiresMs ?? null, revokedMs: null,
    };
    await this.store.createKey(record);
    await this.audit({ actor: actor?.actor ?? 'cli', action: 'key.create', target: prefix, address: origin.address, outcome: 'ok', before: null, after: { name: record.name, role: record.role, cameraIds: record.cameraIds, expiresMs: record.expiresMs } });
    return { key, record: publicKey(record) };
  }

  /** Keys `actor` may see: every key for an admin, their own for a user, itself for a lesser key. */
  async listKeys(actor: Principal): Promise<PublicKey[]> {
    if (actor.role === 'admin') return (await this.store.listKeys()).map(publicKey);
    if (actor.kind === 'key') {
      const self = actor.keyId ? await this.store.getKey(actor.keyId) : null;
      return self ? [publicKey(self)] : [];
    }
    return actor.userId ? (await this.store.listKeys(actor.userId)).map(publicKey) : [];
  }

  async revokeKey(actor: Principal, id: string, origin: Origin): Promise<PublicKey> {
    const key = await this.store.getKey(id);
    // An admin revokes any key; a user their own; a lesser key only itself.
    const mayRevoke = key && (actor.role === 'admin' || actor.keyId === id || (actor.kind === 'session' && actor.userId !== null && key.userId === actor.userId));
    if (!key || !mayRevoke) throw new AppError('KEY_NOT_FOUND', `no API key with id "${id}" that you may revoke`);
    const revoked = (await this.store.revokeKey(id, this.ports.now()))!;
    this.dropKey(key);
    await this.audit({ actor: actor.actor, action: 'key.revoke', target: key.prefix, address: origin.address, outcome: 'ok', before: { revokedMs: key.revokedMs }, after: { revokedMs: revoked.revokedMs } });
    return publicKey(revoked);
  }

  // --- audit ---

  async audit(entry: Omit<AuditEntry, 'id' | 'timeMs'>): Promise<void> {
    await this.store.appendAudit({ ...entry, timeMs: this.ports.now() });
  }

  // --- cache upkeep ---

  private async revokeSessions(ids: readonly string[]): Promise<void> {
    for (const id of ids) await this.store.revokeSession(id, this.ports.now());
    this.dropSessions(ids);
  }

  private dropSessions(ids: readonly string[]): void {
    for (const id of ids) this.sessions.delete(id);
    if (ids.length > 0) for (const l of this.listeners) l({ sessionIds: ids });
  }

  private dropKey(key: ApiKeyRecord): void {
    this.keys.delete(key.hash);
    for (const l of this.listeners) l({ keyId: key.id });
  }

  /** Caches a session; past MAX_CACHED, the ended ones are dropped first (a script that logs in every minute adds up). */
  private cacheSession(id: string, entry: { session: SessionRecord; user: UserRecord; touchedMs: number }, nowMs: number): void {
    if (this.sessions.size >= MAX_CACHED) {
      const idleMs = this.settings.session.idleMinutes * 60_000;
      for (const [key, e] of this.sessions) if (nowMs >= e.session.expiresMs || nowMs >= e.touchedMs + idleMs) this.sessions.delete(key);
      // Still full: forget the oldest half; they are read again from the store when used.
      if (this.sessions.size >= MAX_CACHED) for (const key of [...this.sessions.keys()].slice(0, MAX_CACHED / 2)) this.sessions.delete(key);
    }
    this.sessions.set(id, entry);
  }

  private refreshUser(user: UserRecord): void {
    for (const entry of this.sessions.values()) if (entry.user.id === user.id) entry.user = user;
  }
}
