// Bad input to a cluster node, each through the real entry point as a process: a wrong Redis URL, a PostgreSQL that
// refuses connections, a second process with a running node's id, a cluster role on the embedded database, a database
// migrated by a newer version, another node of another version. Each gets a clear message; the healthy node keeps
// its place and nothing stored is touched.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { freePort } from '../src/bench/rtsp-server.ts';
import { ASSETS } from './support/assets.ts';
import { postgresUrlForTests } from './support/postgres.ts';
import { startRedis, type RedisServer } from '../src/bench/redis-server.ts';
import { redisOrSkip } from './support/cluster.ts';
import { waitFor } from './support/wait.ts';

interface Run {
  readonly child: ChildProcess;
  readonly out: string[];
  readonly exited: Promise<number | null>;
}

function run(args: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const out: string[] = [];
  child.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
  return { child, out, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

async function exitOf(r: Run, ms = 60_000): Promise<{ code: number | null; text: string }> {
  const t = setTimeout(() => r.child.kill('SIGKILL'), ms);
  const code = await r.exited;
  clearTimeout(t);
  return { code, text: r.out.join('') };
}

test('cluster nodes refuse bad input with the fix, and the healthy node keeps working', { timeout: 300_000 }, async (t) => {
  if (!redisOrSkip(t)) return;
  const dbUrl = await postgresUrlForTests(t);
  if (!dbUrl) return;
  const dir = mkdtempSync(join(tmpdir(), 'sightline-cluster-bad-'));
  let redis: RedisServer | undefined;
  let healthy: Run | undefined;
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  try {
    redis = await startRedis();
    const config = join(dir, 'config.yml');
    writeFileSync(config, [
      'server: { port: 0 }', 'auth: { enabled: false }', `assets: ${JSON.stringify(ASSETS)}`, 'models: { download: false }',
      `database: { url: ${JSON.stringify(dbUrl)} }`, `cluster: { redisUrl: ${JSON.stringify(redis.url)} }`,
      'cameras:', '  - { id: off, enabled: false, source: { url: "sample:vtest" } }', '',
    ].join('\n'));
    const env = (id: string, extra: Record<string, string> = {}) => ({ SIGHTLINE_DATA_DIR: join(dir, id), SIGHTLINE_CLUSTER__NODE_ID: id, ...extra });

    healthy = run(['--config', config, '--role', 'worker'], env('w1'));
    await waitFor('the healthy worker running', () => healthy!.out.join('').includes('worker running'), 90_000, 100);

    // A node of another version joins (its heartbeat row): the running worker says so once, and goes on.
    await db.query(`INSERT INTO cluster_nodes (id, instance, role, version, host, pid, capacity, started_ms, heartbeat_ms)
      VALUES ('old', 'x', 'api', '0.0.9', 'elsewhere', 1, 1, 0, (extract(epoch from clock_timestamp()) * 1000)::bigint)`);
    await waitFor('the version warning', () => /node old runs Sightline 0\.0\.9, this node [\d.]+; run one version on every node/.test(healthy!.out.join('')), 10_000, 100);

    // A wrong Redis URL: nothing listens on that port.
    const noRedis = await exitOf(run(['--config', config, '--role', 'worker'], env('w2', { SIGHTLINE_CLUSTER__REDIS_URL: `redis://127.0.0.1:${await freePort()}` })));
    assert.equal(noRedis.code, 1, noRedis.text);
    assert.match(noRedis.text, /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+ .*start redis-server there or fix cluster\.redisUrl/);

    // PostgreSQL refusing connections.
    const noPg = await exitOf(run(['--config', config, '--role', 'worker'], env('w3', { SIGHTLINE_DATABASE__URL: `postgres://postgres@127.0.0.1:${await freePort()}/x` })));
    assert.equal(noPg.code, 1, noPg.text);
    assert.match(noPg.text, /DATABASE_FAILED|database/i);
    assert.match(noPg.text, /127\.0\.0\.1:\d+/, 'names where it tried');

    // The id of the running worker.
    const twin = await exitOf(run(['--config', config, '--role', 'worker'], env('w1-twin', { SIGHTLINE_CLUSTER__NODE_ID: 'w1' })));
    assert.equal(twin.code, 1, twin.text);
    assert.match(twin.text, /node id \\?"w1\\?" is in use by a running node \(worker on [^,]+, pid \d+.*give each node its own cluster\.nodeId/);

    // A cluster role on the embedded database.
    const pglite = join(dir, 'pglite.yml');
    writeFileSync(pglite, ['server: { port: 0 }', 'auth: { enabled: false }', `cluster: { redisUrl: ${JSON.stringify(redis.url)} }`, ''].join('\n'));
    const embedded = await exitOf(run(['--config', pglite, '--role', 'api'], env('a1')));
    assert.equal(embedded.code, 2, embedded.text);
    assert.match(embedded.text, /database\.url: role "api" is part of a cluster.*PGlite/);
    const badRole = await exitOf(run(['--config', pglite, '--role', 'boss'], env('a1')));
    assert.equal(badRole.code, 2);
    assert.match(badRole.text, /--role expects all, api or worker, got "boss"/);

    // A database migrated by a newer version.
    await db.query(`INSERT INTO schema_migrations (id) VALUES ('9999_from_the_future')`);
    try {
      const older = await exitOf(run(['--config', config, '--role', 'api'], env('a2')));
      assert.equal(older.code, 1, older.text);
      assert.match(older.text, /migrated by a newer version of Sightline \(migration 9999_from_the_future unknown to this one.*run the same version on every node/);
    } finally {
      await db.query(`DELETE FROM schema_migrations WHERE id = '9999_from_the_future'`);
    }

    // The healthy worker kept going: its heartbeat is fresh, it said the other version once, and nothing stored changed.
    assert.equal(healthy.child.exitCode, null, 'the healthy worker still runs');
    const row = (await db.query(`SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint - heartbeat_ms AS age FROM cluster_nodes WHERE id = 'w1'`)).rows[0];
    assert.ok(row && Number(row.age) < 3000, `w1's heartbeat is fresh (${row?.age} ms)`);
    const versions = (await db.query('SELECT count(*)::int AS n FROM config_versions')).rows[0].n;
    assert.equal(versions, 1, 'the refused nodes stored no configuration');
  } finally {
    if (healthy && healthy.child.exitCode === null) {
      healthy.child.kill('SIGTERM');
      await exitOf(healthy, 15_000);
    }
    await db.end();
    await redis?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
