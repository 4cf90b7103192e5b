/**
 * Models uploaded through the API, in versions: an upload is inspected and its manifest proposed (task, input, layout,
 * labels); the uploader confirms or corrects it; a confirmed version can be activated (cameras naming the model id use
 * the active version, `id@N` pins one), rolled back to the version before, and deleted when no camera uses it. The
 * versions live in the database, the files in the registry folder; both are reached through ports.
 */
import type { Readable } from 'node:stream';
import { proposalManifest } from '../assets/model-store.ts';
import { AppError } from '../core/errors.ts';
import { mergePatch } from '../manage/merge-patch.ts';
import { proposeManifest, type ProposedManifest } from '../vision/inspect.ts';
import type { ModelManifest } from '../vision/model-manifest.ts';
import { readOnnxInfo } from '../vision/onnx/onnx-model.ts';
import type { ModelRegistryStore, ModelVersion } from './registry-store.ts';

/** Where the registry keeps files (relative paths under its folder). */
export interface RegistryFiles {
  receive(body: Readable, relative: string, maxBytes: number, declaredBytes: number | null): Promise<{ sizeBytes: number; sha256: string }>;
  read(relative: string): Promise<Uint8Array>;
  remove(relative: string): Promise<void>;
  absolute(relative: string): string;
}

/** A model version resolved for running. */
export interface RegistryModel {
  readonly manifest: ModelManifest;
  readonly path: string;
  readonly source: string;
  /** `id@version`: what a loaded model is cached under. */
  readonly key: string;
}

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** `id` or `id@N` (pure); null when `spec` is neither. */
export function parseModelSpec(spec: string): { id: string; version: number | null } | null {
  const m = /^([a-z0-9][a-z0-9._-]{0,63})(?:@(\d{1,6}))?$/.exec(spec);
  return m ? { id: m[1]!, version: m[2] === undefined ? null : Number(m[2]) } : null;
}

export class ModelRegistry {
  private versions: ModelVersion[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly store: ModelRegistryStore,
    private readonly files: RegistryFiles,
    /** Ids that belong to the catalog or to models added with the command line. */
    private readonly takenIds: () => Promise<readonly string[]>,
    private readonly now: () => number,
  ) {}

  static async open(store: ModelRegistryStore, files: RegistryFiles, takenIds: () => Promise<readonly string[]>, now: () => number = Date.now): Promise<ModelRegistry> {
    const r = new ModelRegistry(store, files, takenIds, now);
    r.versions = await store.all();
    return r;
  }

  /** Every version, by model id then version. */
  list(): readonly ModelVersion[] {
    return this.versions;
  }

  /** The version a spec names: `id` (the active version) or `id@N`; null when the registry does not hold `id`. */
  find(spec: string): ModelVersion | null {
    const p = parseModelSpec(spec);
    if (!p || !this.versions.some((v) => v.modelId === p.id)) return null;
    const v = p.version === null ? this.versions.find((x) => x.modelId === p.id && x.active) : this.versions.find((x) => x.modelId === p.id && x.version === p.version);
    if (!v) {
      const known = this.versions.filter((x) => x.modelId === p.id).map((x) => `${x.version} (${x.status}${x.active ? ', active' : ''})`).join(', ');
      throw new AppError('MODEL_NOT_FOUND', p.version === null
        ? `model ${p.id} has no active version yet; confirm and activate one (versions: ${known})`
        : `model ${p.id} has no version ${p.version}; versions: ${known}`);
    }
    return v;
  }

  /** The model a spec names, ready to load; null when the registry does not hold it. */
  resolve(spec: string): RegistryModel | null {
    const v = this.find(spec);
    if (!v) return null;
    if (v.status !== 'ready') throw new AppError('MODEL_NOT_FOUND', `model ${v.modelId} version ${v.version} is proposed, not confirmed; POST /api/models/${v.modelId}/versions/${v.version}/confirm`);
    const m = proposalManifest(v.manifest, v.sha256, v.sizeBytes, `model ${v.modelId}@${v.version}`);
    if ('unsupported' in m) throw new AppError('MODEL_LAYOUT_UNSUPPORTED', m.unsupported);
    const path = this.files.absolute(v.file);
    // Named with its version, so a camera's status says which one runs.
    return { manifest: { ...m.manifest, id: `${v.modelId}@${v.version}` }, path, source: `${v.modelId}@${v.version} (${path})`, key: `${v.modelId}@${v.version}` };
  }

  /**
   * Receives an ONNX file as a new version of `id`: streamed to disk under the size limit, inspected, its manifest
   * proposed. A file that is not ONNX is refused (MODEL_INVALID) and nothing stays.
   */
  upload(actor: string, id: string, fileName: string, body: Readable, declaredBytes: number | null, maxBytes: number): Promise<{ version: ModelVersion; runnable: string | null }> {
    return this.serialised(async () => {
      if (!ID.test(id)) {
        body.resume();
        throw new AppError('BAD_REQUEST', `id: expected a model id of lower-case letters, digits, ".", "_" or "-" (1-64 characters), got ${JSON.stringify(id)}`);
      }
      if ((await this.takenIds()).includes(id)) {
        body.resume();
        throw new AppError('MODEL_ID_TAKEN', `model id "${id}" belongs to the catalog or to a model added with \`sightline models add\`; choose another`);
      }
      const version = Math.max(0, ...this.versions.filter((v) => v.modelId === id).map((v) => v.version)) + 1;
      const file = `${id}/v${version}.onnx`;
      const received = await this.files.receive(body, file, maxBytes, declaredBytes);
      let proposal;
      try {
        if (received.sizeBytes === 0) throw new AppError('MODEL_INVALID', `${fileName}: expected an ONNX model, got an empty body`);
        proposal = proposeManifest(readOnnxInfo(await this.files.read(file), fileName), fileName);
      } catch (err) {
        await this.files.remove(file);
        const message = err instanceof Error ? err.message : String(err);
        throw new AppError(err instanceof AppError && err.code === 'MODEL_LAYOUT_UNSUPPORTED' ? 'MODEL_LAYOUT_UNSUPPORTED' : 'MODEL_INVALID', message);
      }
      const manifest: ProposedManifest = { ...proposal.manifest, id, file, sha256: received.sha256, sizeBytes: received.sizeBytes };
      const v: ModelVersion = {
        modelId: id, version, status: 'proposed', active: false, file, fileName, sha256: received.sha256, sizeBytes: received.sizeBytes,
        manifest, notes: [...proposal.notes], createdMs: this.now(), actor,
      };
      try {
        await this.store.insert(v);
      } catch (err) {
        await this.files.remove(file);
        throw err;
      }
      this.versions = [...this.versions, v];
      return { version: v, runnable: runnableReason(v) };
    });
  }

  /** Confirms a version's manifest, with corrections (a JSON Merge Patch of the proposal); activates it when asked. */
  confirm(id: string, version: number, corrections: Record<string, unknown>, activate: boolean): Promise<ModelVersion> {
    return this.serialised(async () => {
      const v = this.exact(id, version);
      const manifest = { ...(mergePatch(v.manifest, corrections) as ProposedManifest), id, file: v.file, sha256: v.sha256, sizeBytes: v.sizeBytes };
      const reason = runnableReason({ ...v, manifest });
      if (reason) throw new AppError('CONFIG_REJECTED', `${reason}; correct the manifest (task, family, labels, input size ...) and confirm again`);
      await this.store.update(id, version, { status: 'ready', manifest });
      this.replace({ ...v, status: 'ready', manifest });
      const first = !this.versions.some((x) => x.modelId === id && x.active);
      if (activate || first) await this.setActive(id, version);
      return this.exact(id, version);
    });
  }

  /** Makes a confirmed version the active one. */
  activate(id: string, version: number): Promise<ModelVersion> {
    return this.serialised(async () => {
      const v = this.exact(id, version);
      if (v.status !== 'ready') throw new AppError('CONFIG_REJECTED', `model ${id} version ${version} is not confirmed; POST /api/models/${id}/versions/${version}/confirm first`);
      await this.setActive(id, version);
      return this.exact(id, version);
    });
  }

  /** Activates the newest confirmed version older than the active one. */
  rollback(id: string): Promise<ModelVersion> {
    return this.serialised(async () => {
      const active = this.versions.find((x) => x.modelId === id && x.active);
      if (!active) throw new AppError('MODEL_NOT_FOUND', `model ${id} has no active version to roll back from`);
      const previous = this.versions.filter((x) => x.modelId === id && x.status === 'ready' && x.version < active.version).at(-1);
      if (!previous) throw new AppError('CONFIG_VERSION_NOT_FOUND', `model ${id} has no confirmed version before ${active.version}`);
      await this.setActive(id, previous.version);
      return this.exact(id, previous.version);
    });
  }

  /** Deletes a version no camera uses (`usedBy` names the cameras that do: MODEL_IN_USE). */
  remove(id: string, version: number, usedBy: (v: ModelVersion) => readonly string[]): Promise<void> {
    return this.serialised(async () => {
      const v = this.exact(id, version);
      const users = usedBy(v);
      if (users.length > 0) throw new AppError('MODEL_IN_USE', `model ${id} version ${version} is used by ${users.map((u) => `"${u}"`).join(', ')}; point them at another model or version first`);
      await this.store.remove(id, version);
      await this.files.remove(v.file);
      this.versions = this.versions.filter((x) => x !== v);
    });
  }

  private async setActive(id: string, version: number): Promise<void> {
    await this.store.activate(id, version);
    this.versions = this.versions.map((x) => (x.modelId === id ? { ...x, active: x.version === version } : x));
  }

  private exact(id: string, version: number): ModelVersion {
    const v = this.versions.find((x) => x.modelId === id && x.version === version);
    if (!v) throw new AppError('MODEL_NOT_FOUND', `no version ${version} of model ${id}; versions: ${this.versions.filter((x) => x.modelId === id).map((x) => x.version).join(', ') || 'none'}`);
    return v;
  }

  private replace(v: ModelVersion): void {
    this.versions = this.versions.map((x) => (x.modelId === v.modelId && x.version === v.version ? v : x));
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** Why a version's manifest cannot run, or null. */
function runnableReason(v: ModelVersion): string | null {
  const m = proposalManifest(v.manifest, v.sha256, v.sizeBytes, `model ${v.modelId}@${v.version}`);
  return 'unsupported' in m ? m.unsupported : null;
}
