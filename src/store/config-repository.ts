/** Configuration versions on SQL (PGlite or PostgreSQL, same SQL): one row per version with its whole document. */
import { AppError } from '../core/errors.ts';
import type { ConfigStore, ConfigVersionInfo, StoredConfigVersion } from '../manage/config-store.ts';
import type { ConfigChange } from '../manage/site-document.ts';
import type { SqlDatabase } from './sql-database.ts';

interface Row {
  version: number;
  created_ms: number | string;
  actor: string;
  action: string;
  changes: ConfigChange[];
  document?: unknown;
  file_digest?: string | null;
}

const INFO = 'version, created_ms, actor, action, changes';
const ALL = `${INFO}, document, file_digest`;

function info(r: Row): ConfigVersionInfo {
  return { version: Number(r.version), createdMs: Number(r.created_ms), actor: r.actor, action: r.action, changes: r.changes };
}

function stored(r: Row): StoredConfigVersion {
  return { ...info(r), document: r.document, fileDigest: r.file_digest ?? null };
}

export class SqlConfigStore implements ConfigStore {
  constructor(private readonly db: SqlDatabase) {}

  async latest(): Promise<StoredConfigVersion | null> {
    const [r] = await this.db.query<Row>(`SELECT ${ALL} FROM config_versions ORDER BY version DESC LIMIT 1`);
    return r ? stored(r) : null;
  }

  async get(version: number): Promise<StoredConfigVersion | null> {
    const [r] = await this.db.query<Row>(`SELECT ${ALL} FROM config_versions WHERE version = $1`, [version]);
    return r ? stored(r) : null;
  }

  async latestFromFile(): Promise<StoredConfigVersion | null> {
    const [r] = await this.db.query<Row>(`SELECT ${ALL} FROM config_versions WHERE file_digest IS NOT NULL ORDER BY version DESC LIMIT 1`);
    return r ? stored(r) : null;
  }

  async list(opts: { readonly limit: number; readonly before?: number | undefined }): Promise<ConfigVersionInfo[]> {
    const rows = opts.before === undefined
      ? await this.db.query<Row>(`SELECT ${INFO} FROM config_versions ORDER BY version DESC LIMIT $1`, [opts.limit])
      : await this.db.query<Row>(`SELECT ${INFO} FROM config_versions WHERE version < $2 ORDER BY version DESC LIMIT $1`, [opts.limit, opts.before]);
    return rows.map(info);
  }

  async append(v: StoredConfigVersion): Promise<void> {
    const rows = await this.db.query<{ version: number }>(
      `INSERT INTO config_versions (version, created_ms, actor, action, changes, document, file_digest)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7) ON CONFLICT (version) DO NOTHING RETURNING version`,
      [v.version, v.createdMs, v.actor, v.action, JSON.stringify(v.changes), JSON.stringify(v.document), v.fileDigest],
    );
    if (rows.length === 0) throw new AppError('CONFIG_CONFLICT', `configuration version ${v.version} was written by another process meanwhile; reload and try again`);
  }
}
