import { readFile } from 'node:fs/promises';
import { AppError } from '../core/errors.ts';
import { Embedder, type EmbedderSpec } from '../vision/embedder.ts';
import { proposeManifest } from '../vision/inspect.ts';
import type { EmbedManifest } from '../vision/model-manifest.ts';
import type { ModelLoader, RunnerOptions } from '../vision/model-runner.ts';
import { readOnnxInfo } from '../vision/onnx/onnx-model.ts';
import { refuseOtherTask, resolveModel, type ModelLocation } from './resolve-model.ts';

/**
 * Loads a re-identification embedder by catalog id, added model id or file path. A detector or clip classifier is
 * refused with MODEL_TASK_MISMATCH, a file of another layout with MODEL_LAYOUT_UNSUPPORTED.
 */
export async function loadEmbedder(spec: string, loc: ModelLocation, load: ModelLoader, opts: RunnerOptions): Promise<Embedder> {
  const { manifest, path, source } = await resolveModel(spec, 'embed', loc);
  const runner = await load(path, opts);
  try {
    const embedSpec = manifest ? embedderSpec(manifest as EmbedManifest) : await fileSpec(path);
    return Embedder.create(runner, embedSpec, source);
  } catch (err) {
    await runner.close();
    throw err instanceof AppError ? err : new AppError('MODEL_LOAD_FAILED', String(err), { cause: err });
  }
}

function embedderSpec(m: Pick<EmbedManifest, 'inputWidth' | 'inputHeight' | 'colorOrder' | 'pixelScale' | 'mean' | 'std'>): EmbedderSpec {
  return { inputWidth: m.inputWidth, inputHeight: m.inputHeight, colorOrder: m.colorOrder, pixelScale: m.pixelScale, mean: m.mean, std: m.std };
}

/** The spec of an embedder file no manifest names, from the file's proposal; other tasks are named. */
async function fileSpec(path: string): Promise<EmbedderSpec> {
  await refuseOtherTask(path, 'embed');
  return embedderSpec(proposeManifest(readOnnxInfo(await readFile(path), path), path).manifest);
}
