import { AppError } from '../core/errors.ts';
import type { EventListQuery } from '../store/event-repository.ts';

/** Parses `GET /api/events` query parameters (`camera`, `label`, `limit` 1..500, `before` ms) (pure). */
export function parseEventQuery(q: Record<string, unknown>): EventListQuery {
  const known = new Set(['camera', 'label', 'limit', 'before']);
  for (const key of Object.keys(q)) {
    if (!known.has(key)) throw new AppError('BAD_REQUEST', `unknown query parameter "${key}"; expected camera, label, limit or before`);
  }
  const int = (name: string, min: number, max: number): number | undefined => {
    const raw = q[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new AppError('BAD_REQUEST', `${name}: expected a whole number between ${min} and ${max}, got ${JSON.stringify(raw)}`);
    }
    return n;
  };
  const str = (name: string): string | undefined => {
    const raw = q[name];
    if (raw === undefined || raw === '') return undefined;
    if (typeof raw !== 'string') throw new AppError('BAD_REQUEST', `${name}: expected one value, got ${JSON.stringify(raw)}`);
    return raw;
  };
  return { cameraId: str('camera'), label: str('label'), limit: int('limit', 1, 500), beforeStartMs: int('before', 0, Number.MAX_SAFE_INTEGER) };
}
