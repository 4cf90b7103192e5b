import { basename } from 'node:path';
import { AppError } from '../core/errors.ts';
import { ObjectDetector } from '../vision/detector.ts';
import type { ModelLoader, RunnerOptions } from '../vision/model-runner.ts';
import { loadCatalog } from './catalog.ts';
import { isModelPath, manifestFromShapes, resolveCatalogModel, type ModelLocation } from './resolve-model.ts';

/** Loads a detector by catalog id or file path: finds or downloads the file, loads it, checks its layout. */
export async function loadDetector(
  spec: string,
  loc: ModelLocation,
  load: ModelLoader,
  opts: RunnerOptions,
): Promise<ObjectDetector> {
  const catalog = loadCatalog();
  if (isModelPath(spec)) {
    const runner = await load(spec, opts);
    try {
      const known = catalog.models.find((m) => m.file === basename(spec));
      const manifest = known ?? manifestFromShapes(spec, runner, catalog);
      return ObjectDetector.create(manifest, runner, spec);
    } catch (err) {
      await runner.close();
      throw err;
    }
  }
  const { manifest, path } = await resolveCatalogModel(spec, loc, catalog);
  const runner = await load(path, opts);
  try {
    return ObjectDetector.create(manifest, runner, `${spec} (${path})`);
  } catch (err) {
    await runner.close();
    throw err instanceof AppError ? err : new AppError('MODEL_LOAD_FAILED', String(err), { cause: err });
  }
}
