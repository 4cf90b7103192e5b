/**
 * The part of the configuration that is managed at runtime (pure): cameras with their zones, lines, rules and
 * calibrations, the delivery destinations, the recording settings, the default model, and the site (floor plans,
 * areas, cross-camera identity). The YAML file seeds it; after that the
 * database holds it, one version per change. The rest of the file (server, auth, database, dataDir, log, the model
 * runtime) is read at start only.
 *
 * Secrets (webhook signing secrets, broker and SMTP passwords, passwords inside URLs) are write-only through the API:
 * views mask them, and a masked value sent back means "keep what is stored".
 */
import type { CameraConfig, Config } from '../config/schema.ts';

/** The runtime-managed part of a configuration, in its validated form. */
export interface SiteDocument {
  readonly cameras: readonly CameraConfig[];
  readonly delivery: Config['delivery'];
  readonly recording: Config['recording'];
  readonly models: { readonly default: string };
  readonly site: Config['site'];
}

/** What a masked secret reads as in views. */
export const SECRET_MASK = '********';

/** Keys whose values are secrets wherever they appear. */
const SECRET_KEYS = new Set(['secret', 'password']);
/** Keys whose string values are URLs that may carry a password. */
const URL_KEYS = new Set(['url']);
/** The password inside a URL (`scheme://user:password@host`). */
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/)([^/@:]*):([^/@]*)@/i;

/** The managed part of a validated configuration. */
export function siteDocumentOf(config: Config): SiteDocument {
  return { cameras: config.cameras, delivery: config.delivery, recording: config.recording, models: { default: config.models.default }, site: config.site };
}

/** The whole configuration input: `base` with its managed part replaced by `doc` (validate it with ConfigSchema). */
export function configInputWith(base: Config, doc: unknown): Record<string, unknown> {
  const d = (doc ?? {}) as Record<string, unknown>;
  const models = (d['models'] ?? {}) as Record<string, unknown>;
  return { ...base, cameras: d['cameras'], delivery: d['delivery'], recording: d['recording'], models: { ...base.models, default: models['default'] ?? base.models.default }, site: d['site'] ?? base.site };
}

/** A copy of `value` with every secret masked (pure; works on any JSON value). */
export function maskSecrets<T>(value: T): T {
  return mask(value, null) as T;
}

function mask(value: unknown, key: string | null): unknown {
  if (Array.isArray(value)) return value.map((v) => mask(v, null));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v, k)]));
  }
  if (typeof value === 'string' && key !== null) {
    if (SECRET_KEYS.has(key)) return SECRET_MASK;
    if (URL_KEYS.has(key)) return value.replace(URL_PASSWORD, `$1$2:${SECRET_MASK}@`);
  }
  return value;
}

/**
 * `next` (an input from the API, maybe holding masked secrets) with each masked secret replaced by the stored value at
 * the same place in `previous`: destinations are matched by id, cameras by id, other arrays by position. A mask with
 * no stored value behind it stays (and the schema or the sender reports it).
 */
export function restoreSecrets(next: unknown, previous: unknown): unknown {
  return restore(next, previous, null);
}

function restore(next: unknown, prev: unknown, key: string | null): unknown {
  if (Array.isArray(next)) {
    const prevArr = Array.isArray(prev) ? prev : [];
    return next.map((item, i) => {
      const id = idOf(item);
      const match = id !== null ? prevArr.find((p) => idOf(p) === id) : prevArr[i];
      return restore(item, match, null);
    });
  }
  if (next !== null && typeof next === 'object') {
    const p = prev !== null && typeof prev === 'object' && !Array.isArray(prev) ? (prev as Record<string, unknown>) : {};
    return Object.fromEntries(Object.entries(next).map(([k, v]) => [k, restore(v, p[k], k)]));
  }
  if (typeof next === 'string' && key !== null && typeof prev === 'string') {
    if (SECRET_KEYS.has(key) && next === SECRET_MASK) return prev;
    if (URL_KEYS.has(key) && next.includes(`:${SECRET_MASK}@`)) {
      // Same URL with the password masked: keep the stored password.
      const stored = URL_PASSWORD.exec(prev);
      if (stored && prev.replace(URL_PASSWORD, `$1$2:${SECRET_MASK}@`) === next) return prev;
    }
  }
  return next;
}

function idOf(v: unknown): string | null {
  return v !== null && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string' ? (v as { id: string }).id : null;
}

/** One difference between two versions: where, and the values before and after (secrets masked). */
export interface ConfigChange {
  /** Like `cameras[front].rules[intrusion].zone`; arrays of objects with ids are keyed by id. */
  readonly path: string;
  /** Absent: added. */
  readonly before?: unknown;
  /** Absent: removed. */
  readonly after?: unknown;
}

/** The differences between two documents (pure), secrets masked; a changed secret shows as a changed mask. */
export function diffDocuments(before: unknown, after: unknown): ConfigChange[] {
  const out: ConfigChange[] = [];
  diff(before, after, '', null, out);
  return out;
}

function diff(a: unknown, b: unknown, path: string, key: string | null, out: ConfigChange[]): void {
  if (equalJson(a, b)) return;
  if (isRecord(a) && isRecord(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diff(a[k], b[k], path ? `${path}.${k}` : k, k, out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.every((x) => idOf(x) !== null) && b.every((x) => idOf(x) !== null)) {
    const ids = [...new Set([...a.map(idOf), ...b.map(idOf)])] as string[];
    for (const id of ids) diff(a.find((x) => idOf(x) === id), b.find((x) => idOf(x) === id), `${path}[${id}]`, null, out);
    // Rules run in their order; a reordering is a change of its own.
    const common = (xs: unknown[], other: unknown[]) => xs.map(idOf).filter((id) => other.some((x) => idOf(x) === id));
    if (!equalJson(common(a, b), common(b, a))) out.push({ path: `${path} order`, before: common(a, b), after: common(b, a) });
    return;
  }
  const change: { path: string; before?: unknown; after?: unknown } = { path };
  const secret = key !== null && SECRET_KEYS.has(key);
  if (a !== undefined) change.before = secret ? SECRET_MASK : mask(a, key);
  if (b !== undefined) change.after = secret ? `${SECRET_MASK} (changed)` : mask(b, key);
  if (secret && a === undefined) change.after = SECRET_MASK;
  out.push(change);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Deep equality of JSON values (key order ignored). */
export function equalJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equalJson(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => equalJson(a[k], b[k]));
  }
  return false;
}

/** A short summary of changes for lists: `cameras[front].rules[intrusion].zone, delivery.destinations[hook]`. */
export function summarizeChanges(changes: readonly ConfigChange[], max = 4): string {
  if (changes.length === 0) return 'no change';
  const shown = changes.slice(0, max).map((c) => `${c.before === undefined ? '+' : c.after === undefined ? '-' : '~'}${c.path}`);
  return changes.length > max ? `${shown.join(', ')} and ${changes.length - max} more` : shown.join(', ');
}
