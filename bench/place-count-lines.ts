// Places the counting lines and zones of bench/count.ts from the ground truth, by a stated rule, and writes the lines
// files (`sightline count eval --lines` format). Run again only to change the rule; the files are committed.
//   node --import tsx bench/place-count-lines.ts
//
// Rule, per sequence (frame W x H px, truth rows as `count eval` reads them):
// - a line is a segment of length L = 3 x the median gt box height, clamped to [0.15, 0.5] x min(W, H), centred on a
//   grid of 24 x 16 points, at 12 orientations (every 15 degrees), lying inside the frame with a 3 % margin;
// - its score is the number of gt ids that cross it exactly once, minus twice the number that cross it more than once
//   (so it goes across where people walk through, not where they stand on it); the first line is the best candidate,
//   which ends up across the densest walkway, perpendicular to its heading;
// - the second line is the best candidate whose centre is at least L from the first's and that does not touch it;
// - the zone is the rectangle of W/4 x H/4 on a 16 x 16 grid with the largest mean number of gt bottom-centres inside.
// Halves: in the i-th sequence (alphabetical), the first line is `tune-line` when i is even and `holdout-line` when it
// is odd, the second line the other; the zone is `tune-zone` when i is even, `holdout-zone` when odd.
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pointInPolygon, segmentsIntersect } from '../src/core/geometry.ts';
import type { Point } from '../src/core/types.ts';
import { parseMotFile } from '../src/mot/eval/parse.ts';
import { anchorFrames, truthRows } from '../src/mot/count/truth.ts';
import { parseSeqInfo } from '../src/mot/seqinfo.ts';

const assets = resolve(process.env['SIGHTLINE_ASSETS'] ?? '../shared/assets');
/** Sequences with a static camera: MOT17-02/04/09 and the static MOT15 ones. */
const COUNT_SEQUENCES = {
  mot17: ['MOT17-02-FRCNN', 'MOT17-04-FRCNN', 'MOT17-09-FRCNN'],
  mot15: ['ADL-Rundle-6', 'KITTI-17', 'PETS09-S2L1', 'TUD-Campus', 'TUD-Stadtmitte', 'Venice-2'],
};

interface Candidate {
  readonly a: Point;
  readonly b: Point;
  readonly centre: Point;
  readonly score: number;
  readonly once: number;
  readonly multi: number;
}

type Spec = { lines: { id: string; points: Point[] }[]; zones: { id: string; polygon: Point[] }[] };
const round = (p: Point): Point => [Math.round(p[0]), Math.round(p[1])];

async function place(dataDir: string, seq: string, index: number): Promise<Spec> {
  const dir = join(dataDir, seq);
  const info = parseSeqInfo(await readFile(join(dir, 'seqinfo.ini'), 'utf8'), seq);
  const W = info.imWidth!, H = info.imHeight!;
  const rows = truthRows(parseMotFile(await readFile(join(dir, 'gt', 'gt.txt'), 'utf8'), seq, 6));
  const frames = anchorFrames(rows, info.seqLength, seq);
  const heights = rows.map((r) => r.h).sort((x, y) => x - y);
  const L = Math.min(0.5 * Math.min(W, H), Math.max(0.15 * Math.min(W, H), 3 * heights[Math.floor(heights.length / 2)]!));
  const steps = stepsOf(frames);
  const candidates: Candidate[] = [];
  for (let gx = 0; gx < 24; gx++) {
    for (let gy = 0; gy < 16; gy++) {
      const c: Point = [((gx + 0.5) / 24) * W, ((gy + 0.5) / 16) * H];
      for (let k = 0; k < 12; k++) {
        const th = (k * Math.PI) / 12;
        const dx = (Math.cos(th) * L) / 2, dy = (Math.sin(th) * L) / 2;
        const a = round([c[0] - dx, c[1] - dy]), b = round([c[0] + dx, c[1] + dy]);
        const inside = (p: Point) => p[0] >= 0.03 * W && p[0] <= 0.97 * W && p[1] >= 0.03 * H && p[1] <= 0.97 * H;
        if (!inside(a) || !inside(b)) continue;
        candidates.push({ a, b, centre: c, ...scoreLine(steps, a, b) });
      }
    }
  }
  candidates.sort((x, y) => y.score - x.score);
  const first = candidates[0]!;
  const second = candidates.find((c) => Math.hypot(c.centre[0] - first.centre[0], c.centre[1] - first.centre[1]) >= L && !segmentsIntersect(c.a, c.b, first.a, first.b))!;
  const zone = busiestRect(frames, W, H);
  const even = index % 2 === 0;
  console.log(
    `${seq.padEnd(16)} L ${L.toFixed(0)} px; first: ${first.once} ids once, ${first.multi} more than once; second: ${second.once} once, ${second.multi} more; ` +
      `zone mean ${zone.mean.toFixed(2)}`,
  );
  return {
    lines: [
      { id: even ? 'tune-line' : 'holdout-line', points: [first.a, first.b] },
      { id: even ? 'holdout-line' : 'tune-line', points: [second.a, second.b] },
    ].sort((x, y) => x.id.localeCompare(y.id)),
    zones: [{ id: even ? 'tune-zone' : 'holdout-zone', polygon: zone.polygon }],
  };
}

/** Consecutive observations of each gt id as [x1, y1, x2, y2, id] rows (bottom-centres, px). */
function stepsOf(frames: readonly { id: number; pointPx: Point }[][]): Float64Array {
  const last = new Map<number, Point>();
  const out: number[] = [];
  for (const obs of frames) {
    for (const o of obs) {
      const p = last.get(o.id);
      if (p) out.push(p[0], p[1], o.pointPx[0], o.pointPx[1], o.id);
      last.set(o.id, o.pointPx);
    }
  }
  return Float64Array.from(out);
}

/**
 * Ids crossing the segment exactly once and more than once: a step whose ends lie strictly on opposite sides of the
 * segment's line and whose path meets the segment (the truth's rule, without its handling of anchors exactly on the
 * line, which only a scoring heuristic can afford).
 */
function scoreLine(steps: Float64Array, a: Point, b: Point): { score: number; once: number; multi: number } {
  const perId = new Map<number, number>();
  const [ax, ay] = a, [bx, by] = b;
  for (let i = 0; i < steps.length; i += 5) {
    const px = steps[i]!, py = steps[i + 1]!, qx = steps[i + 2]!, qy = steps[i + 3]!;
    const cp = (bx - ax) * (py - ay) - (by - ay) * (px - ax);
    const cq = (bx - ax) * (qy - ay) - (by - ay) * (qx - ax);
    if (!((cp < 0 && cq > 0) || (cp > 0 && cq < 0))) continue;
    const ca = (qx - px) * (ay - py) - (qy - py) * (ax - px);
    const cb = (qx - px) * (by - py) - (qy - py) * (bx - px);
    if (ca * cb > 0) continue;
    const id = steps[i + 4]!;
    perId.set(id, (perId.get(id) ?? 0) + 1);
  }
  let once = 0, multi = 0;
  for (const n of perId.values()) if (n === 1) once++; else multi++;
  return { score: once - 2 * multi, once, multi };
}

/** The W/4 x H/4 rectangle (16 x 16 grid of places) with the most gt anchors inside on average. */
function busiestRect(frames: readonly { pointPx: Point }[][], W: number, H: number): { polygon: Point[]; mean: number } {
  let best = { polygon: [] as Point[], mean: -1 };
  for (let gx = 0; gx <= 12; gx++) {
    for (let gy = 0; gy <= 12; gy++) {
      const x0 = (gx / 16) * W, y0 = (gy / 16) * H;
      const polygon = [[x0, y0], [x0 + W / 4, y0], [x0 + W / 4, y0 + H / 4], [x0, y0 + H / 4]].map((p) => round(p as unknown as Point));
      const mean = frames.reduce((s, obs) => s + obs.filter((o) => pointInPolygon(o.pointPx, polygon)).length, 0) / frames.length;
      if (mean > best.mean) best = { polygon, mean };
    }
  }
  return best;
}

const all: Record<string, Spec> = {};
const perSet: Record<string, Record<string, Spec>> = { mot17: {}, mot15: {} };
const names = [...COUNT_SEQUENCES.mot17.map((s) => ['mot17', s] as const), ...COUNT_SEQUENCES.mot15.map((s) => ['mot15', s] as const)]
  .sort((x, y) => x[1].localeCompare(y[1]));
for (const [i, [set, seq]] of names.entries()) {
  const spec = await place(join(assets, set === 'mot17' ? 'mot/MOT17/train' : 'mot/MOT15/train'), seq, i);
  all[seq] = spec;
  perSet[set]![seq] = spec;
}
const half = (prefix: string) =>
  Object.fromEntries(Object.entries(all).map(([seq, s]) => [seq, { lines: s.lines.filter((l) => l.id.startsWith(prefix)), zones: s.zones.filter((z) => z.id.startsWith(prefix)) }]));
const write = (name: string, doc: unknown) => writeFile(new URL(name, import.meta.url), `${JSON.stringify(doc, null, 1).replace(/\[\s+(-?[\d.]+),\s+(-?[\d.]+)\s+\]/g, '[$1, $2]')}\n`);
await write('count-lines.json', all);
await write('count-lines-tune.json', half('tune'));
await write('count-lines-holdout.json', half('holdout'));
await write('count-lines-mot17.json', perSet['mot17']);
await write('count-lines-mot15.json', perSet['mot15']);
console.log('wrote bench/count-lines{,-tune,-holdout,-mot17,-mot15}.json');
