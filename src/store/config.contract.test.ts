/**
 * Configuration versions contract: the same cases on PGlite and on the PostgreSQL server at PG_TEST_URL. Versions keep
 * their document exactly, are listed newest first and paged, the newest file version is found, and a taken version
 * number is refused (two processes changing at once).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { isAppError } from '../core/errors.ts';
import type { StoredConfigVersion } from '../manage/config-store.ts';
import { SqlConfigStore } from './config-repository.ts';
import { runMigrations } from './migrations.ts';
import type { SqlDatabase } from './sql-database.ts';
import { PGLITE_BACKEND, postgresBackend, type Backend, type EmptyDatabase } from './test-databases.ts';

const version = (n: number, overrides: Partial<StoredConfigVersion> = {}): StoredConfigVersion => ({
  version: n, createdMs: 1_800_000_000_000 + n, actor: 'user:ada', action: 'camera.create',
  changes: [{ path: `cameras[c${n}]`, after: { id: `c${n}` } }],
  document: { cameras: [{ id: `c${n}`, source: { url: 'rtsp://u:p@h/1' }, detect: { fps: 2.5 } }], delivery: { destinations: [] }, unicode: 'Straße 🚪' },
  fileDigest: null, ...overrides,
});

function defineContract(backend: Backend): void {
  describe(`config store contract: ${backend.kind}`, () => {
    let empty: EmptyDatabase;
    let db: SqlDatabase;
    let store: SqlConfigStore;
    before(async () => {
      empty = await backend.createEmpty();
      db = empty.db;
      await runMigrations(db);
      store = new SqlConfigStore(db);
    });
    after(async () => {
      await db?.close();
      await empty?.dispose();
    });
    beforeEach(async () => {
      await db.exec('DELETE FROM config_versions');
    });

    it('keeps versions exactly, lists them newest first with paging, finds the newest file version', async () => {
      assert.equal(await store.latest(), null);
      await store.append(version(1, { actor: 'config file', action: 'seed', fileDigest: 'abc' }));
      for (let n = 2; n <= 5; n++) await store.append(version(n));
      assert.deepEqual(await store.get(3), version(3));
      assert.equal((await store.latest())!.version, 5);
      assert.equal((await store.latestFromFile())!.version, 1);
      assert.deepEqual((await store.list({ limit: 2 })).map((v) => v.version), [5, 4]);
      assert.deepEqual((await store.list({ limit: 10, before: 4 })).map((v) => v.version), [3, 2, 1]);
      assert.equal(await store.get(99), null);
    });

    it('refuses a version number that is taken (CONFIG_CONFLICT)', async () => {
      await store.append(version(1));
      await assert.rejects(store.append(version(1, { actor: 'other' })), (e) => isAppError(e) && e.code === 'CONFIG_CONFLICT');
      assert.equal((await store.get(1))!.actor, 'user:ada');
    });
  });
}

defineContract(PGLITE_BACKEND);
const postgres = postgresBackend('config store contract: postgres');
if (postgres) defineContract(postgres);
