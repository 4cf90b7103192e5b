/**
 * Cluster store contract: the same cases on PGlite and on the PostgreSQL server at PG_TEST_URL. Heartbeats and two
 * processes with one node id; a lease is won by one worker only (also when many ask at once), renewed only by its
 * holder, taken over after it expires with the next epoch; released leases end their interval; an event write fenced
 * by a lease that moved on is refused and stores nothing.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { NodeReport } from '../cluster/cluster-store.ts';
import type { SightEvent } from '../core/types.ts';
import { SqlClusterStore } from './cluster-repository.ts';
import { SqlEventStore } from './event-repository.ts';
import { runMigrations } from './migrations.ts';
import type { SqlDatabase } from './sql-database.ts';
import { PGLITE_BACKEND, postgresBackend, type Backend, type EmptyDatabase } from './test-databases.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const node = (id: string, instance: string, extra: Partial<NodeReport> = {}): NodeReport => ({
  id, instance, role: 'worker', version: '0.1.0', host: 'h', pid: 1, capacity: 1, draining: false, status: {}, ...extra,
});

function event(cameraId: string, n: number): SightEvent {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, schema: 'sightline.event/1', type: 'zone_presence', severity: 'info',
    cameraId, ruleId: 'r', startMs: 1000, endMs: null, endReason: null, frameIndex: 1, latencyMs: null, lastSeenMs: 1000,
    subjects: [], attributes: {}, snapshotPath: null, keep: false,
  } as unknown as SightEvent;
}

function defineContract(backend: Backend): void {
  describe(`cluster store contract: ${backend.kind}`, () => {
    let empty: EmptyDatabase;
    let db: SqlDatabase;
    let store: SqlClusterStore;
    before(async () => {
      empty = await backend.createEmpty();
      db = empty.db;
      await runMigrations(db);
      store = new SqlClusterStore(db);
    });
    after(async () => {
      await db?.close();
      await empty?.dispose();
    });
    beforeEach(async () => {
      await db.exec('DELETE FROM cluster_nodes; DELETE FROM camera_leases; DELETE FROM camera_lease_history; DELETE FROM events');
    });

    it('heartbeats: a node is listed while fresh; a second process with the same node id is refused until the first goes stale', async () => {
      assert.equal(await store.heartbeat(node('w1', 'a', { status: { cameras: [{ id: 'c1', state: 'online' }] } }), 5000), true);
      assert.equal(await store.heartbeat(node('w1', 'a'), 5000), true, 'the same process again');
      assert.equal(await store.heartbeat(node('w1', 'b'), 5000), false, 'another process, same id');
      const [n] = await store.nodes(5000);
      assert.equal(n!.id, 'w1');
      assert.equal(n!.instance, 'a');
      assert.ok(n!.ageMs >= 0 && n!.ageMs < 2000, `age ${n!.ageMs}`);
      await sleep(120);
      assert.deepEqual(await store.nodes(50), [], 'older than 50 ms');
      assert.equal(await store.heartbeat(node('w1', 'b'), 50), true, 'stale: the new process takes the id');
      await store.leave('w1', 'a');
      assert.equal((await store.nodes()).length, 1, 'a stale instance cannot remove the new one');
      await store.leave('w1', 'b');
      assert.deepEqual(await store.nodes(), []);
    });

    it('a lease is won by one of many asking at once; renewed by its holder only; released, it ends its interval', async () => {
      const wins = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((w) => store.acquire('cam', w, 5000)));
      const won = wins.filter((x) => x !== null);
      assert.equal(won.length, 1);
      assert.equal(won[0]!.epoch, 1);
      const holder = ['w1', 'w2', 'w3', 'w4'][wins.findIndex((x) => x !== null)]!;
      const other = holder === 'w1' ? 'w2' : 'w1';
      assert.deepEqual(await store.acquire('cam', holder, 5000), { cameraId: 'cam', epoch: 1 }, 'the holder asking again keeps its epoch');
      assert.deepEqual(await store.renew(holder, 5000, ['cam']), [{ cameraId: 'cam', epoch: 1 }]);
      assert.deepEqual(await store.renew(holder, 5000, ['elsewhere']), [], 'only the cameras named');
      assert.deepEqual(await store.renew(other, 5000, ['cam']), []);
      await store.release(other, ['cam']);
      assert.equal((await store.leases())[0]!.owner, holder, 'only the holder releases');
      await store.release(holder, ['cam']);
      const [l] = await store.leases();
      assert.equal(l!.owner, null);
      assert.equal(l!.live, false);
      const next = await store.acquire('cam', other, 5000);
      assert.deepEqual(next, { cameraId: 'cam', epoch: 2 });
      const h = await store.history(['cam']);
      assert.equal(h.length, 2);
      assert.equal(h[0]!.owner, holder);
      assert.equal(h[0]!.endReason, 'released');
      assert.ok(h[0]!.endedMs! <= h[1]!.acquiredMs, 'the intervals do not overlap');
      assert.equal(h[1]!.endedMs, null);
    });

    it('an expired lease is taken over with the next epoch; the old holder can neither renew it nor write events under it', async () => {
      const events = (owner: string, epoch: number) => new SqlEventStore(db, { lease: (cam) => (cam === 'cam' ? { owner, epoch } : null) });
      assert.deepEqual(await store.acquire('cam', 'w1', 1000), { cameraId: 'cam', epoch: 1 });
      assert.equal(await events('w1', 1).upsert(event('cam', 1)), 1, 'written under a lease in force');
      await assert.rejects(events('w1', 1).upsert(event('other', 2)), /LEASE_LOST|no longer holds/, 'a camera it does not hold');
      assert.equal(await store.acquire('cam', 'w2', 5000), null, 'held');
      await sleep(1100);
      assert.equal((await store.leases())[0]!.live, false);
      assert.deepEqual(await store.acquire('cam', 'w2', 5000), { cameraId: 'cam', epoch: 2 });
      assert.deepEqual(await store.renew('w1', 5000, ['cam']), [], 'the old holder renews nothing');
      await assert.rejects(events('w1', 1).upsert(event('cam', 3)), (err: Error & { code?: string }) => err.code === 'LEASE_LOST' && /camera "cam"/.test(err.message));
      const stored = await db.query<{ id: string }>('SELECT id FROM events ORDER BY id');
      assert.deepEqual(stored.map((r) => r.id.slice(-1)), ['1'], 'the refused writes stored nothing');
      assert.equal(await events('w2', 2).upsert(event('cam', 3)), 1, 'the new holder writes');
      const [first, second] = await store.history(['cam']);
      assert.equal(first!.endReason, 'expired');
      assert.ok(first!.endedMs! <= second!.acquiredMs, `the expired interval ends (${first!.endedMs}) before the next starts (${second!.acquiredMs})`);
    });
  });
}

defineContract(PGLITE_BACKEND);
const pg = postgresBackend('cluster store contract: postgres');
if (pg) defineContract(pg);
