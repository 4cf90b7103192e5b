/**
 * The file side of `sightline mtmc`: reading a MOTChallenge sequence to build a scene from, writing a scene folder,
 * and loading one (from any builder) for evaluation. Every missing or malformed file is named in the error.
 */

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../core/errors.ts';
import { parseMotFile } from '../mot/eval/parse.ts';
import { parseSeqInfo } from '../mot/seqinfo.ts';
import { parseDetections } from '../mot/track/det-file.ts';
import type { MtmcScene, TruePosition } from './evaluate.ts';
import { buildScene, type Scene, type SceneOptions } from './scene.ts';
import { parseSiteFile } from './site-file.ts';

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new AppError('MOT_FILE_INVALID', `${what}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
}

/** Builds a scene from the sequence folder `seqDir` (`seqinfo.ini` with the image size, `gt/gt.txt`) and writes it to `outDir`. */
export async function writeSceneFolder(seqDir: string, outDir: string, options: SceneOptions): Promise<Scene> {
  const info = parseSeqInfo(await readText(join(seqDir, 'seqinfo.ini'), '--from'), join(seqDir, 'seqinfo.ini'));
  if (info.imWidth === null || info.imHeight === null) {
    throw new AppError('MOT_FILE_INVALID', `${join(seqDir, 'seqinfo.ini')}: expected imWidth and imHeight (the source image is the world the cameras see), got none`);
  }
  const gtPath = join(seqDir, 'gt', 'gt.txt');
  const gt = parseMotFile(await readText(gtPath, '--from'), gtPath);
  const scene = buildScene({ name: info.name || seqDir, gtRows: gt.rows, seqLength: info.seqLength, frameRate: info.frameRate, imWidth: info.imWidth, imHeight: info.imHeight }, options);
  await mkdir(join(outDir, 'truth'), { recursive: true });
  await writeFile(join(outDir, 'site.json'), `${JSON.stringify(scene.site, null, 1)}\n`);
  await writeFile(join(outDir, 'truth', 'positions.txt'), scene.positions);
  for (const cam of scene.cameras) {
    await mkdir(join(outDir, cam.id, 'gt'), { recursive: true });
    await mkdir(join(outDir, cam.id, 'det'), { recursive: true });
    await writeFile(join(outDir, cam.id, 'seqinfo.ini'), cam.seqinfo);
    await writeFile(join(outDir, cam.id, 'gt', 'gt.txt'), cam.gt);
    await writeFile(join(outDir, cam.id, 'det', 'det.txt'), cam.det);
  }
  return scene;
}

/** Loads a scene folder: `site.json`, `<camera>/{seqinfo.ini,det/det.txt,gt/gt.txt}` per camera, `truth/positions.txt`. */
export async function loadSceneFolder(dir: string): Promise<MtmcScene> {
  const sitePath = join(dir, 'site.json');
  const site = parseSiteFile(await readText(sitePath, '--data'), sitePath);
  const cameras = [];
  for (const c of site.cameras) {
    const base = join(dir, c.id);
    const seqinfo = parseSeqInfo(await readText(join(base, 'seqinfo.ini'), `camera ${c.id}`), join(base, 'seqinfo.ini'));
    const detPath = join(base, 'det', 'det.txt');
    const detections = parseDetections(await readText(detPath, `camera ${c.id}`), seqinfo.seqLength, detPath);
    const gtPath = join(base, 'gt', 'gt.txt');
    const gt = parseMotFile(await readText(gtPath, `camera ${c.id}`), gtPath, 8);
    cameras.push({ id: c.id, seqinfo, detections, gt });
  }
  const rates = new Set(cameras.map((c) => c.seqinfo.frameRate));
  if (rates.size > 1) throw new AppError('MOT_FILE_INVALID', `${dir}: every camera must share one frame rate (frame numbers are shared), got ${[...rates].join(', ')}`);
  const posPath = join(dir, 'truth', 'positions.txt');
  return { site, cameras, positions: parsePositions(await readText(posPath, '--data'), posPath) };
}

/** `truth/positions.txt`: `frame,id,xM,yM` per line. */
export function parsePositions(text: string, fileName: string): TruePosition[] {
  const out: TruePosition[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const v = line.split(/\s*,\s*|\s+/).map(Number);
    if (v.length < 4 || v.slice(0, 4).some((x) => !Number.isFinite(x)) || !Number.isInteger(v[0]) || !Number.isInteger(v[1])) {
      throw new AppError('MOT_FILE_INVALID', `${fileName}:${i + 1}: expected frame,id,xM,yM (integers, then metres), got "${line.slice(0, 80)}"`);
    }
    out.push({ frame: v[0]!, id: v[1]!, positionM: [v[2]!, v[3]!] });
  });
  return out;
}
