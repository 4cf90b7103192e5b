/**
 * Drawing floor plans and calibrations (pure): the metre grid, area labels that do not sit on each other, heatmap
 * cells, people's colours and trails, and homographies (row-major 3x3, as the server sends `imageToPlan`) applied and
 * inverted in the browser so that a fit can be shown on the frame while the user is still clicking.
 */

/** A point on a plan in metres, or on a frame as fractions of its width and height. */
export type Point2 = readonly [number, number];

/** A 3x3 matrix as 9 numbers, row-major; `[x, y]` is taken as the column `(x, y, 1)`. */
export type Matrix3 = readonly number[];

const GRID_STEPS_M = [1, 2, 5, 10, 20, 50, 100, 200, 500];

/** Spacing of the grid in metres: 1 m, or the next of 2, 5, 10 ... m that keeps at most `maxLines` lines along the longer side. */
export function gridStepM(widthM: number, heightM: number, maxLines = 60): number {
  const longestM = Math.max(widthM, heightM);
  return GRID_STEPS_M.find((s) => longestM / s <= maxLines) ?? GRID_STEPS_M[GRID_STEPS_M.length - 1]!;
}

/** Grid lines along one side of `sizeM` metres every `stepM` (0 and the far edge excluded); every fifth is major and labelled. */
export function gridLines(sizeM: number, stepM: number): { atM: number; major: boolean }[] {
  const out: { atM: number; major: boolean }[] = [];
  for (let k = 1; k * stepM < sizeM - 1e-9; k++) out.push({ atM: k * stepM, major: k % 5 === 0 });
  return out;
}

/** "1 person", "3 people". */
export function peopleText(n: number): string {
  return `${n} ${n === 1 ? 'person' : 'people'}`;
}

/** A colour of its own for each global id (golden-angle hues, so that ids made one after another differ). */
export function personColour(globalId: number): string {
  const hue = Math.round((((globalId * 137.508) % 360) + 360) % 360);
  return `hsl(${hue} 75% 42%)`;
}

/** The short label of a global id (its last 4 digits: ids start at the server's start time in ms, so they are long). */
export function shortId(globalId: number): string {
  return `#${String(Math.abs(Math.trunc(globalId)) % 10_000)}`;
}

/** Centre of mass of a polygon; the mean of its points when it has no area. */
export function polygonCentroid(points: readonly Point2[]): Point2 {
  let a2 = 0, cx = 0, cy = 0;
  for (let i = 0; i < points.length; i++) {
    const [x1, y1] = points[i]!;
    const [x2, y2] = points[(i + 1) % points.length]!;
    const c = x1 * y2 - x2 * y1;
    a2 += c;
    cx += (x1 + x2) * c;
    cy += (y1 + y2) * c;
  }
  if (Math.abs(a2) < 1e-12) {
    const n = Math.max(1, points.length);
    return [points.reduce((s, p) => s + p[0], 0) / n, points.reduce((s, p) => s + p[1], 0) / n];
  }
  return [cx / (3 * a2), cy / (3 * a2)];
}

/**
 * Positions for labels of `fontM` metres at their anchors, each moved down by a line until it overlaps none placed
 * before it (two areas with the same middle, say a room and the whole floor, get their labels one under the other).
 * Text widths are estimated at 0.55 em a character.
 */
export function placeLabels(items: readonly { anchor: Point2; text: string }[], fontM: number): Point2[] {
  const placed: { x: number; y: number; halfW: number }[] = [];
  return items.map(({ anchor, text }) => {
    const halfW = (text.length * 0.55 * fontM) / 2;
    let [x, y] = anchor;
    for (let guard = 0; guard < 50 && placed.some((p) => Math.abs(p.y - y) < 1.2 * fontM && Math.abs(p.x - x) < p.halfW + halfW); guard++) y += 1.3 * fontM;
    placed.push({ x, y, halfW });
    return [x, y];
  });
}

/** The cells of a heatmap that have counts, as squares in metres with a level in (0, 1] (count / the largest count). */
export function heatCells(map: { columns: number; rows: number; cellM: number; counts: readonly number[]; maxCount: number }): { xM: number; yM: number; sizeM: number; level: number }[] {
  if (!(map.maxCount > 0)) return [];
  const out: { xM: number; yM: number; sizeM: number; level: number }[] = [];
  for (let r = 0; r < map.rows; r++) {
    for (let c = 0; c < map.columns; c++) {
      const n = map.counts[r * map.columns + c] ?? 0;
      if (n > 0) out.push({ xM: c * map.cellM, yM: r * map.cellM, sizeM: map.cellM, level: n / map.maxCount });
    }
  }
  return out;
}

/** Each person's positions over the last `windowMs`, from the map messages (server time). */
export class Trails {
  private readonly byId = new Map<number, { timeMs: number; positionM: Point2 }[]>();
  constructor(private readonly windowMs = 10_000) {}

  /** Adds the positions of a map message at `timeMs` and forgets what is older than the window. */
  update(timeMs: number, people: readonly { globalId: number; positionM: Point2 }[]): void {
    for (const p of people) {
      const list = this.byId.get(p.globalId) ?? [];
      const last = list[list.length - 1];
      if (!last || last.positionM[0] !== p.positionM[0] || last.positionM[1] !== p.positionM[1]) list.push({ timeMs, positionM: p.positionM });
      this.byId.set(p.globalId, list);
    }
    for (const [id, list] of this.byId) {
      const kept = list.filter((x) => x.timeMs >= timeMs - this.windowMs);
      if (kept.length === 0) this.byId.delete(id);
      else this.byId.set(id, kept);
    }
  }

  /** The trail of `globalId`, oldest first (empty when none). */
  of(globalId: number): Point2[] {
    return (this.byId.get(globalId) ?? []).map((x) => x.positionM);
  }
}

/** Inverse of a 3x3 matrix, or null when it is singular or not finite. */
export function invert3(m: Matrix3): Matrix3 | null {
  if (m.length !== 9 || !m.every(Number.isFinite)) return null;
  const [a, b, c, d, e, f, g, h, i] = m as [number, number, number, number, number, number, number, number, number];
  const c00 = e * i - f * h, c01 = f * g - d * i, c02 = d * h - e * g;
  const det = a * c00 + b * c01 + c * c02;
  const size = Math.hypot(a, b, c) * Math.hypot(d, e, f) * Math.hypot(g, h, i);
  if (!(size > 0) || !(Math.abs(det) > 1e-12 * size)) return null;
  const k = 1 / det;
  return [
    c00 * k, (c * h - b * i) * k, (b * f - c * e) * k,
    c01 * k, (a * i - c * g) * k, (c * d - a * f) * k,
    c02 * k, (b * g - a * h) * k, (a * e - b * d) * k,
  ];
}

/** `m` applied to `p`: the point and its homogeneous weight (whose sign says which side of the horizon `p` is on); null at the horizon. */
export function applyHomography(m: Matrix3, p: Point2): { point: Point2; weight: number } | null {
  const w = m[6]! * p[0] + m[7]! * p[1] + m[8]!;
  if (!(Math.abs(w) > 1e-12 * (Math.abs(m[6]! * p[0]) + Math.abs(m[7]! * p[1]) + Math.abs(m[8]!)))) return null;
  const x = (m[0]! * p[0] + m[1]! * p[1] + m[2]!) / w;
  const y = (m[3]! * p[0] + m[4]! * p[1] + m[5]!) / w;
  return Number.isFinite(x) && Number.isFinite(y) ? { point: [x, y], weight: w } : null;
}

/**
 * The sign of the weight that points in front of the camera get under `imageToPlan` (that of the clicked image points,
 * which are on the floor in view). Its inverse gives plan points in front of the camera a weight of the same sign.
 */
export function frontSign(imageToPlan: Matrix3, imagePoints: readonly Point2[]): 1 | -1 {
  const sum = imagePoints.reduce((s, p) => s + Math.sign(imageToPlan[6]! * p[0] + imageToPlan[7]! * p[1] + imageToPlan[8]!), 0);
  return sum < 0 ? -1 : 1;
}

/**
 * A path (its edges sampled `samplesPerEdge` times, closed when `closed`) mapped by `m`, as the runs of points in front
 * of the camera (weight of sign `sign`) and within `limit` of the origin: a line crossing the horizon has no image
 * beyond it, so it comes back in pieces.
 */
export function projectPath(m: Matrix3, path: readonly Point2[], sign: 1 | -1, closed: boolean, samplesPerEdge = 16, limit = 1e4): Point2[][] {
  const runs: Point2[][] = [];
  let run: Point2[] = [];
  const edges = closed ? path.length : path.length - 1;
  for (let e = 0; e < edges; e++) {
    const [a, b] = [path[e]!, path[(e + 1) % path.length]!];
    for (let s = 0; s <= samplesPerEdge; s++) {
      if (s === samplesPerEdge && e < edges - 1) continue; // the next edge starts here
      const t = s / samplesPerEdge;
      const r = applyHomography(m, [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]);
      if (r && r.weight * sign > 0 && Math.abs(r.point[0]) < limit && Math.abs(r.point[1]) < limit) run.push(r.point);
      else if (run.length > 0) {
        runs.push(run);
        run = [];
      }
    }
  }
  if (run.length > 0) runs.push(run);
  return runs.filter((r) => r.length >= 2);
}

/** A point rounded to `decimals` (1 cm on a plan in metres: 2; a tenth of a pixel on a 1080p frame: 4). */
export function roundPoint(p: Point2, decimals: number): [number, number] {
  const k = 10 ** decimals;
  return [Math.round(p[0] * k) / k, Math.round(p[1] * k) / k];
}
