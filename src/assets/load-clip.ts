import { AppError } from '../core/errors.ts';
import { ClipClassifier, clipSpecFromManifest } from '../vision/clip-classifier.ts';
import type { ModelManifest } from '../vision/model-manifest.ts';
import type { ModelLoader, RunnerOptions } from '../vision/model-runner.ts';
import { resolveModel, type ModelLocation } from './resolve-model.ts';

/** A loaded clip classifier and the label whose score a rule watches. */
export interface LoadedClipClassifier {
  readonly classifier: ClipClassifier;
  readonly label: string;
}

/**
 * Loads the clip classifier a violence rule names (an added model id, a catalog id, or a path to a file an added model
 * describes) and checks it against its manifest: a file whose shapes do not match is refused with
 * MODEL_LAYOUT_UNSUPPORTED naming both, a model of another task with MODEL_TASK_MISMATCH, a file with no manifest
 * (its frame order, colours and outputs cannot be read from the shapes) with MODEL_NOT_FOUND saying how to add one.
 */
export async function loadClipClassifier(spec: string, label: string | undefined, loc: ModelLocation, load: ModelLoader, opts: RunnerOptions): Promise<LoadedClipClassifier> {
  const { manifest, path, source } = await resolveModel(spec, 'classify-clip', loc);
  if (!manifest) {
    throw new AppError(
      'MODEL_NOT_FOUND',
      `clip classifier ${source}: no manifest describes it (frames, size, layout, colours, outputs); add it with \`sightline models add ${path} --id violence-classifier\` (see docs/clip-classifiers.md) and name it by id`,
    );
  }
  const m = manifest as Extract<ModelManifest, { task: 'classify-clip' }>;
  const clipSpec = clipSpecFromManifest(m);
  const watched = label ?? clipSpec.positiveLabel;
  if (!watched || !clipSpec.labels.includes(watched)) {
    throw new AppError(
      'CONFIG_INVALID',
      `clip classifier ${source}: expected the label to watch to be one of its labels (${clipSpec.labels.join(', ')}), got ${watched === undefined ? 'none (set the rule\'s label or the manifest\'s positiveLabel)' : `"${watched}"`}`,
    );
  }
  const runner = await load(path, opts);
  try {
    return { classifier: new ClipClassifier(runner, clipSpec), label: watched };
  } catch (err) {
    await runner.close();
    throw err instanceof AppError ? err : new AppError('MODEL_LOAD_FAILED', String(err), { cause: err });
  }
}
