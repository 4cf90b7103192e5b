import { access } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AppError } from '../core/errors.ts';
import { matchDetectorLayout } from '../vision/decoders/layout.ts';
import type { ModelManifest } from '../vision/model-manifest.ts';
import type { ModelRunner } from '../vision/model-runner.ts';
import { loadCatalog, type Catalog } from './catalog.ts';
import { downloadFile, type DownloadProgress } from './download.ts';

/** Where to look for model files and what to do when one is missing. */
export interface ModelLocation {
  /** Folder where downloaded models are kept. */
  readonly modelDir: string;
  /** Extra folders searched (in order, after modelDir) for a catalog model's file. */
  readonly searchDirs: readonly string[];
  /** Download a missing catalog model from its URL (default true). */
  readonly download?: boolean;
  readonly onProgress?: DownloadProgress;
}

const exists = (p: string) => access(p).then(() => true, () => false);

/** True when `spec` names a file rather than a catalog id. */
export function isModelPath(spec: string): boolean {
  return spec.includes('/') || spec.includes('\\') || spec.endsWith('.onnx');
}

/** Finds the file of a catalog model (downloading it when allowed) and returns it with its manifest. */
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
  for (const dir of [loc.modelDir, ...loc.searchDirs]) {
    const p = join(dir, manifest.file);
    if (await exists(p)) return { manifest, path: p };
  }
  const dest = join(loc.modelDir, manifest.file);
  if (!manifest.url || loc.download === false) {
    const where = [loc.modelDir, ...loc.searchDirs].join(', ');
    throw new AppError(
      'MODEL_NOT_FOUND',
      `model ${id} (${manifest.file}) is not in ${where} and ${manifest.url ? 'downloads are off' : 'has no download URL'}; ` +
        `place the file at ${dest} or set models.searchDirs`,
    );
  }
  await downloadFile(manifest.url, dest, { sha256: manifest.sha256, onProgress: loc.onProgress });
  return { manifest, path: dest };
}

/** Builds a manifest for a model file that is not in the catalog, from its tensor shapes (pure). */
export function manifestFromShapes(path: string, runner: Pick<ModelRunner, 'inputDims' | 'outputDims'>, catalog: Catalog): ModelManifest {
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
