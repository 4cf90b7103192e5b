/**
 * The file side of the MultiviewX demo subset (Hou, Zheng & Gould, ECCV 2020; `mtmc/multiviewx_demo/` in the assets):
 * six calibrated, synchronised views of one 25 m x 16 m square. Reads the OpenCV FileStorage calibrations, the
 * WILDTRACK-format annotations and the raw Unity foot points. The parsers are pure (text in, values out); only
 * `loadMultiviewX` touches the disk. Every malformed file is named in the error, with what was expected.
 */

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../core/errors.ts';
import type { BoxXyxy, Point } from '../core/types.ts';
import type { Matrix3 } from '../mapping/matrix3.ts';
import type { RotationVector } from '../mapping/rodrigues.ts';

/** A matrix node of an OpenCV FileStorage file (`type_id="opencv-matrix"`), row-major. */
export interface OpenCvMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: readonly number[];
}

/** One view's calibration: OpenCV's pinhole model with 5 distortion terms, world (metres) to camera. */
export interface ViewCalibration {
  /** 0-based view number, as `viewNum` in the annotations (camera file `CameraN` is view N - 1). */
  readonly view: number;
  /** `K`, pixels. */
  readonly cameraMatrix: Matrix3;
  /** `k1 k2 p1 p2 k3`, OpenCV's order. */
  readonly distortion: readonly [number, number, number, number, number];
  /** World to camera rotation (axis times angle, radians). */
  readonly rvec: RotationVector;
  /** World to camera translation, metres. */
  readonly tvec: readonly [number, number, number];
}

/** One annotated person at one time step. */
export interface AnnotatedPerson {
  /** Global identity, the same in every view and every step. */
  readonly personId: number;
  /** Ground position on the 2.5 cm grid, metres (Z = 0). */
  readonly positionM: Point;
  /** POM box per view (index = view number), null where the person is outside that view. */
  readonly boxesXyxy: readonly (BoxXyxy | null)[];
}

/** One raw Unity ground-truth foot point of one camera (`matchings/CameraN.txt` and `CameraN_3d.txt`). */
export interface UnityFootPoint {
  /** 0-based time step (the files count frames from 1). */
  readonly step: number;
  /** Unity's global identity (negative numbers; another numbering than `personId`). */
  readonly unityId: number;
  readonly imagePx: Point;
  readonly worldM: Point;
}

/** The dataset as read from its folder. */
export interface MultiviewXDataset {
  readonly dir: string;
  readonly views: readonly ViewCalibration[];
  /** Annotations per 0-based time step: step k is file `0000(k+1).json` and images `000k.jpg`. */
  readonly steps: readonly (readonly AnnotatedPerson[])[];
  /** Unity foot points per view. */
  readonly footPoints: readonly (readonly UnityFootPoint[])[];
  /** Image size in pixels, the same for every view. */
  readonly imageWidthPx: number;
  readonly imageHeightPx: number;
  /** The annotated ground area, metres: x in [0, widthM], y in [0, heightM]. */
  readonly areaWidthM: number;
  readonly areaHeightM: number;
}

/**
 * The annotated area and its grid of 2.5 cm cells (1000 a row). The dataset describes a 25 m x 16 m square, but in
 * this subset (commit 96552b4) only y < 15 m is annotated: over the 10 steps the largest annotated y is 14.95 m, while
 * the raw Unity ground truth (`matchings/`) has 9 person-steps with 0 < x < 25 m and 15.0 <= y < 16 m that no
 * annotation file lists. So a person counts as on the area in [0, 25] x [0, 15] m.
 */
export const MULTIVIEWX_AREA = Object.freeze({ widthM: 25, heightM: 15, cellsPerM: 40, cellsPerRow: 1000 });

/** Image size of every view, pixels. */
export const MULTIVIEWX_IMAGE = Object.freeze({ widthPx: 1920, heightPx: 1080 });

/**
 * Reads every matrix node of an OpenCV FileStorage XML text, by name. Hand-written because no well-kept npm library
 * reads this format (the XML packages give a DOM, and the `<data>` text, dtype and row/col checks would still be ours);
 * the format of these files is small: `<name type_id="opencv-matrix"><rows/><cols/><dt/><data>numbers</data></name>`.
 */
export function parseOpenCvXml(text: string, fileName: string): Map<string, OpenCvMatrix> {
  if (!/<opencv_storage>/.test(text)) {
    throw new AppError('MOT_FILE_INVALID', `${fileName}: expected an OpenCV FileStorage XML file (<opencv_storage>), got ${JSON.stringify(text.slice(0, 40))}`);
  }
  const out = new Map<string, OpenCvMatrix>();
  const node = /<([A-Za-z_][\w-]*)\s+type_id="opencv-matrix"\s*>([\s\S]*?)<\/\1>/g;
  for (const m of text.matchAll(node)) {
    const name = m[1]!, body = m[2]!;
    const field = (tag: string): string | null => new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(body)?.[1]?.trim() ?? null;
    const rows = Number(field('rows')), cols = Number(field('cols'));
    const dataText = field('data');
    const data = dataText === null ? [] : dataText.split(/\s+/).filter((s) => s.length > 0).map(Number);
    if (!(Number.isInteger(rows) && rows > 0 && Number.isInteger(cols) && cols > 0) || data.length !== rows * cols || !data.every(Number.isFinite)) {
      throw new AppError('MOT_FILE_INVALID', `${fileName}: matrix ${name} must have rows x cols finite numbers, got rows ${field('rows')}, cols ${field('cols')} and ${data.length} values`);
    }
    out.set(name, { rows, cols, data });
  }
  return out;
}

function matrixOf(nodes: Map<string, OpenCvMatrix>, name: string, size: number, fileName: string): readonly number[] {
  const m = nodes.get(name);
  if (!m || m.data.length !== size) {
    throw new AppError('MOT_FILE_INVALID', `${fileName}: expected a matrix ${name} of ${size} values, got ${m ? `${m.rows}x${m.cols}` : 'none'} (found: ${[...nodes.keys()].join(', ') || 'nothing'})`);
  }
  return m.data;
}

/** One view's calibration from the texts of its intrinsic and extrinsic files. */
export function parseViewCalibration(view: number, intrinsicXml: string, extrinsicXml: string, names: { intrinsic: string; extrinsic: string }): ViewCalibration {
  const intr = parseOpenCvXml(intrinsicXml, names.intrinsic);
  const extr = parseOpenCvXml(extrinsicXml, names.extrinsic);
  const k = matrixOf(intr, 'camera_matrix', 9, names.intrinsic);
  const d = matrixOf(intr, 'distortion_coefficients', 5, names.intrinsic);
  const r = matrixOf(extr, 'rvec', 3, names.extrinsic);
  const t = matrixOf(extr, 'tvec', 3, names.extrinsic);
  return { view, cameraMatrix: [...k], distortion: [d[0]!, d[1]!, d[2]!, d[3]!, d[4]!], rvec: [r[0]!, r[1]!, r[2]!], tvec: [t[0]!, t[1]!, t[2]!] };
}

/** Ground position in metres of a WILDTRACK/MultiviewX `positionID` (x = id mod 1000, y = id div 1000, 40 cells a metre). */
export function positionOfId(positionId: number): Point {
  const { cellsPerM, cellsPerRow } = MULTIVIEWX_AREA;
  return [(positionId % cellsPerRow) / cellsPerM, Math.floor(positionId / cellsPerRow) / cellsPerM];
}

/** The persons of one annotation file (`[{personID, positionID, views: [{viewNum, xmin, ymin, xmax, ymax}]}]`). */
export function parseAnnotations(text: string, fileName: string, viewCount: number): AnnotatedPerson[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new AppError('MOT_FILE_INVALID', `${fileName}: expected a JSON list of persons, got text that is not JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(raw)) throw new AppError('MOT_FILE_INVALID', `${fileName}: expected a JSON list of persons, got ${typeof raw}`);
  return raw.map((p: unknown, i): AnnotatedPerson => {
    const rec = p as { personID?: unknown; positionID?: unknown; views?: unknown };
    if (!Number.isInteger(rec.personID) || !Number.isInteger(rec.positionID) || !Array.isArray(rec.views)) {
      throw new AppError('MOT_FILE_INVALID', `${fileName}: entry ${i} must have integer personID and positionID and a views list, got ${JSON.stringify(p).slice(0, 80)}`);
    }
    const boxesXyxy: (BoxXyxy | null)[] = Array.from({ length: viewCount }, () => null);
    for (const v of rec.views as { viewNum?: unknown; xmin?: unknown; ymin?: unknown; xmax?: unknown; ymax?: unknown }[]) {
      const n = v.viewNum, box = [v.xmin, v.ymin, v.xmax, v.ymax];
      if (!Number.isInteger(n) || (n as number) < 0 || (n as number) >= viewCount || !box.every((x) => typeof x === 'number')) {
        throw new AppError('MOT_FILE_INVALID', `${fileName}: entry ${i} has a view that is not {viewNum 0-${viewCount - 1}, xmin, ymin, xmax, ymax}: ${JSON.stringify(v)}`);
      }
      const [x1, y1, x2, y2] = box as [number, number, number, number];
      if (x1 === -1 && y1 === -1 && x2 === -1 && y2 === -1) continue;
      boxesXyxy[n as number] = [x1, y1, x2, y2];
    }
    return { personId: rec.personID as number, positionM: positionOfId(rec.positionID as number), boxesXyxy };
  });
}

/**
 * The foot points of one camera's raw Unity ground truth: the 2D file has `frame unityId` and 9 image points (x y), the
 * 3D file the same rows with 9 world points (x y z); the 9th point is the foot point.
 */
export function parseUnityFootPoints(text2d: string, text3d: string, fileName: string): UnityFootPoint[] {
  const rows = (text: string, columns: number, what: string): number[][] =>
    text.trim().split(/\r?\n/).map((line, i) => {
      const v = line.trim().split(/\s+/).map(Number);
      if (v.length !== columns || !v.every(Number.isFinite)) {
        throw new AppError('MOT_FILE_INVALID', `${fileName} (${what}) line ${i + 1}: expected ${columns} numbers, got ${JSON.stringify(line.slice(0, 60))}`);
      }
      return v;
    });
  const a = rows(text2d, 20, '2D'), b = rows(text3d, 29, '3D');
  if (a.length !== b.length) throw new AppError('MOT_FILE_INVALID', `${fileName}: the 2D and 3D files must have the same rows, got ${a.length} and ${b.length}`);
  return a.map((r, i) => {
    const s = b[i]!;
    if (s[0] !== r[0] || s[1] !== r[1]) throw new AppError('MOT_FILE_INVALID', `${fileName} line ${i + 1}: the 2D row is frame ${r[0]} id ${r[1]}, the 3D row frame ${s[0]} id ${s[1]}`);
    return { step: r[0]! - 1, unityId: r[1]!, imagePx: [r[18]!, r[19]!], worldM: [s[26]!, s[27]!] };
  });
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new AppError('MOT_FILE_INVALID', `MultiviewX: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
}

/**
 * Reads the demo subset from `dir` (`calibrations/`, `annotations_positions/`, `matchings/`, `Image_subsets/`). The
 * annotation file numbers start at 1: file `0000(k+1).json` belongs to the images `000k.jpg` (the dataset's quirk).
 */
export async function loadMultiviewX(dir: string): Promise<MultiviewXDataset> {
  const cameraFiles = (await readdir(join(dir, 'calibrations', 'intrinsic')).catch(() => [] as string[])).filter((f) => /^intr_Camera\d+\.xml$/.test(f));
  const viewCount = cameraFiles.length;
  if (viewCount === 0) throw new AppError('MOT_FILE_INVALID', `MultiviewX: expected calibrations/intrinsic/intr_Camera1.xml ... in ${dir}, found none`);
  const views: ViewCalibration[] = [];
  const footPoints: UnityFootPoint[][] = [];
  for (let v = 0; v < viewCount; v++) {
    const intrinsic = join(dir, 'calibrations', 'intrinsic', `intr_Camera${v + 1}.xml`);
    const extrinsic = join(dir, 'calibrations', 'extrinsic', `extr_Camera${v + 1}.xml`);
    views.push(parseViewCalibration(v, await readText(intrinsic), await readText(extrinsic), { intrinsic, extrinsic }));
    const m2 = join(dir, 'matchings', `Camera${v + 1}.txt`);
    footPoints.push(parseUnityFootPoints(await readText(m2), await readText(join(dir, 'matchings', `Camera${v + 1}_3d.txt`)), m2));
  }
  const annotationFiles = (await readdir(join(dir, 'annotations_positions')).catch(() => [] as string[])).filter((f) => /^\d+\.json$/.test(f)).sort();
  if (annotationFiles.length === 0) throw new AppError('MOT_FILE_INVALID', `MultiviewX: expected annotations_positions/00001.json ... in ${dir}, found none`);
  const steps: AnnotatedPerson[][] = [];
  for (const f of annotationFiles) {
    const step = Number(f.slice(0, -5)) - 1;
    const path = join(dir, 'annotations_positions', f);
    steps[step] = parseAnnotations(await readText(path), path, viewCount);
  }
  return {
    dir, views, steps, footPoints,
    imageWidthPx: MULTIVIEWX_IMAGE.widthPx, imageHeightPx: MULTIVIEWX_IMAGE.heightPx,
    areaWidthM: MULTIVIEWX_AREA.widthM, areaHeightM: MULTIVIEWX_AREA.heightM,
  };
}

/** Path of the image of `view` (0-based) at `step` (0-based): `Image_subsets/C{view+1}/000{step}.jpg`. */
export function imagePath(dataset: Pick<MultiviewXDataset, 'dir'>, view: number, step: number): string {
  return join(dataset.dir, 'Image_subsets', `C${view + 1}`, `${String(step).padStart(4, '0')}.jpg`);
}
