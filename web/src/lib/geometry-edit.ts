/**
 * Editing zones and counting lines on a picture (pure): points are normalised to the frame (0..1, x right, y down),
 * as the configuration stores them. Snapping, vertex moves, polygon checks, and an undo history.
 */

export type PointNorm = readonly [number, number];

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** A point clamped into the frame and rounded to 4 decimals (a tenth of a pixel on a 1080p frame). */
export function clampPoint(p: PointNorm): PointNorm {
  return [Math.round(clamp01(p[0]) * 1e4) / 1e4, Math.round(clamp01(p[1]) * 1e4) / 1e4];
}

/**
 * Snaps `p` to the nearest of `targets` (other shapes' vertices) within `radiusNorm`, else to a frame edge within that
 * radius (each axis on its own), else leaves it.
 */
export function snapPoint(p: PointNorm, targets: readonly PointNorm[], radiusNorm: number): PointNorm {
  let best: PointNorm | null = null;
  let bestD = radiusNorm;
  for (const t of targets) {
    const d = Math.hypot(t[0] - p[0], t[1] - p[1]);
    if (d <= bestD) {
      best = t;
      bestD = d;
    }
  }
  if (best) return best;
  const edge = (v: number) => (v <= radiusNorm ? 0 : v >= 1 - radiusNorm ? 1 : v);
  return clampPoint([edge(p[0]), edge(p[1])]);
}

/** Index of the vertex of `points` within `radiusNorm` of `p` (the nearest), or -1. */
export function hitVertex(points: readonly PointNorm[], p: PointNorm, radiusNorm: number): number {
  let best = -1;
  let bestD = radiusNorm;
  points.forEach((q, i) => {
    const d = Math.hypot(q[0] - p[0], q[1] - p[1]);
    if (d <= bestD) {
      best = i;
      bestD = d;
    }
  });
  return best;
}

/** `points` with vertex `i` moved to `p`. */
export function moveVertex(points: readonly PointNorm[], i: number, p: PointNorm): PointNorm[] {
  return points.map((q, k) => (k === i ? clampPoint(p) : q));
}

/** Twice the signed area (shoelace); 0 for a degenerate polygon. */
export function signedArea2(points: readonly PointNorm[]): number {
  let a = 0;
  for (let i = 0; i < points.length; i++) {
    const [x1, y1] = points[i]!;
    const [x2, y2] = points[(i + 1) % points.length]!;
    a += x1 * y2 - x2 * y1;
  }
  return a;
}

function cross(o: PointNorm, a: PointNorm, b: PointNorm): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/** Whether segments ab and cd cross at a point inside both (touching at shared endpoints does not count). */
export function segmentsCross(a: PointNorm, b: PointNorm, c: PointNorm, d: PointNorm): boolean {
  const d1 = cross(c, d, a);
  const d2 = cross(c, d, b);
  const d3 = cross(a, b, c);
  const d4 = cross(a, b, d);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

/** What is wrong with a zone polygon, with the vertices involved; null when it is fine. */
export function polygonProblem(points: readonly PointNorm[]): { message: string; vertices: number[] } | null {
  if (points.length < 3) return { message: `a zone needs at least 3 points, got ${points.length}`, vertices: [] };
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const [a, b] = [points[i]!, points[j]!];
      if (a[0] === b[0] && a[1] === b[1]) return { message: `points ${i + 1} and ${j + 1} are the same`, vertices: [i, j] };
    }
  }
  const n = points.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue; // neighbours through the closing edge
      if (segmentsCross(points[i]!, points[(i + 1) % n]!, points[j]!, points[(j + 1) % n]!)) {
        return { message: `edges ${i + 1}-${((i + 1) % n) + 1} and ${j + 1}-${((j + 1) % n) + 1} cross: the outline must not cross itself`, vertices: [i, (i + 1) % n, j, (j + 1) % n] };
      }
    }
  }
  if (Math.abs(signedArea2(points)) < 1e-6) return { message: 'the zone has no area (its points are on one line)', vertices: [] };
  return null;
}

/** What is wrong with a counting line (two or more points); null when it is fine. */
export function lineProblem(points: readonly PointNorm[]): string | null {
  if (points.length < 2) return `a line needs at least 2 points, got ${points.length}`;
  let length = 0;
  for (let i = 1; i < points.length; i++) length += Math.hypot(points[i]![0] - points[i - 1]![0], points[i]![1] - points[i - 1]![1]);
  return length < 0.01 ? 'the line is too short (under 1 % of the frame)' : null;
}

/** An undo/redo history of immutable states. */
export class History<T> {
  private past: T[] = [];
  private future: T[] = [];
  constructor(private current: T, private readonly limit = 100) {}
  get value(): T {
    return this.current;
  }
  get canUndo(): boolean {
    return this.past.length > 0;
  }
  get canRedo(): boolean {
    return this.future.length > 0;
  }
  push(next: T): void {
    this.past.push(this.current);
    if (this.past.length > this.limit) this.past.shift();
    this.current = next;
    this.future = [];
  }
  undo(): T {
    const prev = this.past.pop();
    if (prev !== undefined) {
      this.future.push(this.current);
      this.current = prev;
    }
    return this.current;
  }
  redo(): T {
    const next = this.future.pop();
    if (next !== undefined) {
      this.past.push(this.current);
      this.current = next;
    }
    return this.current;
  }
}

/**
 * The "in" arrow of a line in pixels of a `width` x `height` drawing: from the middle of its first segment,
 * perpendicular, `lengthPx` long, towards the side crossings into count `in` (right of a -> b on an image is (-dy, dx)).
 */
export function inTickNorm(a: PointNorm, b: PointNorm, side: 'left' | 'right', width: number, height: number, lengthPx: number): [[number, number], [number, number]] {
  const [ax, ay, bx, by] = [a[0] * width, a[1] * height, b[0] * width, b[1] * height];
  const [mx, my] = [(ax + bx) / 2, (ay + by) / 2];
  const [dx, dy] = [bx - ax, by - ay];
  const len = Math.hypot(dx, dy) || 1;
  const sign = side === 'left' ? -1 : 1;
  return [[mx, my], [mx - (sign * dy * lengthPx) / len, my + (sign * dx * lengthPx) / len]];
}
