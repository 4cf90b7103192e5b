import { AppError } from '../core/errors.ts';
import { ObjectDetector, type FrameModelManifest } from '../vision/detector.ts';
import { readFile } from 'node:fs/promises';
import { proposeManifest } from '../vision/inspect.ts';
import { readOnnxInfo } from '../vision/onnx/onnx-model.ts';
import type { PoseManifest } from '../vision/pose-layout.ts';
import type { ModelLoader, ModelRunner, RunnerOptions } from '../vision/model-runner.ts';
import { loadCatalog } from './catalog.ts';
import { proposalManifest } from './model-store.ts';
import { manifestFromShapes, refuseOtherTask, resolveModel, type ModelLocation } from './resolve-model.ts';

/**
 * Loads a detector by catalog id, added model id or file path: finds or downloads the file, loads it, checks its
 * layout. A pose model is a detector too (its detections carry keypoints); a model for another task (an embedder, a
 * clip classifier) is refused with MODEL_TASK_MISMATCH.
 */
export async function loadDetector(spec: string, loc: ModelLocation, load: ModelLoader, opts: RunnerOptions): Promise<ObjectDetector> {
  const catalog = loadCatalog();
  const { manifest, path, source } = await resolveModel(spec, ['detect', 'pose'], loc, catalog);
  const runner = await load(path, opts);
  try {
    return ObjectDetector.create((manifest as FrameModelManifest | null) ?? (await shapesManifest(path, runner)), runner, source);
  } catch (err) {
    await runner.close();
    throw err instanceof AppError ? err : new AppError('MODEL_LOAD_FAILED', String(err), { cause: err });
  }
}

/** The manifest of a detector file no catalog or added model names, from its shapes; other tasks are named. */
async function shapesManifest(path: string, runner: ModelRunner): Promise<FrameModelManifest> {
  try {
    return manifestFromShapes(path, runner, loadCatalog());
  } catch (err) {
    const pose = await poseManifest(path);
    if (pose) return pose;
    await refuseOtherTask(path, 'detect');
    throw err;
  }
}

/** The manifest of a pose file no catalog or added model names, from the file's proposal; null for another task. */
async function poseManifest(path: string): Promise<PoseManifest | null> {
  let proposal;
  try {
    proposal = proposeManifest(readOnnxInfo(await readFile(path), path), path).manifest;
  } catch {
    return null;
  }
  if (proposal.task !== 'pose') return null;
  const m = proposalManifest(proposal, null, null, `pose model ${path}`);
  if ('unsupported' in m) throw new AppError('MODEL_LAYOUT_UNSUPPORTED', m.unsupported);
  return m.manifest as PoseManifest;
}
