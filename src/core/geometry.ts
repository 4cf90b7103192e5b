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
  let inside = false;
  const [x, y] = p;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
