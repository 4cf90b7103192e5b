/**
 * Opens the configured database (PostgreSQL when a URL is given, else the embedded PGlite) and migrates it.
 */
import { mkdir } from 'node:fs/promises';
import { AppError, errorMessage } from '../core/errors.ts';
import { runMigrations, MIGRATIONS, type Migration } from './migrations.ts';
import { openPgliteDatabase } from './pglite-database.ts';
import { openPostgresDatabase, type PostgresDatabaseOptions } from './postgres-database.ts';
import type { SqlDatabase } from './sql-database.ts';

/** Where the database lives: `url` wins; else PGlite files in `dataDir`; else PGlite in memory (tests, demos). */
export interface OpenDatabaseOptions {
  /** PostgreSQL connection URL, `postgres://USER:PASSWORD@HOST:PORT/DATABASE`. */
  readonly url?: string | undefined;
  /** Folder for the embedded PGlite database files; created (with its parents) when missing. */
  readonly dataDir?: string | undefined;
  /** Pool settings, used only with `url`. */
  readonly postgres?: PostgresDatabaseOptions | undefined;
  /** Migrations to apply; default `MIGRATIONS` (tests pass others). */
  readonly migrations?: readonly Migration[] | undefined;
}

/**
 * Opens the database and applies pending migrations. Throws `AppError('DATABASE_FAILED')` saying what to fix; on
 * failure nothing stays open. The caller owns the result and must `close()` it.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<SqlDatabase> {
  const db = await connect(options);
  try {
    const migrations = options.migrations ?? MIGRATIONS;
    await runMigrations(db, migrations);
    await refuseNewerSchema(db, migrations);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return db;
}

/**
 * A database migrated by a newer Sightline (another node of a cluster was upgraded first) has migrations this version
 * does not know: it is refused with the fix, before this older version writes rows the newer schema does not expect.
 */
async function refuseNewerSchema(db: SqlDatabase, migrations: readonly Migration[]): Promise<void> {
  const known = new Set(migrations.map((m) => m.id));
  const applied = await db.query<{ id: string }>('SELECT id FROM schema_migrations ORDER BY id');
  const unknown = applied.map((r) => r.id).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new AppError('DATABASE_FAILED', `the database was migrated by a newer version of Sightline (migration${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} unknown to this one, whose last is ${migrations.at(-1)?.id ?? 'none'}); run the same version on every node (upgrade this one)`);
  }
}

async function connect(options: OpenDatabaseOptions): Promise<SqlDatabase> {
  if (options.url !== undefined && options.url !== '') return openPostgresDatabase(options.url, options.postgres);
  if (options.dataDir !== undefined) {
    try {
      await mkdir(options.dataDir, { recursive: true });
    } catch (err) {
      throw new AppError(
        'DATABASE_FAILED',
        `cannot create the database folder ${options.dataDir}: ${errorMessage(err)}; set database.dataDir to a writable folder`,
        { cause: err },
      );
    }
  }
  return openPgliteDatabase(options.dataDir);
}
