import { access, readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { basename, join } from 'node:path';
import { AppError } from '../core/errors.ts';
import { matchDetectorLayout } from '../vision/decoders/layout.ts';
import { proposeManifest } from '../vision/inspect.ts';
import { TASK_WORDS, type DetectorManifest, type ModelManifest, type ModelTask } from '../vision/model-manifest.ts';
import { readOnnxInfo } from '../vision/onnx/onnx-model.ts';
import type { ExecutionProvider, ModelRunner, RunnerOptions } from '../vision/model-runner.ts';
import { loadCatalog, type Catalog } from './catalog.ts';
import { downloadFile, downloadUrl, type DownloadProgress } from './download.ts';
import { readUserModels, userModelManifest, type UserModel } from './model-store.ts';
import { acceptedFiles, verifyLocalFile } from './verify-file.ts';

/** Where to look for model files and what to do when one is missing. */
export interface ModelLocation {
  /** Folder where downloaded models are kept. */
  readonly modelDir: string;
  /** Extra folders searched (in order, after modelDir) for a catalog model's file. */
  readonly searchDirs: readonly string[];
  /** Download a missing catalog model from its URL (default true). */
  readonly download?: boolean;
  /** Base URL of a mirror serving catalog files by file name, used instead of their own URLs (`downloadUrl`). */
  readonly mirror?: string | null;
  readonly onProgress?: DownloadProgress;
  /** Models uploaded through the API (`id` or `id@N`), looked up first; null when it holds no such model. */
  readonly registry?: ((spec: string) => { manifest: ModelManifest; path: string; source: string } | null) | undefined;
}

const exists = (p: string) => access(p).then(() => true, () => false);

/** True when `spec` names a file rather than a catalog id. */
export function isModelPath(spec: string): boolean {
  return spec.includes('/') || spec.includes('\\') || spec.endsWith('.onnx');
}

/**
 * Finds the file of a catalog model (downloading it when allowed) and returns it with its manifest. A local file must
 * be the file at the model's URL or a listed equivalent; any other is refused with CHECKSUM_MISMATCH, never replaced.
 */
export async function resolveCatalogModel(
  id: string,
  loc: ModelLocation,
  catalog: Catalog = loadCatalog(),
): Promise<{ manifest: ModelManifest; path: string }> {
  const manifest = catalog.models.find((m) => m.id === id);
  if (!manifest) {
    const known = catalog.models.map((m) => m.id).join(', ');
    throw new AppError('MODEL_NOT_FOUND', `expected a catalog model id (${known}) or a path to an .onnx file, got "${id}"`);
  }
  const dest = join(loc.modelDir, manifest.file);
  const url = downloadUrl(manifest, loc.mirror);
  for (const dir of [loc.modelDir, ...loc.searchDirs]) {
    const p = join(dir, manifest.file);
    if (!(await exists(p))) continue;
    const fix = p === dest
      ? `delete it${url && loc.download !== false ? ' (it is then downloaded again)' : ''} or replace it with the right file`
      : `replace it with the right file, or delete it and let Sightline keep its own copy in ${loc.modelDir}`;
    await verifyLocalFile(p, manifest, `model ${id}`, fix);
    return { manifest, path: p };
  }
  if (!url || loc.download === false) {
    const where = [loc.modelDir, ...loc.searchDirs].join(', ');
    throw new AppError(
      'MODEL_NOT_FOUND',
      `model ${id} (${manifest.file}) is not in ${where} and ${url ? 'downloads are off' : 'has no download URL'}; ` +
        `place the file at ${dest}, set assets (env SIGHTLINE_ASSETS) to a folder whose models/ holds it` +
        `${url ? '' : ', or set models.mirror to a server that has it'}`,
    );
  }
  await downloadFile(url, dest, { accept: acceptedFiles(manifest), onProgress: loc.onProgress, what: `model ${id}` });
  return { manifest, path: dest };
}

/** Builds a manifest for a model file that is not in the catalog, from its tensor shapes (pure). */
export function manifestFromShapes(path: string, runner: Pick<ModelRunner, 'inputDims' | 'outputDims'>, catalog: Catalog): DetectorManifest {
  const match = matchDetectorLayout({ input: runner.inputDims, output: runner.outputDims });
  if (!match.ok) throw new AppError('MODEL_LAYOUT_UNSUPPORTED', `model ${path}: ${match.reason}`);
  const coco = catalog.labelSets['coco80']!;
  const labels = match.classCount === coco.length ? coco : Array.from({ length: match.classCount }, (_, i) => `class${i}`);
  const yolox = match.family === 'yolox';
  return {
    id: basename(path).replace(/\.onnx$/i, '').toLowerCase().replace(/[^a-z0-9._-]/g, '-'),
    file: basename(path),
    task: 'detect',
    family: match.family,
    inputWidth: match.inputWidth,
    inputHeight: match.inputHeight,
    colorOrder: yolox ? 'bgr' : 'rgb',
    pixelScale: yolox ? 1 : 1 / 255,
    mean: [0, 0, 0],
    std: [1, 1, 1],
    letterbox: yolox ? 'top-left' : 'center',
    padValue: 114,
    labels,
    defaultScoreThreshold: 0.3,
    licence: 'unknown',
    url: null,
    sha256: null,
  };
}

/** A model found for a spec: its manifest (null for a file no catalog or added model names) and its file. */
export interface ResolvedModel {
  readonly manifest: ModelManifest | null;
  readonly path: string;
  /** How to name the model in messages: `id (path)` or the path. */
  readonly source: string;
}

/** Throws MODEL_TASK_MISMATCH when a model meant for one task is configured for another. */
export function checkTask(task: ModelTask | readonly ModelTask[], actual: ModelTask, source: string, hint = ''): void {
  const tasks: readonly ModelTask[] = typeof task === 'string' ? [task] : task;
  if (tasks.includes(actual)) return;
  throw new AppError('MODEL_TASK_MISMATCH', `model ${source} is ${TASK_WORDS[actual]}${hint}; expected ${tasks.map((t) => TASK_WORDS[t]).join(' or ')} here`);
}

/**
 * Finds the model a config or command names: a catalog id, an added model's id (`models add`), or a path to an .onnx
 * file (its manifest comes from the catalog or added model with that file name, if any). A model known to be for
 * another task is refused with MODEL_TASK_MISMATCH before anything is loaded.
 */
export async function resolveModel(spec: string, task: ModelTask | readonly ModelTask[], loc: ModelLocation, catalog: Catalog = loadCatalog()): Promise<ResolvedModel> {
  const uploaded = loc.registry?.(spec);
  if (uploaded) {
    checkTask(task, uploaded.manifest.task, uploaded.source);
    return uploaded;
  }
  const users = await readUserModels(loc.modelDir);
  const runnable = (u: UserModel): ModelManifest => {
    const m = userModelManifest(u);
    if ('unsupported' in m) throw new AppError('MODEL_LAYOUT_UNSUPPORTED', m.unsupported);
    return m.manifest;
  };
  if (isModelPath(spec)) {
    const name = basename(spec);
    const user = users.find((u) => u.file === name);
    const manifest = catalog.models.find((m) => m.file === name) ?? (user ? runnable(user) : null);
    if (manifest) checkTask(task, manifest.task, spec);
    return { manifest, path: spec, source: spec };
  }
  const user = users.find((u) => u.id === spec);
  if (user) {
    const manifest = runnable(user);
    const path = join(loc.modelDir, user.file);
    checkTask(task, manifest.task, `${spec} (${path})`);
    return { manifest, path, source: `${spec} (${path})` };
  }
  const known = catalog.models.find((m) => m.id === spec);
  if (!known) {
    const tasks: readonly ModelTask[] = typeof task === 'string' ? [task] : task;
    const ids = [...catalog.models.filter((m) => tasks.includes(m.task)), ...users.filter((u) => tasks.includes(u.task))].map((m) => m.id).join(', ');
    throw new AppError('MODEL_NOT_FOUND', `expected a model id (${tasks.map((t) => TASK_WORDS[t]).join(' or ')}: ${ids || 'none known'}) or a path to an .onnx file, got "${spec}"`);
  }
  checkTask(task, known.task, `${spec} (${known.file})`);
  const { manifest, path } = await resolveCatalogModel(spec, loc, catalog);
  return { manifest, path, source: `${spec} (${path})` };
}

/**
 * For a file no manifest names whose outputs do not fit `task`: throws MODEL_TASK_MISMATCH when the file is
 * recognisably a model for another task (its proposal says so); returns otherwise.
 */
export async function refuseOtherTask(path: string, task: ModelTask): Promise<void> {
  let info, proposal;
  try {
    info = readOnnxInfo(await readFile(path), path);
    proposal = proposeManifest(info, path);
  } catch {
    return; // not recognisable at all: the caller's own layout error says more
  }
  const dims = (t: { dims: readonly (number | string)[] }) => `[${t.dims.join(',')}]`;
  const shapes = ` (input ${info.inputs.map(dims).join(', ')}, output ${info.outputs.map(dims).join(', ')})`;
  checkTask(task, proposal.manifest.task, path, shapes);
}

/** The slice of a configuration that says where models and samples come from. */
export interface AssetSettings {
  readonly dataDir: string;
  readonly assets?: string | undefined;
  readonly models: { readonly download: boolean; readonly mirror?: string | undefined };
}

/** Where a configuration keeps models: `<dataDir>/models`, then the assets folder's `models/`; downloads and mirror (pure). */
export function modelLocation(config: AssetSettings, extra: Partial<ModelLocation> = {}): ModelLocation {
  return {
    modelDir: join(config.dataDir, 'models'),
    searchDirs: config.assets ? [join(config.assets, 'models')] : [],
    download: config.models.download,
    mirror: config.models.mirror ?? null,
    ...extra,
  };
}

/** Inference settings of a configuration: `models.threads` (0 = one per core), spinning and the execution provider. */
export function runnerOptions(config: { models: { threads: number; provider: ExecutionProvider; spinning?: boolean } }): RunnerOptions & { threads: number } {
  return { threads: config.models.threads || cpus().length, provider: config.models.provider, spinning: config.models.spinning ?? false };
}
