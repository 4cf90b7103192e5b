/** The port through which configuration versions are kept (`store/config-repository.ts` implements it on SQL). */
import type { ConfigChange } from './site-document.ts';

/** One version of the managed configuration, without its document. */
export interface ConfigVersionInfo {
  /** 1, 2, 3, ... */
  readonly version: number;
  readonly createdMs: number;
  /** Who made it: `user:NAME`, `key:NAME`, `config file`, `local`. */
  readonly actor: string;
  /** What was done: `seed`, `file`, `camera.create`, `rules.update`, `rollback`, ... */
  readonly action: string;
  readonly changes: readonly ConfigChange[];
}

/** A version with its whole document (validated form, secrets included) and, for file versions, the file's digest. */
export interface StoredConfigVersion extends ConfigVersionInfo {
  readonly document: unknown;
  readonly fileDigest: string | null;
}

export interface ConfigStore {
  /** The newest version, or null before the first. */
  latest(): Promise<StoredConfigVersion | null>;
  get(version: number): Promise<StoredConfigVersion | null>;
  /** The newest version read from the configuration file, or null. */
  latestFromFile(): Promise<StoredConfigVersion | null>;
  /** Newest first, at most `limit`, older than `before` when given. */
  list(opts: { readonly limit: number; readonly before?: number | undefined }): Promise<ConfigVersionInfo[]>;
  /** Appends a version; CONFIG_CONFLICT when its number is taken (another process changed the configuration). */
  append(v: StoredConfigVersion): Promise<void>;
}
