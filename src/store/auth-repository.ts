/**
 * The accounts store on SQL (PGlite or PostgreSQL, same SQL): users, browser sessions, API keys and the audit log.
 * Sessions and keys go with their user (ON DELETE CASCADE); audit entries are numbered by an identity column.
 */
import { AppError } from '../core/errors.ts';
import type { ApiKeyRecord, AuditEntry, AuditQuery, AuthStore, SessionRecord, UserRecord } from '../auth/auth-store.ts';
import type { Role } from '../auth/roles.ts';
import type { SqlDatabase } from './sql-database.ts';

type Int = number | string;

interface UserRow {
  id: string;
  username: string;
  role: Role;
  password_hash: string;
  must_change_password: boolean;
  disabled: boolean;
  created_ms: Int;
  updated_ms: Int;
}

interface SessionRow {
  id: string;
  user_id: string;
  created_ms: Int;
  last_seen_ms: Int;
  expires_ms: Int;
  csrf_token: string;
  revoked_ms: Int | null;
  address: string | null;
  user_agent: string | null;
}

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  hash: string;
  role: Role;
  camera_ids: string[] | null;
  user_id: string | null;
  created_ms: Int;
  last_used_ms: Int | null;
  expires_ms: Int | null;
  revoked_ms: Int | null;
}

interface AuditRow {
  id: Int;
  time_ms: Int;
  actor: string;
  action: string;
  target: string | null;
  address: string | null;
  outcome: AuditEntry['outcome'];
  before: unknown;
  after: unknown;
}

const USER_COLUMNS = 'id, username, role, password_hash, must_change_password, disabled, created_ms, updated_ms';
const SESSION_COLUMNS = 'id, user_id, created_ms, last_seen_ms, expires_ms, csrf_token, revoked_ms, address, user_agent';
const KEY_COLUMNS = 'id, name, prefix, hash, role, camera_ids, user_id, created_ms, last_used_ms, expires_ms, revoked_ms';
const AUDIT_COLUMNS = 'id, time_ms, actor, action, target, address, outcome, before, after';

/** Columns `updateUser` may change, by the record's field name. */
const USER_PATCH_COLUMNS = {
  role: 'role',
  passwordHash: 'password_hash',
  mustChangePassword: 'must_change_password',
  disabled: 'disabled',
  updatedMs: 'updated_ms',
} as const;

const DEFAULT_AUDIT_LIMIT = 100;
const MAX_AUDIT_LIMIT = 1000;
const AUDIT_ID = /^[0-9]{1,18}$/;

const num = (v: Int | null): number | null => (v === null ? null : Number(v));
const ms = (v: number): number => Math.round(v);
const msOrNull = (v: number | null): number | null => (v === null ? null : Math.round(v));
/** A value for a nullable jsonb parameter: SQL NULL for null/undefined, else its JSON text. */
const jsonOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));

/** `AuthStore` on a `SqlDatabase` migrated with `MIGRATIONS`. */
export class SqlAuthStore implements AuthStore {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  async countUsers(): Promise<number> {
    const [row] = await this.#db.query<{ n: Int }>('SELECT count(*) AS n FROM users');
    return Number(row!.n);
  }

  async createUser(user: UserRecord): Promise<void> {
    // The conflict target is the case-insensitive name index only: a taken name is a value here (no error, on either
    // engine, even when two requests race), while a clash of ids still fails loudly.
    const rows = await this.#db.query<{ id: string }>(
      `INSERT INTO users (${USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT ((lower(username))) DO NOTHING RETURNING id`,
      [user.id, user.username, user.role, user.passwordHash, user.mustChangePassword, user.disabled, ms(user.createdMs), ms(user.updatedMs)],
    );
    if (rows.length === 0) throw new AppError('USER_EXISTS', `a user named "${user.username}" exists`);
  }

  async getUser(id: string): Promise<UserRecord | null> {
    const rows = await this.#db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
    return rows.length === 0 ? null : rowToUser(rows[0]!);
  }

  async getUserByName(username: string): Promise<UserRecord | null> {
    const rows = await this.#db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE lower(username) = lower($1)`, [username]);
    return rows.length === 0 ? null : rowToUser(rows[0]!);
  }

  /** Every user, by name (case-insensitive). */
  async listUsers(): Promise<UserRecord[]> {
    const rows = await this.#db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users ORDER BY lower(username)`);
    return rows.map(rowToUser);
  }

  async updateUser(
    id: string,
    patch: Partial<Pick<UserRecord, 'role' | 'passwordHash' | 'mustChangePassword' | 'disabled' | 'updatedMs'>>,
  ): Promise<UserRecord | null> {
    const params: unknown[] = [id];
    const sets: string[] = [];
    for (const [field, column] of Object.entries(USER_PATCH_COLUMNS)) {
      const value = patch[field as keyof typeof USER_PATCH_COLUMNS];
      if (value === undefined) continue;
      params.push(field === 'updatedMs' ? ms(value as number) : value);
      sets.push(`${column} = $${params.length}`);
    }
    if (sets.length === 0) return this.getUser(id);
    const rows = await this.#db.query<UserRow>(
      `UPDATE users SET ${sets.join(', ')} WHERE id = $1 RETURNING ${USER_COLUMNS}`,
      params,
    );
    return rows.length === 0 ? null : rowToUser(rows[0]!);
  }

  async deleteUser(id: string): Promise<boolean> {
    const rows = await this.#db.query<{ id: string }>('DELETE FROM users WHERE id = $1 RETURNING id', [id]);
    return rows.length > 0;
  }

  async createSession(s: SessionRecord): Promise<void> {
    await this.#db.query(
      `INSERT INTO sessions (${SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [s.id, s.userId, ms(s.createdMs), ms(s.lastSeenMs), ms(s.expiresMs), s.csrfToken, msOrNull(s.revokedMs), s.address, s.userAgent],
    );
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const rows = await this.#db.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = $1`, [id]);
    return rows.length === 0 ? null : rowToSession(rows[0]!);
  }

  async touchSession(id: string, nowMs: number): Promise<void> {
    await this.#db.query('UPDATE sessions SET last_seen_ms = $2 WHERE id = $1', [id, ms(nowMs)]);
  }

  /** Revokes the session; one revoked already keeps its first revocation time. */
  async revokeSession(id: string, nowMs: number): Promise<void> {
    await this.#db.query('UPDATE sessions SET revoked_ms = COALESCE(revoked_ms, $2) WHERE id = $1', [id, ms(nowMs)]);
  }

  async revokeUserSessions(userId: string, nowMs: number, exceptId?: string): Promise<string[]> {
    const rows = await this.#db.query<{ id: string }>(
      `UPDATE sessions SET revoked_ms = $2
       WHERE user_id = $1 AND revoked_ms IS NULL AND ($3::text IS NULL OR id <> $3::text)
       RETURNING id`,
      [userId, ms(nowMs), exceptId ?? null],
    );
    return rows.map((r) => r.id).sort();
  }

  async pruneSessions(beforeMs: number): Promise<number> {
    const rows = await this.#db.query<{ id: string }>(
      'DELETE FROM sessions WHERE expires_ms < $1 OR revoked_ms < $1 RETURNING id',
      [ms(beforeMs)],
    );
    return rows.length;
  }

  async createKey(k: ApiKeyRecord): Promise<void> {
    await this.#db.query(
      `INSERT INTO api_keys (${KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11)`,
      [
        k.id, k.name, k.prefix, k.hash, k.role, jsonOrNull(k.cameraIds), k.userId, ms(k.createdMs),
        msOrNull(k.lastUsedMs), msOrNull(k.expiresMs), msOrNull(k.revokedMs),
      ],
    );
  }

  async getKey(id: string): Promise<ApiKeyRecord | null> {
    const rows = await this.#db.query<KeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = $1`, [id]);
    return rows.length === 0 ? null : rowToKey(rows[0]!);
  }

  async getKeyByHash(hash: string): Promise<ApiKeyRecord | null> {
    const rows = await this.#db.query<KeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE hash = $1`, [hash]);
    return rows.length === 0 ? null : rowToKey(rows[0]!);
  }

  async listKeys(userId?: string): Promise<ApiKeyRecord[]> {
    const rows = await this.#db.query<KeyRow>(
      `SELECT ${KEY_COLUMNS} FROM api_keys WHERE ($1::text IS NULL OR user_id = $1::text) ORDER BY created_ms DESC, id DESC`,
      [userId ?? null],
    );
    return rows.map(rowToKey);
  }

  async revokeKey(id: string, nowMs: number): Promise<ApiKeyRecord | null> {
    const rows = await this.#db.query<KeyRow>(
      `UPDATE api_keys SET revoked_ms = COALESCE(revoked_ms, $2) WHERE id = $1 RETURNING ${KEY_COLUMNS}`,
      [id, ms(nowMs)],
    );
    return rows.length === 0 ? null : rowToKey(rows[0]!);
  }

  async touchKey(id: string, nowMs: number): Promise<void> {
    await this.#db.query('UPDATE api_keys SET last_used_ms = $2 WHERE id = $1', [id, ms(nowMs)]);
  }

  async appendAudit(e: Omit<AuditEntry, 'id'>): Promise<AuditEntry> {
    const rows = await this.#db.query<AuditRow>(
      `INSERT INTO audit_log (time_ms, actor, action, target, address, outcome, before, after)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb) RETURNING ${AUDIT_COLUMNS}`,
      [ms(e.timeMs), e.actor, e.action, e.target, e.address, e.outcome, jsonOrNull(e.before), jsonOrNull(e.after)],
    );
    return rowToAudit(rows[0]!);
  }

  /** Newest first. `action` ending in `.` matches every action it starts (`user.` matches `user.create`). */
  async listAudit(query: AuditQuery): Promise<AuditEntry[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (condition: (p: string) => string, value: unknown): void => {
      params.push(value);
      where.push(condition(`$${params.length}`));
    };
    if (query.actor !== undefined) add((p) => `actor = ${p}`, query.actor);
    if (query.action !== undefined) {
      if (query.action.endsWith('.')) add((p) => `starts_with(action, ${p})`, query.action);
      else add((p) => `action = ${p}`, query.action);
    }
    if (query.fromMs !== undefined) add((p) => `time_ms >= ${p}`, ms(query.fromMs));
    if (query.toMs !== undefined) add((p) => `time_ms < ${p}`, ms(query.toMs));
    if (query.beforeId !== undefined) {
      if (!AUDIT_ID.test(query.beforeId)) {
        throw new AppError('BAD_REQUEST', `beforeId must be an audit entry id (a decimal integer), got "${query.beforeId}"`);
      }
      add((p) => `id < ${p}::bigint`, query.beforeId);
    }
    const requested = query.limit ?? DEFAULT_AUDIT_LIMIT;
    params.push(Number.isFinite(requested) ? Math.min(Math.max(1, Math.trunc(requested)), MAX_AUDIT_LIMIT) : DEFAULT_AUDIT_LIMIT);
    const rows = await this.#db.query<AuditRow>(
      `SELECT ${AUDIT_COLUMNS} FROM audit_log ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(rowToAudit);
  }

  async pruneAudit(beforeMs: number): Promise<number> {
    const rows = await this.#db.query<{ id: Int }>('DELETE FROM audit_log WHERE time_ms < $1 RETURNING id', [ms(beforeMs)]);
    return rows.length;
  }
}

function rowToUser(r: UserRow): UserRecord {
  return {
    id: r.id, username: r.username, role: r.role, passwordHash: r.password_hash, mustChangePassword: r.must_change_password,
    disabled: r.disabled, createdMs: Number(r.created_ms), updatedMs: Number(r.updated_ms),
  };
}

function rowToSession(r: SessionRow): SessionRecord {
  return {
    id: r.id, userId: r.user_id, createdMs: Number(r.created_ms), lastSeenMs: Number(r.last_seen_ms), expiresMs: Number(r.expires_ms),
    csrfToken: r.csrf_token, revokedMs: num(r.revoked_ms), address: r.address, userAgent: r.user_agent,
  };
}

function rowToKey(r: KeyRow): ApiKeyRecord {
  return {
    id: r.id, name: r.name, prefix: r.prefix, hash: r.hash, role: r.role, cameraIds: r.camera_ids, userId: r.user_id,
    createdMs: Number(r.created_ms), lastUsedMs: num(r.last_used_ms), expiresMs: num(r.expires_ms), revokedMs: num(r.revoked_ms),
  };
}

function rowToAudit(r: AuditRow): AuditEntry {
  return {
    id: String(r.id), timeMs: Number(r.time_ms), actor: r.actor, action: r.action, target: r.target, address: r.address,
    outcome: r.outcome, before: r.before, after: r.after,
  };
}
