import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { AppError, errorMessage } from '../core/errors.ts';
import { ConfigSchema, type Config } from './schema.ts';

export { describeIssues, formatPath, type ConfigProblem } from './describe-issues.ts';
import { describeIssues, type ConfigProblem } from './describe-issues.ts';

/** Converts `SERVER__PORT`-style env names into a config path: segments split on `__`, SNAKE to camelCase, digits to indexes. */
function envPath(name: string): (string | number)[] {
  return name.split('__').map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())));
}

function parseEnvValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * Environment variables with the prefix that are not configuration keys: the file to read, the first admin's password
 * (a secret that is never part of the configuration), and the test command's response check.
 */
const NOT_CONFIG_KEYS = new Set(['SIGHTLINE_CONFIG', 'SIGHTLINE_ADMIN_PASSWORD', 'SIGHTLINE_CHECK_RESPONSES']);

/** Applies `SIGHTLINE_*` environment overrides onto a raw config object (pure; the names above are not keys). */
export function applyEnvOverrides(raw: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const out = structuredClone(raw);
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('SIGHTLINE_') || NOT_CONFIG_KEYS.has(name) || value === undefined) continue;
    const path = envPath(name.slice('SIGHTLINE_'.length));
    let node: Record<string | number, unknown> = out;
    path.forEach((key, i) => {
      if (i === path.length - 1) {
        node[key] = parseEnvValue(value);
        return;
      }
      if (node[key] === null || typeof node[key] !== 'object') node[key] = typeof path[i + 1] === 'number' ? [] : {};
      node = node[key] as Record<string | number, unknown>;
    });
  }
  return out;
}

/** Result of validating a configuration: the frozen config, or every problem found. */
export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

/** Validates a raw configuration object (pure). */
export function validateConfig(raw: unknown): ConfigResult {
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: describeIssues(parsed.error.issues, raw) };
  return { ok: true, config: deepFreeze(parsed.data) };
}

/** Parses YAML text into a raw object, reporting syntax errors with line numbers. */
export function parseYaml(text: string, file: string): { ok: true; raw: Record<string, unknown> } | { ok: false; problems: ConfigProblem[] } {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    return { ok: false, problems: doc.errors.map((e) => ({ path: `${file}:${e.linePos?.[0].line ?? '?'}`, message: e.message.split('\n')[0]! })) };
  }
  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw) || raw === null) {
    return { ok: false, problems: [{ path: file, message: `expected a mapping of settings at the top level, got ${Array.isArray(raw) ? 'a list' : typeof raw}` }] };
  }
  return { ok: true, raw: raw as Record<string, unknown> };
}

/** Reads a YAML file (optional), applies env overrides and validates; the single way the server and CLI load config. */
export async function loadConfig(file: string | undefined, env: Readonly<Record<string, string | undefined>>): Promise<ConfigResult> {
  let raw: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new AppError('CONFIG_NOT_FOUND', `cannot read config file ${file}: ${errorMessage(err)}`, { cause: err });
    }
    const parsed = parseYaml(text, file);
    if (!parsed.ok) return parsed;
    raw = parsed.raw;
  }
  return validateConfig(applyEnvOverrides(raw, env));
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
    Object.freeze(v);
  }
  return v;
}
