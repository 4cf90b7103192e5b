/**
 * Job queue contract: the same cases on PGlite and on the PostgreSQL server at PG_TEST_URL. The oldest due job is
 * claimed once (two claims never take the same job), a lapsed lease is claimed again, only the lease holder writes
 * progress or the outcome, cancelling works queued and running, a restarted node gets its jobs back, retention.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { JobSpec } from '../jobs/job-store.ts';
import { SqlJobStore } from './job-repository.ts';
import { runMigrations } from './migrations.ts';
import type { SqlDatabase } from './sql-database.ts';
import { PGLITE_BACKEND, postgresBackend, type Backend, type EmptyDatabase } from './test-databases.ts';

const T0 = 1_800_000_000_000;
const spec: JobSpec = { source: { kind: 'url', url: 'http://cams/a.mp4' }, model: null, camera: null, rules: null, fps: 5, annotate: false };
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const progress = { frames: 10, totalFrames: 100, percent: 10, framesPerSecond: 5, etaMs: 18_000 };

function defineContract(backend: Backend): void {
  describe(`job store contract: ${backend.kind}`, () => {
    let empty: EmptyDatabase;
    let db: SqlDatabase;
    let store: SqlJobStore;
    before(async () => {
      empty = await backend.createEmpty();
      db = empty.db;
      await runMigrations(db);
      store = new SqlJobStore(db);
    });
    after(async () => {
      await db?.close();
      await empty?.dispose();
    });
    beforeEach(async () => {
      await db.exec('DELETE FROM jobs');
    });

    it('claims the oldest due job once; a lapsed lease is claimed again; only the holder writes', async () => {
      await store.create({ id: id(2), createdMs: T0 + 2, actor: 'user:b', spec });
      await store.create({ id: id(1), createdMs: T0 + 1, actor: 'user:a', spec });
      const claims = await Promise.all(['n1', 'n2', 'n3'].map((n) => store.claim(n, T0 + 10, T0 + 100)));
      const got = claims.filter((c) => c !== null);
      assert.deepEqual(got.map((c) => c.id).sort(), [id(1), id(2)], 'three claims at once: two jobs, each taken once');
      const first = got.find((c) => c.id === id(1))!;
      assert.deepEqual([first.status, first.attempts, first.startedMs], ['running', 1, T0 + 10]);
      assert.deepEqual(first.spec, spec);
      // n1's lease lapses: n9 takes the job; n1's writes are refused from then on.
      const owner = first.leaseOwner!;
      const taken = await store.claim('n9', T0 + 200, T0 + 300);
      assert.equal(taken?.id, first.id);
      assert.equal(taken?.attempts, 2);
      assert.deepEqual(await store.heartbeat(first.id, owner, progress, T0 + 400), { held: false, cancelRequested: false });
      assert.equal(await store.finish(first.id, owner, { status: 'done', nowMs: T0 + 210 }), false);
      assert.deepEqual(await store.heartbeat(first.id, 'n9', progress, T0 + 400), { held: true, cancelRequested: false });
      const result = { framesAnalyzed: 100, events: 3, tracks: 7, elapsedMs: 20_000, files: ['events.json', 'tracks.txt'] };
      assert.equal(await store.finish(first.id, 'n9', { status: 'done', nowMs: T0 + 500, result }), true);
      const done = (await store.get(first.id))!;
      assert.deepEqual([done.status, done.finishedMs, done.leaseOwner, done.progress], ['done', T0 + 500, null, progress]);
      assert.deepEqual(done.result, result);
    });

    it('cancels queued jobs at once and running ones through the heartbeat; a restarted node gets its jobs back', async () => {
      await store.create({ id: id(1), createdMs: T0, actor: 'a', spec });
      await store.create({ id: id(2), createdMs: T0 + 1, actor: 'a', spec });
      await store.create({ id: id(3), createdMs: T0 + 2, actor: 'a', spec });
      const running = (await store.claim('n1', T0, T0 + 100))!;
      assert.equal(running.id, id(1));
      assert.equal((await store.cancel(id(2), T0 + 5))!.status, 'cancelled');
      assert.equal((await store.cancel(id(1), T0 + 5))!.status, 'running');
      assert.deepEqual(await store.heartbeat(id(1), 'n1', progress, T0 + 200), { held: true, cancelRequested: true });
      assert.equal((await store.claim('n2', T0 + 6, T0 + 100))!.id, id(3), 'a cancelled job is never claimed');
      assert.equal(await store.releaseOwn('n2'), 1);
      assert.equal((await store.get(id(3)))!.status, 'queued');
      assert.equal(await store.get('not-a-uuid'), null);
      assert.deepEqual((await store.list({ limit: 10 })).map((j) => j.id), [id(3), id(2), id(1)]);
      assert.deepEqual((await store.list({ limit: 10, status: 'cancelled' })).map((j) => j.id), [id(2)]);
      assert.deepEqual((await store.list({ limit: 10, beforeMs: T0 + 2 })).map((j) => j.id), [id(2), id(1)]);
      assert.deepEqual(await store.pruneFinished(T0 + 6), [id(2)]);
      assert.equal(await store.delete(id(1)), false, 'a running job is not deleted');
      assert.equal(await store.delete(id(3)), true);
    });
  });
}

defineContract(PGLITE_BACKEND);
const postgres = postgresBackend('job store contract: postgres');
if (postgres) defineContract(postgres);
