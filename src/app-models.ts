/**
 * The model registry, composed: versions in the database, files under `<dataDir>/models/registry`, resolution for
 * cameras, jobs and the inference API (`id` = the active version, `id@N` pinned), and what an activation does to the
 * cameras that use the model (they restart on the new version; the others run on).
 */
import { join } from 'node:path';
import { loadCatalog } from './assets/catalog.ts';
import { readUserModels } from './assets/model-store.ts';
import type { ModelsPort } from './api/routes/models.ts';
import type { CameraConfig, Config } from './config/schema.ts';
import { ModelRegistry, parseModelSpec } from './models/model-registry.ts';
import type { ModelVersion } from './models/registry-store.ts';
import { SqlModelRegistryStore } from './store/model-registry-repository.ts';
import { registryFiles } from './store/registry-files.ts';
import type { SqlDatabase } from './store/sql-database.ts';

/** Opens the registry of a data folder. */
export async function openModelRegistry(db: SqlDatabase, dataDir: string): Promise<ModelRegistry> {
  const modelDir = join(dataDir, 'models');
  return ModelRegistry.open(new SqlModelRegistryStore(db), registryFiles(join(modelDir, 'registry')), async () => [
    ...loadCatalog().models.map((m) => m.id),
    ...(await readUserModels(modelDir)).map((m) => m.id),
  ]);
}

/** The model spec a camera runs. */
const specOf = (config: Config, c: CameraConfig) => c.detect.model ?? config.models.default;

/** Cameras (and the default-model setting) that run `v`. */
export function usersOf(config: Config, v: Pick<ModelVersion, 'modelId' | 'version' | 'active'>): string[] {
  const runs = (spec: string) => {
    const p = parseModelSpec(spec);
    return p !== null && p.id === v.modelId && (p.version === v.version || (p.version === null && v.active));
  };
  const users = config.cameras.filter((c) => runs(specOf(config, c))).map((c) => c.id);
  if (runs(config.models.default)) users.push('settings: models.default');
  return users;
}

/** The API's port over the registry; `restart` restarts the cameras that follow a model's active version. */
export function modelsPort(registry: ModelRegistry, config: () => Config, restart: (cameraIds: string[]) => Promise<void>): ModelsPort {
  const following = (id: string) => config().cameras.filter((c) => parseModelSpec(specOf(config(), c))?.id === id && parseModelSpec(specOf(config(), c))?.version === null).map((c) => c.id);
  const afterActivation = async (v: ModelVersion) => {
    await restart(following(v.modelId));
    return v;
  };
  return {
    async list() {
      const cfg = config();
      const catalog = loadCatalog().models.map((m) => ({ id: m.id, origin: 'catalog' as const, task: m.task, activeVersion: null, usedBy: cfg.cameras.filter((c) => specOf(cfg, c) === m.id).map((c) => c.id) }));
      const added = (await readUserModels(join(cfg.dataDir, 'models'))).map((m) => ({ id: m.id, origin: 'added' as const, task: m.task, activeVersion: null, usedBy: cfg.cameras.filter((c) => specOf(cfg, c) === m.id).map((c) => c.id) }));
      const ids = [...new Set(registry.list().map((v) => v.modelId))];
      const uploaded = ids.map((id) => {
        const versions = registry.list().filter((v) => v.modelId === id);
        const active = versions.find((v) => v.active) ?? null;
        return {
          id, origin: 'uploaded' as const, task: (active ?? versions.at(-1)!).manifest.task, activeVersion: active?.version ?? null,
          usedBy: [...new Set(versions.flatMap((v) => usersOf(cfg, v)))],
        };
      });
      return [...catalog, ...added, ...uploaded];
    },
    versions: (id) => registry.list().filter((v) => v.modelId === id),
    upload: (actor, id, fileName, body, declared) => registry.upload(actor, id, fileName, body, declared, config().models.maxUploadMb * 1024 * 1024),
    async confirm(id, version, corrections, activate) {
      const wasActive = registry.list().find((v) => v.modelId === id && v.active)?.version ?? null;
      const v = await registry.confirm(id, version, corrections, activate);
      return v.active && wasActive !== v.version ? afterActivation(v) : v;
    },
    activate: async (id, version) => afterActivation(await registry.activate(id, version)),
    rollback: async (id) => afterActivation(await registry.rollback(id)),
    remove: (id, version) => registry.remove(id, version, (v) => usersOf(config(), v)),
  };
}
