/** Problems of a configuration (or a request body) as paths with what was expected and what arrived (pure). */
import type { z } from 'zod';

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
