/** Uploaded model versions as stored, and the port of their store (`store/model-registry-repository.ts`). */
import type { ProposedManifest } from '../vision/inspect.ts';

export type ModelVersionStatus = 'proposed' | 'ready';

export interface ModelVersion {
  readonly modelId: string;
  readonly version: number;
  /** `proposed`: uploaded, its manifest not yet confirmed; `ready`: confirmed, may be activated and run. */
  readonly status: ModelVersionStatus;
  readonly active: boolean;
  /** Path of the file relative to the registry folder. */
  readonly file: string;
  /** The name it was uploaded with. */
  readonly fileName: string;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly manifest: ProposedManifest;
  /** What was inferred or guessed to propose the manifest. */
  readonly notes: readonly string[];
  readonly createdMs: number;
  readonly actor: string;
}

export interface ModelRegistryStore {
  all(): Promise<ModelVersion[]>;
  insert(v: ModelVersion): Promise<void>;
  update(modelId: string, version: number, change: { status?: ModelVersionStatus; manifest?: ProposedManifest }): Promise<void>;
  /** Makes `version` the only active version of `modelId`. */
  activate(modelId: string, version: number): Promise<void>;
  remove(modelId: string, version: number): Promise<void>;
}
