import { AppError } from '../core/errors.ts';
import { ObjectDetector } from '../vision/detector.ts';
import type { DetectorManifest } from '../vision/model-manifest.ts';
import type { ModelLoader, ModelRunner, RunnerOptions } from '../vision/model-runner.ts';
import { loadCatalog } from './catalog.ts';
import { manifestFromShapes, refuseOtherTask, resolveModel, type ModelLocation } from './resolve-model.ts';

/**
 * Loads a detector by catalog id, added model id or file path: finds or downloads the file, loads it, checks its
 * layout. A model for another task (an embedder, a clip classifier) is refused with MODEL_TASK_MISMATCH.
 */
export async function loadDetector(spec: string, loc: ModelLocation, load: ModelLoader, opts: RunnerOptions): Promise<ObjectDetector> {
  const catalog = loadCatalog();
  const { manifest, path, source } = await resolveModel(spec, 'detect', loc, catalog);
  const runner = await load(path, opts);
  try {
    return ObjectDetector.create((manifest as DetectorManifest | null) ?? (await shapesManifest(path, runner)), runner, source);
  } catch (err) {
    await runner.close();
    throw err instanceof AppError ? err : new AppError('MODEL_LOAD_FAILED', String(err), { cause: err });
  }
}

/** The manifest of a detector file no catalog or added model names, from its shapes; other tasks are named. */
async function shapesManifest(path: string, runner: ModelRunner): Promise<DetectorManifest> {
  try {
    return manifestFromShapes(path, runner, loadCatalog());
  } catch (err) {
    await refuseOtherTask(path, 'detect');
    throw err;
  }
}
