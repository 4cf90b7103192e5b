/**
 * The lines file of `sightline count eval`: per sequence, counting lines and zones in that sequence's pixels,
 * `{"<seq>": {"lines": [{"id", "points": [[x,y],[x,y]]}], "zones": [{"id", "polygon": [[x,y],...]}]}}`; either key may
 * be absent. Pure: text in, a checked value out.
 */

import { polygonArea2, polygonSelfIntersection } from '../../core/geometry.ts';
import { AppError } from '../../core/errors.ts';
import type { Point } from '../../core/types.ts';

/** A counting line in pixels; `in` is a crossing from its left to its right (points[0] -> points[1], y down). */
export interface CountLine {
  readonly id: string;
  readonly pointsPx: readonly [Point, Point];
}

/** A counting zone in pixels. */
export interface CountZone {
  readonly id: string;
  readonly polygonPx: readonly Point[];
}

/** What one sequence counts. */
export interface SequenceCountSpec {
  readonly lines: readonly CountLine[];
  readonly zones: readonly CountZone[];
}

/** Sequence name -> its lines and zones, in file order. */
export type CountLinesFile = ReadonlyMap<string, SequenceCountSpec>;

/** A short, readable rendering of what arrived, for error messages. */
function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses a lines file. Anything that is not valid JSON or not of the shape above throws `CONFIG_INVALID` with one
 * message naming the file, the sequence and key, what was expected and what arrived: a line without exactly two
 * points or of zero length, a polygon of fewer than 3 points, of no area or crossing itself, a duplicate id, an
 * unknown key.
 */
export function parseCountLines(text: string, fileName: string): CountLinesFile {
  const fail = (where: string, expected: string, got: unknown): never => {
    throw new AppError('CONFIG_INVALID', `${fileName}: ${where}: expected ${expected}, got ${shown(got)}`);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `${fileName}: expected JSON, got a syntax error: ${(err as Error).message}`);
  }
  if (!isObject(doc)) fail('top level', 'an object {"<sequence>": {"lines": [...], "zones": [...]}}', doc);
  const out = new Map<string, SequenceCountSpec>();
  for (const [seq, value] of Object.entries(doc as Record<string, unknown>)) {
    if (!isObject(value)) fail(`"${seq}"`, 'an object with "lines" and/or "zones"', value);
    const spec = value as Record<string, unknown>;
    for (const key of Object.keys(spec)) if (key !== 'lines' && key !== 'zones') fail(`"${seq}"`, 'only the keys "lines" and "zones"', key);
    const point = (where: string, p: unknown): Point => {
      if (!Array.isArray(p) || p.length !== 2 || !p.every((c) => typeof c === 'number' && Number.isFinite(c))) fail(where, 'a point [x, y] of two finite numbers (pixels)', p);
      const [x, y] = p as [number, number];
      return [x, y];
    };
    const items = (key: 'lines' | 'zones'): Record<string, unknown>[] => {
      const list = spec[key] ?? [];
      if (!Array.isArray(list)) fail(`"${seq}".${key}`, 'an array', list);
      const ids = new Set<string>();
      return (list as unknown[]).map((item, i) => {
        const where = `"${seq}".${key}[${i}]`;
        if (!isObject(item)) fail(where, `an object {"id", "${key === 'lines' ? 'points' : 'polygon'}"}`, item);
        const id = (item as Record<string, unknown>)['id'];
        if (typeof id !== 'string' || id === '') fail(`${where}.id`, 'a non-empty string', id);
        if (ids.has(id as string)) fail(`${where}.id`, `ids unique within "${seq}".${key}`, id);
        ids.add(id as string);
        const extra = Object.keys(item as object).find((k) => k !== 'id' && k !== (key === 'lines' ? 'points' : 'polygon'));
        if (extra !== undefined) fail(where, `only the keys "id" and "${key === 'lines' ? 'points' : 'polygon'}"`, extra);
        return item as Record<string, unknown>;
      });
    };
    const lines = items('lines').map((item, i): CountLine => {
      const where = `"${seq}".lines[${i}] ("${item['id']}").points`;
      const pts = item['points'];
      if (!Array.isArray(pts) || pts.length !== 2) fail(where, 'exactly two points [[x1, y1], [x2, y2]]', pts);
      const a = point(`${where}[0]`, (pts as unknown[])[0]);
      const b = point(`${where}[1]`, (pts as unknown[])[1]);
      if (a[0] === b[0] && a[1] === b[1]) fail(where, 'two different points (a line of non-zero length)', pts);
      return { id: item['id'] as string, pointsPx: [a, b] };
    });
    const zones = items('zones').map((item, i): CountZone => {
      const where = `"${seq}".zones[${i}] ("${item['id']}").polygon`;
      const poly = item['polygon'];
      if (!Array.isArray(poly) || poly.length < 3) fail(where, 'a polygon of at least 3 points [[x, y], ...]', poly);
      const polygonPx = (poly as unknown[]).map((p, j) => point(`${where}[${j}]`, p));
      if (polygonArea2(polygonPx) === 0) fail(where, 'a polygon with an area (its points are not all on one line)', poly);
      const crossing = polygonSelfIntersection(polygonPx);
      if (crossing) fail(where, `a simple polygon, but edge ${crossing[0]} crosses edge ${crossing[1]}; got`, poly);
      return { id: item['id'] as string, polygonPx };
    });
    out.set(seq, { lines, zones });
  }
  return out;
}
