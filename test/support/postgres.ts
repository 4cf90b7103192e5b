import type { TestContext } from 'node:test';
import pg from 'pg';

/**
 * A fresh PostgreSQL database for one test, on the server in PG_TEST_URL (scripts/test.sh starts one).
 * Without that variable the test is skipped with a reason, except in CI, where it fails: CI never skips the real database.
 */
export async function postgresUrlForTests(t: TestContext): Promise<string | undefined> {
  const url = process.env['PG_TEST_URL'];
  if (!url) {
    if (process.env['CI'] === 'true') throw new Error('PG_TEST_URL is not set in CI; run the tests through `npm test`');
    t.skip('PG_TEST_URL is not set (npm test starts a PostgreSQL)');
    return undefined;
  }
  const name = `sightline_test_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  t.after(async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
