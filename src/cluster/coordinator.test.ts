// Coordinators of several workers on one real store (PGlite), with short leases: even split, failover after a worker
// stops renewing, a new worker takes only its share, a worker whose database stops answering stops its cameras
// before its leases run out, draining hands over at once, and no camera is ever held by two workers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openPgliteDatabase } from '../store/pglite-database.ts';
import { runMigrations } from '../store/migrations.ts';
import { SqlClusterStore } from '../store/cluster-repository.ts';
import type { SqlDatabase } from '../store/sql-database.ts';
import type { ClusterStore } from './cluster-store.ts';
import { ClusterCoordinator } from './coordinator.ts';

const LEASE_MS = 600;
const BEAT_MS = 150;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quiet = { info() {}, warn() {}, error() {} };
const CAMERAS = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => ({ id, parentId: null }));

let db: SqlDatabase;
before(async () => {
  db = await openPgliteDatabase(undefined);
  await runMigrations(db);
});
after(() => db.close());

function worker(id: string, store: ClusterStore) {
  const running: { ids: Set<string> } = { ids: new Set() };
  const c = new ClusterCoordinator({
    store, self: { id, instance: `${id}-1`, role: 'worker', version: 't', host: 'h', pid: 1, capacity: 1 }, leaseMs: LEASE_MS, heartbeatMs: BEAT_MS,
    now: () => performance.now(), cameras: () => CAMERAS, status: () => ({}), log: quiet,
    run: async (ids) => { running.ids = new Set(ids); },
  });
  return { c, running };
}

/** No camera runs on two of these workers. */
function noOverlap(ws: { c: ClusterCoordinator; running: { ids: Set<string> } }[]): void {
  const seen = new Map<string, number>();
  ws.forEach((w, i) => {
    for (const id of w.running.ids) {
      assert.ok(!seen.has(id), `${id} runs on two workers (${seen.get(id)} and ${i})`);
      seen.set(id, i);
    }
  });
}

/** Ticks all coordinators until `done` holds (or fails after `ms`), checking after every tick that no camera runs twice. */
async function until(ws: { c: ClusterCoordinator; running: { ids: Set<string> } }[], done: () => boolean, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (!done()) {
    if (performance.now() > end) assert.fail(`${what} within ${ms} ms`);
    for (const w of ws) {
      await w.c.tick();
      noOverlap(ws);
    }
    await sleep(BEAT_MS);
  }
}

test('workers split the cameras evenly, take over a silent worker\'s after its leases run out, and never hold one camera twice', async () => {
  await db.exec('DELETE FROM cluster_nodes; DELETE FROM camera_leases; DELETE FROM camera_lease_history');
  const store = new SqlClusterStore(db);
  const w = ['w1', 'w2', 'w3'].map((id) => worker(id, store));
  for (const x of w) await x.c.join();
  await until(w, () => w.every((x) => x.running.ids.size === 2), 5000, 'two cameras each');
  const all = w.flatMap((x) => [...x.running.ids]).sort();
  assert.deepEqual(all, ['a', 'b', 'c', 'd', 'e', 'f']);
  // w3 goes silent (killed) after one more renewal: the others take its cameras once its leases expire, not before.
  const lastRenewal = performance.now();
  await w[2]!.c.renew();
  const w3Cams = [...w[2]!.running.ids];
  const alive = [w[0]!, w[1]!];
  let takenAt = 0;
  await until(alive, () => {
    if (!takenAt && w3Cams.some((id) => alive.some((x) => x.running.ids.has(id)))) takenAt = performance.now();
    return alive.every((x) => x.running.ids.size === 3);
  }, 5000, 'three cameras each after w3 went silent');
  assert.ok(takenAt - lastRenewal >= LEASE_MS, `taken ${Math.round(takenAt - lastRenewal)} ms after w3's last renewal, not before its ${LEASE_MS} ms lease ran out`);
  const history = await store.history();
  for (const cam of CAMERAS) {
    const spans = history.filter((h) => h.cameraId === cam.id);
    for (let i = 1; i < spans.length; i++) assert.ok(spans[i - 1]!.endedMs !== null && spans[i - 1]!.endedMs! <= spans[i]!.acquiredMs, `${cam.id}: lease ${i} starts after lease ${i - 1} ended`);
  }
  // A new worker takes its share; the others hand the excess over.
  const w4 = worker('w4', store);
  await w4.c.join();
  const three = [...alive, w4];
  await until(three, () => three.every((x) => x.running.ids.size === 2), 5000, 'two each with the new worker');
  // Draining: w4 hands its cameras over at once.
  await w4.c.drain();
  assert.equal(w4.running.ids.size, 0);
  await until(alive, () => alive.every((x) => x.running.ids.size === 3), 3000, 'w4\'s cameras taken on after it drained');
});

test('a worker whose database stops answering stops its cameras before its leases run out', async () => {
  await db.exec('DELETE FROM cluster_nodes; DELETE FROM camera_leases; DELETE FROM camera_lease_history');
  const real = new SqlClusterStore(db);
  let cut = false;
  const failing = new Proxy(real, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv);
      return typeof v === 'function' ? (...args: unknown[]) => (cut ? Promise.reject(new Error('connection refused')) : v.apply(target, args)) : v;
    },
  });
  const a = worker('a1', failing);
  await a.c.join();
  await until([a], () => a.running.ids.size === 6, 3000, 'all cameras on the only worker');
  cut = true;
  while (a.running.ids.size > 0) {
    await a.c.tick();
    await sleep(20);
  }
  // At the moment it stopped, every lease it held was still in force in the database: nobody could have taken one.
  const leases = await real.leases();
  assert.equal(leases.length, 6);
  assert.ok(leases.every((l) => l.owner === 'a1' && l.live), `still in force when the cameras stopped: ${JSON.stringify(leases.map((l) => [l.cameraId, l.live]))}`);
  assert.equal(a.c.lease('a'), null, 'no longer a fence for writes');
});
