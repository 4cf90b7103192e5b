/**
 * PostgreSQL adapter specifics: URL redaction and the connection-failure message. Needs no server, except the
 * missing-database case, which runs when PG_TEST_URL is set.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { isAppError } from '../core/errors.ts';
import { openDatabase } from './open-database.ts';
import { openPostgresDatabase, redactDatabaseUrl } from './postgres-database.ts';

describe('redactDatabaseUrl', () => {
  const table: Array<[string, string, string]> = [
    ['password', 'postgres://user:s3cret@db.example:5432/sightline', 'postgres://user:***@db.example:5432/sightline'],
    ['no password', 'postgres://postgres@127.0.0.1:54329/postgres', 'postgres://postgres@127.0.0.1:54329/postgres'],
    ['encoded characters', 'postgresql://us%40er:p%40ss%2Fw@h/db', 'postgresql://us%40er:***@h/db'],
    ['password parameter', 'postgres://u@h/db?sslmode=require&password=x1', 'postgres://u@h/db?sslmode=require&password=***'],
    ['not a URL', 'postgres://user:pa ss@@host:5432/db', 'postgres://user:***@host:5432/db'],
  ];
  for (const [name, input, expected] of table) {
    it(name, () => {
      assert.equal(redactDatabaseUrl(input), expected);
    });
  }
});

/** A loopback port on which nothing listens (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

describe('openPostgresDatabase', () => {
  it('a refused connection gives DATABASE_FAILED naming the redacted URL and how to fix it', async () => {
    const port = await closedPort();
    const url = `postgres://sightline:hunter2@127.0.0.1:${port}/events`;
    await assert.rejects(openDatabase({ url }), (err: unknown) => {
      assert.ok(isAppError(err, 'DATABASE_FAILED'));
      assert.ok(err.message.includes(`postgres://sightline:***@127.0.0.1:${port}/events`), err.message);
      assert.ok(!err.message.includes('hunter2'), err.message);
      assert.match(err.message, /ECONNREFUSED/);
      assert.match(err.message, /check that the server is running/);
      assert.match(err.message, /remove it to use the embedded PGlite database/);
      return true;
    });
  });

  const pgUrl = process.env['PG_TEST_URL'];
  it(
    'a missing database gives DATABASE_FAILED saying to create it',
    { skip: pgUrl ? false : 'PG_TEST_URL is not set (see event-store.contract.test.ts)' },
    async () => {
      const url = new URL(pgUrl ?? '');
      url.pathname = `/missing_${randomUUID().replaceAll('-', '')}`;
      await assert.rejects(openPostgresDatabase(url.toString()), (err: unknown) => {
        assert.ok(isAppError(err, 'DATABASE_FAILED'));
        assert.match(err.message, /does not exist/);
        assert.match(err.message, /create the database/);
        return true;
      });
    },
  );
});
