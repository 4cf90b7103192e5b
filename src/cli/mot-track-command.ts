import { parseArgs } from 'node:util';
import { AppError } from '../core/errors.ts';
import { OFFLINE_DEFAULTS } from '../tracking/offline.ts';
import { trackDataset } from '../mot/track/run-dataset.ts';
import { DEFAULT_MOT_TRACKER, MOT_TRACKERS, trackerFactory } from '../mot/track/trackers.ts';

/** Usage of `sightline mot track`. */
export const MOT_TRACK_USAGE = `usage: sightline mot track --data DIR --out DIR [--det det.txt|det_sort.txt] [--tracker NAME]
                          [--offline] [--seqs A,B] [--no-mot-profile]
Runs a tracker over every sequence folder of DIR that has det/<det> and writes <out>/<seq>.txt (MOTChallenge rows).
  --tracker         ${[...MOT_TRACKERS.keys()].join(' | ')} (default ${DEFAULT_MOT_TRACKER})
  --det             detection file name under <seq>/det/ (default det.txt)
  --offline         batch mode: fill gaps of up to ${OFFLINE_DEFAULTS.maxGapSeconds} s in each track by interpolation
  --no-mot-profile  keep every box; by default the MOT pedestrian profile drops boxes <= 100 px² or wider than 1.6 x height`;

/** `sightline mot track`; returns the exit code. */
export async function motTrackCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' }, out: { type: 'string' }, det: { type: 'string' }, tracker: { type: 'string' },
      offline: { type: 'boolean' }, seqs: { type: 'string' }, 'no-mot-profile': { type: 'boolean' }, help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(MOT_TRACK_USAGE);
    return 0;
  }
  if (values.data === undefined || values.out === undefined) {
    console.error(`sightline mot track: --data and --out are required\n${MOT_TRACK_USAGE}`);
    return 2;
  }
  const name = values.tracker ?? DEFAULT_MOT_TRACKER;
  const motProfile = !values['no-mot-profile'];
  const offline = values.offline ? OFFLINE_DEFAULTS : null;
  const det = values.det ?? 'det.txt';
  if (det.includes('/') || det.includes('\\')) throw new AppError('CONFIG_INVALID', `--det: expected a file name such as det.txt, got "${det}"`);
  console.log(
    `tracker ${name}, ${offline ? 'offline (gap interpolation)' : 'online'}, ` +
      `MOT pedestrian profile ${motProfile ? 'applied (area > 100 px², w/h <= 1.6)' : 'not applied'}`,
  );
  const report = await trackDataset(
    {
      dataDir: values.data,
      detFile: det,
      outDir: values.out,
      tracker: trackerFactory(name),
      motProfile,
      offline,
      ...(values.seqs ? { seqs: values.seqs.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
    },
    (r) => {
      const fps = r.frames / Math.max(r.trackMs / 1000, 1e-9);
      console.log(`  ${r.seq}: ${r.frames} frames, ${r.detections} detections -> ${r.rows} rows (${fps.toFixed(0)} frames/s)`);
    },
  );
  for (const s of report.skipped) console.log(`  skipped ${s.seq}: ${s.reason}`);
  if (report.sequences.length === 0) {
    console.error(`sightline mot track: no sequence folder in ${values.data} has det/${det}`);
    return 1;
  }
  console.log(`wrote ${report.sequences.length} result files to ${values.out}`);
  return 0;
}
