import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { evaluateScene, type MtmcReport } from '../mtmc/evaluate.ts';
import { loadSceneFolder, writeSceneFolder } from '../mtmc/scene-folder.ts';
import { SCENE_DEFAULTS } from '../mtmc/scene.ts';
import { numberOption } from './count-command.ts';

/** Usage of `sightline mtmc scene`. */
export const MTMC_SCENE_USAGE = `usage: sightline mtmc scene --from SEQDIR --out DIR [--views ${SCENE_DEFAULTS.views}] [--overlap ${SCENE_DEFAULTS.overlap}] [--warp ${SCENE_DEFAULTS.warp}]
                           [--drop ${SCENE_DEFAULTS.drop}] [--jitter ${SCENE_DEFAULTS.jitter}] [--false ${SCENE_DEFAULTS.falseRate}] [--seed ${SCENE_DEFAULTS.seed}]
Builds a multi-camera scene with ground truth from one static MOTChallenge sequence (seqinfo.ini with the image size,
gt/gt.txt): the source image is the world, scaled so the median person is 1.7 m tall, and each virtual camera sees an
overlapping vertical strip of it through a perspective transform.
  --views    cameras, 2 to 4
  --overlap  fraction of a camera's strip the next camera also sees
  --warp     perspective: each corner of a camera's view moves inward by up to this fraction of its size
  --drop     probability a true box is missing from a camera's detections
  --jitter   corner noise of the detections, as a fraction of the box height
  --false    false boxes per kept true box
  --seed     seed of the random numbers (views, clicks, detections)
Writes DIR/site.json (plan size, four rooms, each camera's six clicked point pairs with 1.5 px / 5 cm noise),
DIR/camN/{seqinfo.ini,gt/gt.txt,det/det.txt} (gt ids are global) and DIR/truth/positions.txt (frame,id,xM,yM of
everyone a camera sees).`;

/** Usage of `sightline mtmc eval`. */
export const MTMC_EVAL_USAGE = `usage: sightline mtmc eval --data DIR [--stride N] [--json OUT]
Runs each camera's tracker on DIR/<camera>/det/det.txt, places tracks on the plan through the homography estimated
from site.json's point pairs, joins them across cameras, and scores against the ground truth:
  IDF1        over all cameras together (one identity correspondence for the site: a track is right only where its
              global id is the person's id in every camera); TrackEval's identity metric, MOT17 preprocessing
  countError  sum over frames and areas of |people counted in the area - truth| / sum of truth
  position    mean distance on the plan between a fused person and the true position it matches (within 2 m)
The baseline is what per-camera tracking gives: camera-local ids, and area counts summed over cameras.
  --stride  analyse and score every Nth frame only (a camera detecting at a lower rate, e.g. 6 on a 30 fps scene = 5 fps)
  --json    write {combined: {IDF1, countError, positionErrorM}, baseline: {IDF1, countError}, cameras: {...}} to OUT`;

/** `sightline mtmc scene|eval`; returns the exit code. */
export async function mtmcCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'scene') return sceneCommand(rest);
  if (sub === 'eval') return evalCommand(rest);
  const help = sub === undefined || sub === 'help' || sub === '--help' || sub === '-h';
  (help ? console.log : console.error)(`${help ? '' : `sightline mtmc: unknown subcommand "${sub}"\n`}${MTMC_SCENE_USAGE}\n\n${MTMC_EVAL_USAGE}`);
  return help && sub !== undefined ? 0 : 2;
}

async function sceneCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      from: { type: 'string' }, out: { type: 'string' }, views: { type: 'string' }, overlap: { type: 'string' }, warp: { type: 'string' },
      drop: { type: 'string' }, jitter: { type: 'string' }, false: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean' },
    },
  });
  if (values.help || positionals.length > 0 || !values.from || !values.out) {
    (values.help ? console.log : console.error)(`${values.help ? '' : 'sightline mtmc scene: --from and --out are required\n'}${MTMC_SCENE_USAGE}`);
    return values.help ? 0 : 2;
  }
  const d = SCENE_DEFAULTS;
  const scene = await writeSceneFolder(values.from, values.out, {
    views: numberOption('views', values.views, d.views, 2, 4, true),
    overlap: numberOption('overlap', values.overlap, d.overlap, 0, 0.8),
    warp: numberOption('warp', values.warp, d.warp, 0, 0.3),
    drop: numberOption('drop', values.drop, d.drop, 0, 0.9),
    jitter: numberOption('jitter', values.jitter, d.jitter, 0, 0.5),
    falseRate: numberOption('false', values.false, d.falseRate, 0, 1),
    seed: numberOption('seed', values.seed, d.seed, 0, 2 ** 32 - 1, true),
  });
  const { widthM, heightM } = scene.site.plan;
  console.log(`wrote ${values.out}: ${scene.cameras.length} cameras (${scene.cameras.map((c) => `${c.id} ${c.widthPx}x${c.heightPx}`).join(', ')}), plan ${widthM} x ${heightM} m, ${scene.site.areas?.length ?? 0} areas`);
  return 0;
}

async function evalCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { data: { type: 'string' }, stride: { type: 'string' }, json: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help || positionals.length > 0 || !values.data) {
    (values.help ? console.log : console.error)(`${values.help ? '' : 'sightline mtmc eval: --data is required\n'}${MTMC_EVAL_USAGE}`);
    return values.help ? 0 : 2;
  }
  const stride = numberOption('stride', values.stride, 1, 1, 100, true);
  const report = evaluateScene(await loadSceneFolder(values.data), {}, stride);
  console.log(formatMtmcReport(report));
  if (values.json) {
    await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
    console.error(`wrote ${values.json}`);
  }
  return 0;
}

/** The report as a few lines of text. */
export function formatMtmcReport(r: MtmcReport): string {
  const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
  const lines = [
    `                 IDF1     count error   position error`,
    `cross-camera   ${pct(r.combined.IDF1).padStart(7)}   ${pct(r.combined.countError).padStart(10)}   ${r.combined.positionErrorM.toFixed(2)} m`,
    `per camera     ${pct(r.baseline.IDF1).padStart(7)}   ${pct(r.baseline.countError).padStart(10)}   (baseline: camera-local ids, counts summed over cameras)`,
    `joining whole camera tracks at best (each given its majority true id): IDF1 ${pct(r.trackLevelIDF1)}`,
    `people: ${r.fusion.people} global ids for ${r.fusion.truePeople} true; links: ${r.fusion.joined} joined, ${r.fusion.reentered} re-entered, ${r.fusion.split} split; ${r.frames} frames`,
  ];
  for (const [id, c] of Object.entries(r.cameras)) {
    lines.push(`  ${id}: IDF1 ${pct(c.IDF1)} alone; calibration ${'problem' in c.calibration ? c.calibration.problem : `${c.calibration.pairs} pairs, rms ${c.calibration.rmsErrorM.toFixed(3)} m, max ${c.calibration.maxErrorM.toFixed(3)} m`}`);
  }
  return lines.join('\n');
}
