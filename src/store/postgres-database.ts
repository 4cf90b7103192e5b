/**
 * `SqlDatabase` on a PostgreSQL server through a `pg.Pool`.
 */
import pg from 'pg';
import { AppError, errorMessage, isAppError } from '../core/errors.ts';
import { sqlForMessage, type SqlDatabase, type SqlExecutor } from './sql-database.ts';

/** Options for `openPostgresDatabase`. */
export interface PostgresDatabaseOptions {
  /** Most connections the pool opens at once; default 10. */
  readonly maxConnections?: number;
  /** How long to wait for a new connection before failing, in milliseconds; default 10000. */
  readonly connectTimeoutMs?: number;
  /**
   * Longest wait for one query's answer before it fails, in milliseconds; default 60000. A database that stops
   * answering (a network cut that drops packets) then fails queries instead of hanging them.
   */
  readonly queryTimeoutMs?: number;
  /** Called when an idle pooled connection breaks (the pool drops it and reconnects on the next query). */
  readonly onIdleConnectionError?: (err: Error) => void;
}

/** `url` with its password (in the user part or a `password=` parameter) replaced by `***`, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString();
  } catch {
    // Not a URL: hide anything between `user:` and `@`, and any password parameter.
    return url.replace(/(\/\/[^/:@]*:)[^@]*@/, '$1***@').replace(/(password=)[^&\s]*/gi, '$1***');
  }
}

/**
 * Connects a pool to the PostgreSQL server at `url` and checks that one connection works.
 * Throws `AppError('DATABASE_FAILED')` naming the redacted URL and how to fix it when it cannot connect.
 */
export async function openPostgresDatabase(url: string, options: PostgresDatabaseOptions = {}): Promise<SqlDatabase> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    query_timeout: options.queryTimeoutMs ?? 60_000,
    application_name: 'sightline',
    types: { getTypeParser: getTypeParser as typeof pg.types.getTypeParser },
  });
  // Without a listener, an idle connection that breaks (server restart) would crash the process.
  pool.on('error', (err) => options.onIdleConnectionError?.(err));
  const database = new PostgresDatabase(pool, url);
  try {
    await database.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return database;
}

const INT8_OID = 20;

/** pg's own parsers, except `bigint` (int8) as a number: our int8 columns hold milliseconds, far below 2^53. */
function getTypeParser(oid: number, format?: 'text' | 'binary'): unknown {
  if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
  return pg.types.getTypeParser(oid, format ?? 'text');
}

/** SQLSTATE classes and codes that mean "could not get a usable connection" rather than "this statement failed". */
function isConnectionError(err: unknown): boolean {
  if (!(err instanceof pg.DatabaseError)) return true;
  const code = err.code ?? '';
  return code.startsWith('08') || code.startsWith('28') || code === '3D000' || code === '57P03' || code === '53300';
}

/** A message for any error, including Node's AggregateError (one entry per address tried), whose own message is empty. */
function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return err.errors.map((inner: unknown) => errorMessage(inner)).join('; ');
  }
  const message = errorMessage(err);
  if (message !== '') return message;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unknown error';
}

function connectionHint(err: unknown): string {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  const message = describeError(err);
  if (code === '28P01' || code === '28000') return 'check the user name and password in database.url';
  if (code === '3D000') return 'create the database (createdb NAME) or fix its name in database.url';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve; fix the host in database.url';
  if (message.includes('ECONNREFUSED')) return 'check that the server is running and listening on that host and port';
  if (/timeout/i.test(message)) return 'the server did not answer in time; check the host, port and firewall';
  return 'check that the server is running and that database.url is right';
}

function connectionFailed(err: unknown, url: string): AppError {
  return new AppError(
    'DATABASE_FAILED',
    `cannot connect to PostgreSQL at ${redactDatabaseUrl(url)}: ${describeError(err)}; ${connectionHint(err)} ` +
      '(database.url has the form postgres://USER:PASSWORD@HOST:PORT/DATABASE; remove it to use the embedded PGlite database)',
    { cause: err },
  );
}

function statementFailed(err: unknown, sql: string): AppError {
  return new AppError('DATABASE_FAILED', `PostgreSQL statement failed: ${describeError(err)} (SQL: ${sqlForMessage(sql)})`, {
    cause: err,
  });
}

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

function executorFor(target: Queryable, url: string): SqlExecutor {
  const fail = (err: unknown, sql: string): AppError =>
    isConnectionError(err) ? connectionFailed(err, url) : statementFailed(err, sql);
  return {
    async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      try {
        const result = await target.query(sql, params as unknown[]);
        return result.rows as T[];
      } catch (err) {
        throw fail(err, sql);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        // No parameters: pg uses the simple protocol, which accepts several statements.
        await target.query(sql);
      } catch (err) {
        throw fail(err, sql);
      }
    },
  };
}

class PostgresDatabase implements SqlDatabase {
  readonly kind = 'postgres' as const;
  readonly #pool: pg.Pool;
  readonly #url: string;
  readonly #executor: SqlExecutor;
  #closed = false;

  constructor(pool: pg.Pool, url: string) {
    this.#pool = pool;
    this.#url = url;
    this.#executor = executorFor(pool, url);
  }

  query<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.#executor.query<T>(sql, params);
  }

  exec(sql: string): Promise<void> {
    return this.#executor.exec(sql);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw connectionFailed(err, this.#url);
    }
    const tx = executorFor(client, this.#url);
    let result: T;
    try {
      await tx.exec('BEGIN');
      result = await fn(tx);
    } catch (err) {
      await this.#rollbackAndRelease(client);
      throw err;
    }
    let commandTag: string;
    try {
      commandTag = (await client.query('COMMIT')).command;
    } catch (err) {
      await this.#rollbackAndRelease(client);
      throw isAppError(err) ? err : statementFailed(err, 'COMMIT');
    }
    client.release();
    // PostgreSQL answers COMMIT of a failed transaction with ROLLBACK and no error: report the lost writes.
    if (commandTag === 'ROLLBACK') {
      throw new AppError(
        'DATABASE_FAILED',
        'PostgreSQL rolled the transaction back at COMMIT because a statement in it had failed',
      );
    }
    return result;
  }

  async #rollbackAndRelease(client: pg.PoolClient): Promise<void> {
    try {
      await client.query('ROLLBACK');
      client.release();
    } catch (err) {
      // The connection is in an unknown state: destroy it rather than return it to the pool.
      client.release(err instanceof Error ? err : new Error(String(err)));
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}
