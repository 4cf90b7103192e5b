import { AppError } from '../core/errors.ts';
import type { Severity } from '../core/types.ts';
import type { EventListQuery } from '../store/event-repository.ts';

type Query = Record<string, unknown>;

/** Rejects query parameters not in `known`, naming the ones that are. */
function onlyKnown(q: Query, known: readonly string[]): void {
  for (const key of Object.keys(q)) {
    if (!known.includes(key)) throw new AppError('BAD_REQUEST', `unknown query parameter "${key}"; expected ${known.slice(0, -1).join(', ')} or ${known.at(-1)}`);
  }
}

/** A whole-number parameter in [min, max], or undefined when absent. */
function int(q: Query, name: string, min: number, max: number): number | undefined {
  const raw = q[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new AppError('BAD_REQUEST', `${name}: expected a whole number between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** A single-valued text parameter, or undefined when absent. */
function str(q: Query, name: string): string | undefined {
  const raw = q[name];
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') throw new AppError('BAD_REQUEST', `${name}: expected one value, got ${JSON.stringify(raw)}`);
  return raw;
}

const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

/**
 * Parses `GET /api/events` query parameters (`camera`, `label`, `type`, `rule`, `severity`, `keep` true/false,
 * `limit` 1..500, `before` ms (paging), `from` and `to` ms (a time range of start times, to exclusive)) (pure).
 */
export function parseEventQuery(q: Query): EventListQuery {
  onlyKnown(q, ['camera', 'label', 'type', 'rule', 'severity', 'keep', 'limit', 'before', 'from', 'to']);
  const severity = str(q, 'severity');
  if (severity !== undefined && !SEVERITIES.includes(severity as Severity)) {
    throw new AppError('BAD_REQUEST', `severity: expected one of ${SEVERITIES.join(', ')}, got "${severity}"`);
  }
  const keep = str(q, 'keep');
  if (keep !== undefined && keep !== 'true' && keep !== 'false') throw new AppError('BAD_REQUEST', `keep: expected true or false, got "${keep}"`);
  const before = int(q, 'before', 0, Number.MAX_SAFE_INTEGER);
  const to = int(q, 'to', 0, Number.MAX_SAFE_INTEGER);
  const from = int(q, 'from', 0, Number.MAX_SAFE_INTEGER);
  if (from !== undefined && to !== undefined && from >= to) throw new AppError('BAD_REQUEST', `from (${from}) must be before to (${to})`);
  const bounds = [before, to].filter((v): v is number => v !== undefined);
  return {
    cameraId: str(q, 'camera'), label: str(q, 'label'), type: str(q, 'type'), ruleId: str(q, 'rule'), severity: severity as Severity | undefined,
    keep: keep === undefined ? undefined : keep === 'true',
    limit: int(q, 'limit', 1, 500), beforeStartMs: bounds.length > 0 ? Math.min(...bounds) : undefined, fromStartMs: from,
  };
}

/** Buckets of an events histogram when none are asked for, and the most one may have. */
const DEFAULT_HISTOGRAM_BUCKETS = 96;
const MAX_HISTOGRAM_BUCKETS = 1000;
const DAY_MS = 86_400_000;

/**
 * Parses `GET /api/events/histogram`: the list's filters (`camera`, `label`, `type`, `rule`, `severity`, `keep`), the
 * range `from`..`to` (ms; default the 24 hours before `nowMs`) and `buckets` (1..1000, default 96) (pure). The bucket
 * size is the range over the buckets, rounded up to a whole millisecond.
 */
export function parseEventHistogramQuery(q: Query, nowMs: number): { filter: EventListQuery; fromMs: number; toMs: number; bucketMs: number; buckets: number } {
  onlyKnown(q, ['camera', 'label', 'type', 'rule', 'severity', 'keep', 'from', 'to', 'buckets']);
  const { from: _from, to: _to, buckets: _buckets, ...rest } = q;
  const filter = parseEventQuery(rest);
  const toMs = int(q, 'to', 1, Number.MAX_SAFE_INTEGER) ?? nowMs;
  const fromMs = int(q, 'from', 0, Number.MAX_SAFE_INTEGER) ?? toMs - DAY_MS;
  if (fromMs >= toMs) throw new AppError('BAD_REQUEST', `from (${fromMs}) must be before to (${toMs})`);
  const buckets = int(q, 'buckets', 1, MAX_HISTOGRAM_BUCKETS) ?? DEFAULT_HISTOGRAM_BUCKETS;
  return { filter, fromMs, toMs, bucketMs: Math.ceil((toMs - fromMs) / buckets), buckets };
}

/** Bucket sizes `GET /api/analytics/lines` accepts, in ms. */
export const BUCKETS: Readonly<Record<string, number>> = { '1m': 60_000, '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '1d': 86_400_000 };
/** Most buckets one analytics answer holds. */
const MAX_BUCKETS = 10_000;
const HOUR_MS = 3_600_000;

/** A time range [fromMs, toMs) from `from` and `to` (ms since the epoch; default the last hour before `nowMs`). */
function range(q: Query, nowMs: number, bucketMs: number): { fromMs: number; toMs: number } {
  const toMs = int(q, 'to', 0, Number.MAX_SAFE_INTEGER) ?? nowMs;
  const fromMs = int(q, 'from', 0, Number.MAX_SAFE_INTEGER) ?? toMs - HOUR_MS;
  if (fromMs >= toMs) throw new AppError('BAD_REQUEST', `from (${fromMs}) must be before to (${toMs})`);
  if ((toMs - fromMs) / bucketMs > MAX_BUCKETS) {
    throw new AppError('BAD_REQUEST', `the range ${fromMs}..${toMs} holds more than ${MAX_BUCKETS} buckets of ${bucketMs} ms; narrow it or use a larger bucket`);
  }
  return { fromMs, toMs };
}

/** Parses `GET /api/analytics/occupancy` (`camera`, `zone` required; `from`, `to` ms) (pure). */
export function parseOccupancyQuery(q: Query, nowMs: number): { cameraId: string; zoneId: string; fromMs: number; toMs: number } {
  onlyKnown(q, ['camera', 'zone', 'from', 'to']);
  const cameraId = str(q, 'camera');
  const zoneId = str(q, 'zone');
  if (cameraId === undefined || zoneId === undefined) throw new AppError('BAD_REQUEST', `camera and zone are required, e.g. ?camera=gate&zone=driveway; got ${JSON.stringify(q)}`);
  return { cameraId, zoneId, ...range(q, nowMs, 60_000) };
}

/** Parses `GET /api/analytics/lines` (`camera` required; `line`, `label`, `from`, `to` ms, `bucket` 1m..1d) (pure). */
export function parseLinesQuery(q: Query, nowMs: number): { cameraId: string; lineId: string | undefined; label: string | undefined; fromMs: number; toMs: number; bucketMs: number } {
  onlyKnown(q, ['camera', 'line', 'label', 'from', 'to', 'bucket']);
  const cameraId = str(q, 'camera');
  if (cameraId === undefined) throw new AppError('BAD_REQUEST', `camera is required, e.g. ?camera=gate&line=door; got ${JSON.stringify(q)}`);
  const bucket = str(q, 'bucket') ?? '1m';
  const bucketMs = BUCKETS[bucket];
  if (bucketMs === undefined) throw new AppError('BAD_REQUEST', `bucket: expected one of ${Object.keys(BUCKETS).join(', ')}, got "${bucket}"`);
  return { cameraId, lineId: str(q, 'line'), label: str(q, 'label'), bucketMs, ...range(q, nowMs, bucketMs) };
}
