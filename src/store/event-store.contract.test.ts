/**
 * Contract suite: the same cases run against every database behind `SqlDatabase` and `SqlEventStore`:
 * PGlite in memory, and the PostgreSQL server at PG_TEST_URL (each run in its own fresh database).
 * Without PG_TEST_URL the PostgreSQL run is skipped, or fails when CI=true.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it, test } from 'node:test';
import type { EventSubject, SightEvent } from '../core/types.ts';
import { SqlAnalyticsStore } from './analytics-repository.ts';
import { isAppError } from '../core/errors.ts';
import { SqlEventStore } from './event-repository.ts';
import { MIGRATIONS, runMigrations } from './migrations.ts';
import { openDatabase } from './open-database.ts';
import type { SqlDatabase } from './sql-database.ts';
import { createScratchDatabase, PGLITE_BACKEND, postgresBackend, type Backend, type EmptyDatabase } from './test-databases.ts';

/** A subject with awkward values: doubles without a short decimal form, epoch milliseconds above 2^31. */
function subject(overrides: Partial<EventSubject> = {}): EventSubject {
  return { trackId: 7, label: 'person', score: 0.1 + 0.2, boxXyxy: [1 / 3, 40.25, 310.125 + 1e-9, 719.9999999999], timeMs: 1_732_170_001_456, ...overrides };
}

/** An event with awkward values in every numeric field. */
function makeEvent(overrides: Partial<SightEvent> = {}): SightEvent {
  return {
    schema: 'sightline.event/1',
    id: randomUUID(),
    type: 'presence',
    severity: 'info',
    cameraId: 'gate',
    ruleId: 'driveway',
    startMs: 1_732_170_000_123,
    endMs: null,
    endReason: null,
    frameIndex: 12,
    latencyMs: 143.5,
    lastSeenMs: 1_732_170_002_001,
    subjects: [subject()],
    attributes: { zoneId: 'driveway' },
    snapshotPath: null,
    keep: false,
    ...overrides,
  };
}

const MIGRATION_IDS = MIGRATIONS.map((m) => m.id);

function defineContract(backend: Backend): void {
  describe(`store contract: ${backend.kind}`, () => {
    let empty: EmptyDatabase;
    let db: SqlDatabase;
    let store: SqlEventStore;
    let firstRun: string[];

    before(async () => {
      empty = await backend.createEmpty();
      db = empty.db;
      firstRun = await runMigrations(db);
      store = new SqlEventStore(db);
    });

    after(async () => {
      await db?.close();
      await empty?.dispose();
    });

    beforeEach(async () => {
      await db.exec('DELETE FROM events');
    });

    it('reports its kind', () => {
      assert.equal(db.kind, backend.kind);
    });

    it('migrations are idempotent: a second run applies nothing and records each migration once', async () => {
      assert.deepEqual(firstRun, MIGRATION_IDS);
      assert.deepEqual(await runMigrations(db), []);
      const rows = await db.query<{ id: string }>('SELECT id FROM schema_migrations ORDER BY id');
      assert.deepEqual(
        rows.map((r) => r.id),
        MIGRATION_IDS,
      );
    });

    it('a failing migration rolls back and names itself; earlier ones stay applied', async () => {
      const migrations = [
        { id: '9001_contract_ok', sql: 'CREATE TABLE contract_ok (x integer)' },
        { id: '9002_contract_bad', sql: 'CREATE TABLE contract_bad (x integer); SELECT 1 / 0' },
      ];
      await assert.rejects(runMigrations(db, migrations), (err: unknown) => {
        assert.ok(isAppError(err, 'DATABASE_FAILED'));
        assert.match(err.message, /9002_contract_bad/);
        return true;
      });
      const recorded = await db.query<{ id: string }>("SELECT id FROM schema_migrations WHERE id LIKE '900%' ORDER BY id");
      assert.deepEqual(
        recorded.map((r) => r.id),
        ['9001_contract_ok'],
      );
      const tables = await db.query<{ name: string }>(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_name LIKE 'contract_%' ORDER BY 1",
      );
      assert.deepEqual(
        tables.map((t) => t.name),
        ['contract_ok'],
      );
    });

    it('returns bigint, count and double columns as JS numbers', async () => {
      const [row] = await db.query<{ big: unknown; n: unknown; d: unknown }>(
        'SELECT 1732170000123::bigint AS big, count(*) AS n, 0.30000000000000004::double precision AS d FROM events',
      );
      assert.deepEqual(row, { big: 1_732_170_000_123, n: 0, d: 0.1 + 0.2 });
    });

    it('upsert then get round-trips every field exactly', async () => {
      const open = makeEvent();
      const closed = makeEvent({
        type: 'line',
        severity: 'critical',
        cameraId: 'yard-2',
        ruleId: 'door-count',
        startMs: 0,
        endMs: 8_640_000_000_000,
        endReason: 'instant',
        frameIndex: null,
        latencyMs: null,
        lastSeenMs: 8_640_000_000_000,
        subjects: [subject({ trackId: 2_000_000_000, label: 'car', score: 1, boxXyxy: [0, 0, 1920, 1080], timeMs: 5 }), subject({ trackId: 3 })],
        attributes: { lineId: 'door', direction: 'in', countIn: 3, countOut: 0 },
        snapshotPath: 'snapshots/yard-2/1970-01-01/x.jpg',
      });
      await store.upsert(open);
      await store.upsert(closed);
      assert.deepEqual(await store.get(open.id), open);
      assert.deepEqual(await store.get(closed.id), closed);
    });

    it('setKeep marks an event, upsert leaves the mark alone, and the keep filter finds it', async () => {
      const event = makeEvent();
      await store.upsert(event);
      assert.equal(await store.setKeep('not-a-uuid', true), null);
      assert.equal(await store.setKeep(makeEvent().id, true), null, 'unknown id');
      assert.deepEqual(await store.setKeep(event.id, true), { ...event, keep: true });
      await store.upsert({ ...event, endMs: event.startMs + 10 });
      assert.equal((await store.get(event.id))?.keep, true, 'the pipeline writing the event again keeps the mark');
      assert.deepEqual((await store.list({ keep: true })).map((e) => e.id), [event.id]);
      assert.equal(await store.count({ keep: false }), 0);
      assert.deepEqual(await store.setKeep(event.id, false), { ...event, endMs: event.startMs + 10 });
    });

    it('upsert of an existing id updates it (end_ms, snapshot, best observation) and keeps one row', async () => {
      const started = makeEvent();
      await store.upsert(started);
      const ended: SightEvent = {
        ...started,
        endMs: started.startMs + 12_345,
        endReason: 'left',
        lastSeenMs: started.startMs + 12_345,
        subjects: [subject({ score: 0.97, boxXyxy: [5, 6, 7, 8], timeMs: started.startMs + 10_000 })],
        snapshotPath: `snapshots/gate/2024-11-21/${started.id}.jpg`,
      };
      await store.upsert(ended);
      assert.deepEqual(await store.get(started.id), ended);
      assert.equal(await store.count(), 1);
      const [stamps] = await db.query<{ created_at: Date; updated_at: Date }>(
        'SELECT created_at, updated_at FROM events WHERE id = $1',
        [started.id],
      );
      assert.ok(stamps !== undefined && stamps.created_at instanceof Date && stamps.updated_at instanceof Date);
      assert.ok(stamps.updated_at.getTime() >= stamps.created_at.getTime());
    });

    it('stores times as whole milliseconds', async () => {
      const event = makeEvent({ startMs: 1000.4, endMs: 2000.6, lastSeenMs: 1500.5 });
      await store.upsert(event);
      const stored = await store.get(event.id);
      assert.deepEqual([stored?.startMs, stored?.endMs, stored?.lastSeenMs], [1000, 2001, 1501]);
    });

    it('rejects an event with a non-finite number or a malformed id, storing nothing', async () => {
      const cases: Array<[string, SightEvent, RegExp]> = [
        ['NaN score', makeEvent({ subjects: [subject({ score: Number.NaN })] }), /subjects\[0\]\.score must be a finite number/],
        ['infinite box', makeEvent({ subjects: [subject({ boxXyxy: [0, 0, Infinity, 1] })] }), /subjects\[0\]\.boxXyxy\[2\]/],
        ['fractional frame index', makeEvent({ frameIndex: 1.5 }), /frameIndex must be an integer or null/],
        ['infinite attribute', makeEvent({ attributes: { zoneId: 'z', count: Infinity } }), /attributes\.count must be a finite number/],
        ['id not a UUID', makeEvent({ id: 'evt-1' }), /id must be a UUID/],
      ];
      for (const [name, event, message] of cases) {
        await assert.rejects(
          store.upsert(event),
          (err: unknown) => isAppError(err, 'DATABASE_FAILED') && message.test(err.message),
          name,
        );
      }
      assert.equal(await store.count(), 0);
    });

    it('get of an unknown or malformed id is null', async () => {
      await store.upsert(makeEvent());
      assert.equal(await store.get(randomUUID()), null);
      assert.equal(await store.get('not-a-uuid'), null);
      assert.equal(await store.get(''), null);
    });

    it('list orders newest first and filters by camera, label and beforeStartMs; count agrees', async () => {
      const labelled = (label: string) => [subject({ label: 'dog' }), subject({ label })];
      const rows = [
        makeEvent({ cameraId: 'gate', subjects: labelled('person'), startMs: 1_000 }),
        makeEvent({ cameraId: 'gate', subjects: labelled('car'), startMs: 4_000, type: 'line', ruleId: 'door', severity: 'warning', attributes: { lineId: 'door', direction: 'out', countIn: 0, countOut: 1 } }),
        makeEvent({ cameraId: 'yard', subjects: labelled('person'), startMs: 3_000 }),
        makeEvent({ cameraId: 'gate', subjects: labelled('person'), startMs: 2_000 }),
        makeEvent({ cameraId: 'yard', subjects: labelled('car'), startMs: 5_000 }),
      ];
      for (const row of rows) await store.upsert(row);
      const starts = (events: SightEvent[]): number[] => events.map((e) => e.startMs);

      const table: Array<{ name: string; filter: Parameters<SqlEventStore['list']>[0]; expected: number[] }> = [
        { name: 'all', filter: {}, expected: [5_000, 4_000, 3_000, 2_000, 1_000] },
        { name: 'camera', filter: { cameraId: 'gate' }, expected: [4_000, 2_000, 1_000] },
        { name: 'label (any subject)', filter: { label: 'person' }, expected: [3_000, 2_000, 1_000] },
        { name: 'label of no subject', filter: { label: 'cat' }, expected: [] },
        { name: 'type', filter: { type: 'line' }, expected: [4_000] },
        { name: 'rule', filter: { ruleId: 'driveway' }, expected: [5_000, 3_000, 2_000, 1_000] },
        { name: 'severity', filter: { severity: 'warning' }, expected: [4_000] },
        { name: 'camera and label', filter: { cameraId: 'gate', label: 'person' }, expected: [2_000, 1_000] },
        { name: 'before', filter: { beforeStartMs: 3_000 }, expected: [2_000, 1_000] },
        { name: 'fractional before', filter: { beforeStartMs: 3_000.5 }, expected: [3_000, 2_000, 1_000] },
        { name: 'from', filter: { fromStartMs: 3_000 }, expected: [5_000, 4_000, 3_000] },
        { name: 'from and before (a time range)', filter: { fromStartMs: 2_000, beforeStartMs: 4_000 }, expected: [3_000, 2_000] },
        { name: 'no match', filter: { cameraId: 'nowhere' }, expected: [] },
      ];
      for (const { name, filter, expected } of table) {
        assert.deepEqual(starts(await store.list(filter)), expected, name);
        assert.equal(await store.count(filter), expected.length, `count: ${name}`);
      }
      assert.deepEqual(await store.list({ cameraId: 'yard', label: 'car' }), [rows[4]]);
      // Counted per bucket: [0, 2000) [2000, 4000) [4000, 6000); the filter applies, its own time bounds do not.
      assert.deepEqual(await store.histogram({}, 0, 2_000, 3), [1, 2, 2]);
      assert.deepEqual(await store.histogram({ cameraId: 'gate', beforeStartMs: 1 }, 0, 2_000, 3), [1, 1, 1]);
      assert.deepEqual(await store.histogram({ label: 'car' }, 1_500, 1_000, 4), [0, 0, 1, 1], 'from a time inside a bucket; the end is exclusive');
      assert.deepEqual(await store.histogram({}, 10_000, 1_000, 2), [0, 0]);
    });

    it('list breaks start-time ties by id, so pages are stable', async () => {
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      for (const id of ids) await store.upsert(makeEvent({ id, startMs: 7_000 }));
      const listed = await store.list();
      assert.deepEqual(
        listed.map((e) => e.id),
        [...ids].sort().reverse(),
      );
    });

    it('list honours limit: given, default 50, at most 500, at least 1', async () => {
      await db.exec(`
        INSERT INTO events (id, camera_id, rule_id, start_ms, last_seen_ms)
        SELECT gen_random_uuid(), 'bulk', 'z', g, g FROM generate_series(1, 510) AS g`);
      const table: Array<[string, number | undefined, number]> = [
        ['given', 3, 3],
        ['default', undefined, 50],
        ['above max', 10_000, 500],
        ['zero', 0, 1],
        ['negative', -5, 1],
        ['fraction', 2.9, 2],
        ['NaN', Number.NaN, 50],
      ];
      for (const [name, limit, expected] of table) {
        assert.equal((await store.list({ limit })).length, expected, name);
      }
      const newest = await store.list({ limit: 3 });
      assert.deepEqual(
        newest.map((e) => e.startMs),
        [510, 509, 508],
      );
      assert.equal(await store.count({ cameraId: 'bulk' }), 510);
    });

    it('closeOpen ends the events a crash left open at their last sighting, with endReason restart', async () => {
      const open = makeEvent({ cameraId: 'gate', lastSeenMs: 1_732_170_009_999 });
      const otherCamera = makeEvent({ cameraId: 'yard' });
      const ended = makeEvent({ endMs: 1_732_170_003_000, endReason: 'left' });
      for (const e of [open, otherCamera, ended]) await store.upsert(e);
      assert.equal(await store.closeOpen(['gate', 'nowhere']), 1);
      assert.deepEqual(await store.get(open.id), { ...open, endMs: 1_732_170_009_999, endReason: 'restart' });
      assert.deepEqual(await store.get(ended.id), ended, 'an ended event is left alone');
      assert.deepEqual(await store.get(otherCamera.id), otherCamera, 'another camera is left alone');
      assert.equal(await store.closeOpen(), 1);
      assert.equal((await store.get(otherCamera.id))?.endReason, 'restart');
      assert.equal(await store.closeOpen(), 0);
    });

    it('analytics: deltas add up per minute, series regroup into buckets', async () => {
      await db.exec('DELETE FROM line_counts; DELETE FROM zone_occupancy');
      const analytics = new SqlAnalyticsStore(db);
      const t0 = 1_732_169_940_000; // a whole minute
      const line = (startMs: number, label: string, inN: number, outN: number) => ({ cameraId: 'gate', lineId: 'door', label, startMs, in: inN, out: outN });
      await analytics.add({ lines: [line(t0, 'person', 2, 1), line(t0 + 60_000, 'person', 1, 0)], zones: [{ cameraId: 'gate', zoneId: 'yard', startMs: t0, samples: 10, sum: 25, max: 4, min: 1 }] });
      await analytics.add({ lines: [line(t0, 'person', 1, 1), line(t0, 'car', 0, 3)], zones: [{ cameraId: 'gate', zoneId: 'yard', startMs: t0, samples: 10, sum: 5, max: 2, min: 0 }] });
      const perMinute = await analytics.lineSeries({ cameraId: 'gate', fromMs: t0, toMs: t0 + 120_000, bucketMs: 60_000 });
      assert.deepEqual(perMinute.get('door'), [{ startMs: t0, in: 3, out: 5 }, { startMs: t0 + 60_000, in: 1, out: 0 }]);
      const people = await analytics.lineSeries({ cameraId: 'gate', lineId: 'door', label: 'person', fromMs: t0, toMs: t0 + 120_000, bucketMs: 60_000 });
      assert.deepEqual(people.get('door'), [{ startMs: t0, in: 3, out: 2 }, { startMs: t0 + 60_000, in: 1, out: 0 }]);
      const hourly = await analytics.lineSeries({ cameraId: 'gate', fromMs: 0, toMs: t0 + 120_000, bucketMs: 3_600_000 });
      const hourStart = t0 - (t0 % 3_600_000);
      assert.deepEqual(hourly.get('door'), [{ startMs: hourStart, in: 4, out: 5 }]);
      assert.deepEqual(await analytics.occupancySeries({ cameraId: 'gate', zoneId: 'yard', fromMs: t0, toMs: t0 + 60_000 }), [
        { startMs: t0, mean: 1.5, max: 4, min: 0, samples: 20 },
      ]);
      assert.deepEqual(await analytics.occupancySeries({ cameraId: 'gate', zoneId: 'yard', fromMs: t0 + 60_000, toMs: t0 + 120_000 }), []);
    });

    it('migration 0003 moves events written by the previous schema into the event model without loss', async () => {
      const old = await backend.createEmpty();
      try {
        const v2 = MIGRATIONS.filter((m) => m.id < '0003');
        assert.deepEqual(await runMigrations(old.db, v2), ['0001_create_events', '0002_event_keep']);
        const [ended, open] = [randomUUID(), randomUUID()];
        await old.db.query(
          `INSERT INTO events (id, camera_id, zone_id, track_id, label, start_ms, end_ms, best_score, best_box_x1, best_box_y1,
             best_box_x2, best_box_y2, best_time_ms, snapshot_path, keep)
           VALUES ($1, 'gate', 'driveway', 7, 'person', 1732170000123, 1732170009000, 0.30000000000000004, 0.3333333333333333,
             40.25, 310.125000001, 719.9999999999, 1732170001456, 'snapshots/gate/2024-11-21/a.jpg', true),
                  ($2, 'yard', 'all', 2000000000, 'car', 5, NULL, 1, 0, 0, 1920, 1080, 6, NULL, false)`,
          [ended, open],
        );
        assert.deepEqual(await runMigrations(old.db), MIGRATION_IDS.filter((id) => id >= '0003'));
        const migrated = new SqlEventStore(old.db);
        assert.deepEqual(await migrated.get(ended), {
          schema: 'sightline.event/1', id: ended, type: 'presence', severity: 'info', cameraId: 'gate', ruleId: 'driveway',
          startMs: 1_732_170_000_123, endMs: 1_732_170_009_000, endReason: 'left', frameIndex: null, latencyMs: null, lastSeenMs: 1_732_170_009_000,
          subjects: [{ trackId: 7, label: 'person', score: 0.1 + 0.2, boxXyxy: [1 / 3, 40.25, 310.125000001, 719.9999999999], timeMs: 1_732_170_001_456 }],
          attributes: { zoneId: 'driveway' }, snapshotPath: 'snapshots/gate/2024-11-21/a.jpg', keep: true,
        });
        assert.deepEqual(await migrated.get(open), {
          schema: 'sightline.event/1', id: open, type: 'presence', severity: 'info', cameraId: 'yard', ruleId: 'all',
          startMs: 5, endMs: null, endReason: null, frameIndex: null, latencyMs: null, lastSeenMs: 6,
          subjects: [{ trackId: 2_000_000_000, label: 'car', score: 1, boxXyxy: [0, 0, 1920, 1080], timeMs: 6 }],
          attributes: { zoneId: 'all' }, snapshotPath: null, keep: false,
        });
        assert.deepEqual((await migrated.list({ label: 'car' })).map((e) => e.id), [open]);
        assert.equal(await migrated.closeOpen(), 1, 'the open event is closed at the next start');
        assert.equal((await migrated.get(open))?.endMs, 6);
      } finally {
        await old.db.close();
        await old.dispose();
      }
    });

    it('transaction commits when fn resolves and rolls back when it throws', async () => {
      const kept = makeEvent();
      const dropped = makeEvent();
      const result = await db.transaction(async (tx) => {
        await new SqlEventStore(asDatabase(tx, db)).upsert(kept);
        return 42;
      });
      assert.equal(result, 42);
      const boom = new Error('boom');
      await assert.rejects(
        db.transaction(async (tx) => {
          await new SqlEventStore(asDatabase(tx, db)).upsert(dropped);
          throw boom;
        }),
        (err: unknown) => err === boom,
      );
      assert.notEqual(await store.get(kept.id), null);
      assert.equal(await store.get(dropped.id), null);
    });

    it('a statement sent outside an open transaction is not part of it', async () => {
      const inside = makeEvent();
      const outside = makeEvent();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const transaction = db.transaction(async (tx) => {
        await new SqlEventStore(asDatabase(tx, db)).upsert(inside);
        await gate;
        throw new Error('roll back');
      });
      // On PGlite this waits for the transaction; on PostgreSQL it runs on another connection.
      const outsideWrite = store.upsert(outside);
      await new Promise((resolve) => setTimeout(resolve, 20));
      release();
      await assert.rejects(transaction, /roll back/);
      await outsideWrite;
      assert.equal(await store.get(inside.id), null);
      assert.deepEqual(await store.get(outside.id), outside);
    });

    it('a transaction whose failed statement was swallowed does not report success', async () => {
      const event = makeEvent();
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query('SELECT 1 / 0').catch(() => undefined);
          await tx.exec('SELECT 1').catch(() => undefined);
          return 'done';
        }),
        (err: unknown) => isAppError(err, 'DATABASE_FAILED'),
      );
      await store.upsert(event);
      assert.deepEqual(await store.get(event.id), event);
    });

    it('a failing statement gives DATABASE_FAILED with the SQL, and the database stays usable', async () => {
      await assert.rejects(db.query('SELECT * FROM no_such_table'), (err: unknown) => {
        assert.ok(isAppError(err, 'DATABASE_FAILED'));
        assert.match(err.message, /no_such_table/);
        return true;
      });
      assert.deepEqual(await db.query('SELECT 1 AS one'), [{ one: 1 }]);
    });

    it('close is idempotent', async () => {
      const extra = await backend.createEmpty();
      await extra.db.close();
      await extra.db.close();
      await extra.dispose();
    });
  });
}

/** Lets a repository run inside a transaction: a `SqlDatabase` whose statements go to `tx`. */
function asDatabase(tx: Pick<SqlDatabase, 'query' | 'exec'>, db: SqlDatabase): SqlDatabase {
  return {
    kind: db.kind,
    query: (sql, params) => tx.query(sql, params),
    exec: (sql) => tx.exec(sql),
    transaction: () => Promise.reject(new Error('nested transactions are not supported')),
    close: () => Promise.resolve(),
  };
}

// ---- PGlite -------------------------------------------------------------------------------------------------------

defineContract(PGLITE_BACKEND);

describe('store contract: pglite only', () => {
  it('a file-backed database keeps its data after close and reopen', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'sightline-pglite-'));
    try {
      // A nested folder that does not exist yet: openDatabase creates it.
      const dataDir = path.join(root, 'data', 'db');
      const event = makeEvent({ endMs: 1_732_170_009_000, snapshotPath: 'snapshots/gate/2024-11-21/a.jpg' });
      const first = await openDatabase({ dataDir });
      try {
        await new SqlEventStore(first).upsert(event);
      } finally {
        await first.close();
      }
      const second = await openDatabase({ dataDir });
      try {
        assert.deepEqual(await runMigrations(second), []);
        assert.deepEqual(await new SqlEventStore(second).get(event.id), event);
      } finally {
        await second.close();
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

// ---- PostgreSQL ---------------------------------------------------------------------------------------------------

const postgres = postgresBackend('store contract: postgres');
if (postgres) {
  defineContract(postgres);

  describe('store contract: postgres only', () => {
    it('several processes migrating one database at once all succeed, and each migration runs once', async () => {
      const scratch = await createScratchDatabase();
      try {
        const opened = await Promise.allSettled(Array.from({ length: 4 }, () => openDatabase({ url: scratch.url })));
        const databases = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        try {
          assert.deepEqual(
            opened.filter((r) => r.status === 'rejected'),
            [],
          );
          const [db] = databases;
          assert.ok(db !== undefined);
          const rows = await db.query<{ id: string }>('SELECT id FROM schema_migrations ORDER BY id');
          assert.deepEqual(
            rows.map((r) => r.id),
            MIGRATION_IDS,
          );
        } finally {
          await Promise.all(databases.map((d) => d.close()));
        }
      } finally {
        await scratch.drop();
      }
    });
  });
}
