/**
 * Accounts store contract: the same cases on PGlite and on the PostgreSQL server at PG_TEST_URL. Users are unique by
 * name case-insensitively, sessions and keys go with their user, and the audit log is numbered, filtered and paged.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { ApiKeyRecord, AuditEntry, SessionRecord, UserRecord } from '../auth/auth-store.ts';
import { isAppError } from '../core/errors.ts';
import { SqlAuthStore } from './auth-repository.ts';
import { runMigrations } from './migrations.ts';
import type { SqlDatabase } from './sql-database.ts';
import { PGLITE_BACKEND, postgresBackend, type Backend, type EmptyDatabase } from './test-databases.ts';

const T0 = 1_800_000_000_000;

const user = (id: string, username: string, overrides: Partial<UserRecord> = {}): UserRecord => ({
  id, username, role: 'viewer', passwordHash: `scrypt$N=16384$salt$${id}`, mustChangePassword: false, disabled: false,
  createdMs: T0, updatedMs: T0, ...overrides,
});

const session = (id: string, userId: string, overrides: Partial<SessionRecord> = {}): SessionRecord => ({
  id, userId, createdMs: T0, lastSeenMs: T0, expiresMs: T0 + 3_600_000, csrfToken: `csrf-${id}`, revokedMs: null,
  address: '10.0.0.7', userAgent: 'Firefox/140', ...overrides,
});

const key = (id: string, userId: string | null, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  id, name: `key ${id}`, prefix: `slk_${id}`, hash: `hash-${id}`, role: 'operator', cameraIds: null, userId,
  createdMs: T0, lastUsedMs: null, expiresMs: null, revokedMs: null, ...overrides,
});

const audit = (overrides: Partial<Omit<AuditEntry, 'id'>> = {}): Omit<AuditEntry, 'id'> => ({
  timeMs: T0, actor: 'user:ada', action: 'auth.login', target: null, address: '10.0.0.7', outcome: 'ok', before: null,
  after: null, ...overrides,
});

function defineAuthContract(backend: Backend): void {
  describe(`auth store contract: ${backend.kind}`, () => {
    let empty: EmptyDatabase;
    let db: SqlDatabase;
    let store: SqlAuthStore;

    before(async () => {
      empty = await backend.createEmpty();
      db = empty.db;
      await runMigrations(db);
      store = new SqlAuthStore(db);
    });
    after(async () => {
      await db?.close();
      await empty?.dispose();
    });
    beforeEach(async () => {
      await db.exec('DELETE FROM audit_log; DELETE FROM api_keys; DELETE FROM sessions; DELETE FROM users');
    });

    it('creates, finds (name case-insensitively), lists, updates and deletes users', async () => {
      assert.equal(await store.countUsers(), 0);
      const ada = user('u1', 'Ada', { role: 'admin', mustChangePassword: true });
      await store.createUser(ada);
      await store.createUser(user('u2', 'bob', { createdMs: T0 + 1, updatedMs: T0 + 1 }));
      assert.equal(await store.countUsers(), 2);
      assert.deepEqual(await store.getUser('u1'), ada);
      assert.deepEqual(await store.getUserByName('ADA'), ada);
      assert.deepEqual(await store.getUserByName('ada'), ada);
      assert.equal(await store.getUserByName('carol'), null);
      assert.equal(await store.getUser('nobody'), null);
      assert.deepEqual((await store.listUsers()).map((u) => u.username), ['Ada', 'bob']);

      const updated = await store.updateUser('u1', { passwordHash: 'new-hash', mustChangePassword: false, updatedMs: T0 + 50 });
      assert.deepEqual(updated, { ...ada, passwordHash: 'new-hash', mustChangePassword: false, updatedMs: T0 + 50 });
      assert.deepEqual(await store.updateUser('u2', { role: 'operator', disabled: true }), { ...user('u2', 'bob', { createdMs: T0 + 1, updatedMs: T0 + 1 }), role: 'operator', disabled: true });
      assert.deepEqual(await store.getUser('u1'), updated, 'the update is stored');
      assert.deepEqual(await store.updateUser('u1', {}), updated, 'an empty patch changes nothing');
      assert.equal(await store.updateUser('nobody', { disabled: true }), null);

      assert.equal(await store.deleteUser('u2'), true);
      assert.equal(await store.deleteUser('u2'), false);
      assert.equal(await store.getUser('u2'), null);
      assert.equal(await store.countUsers(), 1);
    });

    it('refuses a second user with the same name in another case, and keeps the first', async () => {
      await store.createUser(user('u1', 'Ada'));
      await assert.rejects(
        store.createUser(user('u2', 'aDA', { role: 'admin' })),
        (err: unknown) => isAppError(err, 'USER_EXISTS') && (err as Error).message === 'a user named "aDA" exists',
      );
      assert.equal(await store.countUsers(), 1);
      assert.equal((await store.getUserByName('ada'))!.id, 'u1');
      // Two requests at once: exactly one wins, the other is told the name is taken.
      const results = await Promise.allSettled([store.createUser(user('u3', 'Zed')), store.createUser(user('u4', 'zed'))]);
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.ok(isAppError(lost.reason, 'USER_EXISTS'), String(lost.reason));
    });

    it('stores sessions, touches and revokes them, and prunes the ended ones', async () => {
      await store.createUser(user('u1', 'ada'));
      await store.createUser(user('u2', 'bob'));
      const s1 = session('s1', 'u1');
      await store.createSession(s1);
      await store.createSession(session('s2', 'u1', { address: null, userAgent: null }));
      await store.createSession(session('s3', 'u1'));
      await store.createSession(session('s4', 'u2'));
      assert.deepEqual(await store.getSession('s1'), s1);
      assert.deepEqual(await store.getSession('s2'), session('s2', 'u1', { address: null, userAgent: null }));
      assert.equal(await store.getSession('nope'), null);

      await store.touchSession('s1', T0 + 60_000);
      assert.equal((await store.getSession('s1'))!.lastSeenMs, T0 + 60_000);

      await store.revokeSession('s3', T0 + 10);
      await store.revokeSession('s3', T0 + 20);
      assert.equal((await store.getSession('s3'))!.revokedMs, T0 + 10, 'revoking twice keeps the first time');

      assert.deepEqual(await store.revokeUserSessions('u1', T0 + 100, 's1'), ['s2'], 'not the kept one, not the revoked one');
      assert.equal((await store.getSession('s1'))!.revokedMs, null);
      assert.equal((await store.getSession('s2'))!.revokedMs, T0 + 100);
      assert.equal((await store.getSession('s3'))!.revokedMs, T0 + 10);
      assert.equal((await store.getSession('s4'))!.revokedMs, null, 'other users keep theirs');
      assert.deepEqual(await store.revokeUserSessions('u1', T0 + 200), ['s1']);
      assert.deepEqual(await store.revokeUserSessions('u1', T0 + 300), []);

      await store.createSession(session('s5', 'u2', { expiresMs: T0 + 50 }));
      // Ended before T0 + 101: s3 (revoked T0+10), s2 (revoked T0+100), s5 (expired T0+50); s1 was revoked at T0+200.
      assert.equal(await store.pruneSessions(T0 + 101), 3);
      assert.equal(await store.getSession('s2'), null);
      assert.equal(await store.getSession('s5'), null);
      assert.ok(await store.getSession('s1'));
      assert.ok(await store.getSession('s4'));
      assert.equal(await store.pruneSessions(T0 + 101), 0);
    });

    it('stores API keys, finds them by hash, lists newest first, revokes once and records use', async () => {
      await store.createUser(user('u1', 'ada'));
      await store.createUser(user('u2', 'bob'));
      const k1 = key('k1', 'u1', { cameraIds: ['gate', 'yard'], expiresMs: T0 + 86_400_000 });
      await store.createKey(k1);
      await store.createKey(key('k2', 'u2', { createdMs: T0 + 5 }));
      await store.createKey(key('k3', null, { createdMs: T0 + 9, role: 'admin' }));
      await store.createKey(key('k0', 'u1', { cameraIds: [] }));
      assert.deepEqual(await store.getKey('k1'), k1);
      assert.deepEqual(await store.getKeyByHash('hash-k1'), k1);
      assert.deepEqual((await store.getKeyByHash('hash-k0'))!.cameraIds, [], 'an empty camera list is not "all"');
      assert.equal(await store.getKeyByHash('hash-none'), null);
      assert.equal(await store.getKey('none'), null);

      assert.deepEqual((await store.listKeys()).map((k) => k.id), ['k3', 'k2', 'k1', 'k0'], 'created_ms desc, then id desc');
      assert.deepEqual((await store.listKeys('u1')).map((k) => k.id), ['k1', 'k0']);
      assert.deepEqual(await store.listKeys('nobody'), []);

      const revoked = await store.revokeKey('k1', T0 + 100);
      assert.deepEqual(revoked, { ...k1, revokedMs: T0 + 100 });
      assert.equal((await store.revokeKey('k1', T0 + 200))!.revokedMs, T0 + 100, 'revoking twice keeps the first time');
      assert.equal(await store.revokeKey('none', T0), null);
      assert.equal((await store.listKeys()).length, 4, 'revoked keys are listed too');

      await store.touchKey('k2', T0 + 300);
      assert.equal((await store.getKey('k2'))!.lastUsedMs, T0 + 300);
      assert.equal((await store.getKey('k3'))!.lastUsedMs, null);
    });

    it('deleting a user deletes their sessions and keys, nobody else\'s', async () => {
      await store.createUser(user('u1', 'ada'));
      await store.createUser(user('u2', 'bob'));
      await store.createSession(session('s1', 'u1'));
      await store.createSession(session('s2', 'u2'));
      await store.createKey(key('k1', 'u1'));
      await store.createKey(key('k2', 'u2'));
      await store.createKey(key('k3', null));
      assert.equal(await store.deleteUser('u1'), true);
      assert.equal(await store.getSession('s1'), null);
      assert.equal(await store.getKey('k1'), null);
      assert.equal(await store.getKeyByHash('hash-k1'), null);
      assert.ok(await store.getSession('s2'));
      assert.deepEqual((await store.listKeys()).map((k) => k.id).sort(), ['k2', 'k3']);
    });

    it('appends audit entries with increasing ids and round-trips before/after', async () => {
      const a = await store.appendAudit(audit({ action: 'user.create', target: 'bob', after: { username: 'bob', role: 'viewer', tags: [1, 'x', null] } }));
      const b = await store.appendAudit(audit({ action: 'settings.change', before: { retentionDays: 7, nested: { on: true } }, after: { retentionDays: 30, nested: { on: false } } }));
      const c = await store.appendAudit(audit({ actor: 'anonymous', outcome: 'denied', address: null, before: 'text', after: 42 }));
      assert.match(a.id, /^[0-9]+$/);
      assert.ok(BigInt(a.id) < BigInt(b.id) && BigInt(b.id) < BigInt(c.id), `${a.id} < ${b.id} < ${c.id}`);
      assert.deepEqual(a, { ...audit({ action: 'user.create', target: 'bob', after: { username: 'bob', role: 'viewer', tags: [1, 'x', null] } }), id: a.id });
      const listed = await store.listAudit({});
      assert.deepEqual(listed, [c, b, a], 'newest first, as appended');
      assert.equal(listed[2]!.before, null);
      assert.deepEqual(listed[1]!.before, { retentionDays: 7, nested: { on: true } });
      assert.deepEqual(listed[1]!.after, { retentionDays: 30, nested: { on: false } });
      assert.equal(listed[0]!.before, 'text');
      assert.equal(listed[0]!.after, 42);
    });

    it('filters the audit log by actor, action (exact or prefix), time range, and pages by id with a limit', async () => {
      const rows = [
        audit({ timeMs: T0, actor: 'user:ada', action: 'user.create' }),
        audit({ timeMs: T0 + 10, actor: 'user:ada', action: 'user.delete' }),
        audit({ timeMs: T0 + 20, actor: 'cli', action: 'key.create' }),
        audit({ timeMs: T0 + 30, actor: 'user:bob', action: 'auth.login' }),
        audit({ timeMs: T0 + 40, actor: 'user:ada', action: 'users.export' }),
        audit({ timeMs: T0 + 50, actor: 'user:ada', action: 'user' }),
      ];
      const ids: string[] = [];
      for (const r of rows) ids.push((await store.appendAudit(r)).id);
      const pick = (...i: number[]): string[] => i.map((n) => ids[n]!);
      const list = async (q: Parameters<SqlAuthStore['listAudit']>[0]): Promise<string[]> => (await store.listAudit(q)).map((e) => e.id);

      assert.deepEqual(await list({ actor: 'user:ada' }), pick(5, 4, 1, 0));
      assert.deepEqual(await list({ action: 'user.create' }), pick(0));
      assert.deepEqual(await list({ action: 'user' }), pick(5), 'without a dot: exact');
      assert.deepEqual(await list({ action: 'user.' }), pick(1, 0), 'a prefix: not users.export, not user');
      assert.deepEqual(await list({ action: 'user.', actor: 'cli' }), []);
      assert.deepEqual(await list({ action: '%.' }), [], 'no LIKE wildcards');
      assert.deepEqual(await list({ fromMs: T0 + 10, toMs: T0 + 30 }), pick(2, 1), 'from inclusive, to exclusive');
      assert.deepEqual(await list({ fromMs: T0 + 45 }), pick(5));
      assert.deepEqual(await list({ toMs: T0 + 10 }), pick(0));

      assert.deepEqual(await list({ limit: 2 }), pick(5, 4));
      assert.deepEqual(await list({ limit: 2, beforeId: ids[4] }), pick(3, 2));
      assert.deepEqual(await list({ limit: 2, beforeId: ids[2] }), pick(1, 0));
      assert.deepEqual(await list({ limit: 2, beforeId: ids[0] }), []);
      assert.deepEqual(await list({ actor: 'user:ada', beforeId: ids[5], limit: 10 }), pick(4, 1, 0));
      assert.deepEqual(await list({ limit: 0 }), pick(5), 'a limit below 1 returns one');
      await assert.rejects(store.listAudit({ beforeId: '12; DROP TABLE audit_log' }), (err: unknown) => isAppError(err, 'BAD_REQUEST'));
    });

    it('lists 100 audit entries by default and at most 1000', async () => {
      await db.query(
        `INSERT INTO audit_log (time_ms, actor, action, outcome) SELECT $1::bigint + g, 'system', 'event.keep', 'ok' FROM generate_series(1, 1005) g`,
        [T0],
      );
      const byDefault = await store.listAudit({});
      assert.equal(byDefault.length, 100);
      assert.equal(byDefault[0]!.timeMs, T0 + 1005);
      assert.equal((await store.listAudit({ limit: 5000 })).length, 1000);
      assert.equal((await store.listAudit({ limit: 7 })).length, 7);
    });

    it('prunes audit entries older than the cutoff', async () => {
      for (let i = 0; i < 5; i++) await store.appendAudit(audit({ timeMs: T0 + i * 1000 }));
      assert.equal(await store.pruneAudit(T0 + 2000), 2);
      assert.deepEqual((await store.listAudit({})).map((e) => e.timeMs), [T0 + 4000, T0 + 3000, T0 + 2000]);
      assert.equal(await store.pruneAudit(T0 + 2000), 0);
    });
  });
}

defineAuthContract(PGLITE_BACKEND);
const postgres = postgresBackend('auth store contract: postgres');
if (postgres) defineAuthContract(postgres);
