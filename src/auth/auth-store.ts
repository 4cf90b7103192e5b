/**
 * The accounts port: users, browser sessions, API keys and the audit log, as the auth service needs them. Implemented
 * by `store/auth-repository.ts` on PGlite and PostgreSQL. Times are ms since the epoch, passed in (no clock here).
 */
import type { Role } from './roles.ts';

/** A user account. `passwordHash` is the self-describing string of `password-hash.ts` (algorithm, parameters, salt). */
export interface UserRecord {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
  readonly passwordHash: string;
  /** The first admin's generated password must be changed at the first login. */
  readonly mustChangePassword: boolean;
  readonly disabled: boolean;
  readonly createdMs: number;
  readonly updatedMs: number;
}

/** A browser session; `id` is the SHA-256 (hex) of the cookie's token, never the token itself. */
export interface SessionRecord {
  readonly id: string;
  readonly userId: string;
  readonly createdMs: number;
  readonly lastSeenMs: number;
  /** Absolute expiry: the session ends at this time however active it is. */
  readonly expiresMs: number;
  /** Token a cookie-authenticated mutation must carry in `x-csrf-token`. */
  readonly csrfToken: string;
  readonly revokedMs: number | null;
  readonly address: string | null;
  readonly userAgent: string | null;
}

/** An API key; the key is stored only as `hash` (SHA-256, hex); `prefix` is its visible start (`slk_ab12cd34`). */
export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly hash: string;
  readonly role: Role;
  /** Cameras the key may see; null = all. */
  readonly cameraIds: readonly string[] | null;
  /** The user who created it (and may revoke it); null when created on the server machine (`sightline keys create`). */
  readonly userId: string | null;
  readonly createdMs: number;
  readonly lastUsedMs: number | null;
  readonly expiresMs: number | null;
  readonly revokedMs: number | null;
}

/** One audit log entry: who did what, when, from where, and with what outcome. */
export interface AuditEntry {
  readonly id: string;
  readonly timeMs: number;
  /** `user:NAME`, `key:PREFIX`, `cli` or `system`; `anonymous` for failed logins of unknown users. */
  readonly actor: string;
  /** Dotted verb, e.g. `auth.login`, `user.create`, `key.revoke`, `event.keep`. */
  readonly action: string;
  /** What was acted on (a user name, key prefix, event id, ...); null when nothing. */
  readonly target: string | null;
  readonly address: string | null;
  readonly outcome: 'ok' | 'denied' | 'failed';
  /** State before and after, for changes of settings and accounts (secrets never included). */
  readonly before: unknown;
  readonly after: unknown;
}

/** Filters of `GET /api/audit`, newest first. */
export interface AuditQuery {
  readonly actor?: string;
  readonly action?: string;
  readonly fromMs?: number;
  readonly toMs?: number;
  /** Entries with an id smaller than this (paging). */
  readonly beforeId?: string;
  readonly limit?: number;
}

/** Storage of accounts, sessions, keys and the audit log. */
export interface AuthStore {
  countUsers(): Promise<number>;
  /** Inserts a user; throws AppError('USER_EXISTS') when the username (case-insensitive) is taken. */
  createUser(user: UserRecord): Promise<void>;
  getUser(id: string): Promise<UserRecord | null>;
  /** Case-insensitive lookup. */
  getUserByName(username: string): Promise<UserRecord | null>;
  listUsers(): Promise<UserRecord[]>;
  /** Changes the given fields (and `updatedMs`); returns the updated user, null when there is none. */
  updateUser(id: string, patch: Partial<Pick<UserRecord, 'role' | 'passwordHash' | 'mustChangePassword' | 'disabled' | 'updatedMs'>>): Promise<UserRecord | null>;
  /** Deletes the user, their sessions and their keys; false when there is none. */
  deleteUser(id: string): Promise<boolean>;

  createSession(session: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | null>;
  /** Sets `lastSeenMs` (written at most about once a minute by the caller). */
  touchSession(id: string, nowMs: number): Promise<void>;
  revokeSession(id: string, nowMs: number): Promise<void>;
  /** Revokes every live session of the user except `exceptId`; returns the ids revoked. */
  revokeUserSessions(userId: string, nowMs: number, exceptId?: string): Promise<string[]>;
  /** Deletes sessions that ended (revoked or expired) before `beforeMs`; returns how many. */
  pruneSessions(beforeMs: number): Promise<number>;

  createKey(key: ApiKeyRecord): Promise<void>;
  getKey(id: string): Promise<ApiKeyRecord | null>;
  getKeyByHash(hash: string): Promise<ApiKeyRecord | null>;
  /** Every key (revoked ones too), or the keys of one user; newest first. */
  listKeys(userId?: string): Promise<ApiKeyRecord[]>;
  /** Returns the key after revocation; null when there is none. Revoking twice keeps the first time. */
  revokeKey(id: string, nowMs: number): Promise<ApiKeyRecord | null>;
  touchKey(id: string, nowMs: number): Promise<void>;

  /** Appends an entry (its id is assigned by the store, increasing); entries are never updated. */
  appendAudit(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry>;
  listAudit(query: AuditQuery): Promise<AuditEntry[]>;
  /** Deletes entries older than `beforeMs` (retention); returns how many. */
  pruneAudit(beforeMs: number): Promise<number>;
}
