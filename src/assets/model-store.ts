import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError, errorMessage } from '../core/errors.ts';
import { proposeManifest, type ProposedManifest } from '../vision/inspect.ts';
import { readOnnxInfo } from '../vision/onnx/onnx-model.ts';
import { ModelManifestSchema, type ModelManifest } from '../vision/model-manifest.ts';
import { loadCatalog, resolveLabels, type Catalog } from './catalog.ts';
import { downloadFile, type DownloadProgress } from './download.ts';
import { acceptedFiles, fileDigest, isAccepted, type Checksummed, type FileDigest } from './verify-file.ts';

/** Where model files live: the writable data folder, and the read-only assets folder's `models/` (if any). */
export interface ModelStoreDirs {
  /** `<dataDir>/models`: downloads and added models; the only folder this module writes to or deletes from. */
  readonly modelDir: string;
  /** `<assets>/models`, searched after modelDir; never written to. */
  readonly assetsModelDir: string | null;
}

/** A model added with `models add`: the proposed manifest with the file's sha256 and size. */
export type UserModel = ProposedManifest & { sha256: string; sizeBytes: number; source: string };

/** One row of `models list`. */
export interface ModelListing {
  readonly id: string;
  readonly origin: 'catalog' | 'user';
  readonly task: string;
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly licence: string;
  /** Where the file was found, or null when it is not present locally. */
  readonly path: string | null;
  readonly location: 'data' | 'assets' | null;
  readonly sizeBytes: number | null;
  /** 'ok' / 'mismatch' against the recorded sha256 and its listed equivalents; 'unknown' when none is recorded; null when absent. */
  readonly checksum: 'ok' | 'mismatch' | 'unknown' | null;
}

/** Name of the file that records added models, inside modelDir. */
export const USER_MODELS_FILE = 'user-models.json';

const ID_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

const UserModelsSchema = z.object({
  models: z.array(
    z
      .object({
        id: z.string().regex(ID_PATTERN),
        file: z.string().min(1),
        task: z.string(),
        inputWidth: z.number(),
        inputHeight: z.number(),
        licence: z.string(),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        sizeBytes: z.number().int().nonnegative(),
        source: z.string(),
      })
      .passthrough(),
  ),
});

/**
 * The manifest Sightline runs an added model with (pure), or why it cannot run it: proposals for layouts that have no
 * runtime decoder yet (end-to-end, DETR-style) are recorded but not loadable.
 */
export function userModelManifest(u: UserModel): { manifest: ModelManifest } | { unsupported: string } {
  return proposalManifest(u, u.sha256, u.sizeBytes, `added model ${u.id} (${u.file})`);
}

/**
 * A proposed manifest (`models inspect`, an added model's record) as the manifest Sightline runs it with (pure), for
 * a file of `sha256` (null: not checked); `what` names the model in the reason it cannot run.
 */
export function proposalManifest(u: ProposedManifest, sha256: string | null, sizeBytes: number | null, what: string): { manifest: ModelManifest } | { unsupported: string } {
  const common = {
    id: u.id, file: u.file, inputWidth: u.inputWidth, inputHeight: u.inputHeight, colorOrder: u.colorOrder, pixelScale: u.pixelScale,
    mean: u.mean, std: u.std, licence: u.licence, url: null, sha256, sizeBytes,
  };
  const placed = { letterbox: u.letterbox === 'none' ? 'center' : u.letterbox, padValue: u.padValue, labels: u.labels, defaultScoreThreshold: u.defaultScoreThreshold };
  const candidate =
    u.task === 'detect' ? { ...common, ...placed, task: u.task, family: u.family }
    : u.task === 'pose' ? { ...common, ...placed, task: u.task, family: u.family, keypoints: u.keypoints }
    : u.task === 'embed' ? { ...common, task: u.task, family: u.family, embeddingDim: u.embeddingDim }
    : {
      ...common, task: u.task, family: u.family, inputLayout: u.inputLayout, clipFrames: u.clipFrames, labels: u.labels,
      ...(u.outputs ? { outputs: u.outputs } : {}), ...(u.positiveLabel ? { positiveLabel: u.positiveLabel } : {}),
      ...(u.clipFps ? { clipFps: u.clipFps } : {}),
    };
  const parsed = ModelManifestSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const why = u.task === 'detect' && (u.family === 'end2end' || u.family === 'detr')
      ? `its ${u.family} layout is recognised, but the detector decodes YOLOX and Ultralytics outputs only`
      : `${issue?.path.join('.')}: ${issue?.message}`;
    return { unsupported: `${what} cannot be run: ${why}` };
  }
  return { manifest: resolveLabels(parsed.data, loadCatalog().labelSets) };
}

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const isMissing = (err: unknown): boolean => (err as NodeJS.ErrnoException)?.code === 'ENOENT';

/** Reads `<modelDir>/user-models.json`; an absent file means no added models. */
export async function readUserModels(modelDir: string): Promise<UserModel[]> {
  const path = join(modelDir, USER_MODELS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
  let parsed: ReturnType<typeof UserModelsSchema.safeParse>;
  try {
    parsed = UserModelsSchema.safeParse(JSON.parse(text));
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `${path}: expected JSON {"models": [...]}, got unparsable text (${errorMessage(err)}); fix or delete the file`, { cause: err });
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('CONFIG_INVALID', `${path}: expected {"models": [...]} of added models, ${issue?.path.join('.') || '(root)'}: ${issue?.message}; fix or delete the file`);
  }
  return parsed.data.models as unknown as UserModel[];
}

/** Writes the added-model list atomically (temp file + rename), so a crash never leaves a half-written file. */
async function writeUserModels(modelDir: string, models: readonly UserModel[]): Promise<void> {
  await mkdir(modelDir, { recursive: true });
  const path = join(modelDir, USER_MODELS_FILE);
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify({ models }, null, 2)}\n`);
  await rename(temp, path);
}

async function fileFacts(path: string, entry: Checksummed): Promise<Pick<ModelListing, 'sizeBytes' | 'checksum'> | null> {
  let digest: FileDigest;
  try {
    digest = await fileDigest(path);
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
  const accepted = acceptedFiles(entry);
  const checksum = accepted.length === 0 ? 'unknown' : isAccepted(digest, accepted) ? 'ok' : 'mismatch';
  return { sizeBytes: digest.sizeBytes, checksum };
}

async function locate(file: string, entry: Checksummed, dirs: ModelStoreDirs): Promise<Pick<ModelListing, 'path' | 'location' | 'sizeBytes' | 'checksum'>> {
  const candidates: [string, 'data' | 'assets'][] = [[dirs.modelDir, 'data']];
  if (dirs.assetsModelDir) candidates.push([dirs.assetsModelDir, 'assets']);
  for (const [dir, location] of candidates) {
    const path = join(dir, file);
    const facts = await fileFacts(path, entry);
    if (facts) return { path, location, ...facts };
  }
  return { path: null, location: null, sizeBytes: null, checksum: null };
}

/** Every catalog model and every added model, with whether its file is present and its checksum matches. */
export async function listModels(dirs: ModelStoreDirs, catalog: Catalog = loadCatalog()): Promise<ModelListing[]> {
  const rows: ModelListing[] = [];
  const entries = [
    ...catalog.models.map((m) => ({ m, origin: 'catalog' as const })),
    ...(await readUserModels(dirs.modelDir)).map((m) => ({ m, origin: 'user' as const })),
  ];
  for (const { m, origin } of entries) {
    const { id, task, inputWidth, inputHeight, licence } = m;
    // Added models live only in modelDir; the assets folder holds catalog files.
    const where = origin === 'user' ? { ...dirs, assetsModelDir: null } : dirs;
    rows.push({ id, origin, task, inputWidth, inputHeight, licence, ...(await locate(m.file, m, where)) });
  }
  return rows;
}

/** Options for adding a model. */
export interface AddModelOptions {
  /** Id to use instead of the one proposed from the file name. */
  readonly id?: string;
  readonly catalog?: Catalog;
}

/** Checks that a model may be added under `id` as `file`; throws MODEL_ID_TAKEN naming the holder. */
function checkFree(id: string, file: string, catalog: Catalog, users: readonly UserModel[]): void {
  if (!ID_PATTERN.test(id)) {
    throw new AppError('BAD_REQUEST', `--id: expected lower-case letters, digits, ".", "_" or "-" starting with a letter or digit, got "${id}"`);
  }
  if (catalog.models.some((m) => m.id === id)) {
    throw new AppError('MODEL_ID_TAKEN', `expected a model id the catalog does not use, got "${id}" (a catalog model); choose another with --id`);
  }
  if (users.some((m) => m.id === id)) {
    throw new AppError('MODEL_ID_TAKEN', `expected a model id not already added, got "${id}"; remove it first (sightline models remove ${id}) or choose another with --id`);
  }
  const holder = catalog.models.find((m) => m.file === file) ?? users.find((m) => m.file === file);
  if (holder) throw new AppError('MODEL_ID_TAKEN', `expected a file name no model uses, got ${file} (the file of ${holder.id}); choose another --id`);
}

/**
 * Adds the ONNX model in `bytes`: proposes its manifest (MODEL_LOAD_FAILED / MODEL_LAYOUT_UNSUPPORTED on bad
 * files), refuses a taken id, then `place`s the file at its destination and records it.
 */
async function addModelBytes(
  bytes: Uint8Array,
  name: string,
  source: string,
  place: (dest: string) => Promise<void>,
  dirs: ModelStoreDirs,
  opts: AddModelOptions,
): Promise<UserModel> {
  const catalog = opts.catalog ?? loadCatalog();
  const proposal = proposeManifest(readOnnxInfo(bytes, name), name);
  const id = opts.id ?? proposal.manifest.id;
  const file = `${id}.onnx`;
  const users = await readUserModels(dirs.modelDir);
  checkFree(id, file, catalog, users);
  const model: UserModel = { ...proposal.manifest, id, file, sha256: sha256Hex(bytes), sizeBytes: bytes.length, source };
  await mkdir(dirs.modelDir, { recursive: true });
  const dest = join(dirs.modelDir, file);
  await place(dest);
  try {
    await writeUserModels(dirs.modelDir, [...users, model]);
  } catch (err) {
    await rm(dest, { force: true });
    throw err;
  }
  return model;
}

/** Copies a local .onnx file into modelDir and records it as an added model. */
export async function addModelFile(path: string, dirs: ModelStoreDirs, opts: AddModelOptions = {}): Promise<UserModel> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new AppError('MODEL_LOAD_FAILED', `cannot read model file ${path}: ${errorMessage(err)}`, { cause: err });
  }
  return addModelBytes(bytes, path, path, (dest) => copyFile(path, dest), dirs, opts);
}

/** Downloads an .onnx file (sha256 checked) into modelDir and records it as an added model. */
export async function addModelUrl(
  url: string,
  sha256: string,
  dirs: ModelStoreDirs,
  opts: AddModelOptions & { onProgress?: DownloadProgress } = {},
): Promise<UserModel> {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new AppError('BAD_REQUEST', `--sha256: expected 64 lower-case hex digits, got "${sha256}"`);
  const name = decodeURIComponent(new URL(url).pathname.split('/').pop() || 'model.onnx');
  // Downloaded under a temporary name, so a refused model never appears as a file a later list would show.
  const temp = join(dirs.modelDir, `.incoming-${process.pid}.onnx`);
  await downloadFile(url, temp, { accept: [{ sha256, sizeBytes: null, note: 'given with --sha256' }], onProgress: opts.onProgress });
  try {
    return await addModelBytes(await readFile(temp), name, url, (dest) => rename(temp, dest), dirs, opts);
  } finally {
    await rm(temp, { force: true });
  }
}

/** What `removeModel` deleted. */
export interface Removal {
  readonly id: string;
  readonly origin: 'catalog' | 'user';
  readonly path: string;
}

/** Removes an added model (file and entry) or a downloaded catalog model's file from modelDir; never touches the assets folder. */
export async function removeModel(id: string, dirs: ModelStoreDirs, catalog: Catalog = loadCatalog()): Promise<Removal> {
  const users = await readUserModels(dirs.modelDir);
  const user = users.find((m) => m.id === id);
  if (user) {
    const path = join(dirs.modelDir, user.file);
    await writeUserModels(dirs.modelDir, users.filter((m) => m !== user));
    await rm(path, { force: true });
    return { id, origin: 'user', path };
  }
  const known = catalog.models.find((m) => m.id === id);
  if (!known) {
    const ids = [...catalog.models, ...users].map((m) => m.id).join(', ');
    throw new AppError('MODEL_NOT_FOUND', `expected a catalog or added model id (${ids}), got "${id}"`);
  }
  const path = join(dirs.modelDir, known.file);
  try {
    await stat(path);
  } catch (err) {
    if (!isMissing(err)) throw err;
    const inAssets = dirs.assetsModelDir ? ` (files in the assets folder ${dirs.assetsModelDir} are never removed)` : '';
    throw new AppError('MODEL_NOT_FOUND', `expected a downloaded file ${path} for catalog model ${id}, got none${inAssets}`);
  }
  await rm(path);
  return { id, origin: 'catalog', path };
}
