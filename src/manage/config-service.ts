/**
 * The runtime configuration: where the truth lives and how it changes.
 *
 * - The configuration file seeds a new installation (version 1). After that the database holds the managed part
 *   (`site-document.ts`): every change through the API is validated with the file's own schema, stored as a new
 *   version (who, when, the change list), then applied to the running server.
 * - A file edited since it was last read is taken as a change of its own at the next start (actor `config file`), so
 *   the YAML workflow keeps working; the database keeps the history either way.
 * - Changes are serialised: one at a time, each applied before the next is validated.
 *
 * No I/O of its own: the store and the applier are ports.
 */
import { createHash } from 'node:crypto';
import { describeIssues } from '../config/describe-issues.ts';
import { ConfigSchema, type Config } from '../config/schema.ts';
import { AppError } from '../core/errors.ts';
import type { ConfigStore, ConfigVersionInfo, StoredConfigVersion } from './config-store.ts';
import { configInputWith, diffDocuments, restoreSecrets, siteDocumentOf, type ConfigChange, type SiteDocument } from './site-document.ts';

/** Applies a new configuration to the running server (cameras, rules, destinations, settings). */
export type ConfigApplier = (next: Config, previous: Config) => Promise<void>;

/** A plain, editable copy of the managed document (input form). */
export type SiteDraft = { cameras: Record<string, unknown>[]; delivery: Record<string, unknown> & { destinations: Record<string, unknown>[] }; recording: Record<string, unknown>; models: { default: string }; site: Record<string, unknown> & { plans: Record<string, unknown>[]; areas: Record<string, unknown>[] } };

/** What a change answered. */
export interface ChangeResult {
  readonly version: number;
  readonly changes: readonly ConfigChange[];
  readonly config: Config;
}

/** Who changes the configuration, as versions and the audit log name them. */
export interface ConfigActor {
  readonly name: string;
}

/** The digest of a document (which file content a version came from). */
export function documentDigest(doc: unknown): string {
  return createHash('sha256').update(stableJson(doc)).digest('hex');
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export class ConfigService {
  private config: Config;
  private versionNo: number;
  private queue: Promise<unknown> = Promise.resolve();
  private applier: ConfigApplier = async () => undefined;
  private readonly listeners = new Set<(r: ChangeResult) => void>();

  private constructor(
    private readonly store: ConfigStore,
    private readonly base: Config,
    config: Config,
    version: number,
    private readonly now: () => number,
  ) {
    this.config = config;
    this.versionNo = version;
  }

  /**
   * Opens the configuration: the stored one, or the file's when the database has none yet or the file changed since
   * it was last read. `file` is the validated configuration from the file (and environment).
   */
  static async open(store: ConfigStore, file: Config, now: () => number = Date.now): Promise<{ service: ConfigService; seeded: 'new' | 'file changed' | null }> {
    const fileDoc = siteDocumentOf(file);
    const digest = documentDigest(fileDoc);
    const latest = await store.latest();
    if (!latest) {
      await store.append({ version: 1, createdMs: now(), actor: 'config file', action: 'seed', changes: diffDocuments(undefined, fileDoc), document: fileDoc, fileDigest: digest });
      return { service: new ConfigService(store, file, file, 1, now), seeded: 'new' };
    }
    const lastFile = await store.latestFromFile();
    if (lastFile?.fileDigest !== digest) {
      const version = latest.version + 1;
      await store.append({ version, createdMs: now(), actor: 'config file', action: 'file', changes: diffDocuments(latest.document, fileDoc), document: fileDoc, fileDigest: digest });
      return { service: new ConfigService(store, file, file, version, now), seeded: 'file changed' };
    }
    const parsed = ConfigSchema.safeParse(configInputWith(file, latest.document));
    if (!parsed.success) {
      const problems = describeIssues(parsed.error.issues, configInputWith(file, latest.document)).map((p) => `${p.path}: ${p.message}`);
      throw new AppError('CONFIG_INVALID', `the stored configuration (version ${latest.version}) does not match this version's schema: ${problems.join('; ')}`);
    }
    return { service: new ConfigService(store, file, parsed.data, latest.version, now), seeded: null };
  }

  /** The function that applies each accepted change (set once the server's parts exist). */
  setApplier(apply: ConfigApplier): void {
    this.applier = apply;
  }

  /** Called after each applied change. */
  onChange(fn: (r: ChangeResult) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The configuration in force. */
  current(): Config {
    return this.config;
  }

  get version(): number {
    return this.versionNo;
  }

  /** An editable copy of the managed document. */
  draft(): SiteDraft {
    return structuredClone(siteDocumentOf(this.config)) as unknown as SiteDraft;
  }

  /**
   * Edits the managed document: `edit` changes a draft (throwing an AppError refuses the change); the result is
   * validated like the file (CONFIG_REJECTED naming each path), stored as a new version and applied. Masked secrets
   * in the draft keep their stored values. `expectedVersion` refuses the change when the configuration moved on.
   */
  change(actor: ConfigActor, action: string, edit: (draft: SiteDraft) => void, expectedVersion?: number): Promise<ChangeResult> {
    return this.serialised(async () => {
      // Another node (a cluster's other API node) may have stored a newer version: the edit is made against that one.
      await this.takeNewer();
      if (expectedVersion !== undefined && expectedVersion !== this.versionNo) {
        throw new AppError('CONFIG_CONFLICT', `the change was made against configuration version ${expectedVersion}, but version ${this.versionNo} is current; reload and try again`);
      }
      const draft = this.draft();
      edit(draft);
      return this.commit(actor, action, restoreSecrets(draft, siteDocumentOf(this.config)));
    });
  }

  /** Replaces the whole managed document (an import); masked secrets keep their stored values. */
  replace(actor: ConfigActor, action: string, doc: unknown): Promise<ChangeResult> {
    return this.serialised(async () => {
      await this.takeNewer();
      return this.commit(actor, action, restoreSecrets(doc, siteDocumentOf(this.config)));
    });
  }

  /** Goes back to the document of the version before the current one, as a new version. */
  rollback(actor: ConfigActor): Promise<ChangeResult> {
    return this.serialised(async () => {
      await this.takeNewer();
      if (this.versionNo <= 1) throw new AppError('CONFIG_VERSION_NOT_FOUND', `configuration version ${this.versionNo} is the first; there is none to roll back to`);
      const previous = await this.store.get(this.versionNo - 1);
      if (!previous) throw new AppError('CONFIG_VERSION_NOT_FOUND', `configuration version ${this.versionNo - 1} is not stored`);
      return this.commit(actor, `rollback to ${previous.version}`, previous.document);
    });
  }

  /**
   * Takes a newer version another node stored (a cluster: changes made through any API node): applied like a change
   * made here. Returns the version now in force. A stored document this version cannot read is logged by the caller
   * and left alone (the configuration in force stays).
   */
  refresh(): Promise<number> {
    return this.serialised(() => this.takeNewer());
  }

  /** The body of `refresh`, run inside the queue (also before every change, so that none is made against a stale version). */
  private async takeNewer(): Promise<number> {
    {
      const latest = await this.store.latest();
      if (!latest || latest.version <= this.versionNo) return this.versionNo;
      const input = configInputWith(this.base, latest.document);
      const parsed = ConfigSchema.safeParse(input);
      if (!parsed.success) {
        const problems = describeIssues(parsed.error.issues, input).map((p) => `${p.path}: ${p.message}`);
        throw new AppError('CONFIG_INVALID', `configuration version ${latest.version} stored by another node does not match this node's schema (an older version of Sightline?): ${problems.join('; ')}`);
      }
      const previous = this.config;
      this.config = parsed.data;
      this.versionNo = latest.version;
      await this.applier(parsed.data, previous);
      const result = { version: latest.version, changes: latest.changes ?? [], config: parsed.data };
      for (const fn of this.listeners) fn(result);
      return latest.version;
    }
  }

  versions(opts: { limit: number; before?: number | undefined }): Promise<ConfigVersionInfo[]> {
    return this.store.list(opts);
  }

  async versionDetail(version: number): Promise<StoredConfigVersion> {
    const v = await this.store.get(version);
    if (!v) throw new AppError('CONFIG_VERSION_NOT_FOUND', `no configuration version ${version}; the current one is ${this.versionNo}`);
    return v;
  }

  /** Validates without storing: the problems of `doc` as the managed document, empty when it is valid. */
  check(doc: unknown): string[] {
    const input = configInputWith(this.base, restoreSecrets(doc, siteDocumentOf(this.config)));
    const parsed = ConfigSchema.safeParse(input);
    return parsed.success ? [] : describeIssues(parsed.error.issues, input).map((p) => `${p.path}: ${p.message}`);
  }

  private async commit(actor: ConfigActor, action: string, doc: unknown): Promise<ChangeResult> {
    const input = configInputWith(this.base, doc);
    const parsed = ConfigSchema.safeParse(input);
    if (!parsed.success) {
      const problems = describeIssues(parsed.error.issues, input).map((p) => `${p.path}: ${p.message}`);
      throw new AppError('CONFIG_REJECTED', `the configuration would not be valid, nothing was changed: ${problems.join('; ')}`);
    }
    const next = parsed.data;
    const before: SiteDocument = siteDocumentOf(this.config);
    const after: SiteDocument = siteDocumentOf(next);
    const changes = diffDocuments(before, after);
    if (changes.length === 0) return { version: this.versionNo, changes: [], config: this.config };
    const version = this.versionNo + 1;
    await this.store.append({ version, createdMs: this.now(), actor: actor.name, action, changes, document: after, fileDigest: null });
    const previous = this.config;
    this.config = next;
    this.versionNo = version;
    await this.applier(next, previous);
    const result = { version, changes, config: next };
    for (const fn of this.listeners) fn(result);
    return result;
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
