import { z } from 'zod';

/** A number in [min, max] whose error message names both bounds. */
export function between(min: number, max: number, opts: { int?: boolean } = {}) {
  const kind = opts.int ? 'a whole number' : 'a number';
  const message = `expected ${kind} between ${min} and ${max}`;
  let n = z.number({ error: message });
  if (opts.int) n = n.int({ error: message });
  return n.min(min, { error: message }).max(max, { error: message });
}

/** An id of lower-case letters, digits, `_` or `-` (1-64 characters); `what` names it in the message. */
export const id = (what: string) =>
  z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, { error: `expected a ${what} id of lower-case letters, digits, "_" or "-" (1-64 characters)` });

/** A point as [x, y], each 0..1 of the frame width/height. */
export const PointNormSchema = z.tuple([between(0, 1), between(0, 1)], { error: 'expected a point [x, y] with x and y between 0 and 1' });

/** A point on a floor plan in metres: [x, y] from the plan image's top-left corner, x right, y down. */
export const PointMSchema = z.tuple([z.number({ error: 'expected metres' }), z.number({ error: 'expected metres' })], { error: 'expected a plan point [x, y] in metres' });
