/**
 * A multi-camera scene with ground truth, built from one static MOTChallenge sequence: the source image is the
 * world (its foot points, scaled so the median person is 1.7 m tall, are plan positions), and N virtual cameras each
 * see an overlapping vertical strip of it through a known perspective transform. Per camera: ground truth (the same
 * global ids in every camera), detections made from it with drops, jitter and false boxes (`mot/count/degrade.ts`),
 * and the point pairs a user would click (with a little noise). Pure and seeded.
 */

import { AppError } from '../core/errors.ts';
import { gaussian, mulberry32, seedOf } from '../core/random.ts';
import type { Point } from '../core/types.ts';
import { estimateHomography } from '../mapping/homography.ts';
import { applyMatrix3, multiply3, type Matrix3 } from '../mapping/matrix3.ts';
import { degradeSequence } from '../mot/count/degrade.ts';
import type { MotRow } from '../mot/eval/parse.ts';
import type { SiteFile } from './site-file.ts';

/** How the scene is built. */
export interface SceneOptions {
  /** Virtual cameras, 2 to 4. */
  readonly views: number;
  /** Fraction of each camera's strip that the next camera also sees (0 to 0.8). */
  readonly overlap: number;
  /** Perspective: each corner of a camera's view of the world moves inward by up to this fraction of its size (0 to 0.3). */
  readonly warp: number;
  /** Probability a true box is missing from the detections. */
  readonly drop: number;
  /** Corner noise of detections, as a fraction of the box height. */
  readonly jitter: number;
  /** False boxes per kept true box. */
  readonly falseRate: number;
  readonly seed: number;
}

/** The defaults of `sightline mtmc scene`: two cameras, 30 % overlap, the counting issue's degradation. */
export const SCENE_DEFAULTS: SceneOptions = Object.freeze({ views: 2, overlap: 0.3, warp: 0.1, drop: 0.2, jitter: 0.05, falseRate: 0.02, seed: 1 });

/** The source sequence. */
export interface SceneSource {
  readonly name: string;
  readonly gtRows: readonly MotRow[];
  readonly seqLength: number;
  readonly frameRate: number;
  readonly imWidth: number;
  readonly imHeight: number;
}

/** One virtual camera's files. */
export interface SceneCamera {
  readonly id: string;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly seqinfo: string;
  readonly gt: string;
  readonly det: string;
  /** The true image -> plan transform (for tests; the scene's users get only the clicked point pairs). */
  readonly imageToPlan: Matrix3;
}

/** A built scene: `site.json`, per-camera files and `truth/positions.txt`. */
export interface Scene {
  readonly site: SiteFile;
  readonly cameras: readonly SceneCamera[];
  readonly positions: string;
  readonly metresPerSourcePx: number;
}

/** Median height of a standing adult, the scale of the world. */
const PERSON_HEIGHT_M = 1.7;
/** Where a user clicks calibration points, as fractions of the image. */
const CLICKS: readonly Point[] = [[0.1, 0.1], [0.9, 0.1], [0.9, 0.9], [0.1, 0.9], [0.5, 0.3], [0.5, 0.75]];
/** Click noise: 1.5 px on the image, 5 cm on the plan. */
const CLICK_NOISE_PX = 1.5;
const CLICK_NOISE_M = 0.05;

/** Builds the scene; options out of range throw `CONFIG_INVALID` naming the option. */
export function buildScene(src: SceneSource, o: SceneOptions): Scene {
  checkOptions(o);
  const people = src.gtRows.filter((r) => (r.classId === null || r.classId === 1) && (r.conf === null || Math.trunc(r.conf) !== 0) && r.h > 0 && r.w > 0);
  if (people.length === 0) throw new AppError('MOT_FILE_INVALID', `${src.name}: the ground truth has no pedestrian boxes to build a scene from`);
  const heights = people.map((r) => r.h).sort((a, b) => a - b);
  const s = PERSON_HEIGHT_M / heights[Math.floor(heights.length / 2)]!;
  const toPlan = (p: Point): Point => [p[0] * s, p[1] * s];
  const W = src.imWidth, H = src.imHeight;
  const stripW = W / (o.views - (o.views - 1) * o.overlap);
  const rand = mulberry32(seedOf(src.name, o.seed));
  const visibleAnywhere = new Map<string, Point>();
  const cameras: SceneCamera[] = [];
  const siteCameras: SiteFile['cameras'][number][] = [];
  for (let k = 0; k < o.views; k++) {
    const id = `cam${k + 1}`;
    const x0 = k * stripW * (1 - o.overlap);
    const widthPx = Math.round(stripW), heightPx = H;
    // The part of the world this camera sees: its strip with each corner moved inward, mapped onto the whole image.
    const inset = (): number => o.warp * rand();
    const quad: Point[] = [
      [x0 + inset() * stripW, inset() * H], [x0 + stripW - inset() * stripW, inset() * H],
      [x0 + stripW - inset() * stripW, H - inset() * H], [x0 + inset() * stripW, H - inset() * H],
    ];
    const corners: Point[] = [[0, 0], [widthPx, 0], [widthPx, heightPx], [0, heightPx]];
    const fit = estimateHomography(quad.map((p, i) => ({ imagePx: p, planM: corners[i]! })));
    if (!fit.ok) throw new AppError('MOT_FILE_INVALID', `${src.name}: camera ${id}'s view could not be built: ${fit.message}`);
    const worldToView = fit.imageToPlan, viewToWorld = fit.planToImage;
    const rows: MotRow[] = [];
    const gtLines: string[] = [];
    for (const r of people) {
      const foot = applyMatrix3(worldToView, [r.x + r.w / 2, r.y + r.h]);
      const head = applyMatrix3(worldToView, [r.x + r.w / 2, r.y]);
      if (foot === null || head === null) continue;
      if (!(foot[0] >= 0 && foot[0] < widthPx && foot[1] >= 0 && foot[1] < heightPx)) continue;
      const h = foot[1] - head[1];
      if (!(h > 1)) continue;
      const w = (r.w * h) / r.h;
      const row: MotRow = { frame: r.frame, id: r.id, x: foot[0] - w / 2, y: foot[1] - h, w, h, conf: 1, classId: 1, line: rows.length + 1 };
      rows.push(row);
      gtLines.push(`${r.frame},${r.id},${row.x.toFixed(2)},${row.y.toFixed(2)},${w.toFixed(2)},${h.toFixed(2)},1,1,1`);
      visibleAnywhere.set(`${r.frame},${r.id}`, toPlan([r.x + r.w / 2, r.y + r.h]));
    }
    const det = degradeSequence(rows, { seqLength: src.seqLength, imWidth: widthPx, imHeight: heightPx }, `${src.name}/${id}`, { drop: o.drop, jitter: o.jitter, falseRate: o.falseRate, seed: o.seed });
    const pointPairs = CLICKS.map(([fx, fy]) => {
      const imagePx: Point = [fx * widthPx, fy * heightPx];
      const world = applyMatrix3(viewToWorld, imagePx)!;
      const planM = toPlan(world);
      return {
        imagePx: [round(imagePx[0] + CLICK_NOISE_PX * gaussian(rand), 1), round(imagePx[1] + CLICK_NOISE_PX * gaussian(rand), 1)] as [number, number],
        planM: [round(planM[0] + CLICK_NOISE_M * gaussian(rand), 3), round(planM[1] + CLICK_NOISE_M * gaussian(rand), 3)] as [number, number],
      };
    });
    const scale: Matrix3 = [s, 0, 0, 0, s, 0, 0, 0, 1];
    cameras.push({
      id, widthPx, heightPx,
      seqinfo: `[Sequence]\nname=${id}\nimDir=img1\nframeRate=${src.frameRate}\nseqLength=${src.seqLength}\nimWidth=${widthPx}\nimHeight=${heightPx}\nimExt=.jpg\n`,
      gt: gtLines.length > 0 ? `${gtLines.join('\n')}\n` : '',
      det: det.text,
      imageToPlan: multiply3(scale, viewToWorld),
    });
    siteCameras.push({ id, pointPairs });
  }
  const widthM = round(W * s, 3), heightM = round(H * s, 3);
  const areas = [
    { id: 'room-1', polygonM: rect(0, 0, widthM / 2, heightM / 2) },
    { id: 'room-2', polygonM: rect(widthM / 2, 0, widthM, heightM / 2) },
    { id: 'room-3', polygonM: rect(0, heightM / 2, widthM / 2, heightM) },
    { id: 'room-4', polygonM: rect(widthM / 2, heightM / 2, widthM, heightM) },
  ];
  const positions = [...visibleAnywhere.entries()]
    .map(([key, p]) => { const [f, id] = key.split(',').map(Number) as [number, number]; return { f, id, p }; })
    .sort((a, b) => a.f - b.f || a.id - b.id)
    .map(({ f, id, p }) => `${f},${id},${p[0].toFixed(3)},${p[1].toFixed(3)}`);
  return {
    site: { plan: { widthM, heightM }, areas, cameras: siteCameras },
    cameras,
    positions: positions.length > 0 ? `${positions.join('\n')}\n` : '',
    metresPerSourcePx: s,
  };
}

function checkOptions(o: SceneOptions): void {
  const check = (name: string, v: number, lo: number, hi: number, integer = false) => {
    if (!(Number.isFinite(v) && v >= lo && v <= hi && (!integer || Number.isInteger(v)))) {
      throw new AppError('CONFIG_INVALID', `--${name} must be ${integer ? 'an integer' : 'a number'} from ${lo} to ${hi}, got ${String(v)}`);
    }
  };
  check('views', o.views, 2, 4, true);
  check('overlap', o.overlap, 0, 0.8);
  check('warp', o.warp, 0, 0.3);
  check('drop', o.drop, 0, 0.9);
  check('jitter', o.jitter, 0, 0.5);
  check('false', o.falseRate, 0, 1);
  check('seed', o.seed, 0, 2 ** 32 - 1, true);
}

function rect(x1: number, y1: number, x2: number, y2: number): [number, number][] {
  return [[round(x1, 3), round(y1, 3)], [round(x2, 3), round(y1, 3)], [round(x2, 3), round(y2, 3)], [round(x1, 3), round(y2, 3)]];
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
