/**
 * The SQL database port: the small surface the repositories need, implemented once for PGlite (embedded) and once
 * for PostgreSQL (`pg.Pool`). Only `src/store/` imports a database driver.
 *
 * Both adapters return the same JavaScript values for the same SQL: `bigint`/`integer`/`real`/`double precision` as
 * numbers, `uuid`/`text` as strings, `jsonb` parsed, `timestamptz` as `Date`. Driver errors become
 * `AppError('DATABASE_FAILED')`.
 */

/** Runs statements: the database itself, or one open transaction. */
export interface SqlExecutor {
  /** Runs one statement with `$1, $2, ...` parameters and returns its rows. */
  query<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs one or more statements separated by `;`, without parameters (DDL, migrations). */
  exec(sql: string): Promise<void>;
}

/** Which engine is behind a `SqlDatabase`. */
export type SqlDatabaseKind = 'pglite' | 'postgres';

/** A connection (pool) to a PostgreSQL-compatible database. */
export interface SqlDatabase extends SqlExecutor {
  readonly kind: SqlDatabaseKind;
  /**
   * Runs `fn` in one transaction: committed when `fn` resolves, rolled back when it throws (the error is rethrown).
   * Use only `tx` inside `fn`: on PGlite a statement sent through the database itself waits until the transaction ends.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Closes the database; later calls do nothing. */
  close(): Promise<void>;
}

/** SQL shortened for an error message: whitespace collapsed, at most 120 characters. */
export function sqlForMessage(sql: string): string {
  const oneLine = sql.replace(/\s+/g, ' ').trim();
  return oneLine.length > 120 ? `${oneLine.slice(0, 117)}...` : oneLine;
}
