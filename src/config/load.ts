import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { AppError, errorMessage } from '../core/errors.ts';
import { ConfigSchema, type Config } from './schema.ts';

/** One problem found in a configuration, with the path to the offending value. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** Formats a path like `cameras[1].detect.fps`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), '');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  let s: string;
  try {
    s = JSON.stringify(v);
  } catch {
    // Too deep to write out (e.g. JSON nested thousands of levels in a request body), or a cycle.
    s = Array.isArray(v) ? '[...]' : typeof v === 'object' && v !== null ? '{...}' : String(v);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Turns zod issues into path-precise problems that say what was expected and what arrived (pure). */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): ConfigProblem[] {
  return issues.flatMap((iss) => nameDestination(describeIssue(iss, input), iss.path, input));
}

/** A problem inside a delivery destination names it (`destination "ops-hook": ...`), unless the message already does. */
function nameDestination(problems: ConfigProblem[], path: readonly PropertyKey[], input: unknown): ConfigProblem[] {
  if (path[0] !== 'delivery' || path[1] !== 'destinations' || typeof path[2] !== 'number') return problems;
  const id = valueAt(input, path.slice(0, 3).concat('id'));
  if (typeof id !== 'string') return problems;
  return problems.map((p) => (p.message.startsWith('destination "') ? p : { ...p, message: `destination "${id}": ${p.message}` }));
}

function describeIssue(iss: z.core.$ZodIssue, input: unknown): ConfigProblem[] {
  if (iss.code === 'unrecognized_keys') {
    return iss.keys.map((key) => ({ path: formatPath([...iss.path, key]), message: `unknown key "${key}"; check the spelling against docs/config.md` }));
  }
  const got = valueAt(input, iss.path);
  let message = iss.message;
  if (iss.code === 'invalid_type' && !message.startsWith('expected')) message = `expected ${iss.expected}`;
  if (iss.code === 'invalid_value' && !message.startsWith('expected')) message = `expected one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}`;
  // A refinement's message says what was expected; the value that arrived is added like for the other issues.
  if (iss.code === 'custom') return [{ path: formatPath(iss.path), message: message.startsWith('expected ') ? `${message}, got ${show(got)}` : message }];
  return [{ path: formatPath(iss.path), message: `${message}, got ${show(got)}` }];
}

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
