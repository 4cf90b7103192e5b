/**
 * A camera's analysis settings kept in their own YAML file, or a built-in preset (`preset:falls`, `preset:animals`,
 * `preset:violence`, in the `presets/` folder): the `detect`, `objects`, `zones`, `lines`, `rules` and `events` of one
 * camera, checked with the camera schema (paths in messages are the file's). `sightline analyze --rules` runs them.
 */
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import { describeIssues, parseYaml } from './load.ts';
import { CameraSchema, type CameraConfig } from './schema.ts';

/** Folder of the built-in presets. */
export const PRESETS_DIR = fileURLToPath(new URL('../../presets/', import.meta.url));

/** The settings a rules file may hold. */
const RULES_FILE_KEYS = ['detect', 'objects', 'zones', 'lines', 'rules', 'events', 'motion'] as const;

/** The camera settings of a rules file (unvalidated slice, validated as part of a camera by `cameraWithRules`). */
export type RulesFile = Partial<Record<(typeof RULES_FILE_KEYS)[number], unknown>> & { readonly source?: string };

/** Names of the built-in presets. */
export async function presetNames(): Promise<string[]> {
  return (await readdir(PRESETS_DIR)).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
}

/** Reads `spec` (a YAML file path, or `preset:NAME`); CONFIG_INVALID naming the file, line or key otherwise. */
export async function readRulesFile(spec: string): Promise<RulesFile> {
  let path = spec;
  if (spec.startsWith('preset:')) {
    const name = spec.slice('preset:'.length);
    const names = await presetNames();
    if (!names.includes(name)) throw new AppError('CONFIG_INVALID', `--rules: expected preset:${names.join(', preset:')} or a YAML file, got "${spec}"`);
    path = `${PRESETS_DIR}${name}.yaml`;
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `--rules: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const doc = parseYaml(text, path);
  if (!doc.ok) throw new AppError('CONFIG_INVALID', `--rules: ${doc.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  const unknown = Object.keys(doc.raw).filter((k) => !(RULES_FILE_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new AppError('CONFIG_INVALID', `${path}: expected only ${RULES_FILE_KEYS.join(', ')} at the top level, got ${unknown.map((k) => `"${k}"`).join(', ')}`);
  }
  return { ...doc.raw, source: path };
}

/** A camera built from `base` (id, source, detect defaults) with a rules file's settings on top; CONFIG_INVALID with paths. */
export function cameraWithRules(base: Record<string, unknown>, rules: RulesFile): CameraConfig {
  const { source, ...slice } = rules;
  const detect = { ...(base['detect'] as object | undefined), ...(slice.detect as object | undefined) };
  const raw = { ...base, ...slice, detect };
  const parsed = CameraSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = describeIssues(parsed.error.issues as z.core.$ZodIssue[], raw);
  throw new AppError('CONFIG_INVALID', `${source ?? 'camera settings'}:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
}
