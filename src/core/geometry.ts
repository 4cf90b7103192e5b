import type { BoxXyxy, Point } from './types.ts';

/** Area of a box in square pixels (0 for degenerate boxes). */
export function boxArea(b: BoxXyxy): number {
  return Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
}

/** Intersection over union of two boxes, in 0..1. */
export function iou(a: BoxXyxy, b: BoxXyxy): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = boxArea(a) + boxArea(b) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * IoU with the inclusive-pixel convention of `cython_bbox.bbox_overlaps` (widths and heights counted as x2 - x1 + 1),
 * which ByteTrack and SORT-family reference code use; only for reproducing them.
 */
export function iouPixelInclusive(a: BoxXyxy, b: BoxXyxy): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]) + 1;
  if (!(w > 0)) return 0;
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]) + 1;
  if (!(h > 0)) return 0;
  const inter = w * h;
  return inter / ((a[2] - a[0] + 1) * (a[3] - a[1] + 1) + (b[2] - b[0] + 1) * (b[3] - b[1] + 1) - inter);
}

/** Bottom-centre of a box (where a standing object touches the ground), in the box's units. */
export function bottomCenter(b: BoxXyxy): Point {
  return [(b[0] + b[2]) / 2, b[3]];
}

/** Clamps a box to a frame of `width` x `height` pixels. */
export function clampBox(b: BoxXyxy, width: number, height: number): BoxXyxy {
  return [
    Math.min(Math.max(b[0], 0), width),
    Math.min(Math.max(b[1], 0), height),
    Math.min(Math.max(b[2], 0), width),
    Math.min(Math.max(b[3], 0), height),
  ];
}

/** Converts a MOTChallenge box (top-left x, y, width, height) to xyxy. */
export function xywhToXyxy(x: number, y: number, w: number, h: number): BoxXyxy {
  return [x, y, x + w, y + h];
}

/** True when point `p` lies inside the polygon `poly` (even-odd rule; same units for both). */
export function pointInPolygon(p: Point, poly: readonly Point[]): boolean {
  return pointInPolygonXY(p[0], p[1], poly);
}

/** `pointInPolygon` for a point given as two numbers (no allocation: rules call it for every track and zone). */
export function pointInPolygonXY(x: number, y: number, poly: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Cross product of (b - a) and (p - a): > 0 when `p` is right of the direction a -> b as seen in an image (y down). */
export function cross(a: Point, b: Point, p: Point): number {
  return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
}

/**
 * Where segment p -> q meets segment a -> b: `t` along a -> b and `u` along p -> q (both 0..1 on the segments), or null
 * when they are parallel.
 */
export function segmentIntersection(p: Point, q: Point, a: Point, b: Point): { t: number; u: number } | null {
  const rx = q[0] - p[0], ry = q[1] - p[1];
  const sx = b[0] - a[0], sy = b[1] - a[1];
  const denom = rx * sy - ry * sx;
  if (denom === 0) return null;
  const apx = a[0] - p[0], apy = a[1] - p[1];
  return { t: (apx * ry - apy * rx) / denom, u: (apx * sy - apy * sx) / denom };
}

/** True when the closed segments p -> q and a -> b share a point (touching and collinear overlap included). */
export function segmentsIntersect(p: Point, q: Point, a: Point, b: Point): boolean {
  const d1 = cross(a, b, p), d2 = cross(a, b, q), d3 = cross(p, q, a), d4 = cross(p, q, b);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  const onSegment = (s: Point, e: Point, x: Point) =>
    Math.min(s[0], e[0]) <= x[0] && x[0] <= Math.max(s[0], e[0]) && Math.min(s[1], e[1]) <= x[1] && x[1] <= Math.max(s[1], e[1]);
  return (d1 === 0 && onSegment(a, b, p)) || (d2 === 0 && onSegment(a, b, q)) || (d3 === 0 && onSegment(p, q, a)) || (d4 === 0 && onSegment(p, q, b));
}

/**
 * The first pair of edges of a closed polygon that cross or touch other than at their shared corner, as edge indexes
 * (edge i runs from corner i to corner i + 1), or null when the polygon is simple.
 */
export function polygonSelfIntersection(poly: readonly Point[]): [number, number] | null {
  const n = poly.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      // Neighbouring edges share a corner; they only count when they fold back onto each other.
      const neighbours = j === i + 1 || (i === 0 && j === n - 1);
      const a = poly[i]!, b = poly[(i + 1) % n]!, c = poly[j]!, d = poly[(j + 1) % n]!;
      if (neighbours) {
        const [shared, p, q] = j === i + 1 ? [b, a, d] : [a, b, c];
        if (cross(shared, p, q) === 0 && (p[0] - shared[0]) * (q[0] - shared[0]) + (p[1] - shared[1]) * (q[1] - shared[1]) > 0) return [i, j];
        continue;
      }
      if (segmentsIntersect(a, b, c, d)) return [i, j];
    }
  }
  return null;
}

/** Twice the signed area of a polygon (shoelace); 0 for a degenerate one. */
export function polygonArea2(poly: readonly Point[]): number {
  let s = 0;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) s += (poly[j]![0] - poly[i]![0]) * (poly[j]![1] + poly[i]![1]);
  return s;
}
