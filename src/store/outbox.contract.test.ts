/**
 * Outbox contract: the same cases on PGlite and on the PostgreSQL server at PG_TEST_URL. The event and its outbox rows
 * are written atomically; claims are leased, ordered per event and never overlap between workers.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { isAppError } from '../core/errors.ts';
import type { SightEvent } from '../core/types.ts';
import type { DeliveryUpdate } from '../delivery/outbox.ts';
import { SqlEventStore } from './event-repository.ts';
import { runMigrations } from './migrations.ts';
import { SqlOutbox } from './outbox-repository.ts';
import type { SqlDatabase } from './sql-database.ts';
import { PGLITE_BACKEND, postgresBackend, type Backend, type EmptyDatabase } from './test-databases.ts';

const T0 = 1_800_000_000_000;

function event(overrides: Partial<SightEvent> = {}): SightEvent {
  return {
    schema: 'sightline.event/1', id: randomUUID(), type: 'presence', severity: 'info', cameraId: 'gate', ruleId: 'yard',
    startMs: T0, endMs: null, endReason: null, frameIndex: 1, latencyMs: null, lastSeenMs: T0,
    subjects: [{ trackId: 1, label: 'person', score: 0.9, boxXyxy: [1, 2, 3, 4], timeMs: T0 }], attributes: { zoneId: 'yard' },
    snapshotPath: null, keep: false, ...overrides,
  };
}

const delivered = (id: string, attempt: number, atMs: number): DeliveryUpdate => ({
  deliveryId: id, kind: 'attempt', attempt, atMs, verdict: 'delivered', status: 'delivered', nextAttemptMs: null, statusCode: 200, error: null, latencyMs: 3,
});

function defineOutboxContract(backend: Backend): void {
  describe(`outbox contract: ${backend.kind}`, () => {
    let empty: EmptyDatabase;
    let db: SqlDatabase;
    let events: SqlEventStore;
    let outbox: SqlOutbox;

    before(async () => {
      empty = await backend.createEmpty();
      db = empty.db;
      await runMigrations(db);
      events = new SqlEventStore(db);
      outbox = new SqlOutbox(db);
    });
    after(async () => {
      await db?.close();
      await empty?.dispose();
    });
    beforeEach(async () => {
      await db.exec('DELETE FROM deliveries; DELETE FROM outbox_messages; DELETE FROM events; DELETE FROM destination_state');
    });

    it('numbers every version of an event and writes its message and one delivery per destination with it', async () => {
      const e = event();
      assert.equal(await events.upsert(e, { kind: 'start', destinationIds: ['hook', 'mqtt'], nowMs: T0 }), 1);
      assert.equal(await events.upsert({ ...e, lastSeenMs: T0 + 500 }), 2, 'a version nobody takes is numbered too');
      assert.equal(await events.upsert({ ...e, endMs: T0 + 900, endReason: 'left' }, { kind: 'end', destinationIds: ['hook'], nowMs: T0 + 1000 }), 3);
      const rows = await db.query<{ message_id: string; destination_id: string; version: number; status: string; next_attempt_ms: number }>(
        'SELECT message_id, destination_id, version, status, next_attempt_ms FROM deliveries ORDER BY id',
      );
      assert.deepEqual(rows, [
        { message_id: `msg_${e.id}_1`, destination_id: 'hook', version: 1, status: 'pending', next_attempt_ms: T0 },
        { message_id: `msg_${e.id}_1`, destination_id: 'mqtt', version: 1, status: 'pending', next_attempt_ms: T0 },
        { message_id: `msg_${e.id}_3`, destination_id: 'hook', version: 3, status: 'pending', next_attempt_ms: T0 + 1000 },
      ]);
      const [m] = await db.query<{ event: SightEvent; kind: string }>('SELECT event, kind FROM outbox_messages WHERE version = 3');
      assert.equal(m!.kind, 'end');
      assert.deepEqual(m!.event, { ...e, endMs: T0 + 900, endReason: 'left' }, 'the message keeps the event as stored in that version');
    });

    it('stores nothing of a version whose outbox rows cannot be written (one statement)', async () => {
      const e = event();
      await events.upsert(e, { kind: 'start', destinationIds: ['hook'], nowMs: T0 });
      // The same destination twice violates the (message, destination) key: the event update is rolled back with it.
      await assert.rejects(events.upsert({ ...e, severity: 'critical' }, { kind: 'update', destinationIds: ['hook', 'hook'], nowMs: T0 }));
      const stored = await events.get(e.id);
      assert.equal(stored!.severity, 'info');
      const [v] = await db.query<{ version: number }>('SELECT version FROM events WHERE id = $1', [e.id]);
      assert.equal(v!.version, 1);
      assert.equal((await db.query('SELECT 1 FROM outbox_messages')).length, 1);
    });

    it('claims due deliveries with a lease, one version of an event at a time, in order', async () => {
      const a = event();
      const b = event();
      for (const [e, kind] of [[a, 'start'], [b, 'start'], [a, 'end']] as const) await events.upsert(e, { kind, destinationIds: ['hook'], nowMs: T0 });
      const first = await outbox.claim('hook', 10, 'w1', T0, T0 + 60_000);
      assert.deepEqual(first.map((c) => [c.message.eventId, c.message.version, c.attempt]), [[a.id, 1, 1], [b.id, 1, 1]], "a's version 2 waits for version 1");
      assert.deepEqual(await outbox.claim('hook', 10, 'w2', T0 + 1, T0 + 60_000), [], 'leased rows are not claimed again');
      await outbox.record('w1', [delivered(first[0]!.id, 1, T0 + 5)]);
      const next = await outbox.claim('hook', 10, 'w1', T0 + 10, T0 + 60_000);
      assert.deepEqual(next.map((c) => [c.message.eventId, c.message.version, c.message.kind]), [[a.id, 2, 'end']]);
      assert.deepEqual(await outbox.claim('hook', 10, 'w2', T0 + 61_000, T0 + 120_000).then((r) => r.map((c) => c.message.version).sort()), [1, 2], 'expired leases are claimable');
    });

    it('records attempts only for the lease holder, logs them, and schedules retries and deferrals', async () => {
      const e = event();
      await events.upsert(e, { kind: 'instant', destinationIds: ['hook'], nowMs: T0 });
      const [c] = await outbox.claim('hook', 1, 'w1', T0, T0 + 60_000);
      const retry: DeliveryUpdate = { deliveryId: c!.id, kind: 'attempt', attempt: 1, atMs: T0, verdict: 'retry', status: 'failed', nextAttemptMs: T0 + 5000, statusCode: 503, error: 'HTTP 503', latencyMs: 12.5 };
      await outbox.record('someone-else', [retry]);
      assert.equal((await outbox.get(c!.id))!.attempts, 0, 'a worker that lost the lease cannot record');
      await outbox.record('w1', [retry]);
      assert.deepEqual(await outbox.claim('hook', 1, 'w1', T0 + 4999, T0 + 60_000), [], 'not due before its retry time');
      assert.equal(await outbox.nextDueMs('hook'), T0 + 5000);
      const [again] = await outbox.claim('hook', 1, 'w1', T0 + 5000, T0 + 60_000);
      assert.equal(again!.attempt, 2);
      assert.equal(again!.firstAttemptMs, T0);
      await outbox.record('w1', [{ deliveryId: again!.id, kind: 'defer', untilMs: T0 + 9000, reason: 'throttled' }]);
      const [third] = await outbox.claim('hook', 1, 'w1', T0 + 9000, T0 + 60_000);
      assert.equal(third!.attempt, 2, 'a deferral is not an attempt');
      await outbox.record('w1', [delivered(third!.id, 2, T0 + 9000)]);
      const d = (await outbox.get(c!.id))!;
      assert.equal(d.status, 'delivered');
      assert.equal(d.deliveredMs, T0 + 9003);
      assert.deepEqual(d.attemptLog!.map((x) => [x.attempt, x.verdict, x.statusCode, x.latencyMs]), [[1, 'retry', 503, 12.5], [2, 'delivered', 200, 3]]);
      assert.deepEqual((await outbox.list({ status: 'delivered', destinationId: 'hook' })).map((x) => x.id), [c!.id]);
      assert.deepEqual(await outbox.list({ eventId: 'not-a-uuid' }), []);
    });

    it('retries a dead delivery on request with a fresh horizon, reports queue figures, releases and prunes', async () => {
      const e = event();
      await events.upsert(e, { kind: 'instant', destinationIds: ['hook', 'mail'], nowMs: T0 });
      const [c] = await outbox.claim('hook', 1, 'w1', T0, T0 + 60_000);
      await outbox.record('w1', [{ deliveryId: c!.id, kind: 'attempt', attempt: 1, atMs: T0, verdict: 'dead', status: 'dead', nextAttemptMs: null, statusCode: 400, error: 'HTTP 400', latencyMs: 1 }]);
      const stats = await outbox.stats();
      assert.deepEqual(stats.map((s) => [s.destinationId, s.pending, s.dead, s.oldestWaitingMs]), [['hook', 0, 1, null], ['mail', 1, 0, T0]]);
      const retried = (await outbox.retry(c!.id, T0 + 100))!;
      assert.equal(retried.status, 'failed');
      const [again] = await outbox.claim('hook', 1, 'w2', T0 + 100, T0 + 60_000);
      assert.equal(again!.firstAttemptMs, null, 'the horizon starts again');
      await assert.rejects(outbox.retry(again!.id, T0 + 200), (err: unknown) => isAppError(err, 'DELIVERY_BUSY'), 'not while a worker attempts it');
      assert.equal(await outbox.releaseLeases('w2'), 1);
      assert.equal(await outbox.retry('12345678', T0), null);
      await outbox.record('w1', []);
      const [m] = await outbox.claim('mail', 1, 'w1', T0, T0 + 1);
      await outbox.record('w1', [delivered(m!.id, 1, T0)]);
      assert.equal(await outbox.prune(T0 + 1), 1, 'only the delivered one goes; the waiting one stays');
      assert.equal((await outbox.list({})).length, 1);
    });

    it('keeps a destination disabled across restarts until enabled', async () => {
      await outbox.setDestinationState({ destinationId: 'hook', disabled: true, reason: '410 Gone', changedMs: T0 });
      assert.deepEqual(await outbox.destinationStates(), [{ destinationId: 'hook', disabled: true, reason: '410 Gone', changedMs: T0 }]);
      const e = event();
      await events.upsert(e, { kind: 'instant', destinationIds: ['hook'], nowMs: T0 });
      const [c] = await outbox.claim('hook', 1, 'w1', T0, T0 + 60_000);
      await outbox.record('w1', [{ deliveryId: c!.id, kind: 'attempt', attempt: 1, atMs: T0, verdict: 'disable', status: 'failed', nextAttemptMs: T0 + 9_000_000, statusCode: 410, error: 'gone', latencyMs: 1 }]);
      await outbox.setDestinationState({ destinationId: 'hook', disabled: false, reason: null, changedMs: T0 + 1 });
      assert.equal((await outbox.destinationStates())[0]!.disabled, false);
      const [again] = await outbox.claim('hook', 1, 'w1', T0 + 1, T0 + 60_000);
      assert.equal(again!.firstAttemptMs, null, 'enabled again: due now, with a fresh horizon');
    });

    it('closing events a crash left open writes their end versions into the outbox', async () => {
      const e = event();
      await events.upsert(e, { kind: 'start', destinationIds: ['hook'], nowMs: T0 });
      assert.equal(await events.closeOpen(['gate'], { route: (x) => (x.endReason === 'restart' ? ['hook'] : []), nowMs: T0 + 50 }), 1);
      const rows = await outbox.list({ eventId: e.id });
      assert.deepEqual(rows.map((r) => [r.version, r.kind]), [[2, 'end'], [1, 'start']]);
    });

    it('two workers claiming at once never get the same delivery', async () => {
      for (let i = 0; i < 40; i++) await events.upsert(event(), { kind: 'instant', destinationIds: ['hook'], nowMs: T0 });
      const claims = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((w) => outbox.claim('hook', 15, w, T0, T0 + 60_000)));
      // A row another worker took meanwhile may leave a claim short of its limit; a later claim takes the rest.
      const ids = [...claims.flat(), ...(await outbox.claim('hook', 40, 'w5', T0, T0 + 60_000))].map((c) => c.id);
      assert.equal(new Set(ids).size, ids.length, 'no delivery claimed twice');
      assert.equal(ids.length, 40);
    });
  });
}

defineOutboxContract(PGLITE_BACKEND);
const postgres = postgresBackend('outbox contract: postgres');
if (postgres) defineOutboxContract(postgres);
