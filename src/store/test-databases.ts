/**
 * Test support: fresh, empty databases of each kind for the store contract suites: PGlite in memory, and scratch
 * databases on the PostgreSQL server at PG_TEST_URL. Without PG_TEST_URL the PostgreSQL run is skipped, or fails
 * when CI=true (CI must test the real database).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { openPgliteDatabase } from './pglite-database.ts';
import { openPostgresDatabase } from './postgres-database.ts';
import type { SqlDatabase, SqlDatabaseKind } from './sql-database.ts';

/** A fresh, empty database of one kind; `dispose` deletes it after the connection is closed. */
export interface EmptyDatabase {
  readonly db: SqlDatabase;
  dispose(): Promise<void>;
}

export interface Backend {
  readonly kind: SqlDatabaseKind;
  createEmpty(): Promise<EmptyDatabase>;
}

export const PGLITE_BACKEND: Backend = {
  kind: 'pglite',
  async createEmpty() {
    return { db: await openPgliteDatabase(undefined), dispose: async () => undefined };
  },
};

export const PG_URL = process.env['PG_TEST_URL'];
const START_HINT =
  'start one with `bash scripts/pg-test-server.sh start /tmp/sl-pg 54329` and set ' +
  'PG_TEST_URL=postgres://postgres@127.0.0.1:54329/postgres';

/** Creates a database with a random name through PG_TEST_URL's (maintenance) database; returns its URL and a dropper. */
export async function createScratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = PG_URL!;
  const name = `sightline_test_${randomUUID().replaceAll('-', '')}`;
  const admin = await openPostgresDatabase(adminUrl, { maxConnections: 1 });
  try {
    await admin.exec(`CREATE DATABASE ${name}`);
  } finally {
    await admin.close();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const dropper = await openPostgresDatabase(adminUrl, { maxConnections: 1 });
      try {
        await dropper.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.close();
      }
    },
  };
}

/** The PostgreSQL backend, or null after registering the skipped (or, under CI, failing) placeholder test `name`. */
export function postgresBackend(name: string): Backend | null {
  if (PG_URL === undefined || PG_URL === '') {
    if (process.env['CI'] === 'true') test(name, () => assert.fail(`PG_TEST_URL is not set but CI=true: CI must test the real database; ${START_HINT}`));
    else test(name, { skip: `PG_TEST_URL is not set; ${START_HINT}` }, () => undefined);
    return null;
  }
  return {
    kind: 'postgres',
    async createEmpty() {
      const scratch = await createScratchDatabase();
      try {
        return { db: await openPostgresDatabase(scratch.url), dispose: () => scratch.drop() };
      } catch (err) {
        await scratch.drop();
        throw err;
      }
    },
  };
}
