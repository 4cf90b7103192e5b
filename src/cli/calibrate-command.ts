import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { effectiveCameras } from '../app-cameras.ts';
import { loadConfig } from '../config/load.ts';
import { describeIssues } from '../config/describe-issues.ts';
import { AppError } from '../core/errors.ts';
import type { Point } from '../core/types.ts';
import { describeCalibration, estimateHomography, projectToPlan, type HomographyResult } from '../mapping/homography.ts';
import { buildSiteMap } from '../mapping/site-map.ts';

/** Usage of `sightline calibrate`. */
export const CALIBRATE_USAGE = `usage: sightline calibrate --pairs FILE [--project X,Y ...] [--json OUT]
       sightline calibrate --config FILE [--camera ID] [--json OUT]
Fits a camera's image -> floor plan homography to point pairs (normalised DLT; with more than four pairs robust, a
pair that disagrees with the others is pointed out) and prints each pair's error in metres on the plan.
  --pairs    JSON file: [{"imageNorm": [x, y] | "imagePx": [x, y], "planM": [x, y]}, ...] or {"pointPairs": [...]}
             (imageNorm: fractions of the frame, as the configuration's camera calibration; imagePx: pixels)
  --project  an image point (same units as the pairs) to put on the plan; repeat for several
  --config   check the calibrations of a configuration file's cameras against its plans (the site section)
  --camera   with --config: only this camera
  --json     write the fit(s) to OUT: {ok, rmsErrorM, maxErrorM, worstPairIndex, pairs: [{index, errorM, inlier}], imageToPlan}
Exit code 0 when every fit is usable and no pair is an outlier, 1 otherwise, 2 on a usage error.`;

const PairsFile = z.union([
  z.array(z.object({ imageNorm: z.tuple([z.number(), z.number()]).optional(), imagePx: z.tuple([z.number(), z.number()]).optional(), planM: z.tuple([z.number(), z.number()]) }).strict()),
  z.object({ pointPairs: z.array(z.object({ imageNorm: z.tuple([z.number(), z.number()]).optional(), imagePx: z.tuple([z.number(), z.number()]).optional(), planM: z.tuple([z.number(), z.number()]) }).strict()) }).strict(),
]);

/** `sightline calibrate`; returns the exit code. */
export async function calibrateCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { pairs: { type: 'string' }, project: { type: 'string', multiple: true }, config: { type: 'string' }, camera: { type: 'string' }, json: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help || positionals.length > 0 || (values.pairs === undefined) === (values.config === undefined)) {
    (values.help ? console.log : console.error)(`${values.help ? '' : 'sightline calibrate: give --pairs FILE or --config FILE\n'}${CALIBRATE_USAGE}`);
    return values.help ? 0 : 2;
  }
  if (values.pairs !== undefined) return pairsCalibration(values.pairs, values.project ?? [], values.json);
  return configCalibration(values.config!, values.camera, values.json);
}

async function pairsCalibration(file: string, project: readonly string[], jsonOut: string | undefined): Promise<number> {
  const text = await readFile(file, 'utf8').catch((err: unknown) => {
    throw new AppError('CONFIG_INVALID', `--pairs: expected a readable JSON file, cannot read ${file}`, { cause: err });
  });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `--pairs ${file}: expected JSON, ${(err as Error).message}`);
  }
  const parsed = PairsFile.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('CONFIG_INVALID', `--pairs ${file}: ${describeIssues(parsed.error.issues, raw).map((p) => `${p.path || '(top)'}: ${p.message}`).join('; ')}`);
  }
  const list = Array.isArray(parsed.data) ? parsed.data : parsed.data.pointPairs;
  const pairs = list.map((p, i) => {
    const image = p.imageNorm ?? p.imagePx;
    if (image === undefined || (p.imageNorm !== undefined && p.imagePx !== undefined)) {
      throw new AppError('CONFIG_INVALID', `--pairs ${file}: pair ${i + 1}: expected exactly one of imageNorm or imagePx, got ${image === undefined ? 'neither' : 'both'}`);
    }
    return { imagePx: image as Point, planM: p.planM as Point };
  });
  const fit = estimateHomography(pairs);
  printFit(fit, 'pairs');
  if (fit.ok) {
    for (const spec of project) {
      const xy = spec.split(',').map(Number);
      if (xy.length !== 2 || xy.some((v) => !Number.isFinite(v))) throw new AppError('CONFIG_INVALID', `--project: expected X,Y (two numbers), got "${spec}"`);
      const p = projectToPlan(fit.imageToPlan, xy as unknown as Point);
      console.log(`  ${spec} -> ${p === null ? 'not on the floor (at or above the horizon)' : `${p[0].toFixed(3)}, ${p[1].toFixed(3)} m`}`);
    }
  }
  if (jsonOut) await writeFile(jsonOut, `${JSON.stringify(fitJson(fit), null, 2)}\n`);
  return fit.ok && fit.pairs.every((p) => p.inlier) ? 0 : 1;
}

async function configCalibration(file: string, cameraId: string | undefined, jsonOut: string | undefined): Promise<number> {
  const result = await loadConfig(file, process.env);
  if (!result.ok) {
    console.error(`${file}: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}`);
    for (const p of result.problems) console.error(`${p.path}: ${p.message}`);
    return 1;
  }
  const cams = effectiveCameras(result.config).filter((c) => cameraId === undefined || c.id === cameraId);
  if (cameraId !== undefined && cams.length === 0) throw new AppError('CAMERA_NOT_FOUND', `--camera: no camera "${cameraId}" in ${file}; cameras: ${effectiveCameras(result.config).map((c) => c.id).join(', ')}`);
  const site = buildSiteMap(result.config.site, cams);
  const out: Record<string, unknown> = {};
  let bad = 0;
  for (const cam of cams) {
    if (cam.calibration === undefined) {
      console.log(`${cam.id}: not calibrated (no calibration in its configuration)`);
      continue;
    }
    const map = site.cameras.get(cam.id);
    if (map === undefined) {
      const problem = site.problems.find((p) => p.cameraId === cam.id);
      console.log(`${cam.id}: ${problem?.message ?? 'cannot be calibrated'}`);
      out[cam.id] = { ok: false, message: problem?.message ?? null };
      bad++;
      continue;
    }
    printFit(map.fit, `${cam.id} (plan ${map.plan})`);
    out[cam.id] = fitJson(map.fit);
    if (!map.fit.pairs.every((p) => p.inlier)) bad++;
  }
  for (const p of site.problems.filter((x) => x.cameraId === undefined)) console.error(`warning: ${p.path}: ${p.message}`);
  if (jsonOut) await writeFile(jsonOut, `${JSON.stringify(out, null, 2)}\n`);
  return bad === 0 ? 0 : 1;
}

function printFit(fit: HomographyResult, what: string): void {
  if (!fit.ok) {
    console.log(`${what}: ${fit.message}`);
    return;
  }
  console.log(`${what}: ${describeCalibration(fit)}`);
  for (const p of fit.pairs) console.log(`  pair ${String(p.index + 1).padStart(2)}: ${p.errorM.toFixed(3)} m${p.inlier ? '' : '  <- disagrees with the others: check where it was clicked (left out of the fit)'}`);
}

function fitJson(fit: HomographyResult): Record<string, unknown> {
  if (!fit.ok) return { ok: false, code: fit.code, message: fit.message };
  return { ok: true, rmsErrorM: fit.rmsErrorM, maxErrorM: fit.maxErrorM, worstPairIndex: fit.worstPairIndex, pairs: fit.pairs, imageToPlan: fit.imageToPlan };
}
