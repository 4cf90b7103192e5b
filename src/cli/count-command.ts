import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { AppError } from '../core/errors.ts';
import { COUNTERS, type CounterName } from '../mot/count/count-sequence.ts';
import { DEFAULT_DEGRADE, FALSE_SCORE, TRUE_SCORE } from '../mot/count/degrade.ts';
import { parseCountLines } from '../mot/count/lines-file.ts';
import { countDataset, degradeDataset, type CountReport } from '../mot/count/run-count.ts';
import { DEFAULT_MOT_TRACKER, MOT_TRACKERS, trackerFactory } from '../mot/track/trackers.ts';

/** Usage of `sightline count eval`. */
export const COUNT_EVAL_USAGE = `usage: sightline count eval --data DIR --lines FILE [--det det.txt] [--tracker ${[...MOT_TRACKERS.keys()].join('|')}]
                          [--counter ${COUNTERS.join('|')}] [--json OUT]
Measures line and zone counting on MOTChallenge sequences against counts taken from the ground truth.
  --data     folder of sequence folders (links followed): <seq>/seqinfo.ini, <seq>/gt/gt.txt, <seq>/det/<det>
  --lines    JSON {"<seq>": {"lines": [{"id", "points": [[x,y],[x,y]]}], "zones": [{"id", "polygon": [[x,y],...]}]}}
             in the sequence's pixels; either key may be absent; only the sequences named are counted
  --det      detection file under <seq>/det/ (default det.txt)
  --tracker  tracker that makes the tracks from the detections (default ${DEFAULT_MOT_TRACKER})
  --counter  sightline: the product's line rule and zone counting (objects missed a moment still held in a zone);
             naive: a side-change counter over the same tracks (the baseline; zones counted frame by frame)
  --json     write {sequences: {<seq>: {lines: {<id>: {truth: {in, out}, counted: {in, out}}}, zones: {<id>: {mae,
             truthMean}}}}, combined: {truth, counted, absError, relError, zoneMae}} to OUT
Truth: gt rows of class 1 marked considered (MOT17), every row (MOT15). A crossing is a gt box's bottom-centre changing
side between two consecutive observations of its id, where the path between them meets the segment; \`in\` is from the
left of points[0]->points[1] to its right (image coordinates, y down); every crossing counts. Zone truth: gt
bottom-centres inside the polygon, per frame. absError sums |counted - truth| over lines and directions; relError =
absError / truth; zoneMae is the mean over zones of the mean over frames of |counted - truth|.`;

/** Usage of `sightline count degrade`. */
export const COUNT_DEGRADE_USAGE = `usage: sightline count degrade --data DIR --out DIR [--drop ${DEFAULT_DEGRADE.drop}] [--jitter ${DEFAULT_DEGRADE.jitter}] [--false ${DEFAULT_DEGRADE.falseRate}]
                             [--seed N] [--det det.txt] [--scores spread|one]
Writes detections made from the ground truth with known faults, for every sequence folder of DIR with gt/gt.txt
(links followed): OUT/<seq>/seqinfo.ini and OUT/<seq>/gt as links to the originals, OUT/<seq>/det/<det> new. The
truth rows are those \`count eval\` counts (MOT17: class 1 marked considered; MOT15: all). Per frame:
  --drop    each true box is dropped with this probability (default ${DEFAULT_DEGRADE.drop})
  --jitter  each corner coordinate (x1, y1, x2, y2) of a kept box gets Gaussian noise with a standard deviation of
            this fraction of the box height (default ${DEFAULT_DEGRADE.jitter})
  --false   each kept box brings a false box with this probability, so false boxes are about this fraction of the
            kept ones (default ${DEFAULT_DEGRADE.falseRate}); a false box has the size of a random gt box of the sequence and
            a uniformly random place inside the frame
  --seed    seed of the random numbers (default 1); each sequence has its own stream, so a seed and a sequence always
            give the same file
  --det     name of the file written under det/ (default det.txt)
  --scores  one (default): every box 1.0 (the boxes are the truth's: a score would be invented, and false boxes
            cannot be told by it); spread: true boxes U(${TRUE_SCORE.join(', ')}), false boxes U(${FALSE_SCORE.join(', ')}), as a detector's
            false positives score lower on average but overlap the true ones
Rows are frame,-1,x,y,w,h,conf, sorted by frame.`;

/** The `--scores` option: one (default) or spread. */
function scoresOption(raw: string | undefined): 'spread' | 'one' {
  if (raw === undefined || raw === 'spread' || raw === 'one') return raw ?? 'one';
  throw new AppError('CONFIG_INVALID', `--scores: expected spread or one, got "${raw}"`);
}

/** Usage of `sightline count`. */
export const COUNT_USAGE = `${COUNT_EVAL_USAGE}\n\n${COUNT_DEGRADE_USAGE}`;

/** `sightline count eval|degrade`; returns the exit code. */
export async function countCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'eval') return countEvalCommand(rest);
  if (sub === 'degrade') return countDegradeCommand(rest);
  const help = sub === undefined || sub === 'help' || sub === '--help' || sub === '-h';
  (help ? console.log : console.error)(`${help ? '' : `sightline count: unknown subcommand "${sub}"\n`}${COUNT_USAGE}`);
  return help && sub !== undefined ? 0 : 2;
}

/** A file name under det/ (no folders). */
function detName(value: string | undefined): string {
  const det = value ?? 'det.txt';
  if (det === '' || det.includes('/') || det.includes('\\')) throw new AppError('CONFIG_INVALID', `--det: expected a file name such as det.txt, got "${det}"`);
  return det;
}

/** `sightline count eval`; returns the exit code. */
export async function countEvalCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      data: { type: 'string' }, lines: { type: 'string' }, det: { type: 'string' }, tracker: { type: 'string' },
      counter: { type: 'string' }, json: { type: 'string' }, help: { type: 'boolean' },
    },
  });
  if (values.help || positionals.length > 0 || !values.data || !values.lines) {
    (values.help ? console.log : console.error)(`${values.help ? '' : 'sightline count eval: --data and --lines are required\n'}${COUNT_EVAL_USAGE}`);
    return values.help ? 0 : 2;
  }
  const counter = values.counter ?? COUNTERS[0];
  if (!(COUNTERS as readonly string[]).includes(counter)) throw new AppError('CONFIG_INVALID', `--counter: expected one of ${COUNTERS.join(', ')}, got "${counter}"`);
  const tracker = trackerFactory(values.tracker ?? DEFAULT_MOT_TRACKER);
  const text = await readFile(values.lines, 'utf8').catch((err: unknown) => {
    throw new AppError('CONFIG_INVALID', `--lines: expected a readable JSON file, cannot read ${values.lines}`, { cause: err });
  });
  const report = await countDataset({ dataDir: values.data, lines: parseCountLines(text, values.lines), detFile: detName(values.det), tracker, counter: counter as CounterName });
  console.log(formatCountReport(report));
  if (values.json) {
    await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
    console.error(`wrote ${values.json}`);
  }
  return 0;
}

/** A number option in [min, max]. */
export function numberOption(name: string, value: string | undefined, fallback: number, min: number, max: number, integer = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new AppError('CONFIG_INVALID', `--${name}: expected ${integer ? 'an integer' : 'a number'} between ${min} and ${max}, got "${value}"`);
  }
  return n;
}

/** `sightline count degrade`; returns the exit code. */
export async function countDegradeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      data: { type: 'string' }, out: { type: 'string' }, drop: { type: 'string' }, jitter: { type: 'string' },
      false: { type: 'string' }, seed: { type: 'string' }, det: { type: 'string' }, help: { type: 'boolean' }, scores: { type: 'string' },
    },
  });
  if (values.help || positionals.length > 0 || !values.data || !values.out) {
    (values.help ? console.log : console.error)(`${values.help ? '' : 'sightline count degrade: --data and --out are required\n'}${COUNT_DEGRADE_USAGE}`);
    return values.help ? 0 : 2;
  }
  const options = {
    dataDir: values.data,
    outDir: values.out,
    detFile: detName(values.det),
    drop: numberOption('drop', values.drop, DEFAULT_DEGRADE.drop, 0, 1),
    jitter: numberOption('jitter', values.jitter, DEFAULT_DEGRADE.jitter, 0, 10),
    falseRate: numberOption('false', values.false, DEFAULT_DEGRADE.falseRate, 0, 1),
    seed: numberOption('seed', values.seed, 1, 0, 2 ** 32 - 1, true),
    scores: scoresOption(values.scores),
  };
  const report = await degradeDataset(options, (r) => {
    console.log(`  ${r.seq}: ${r.trueBoxes} true boxes, ${r.kept} kept, ${r.falseBoxes} false added`);
  });
  for (const s of report.skipped) console.log(`  skipped ${s}: no gt/gt.txt`);
  if (report.sequences.length === 0) {
    console.error(`sightline count degrade: no sequence folder in ${values.data} has gt/gt.txt`);
    return 1;
  }
  console.log(`wrote det/${options.detFile} for ${report.sequences.length} sequences to ${values.out}`);
  return 0;
}

const fixed = (v: number | null, digits: number) => (v === null ? '-' : v.toFixed(digits));

/** The report as a table: one row per line and zone, then the combined row. */
export function formatCountReport(r: CountReport): string {
  const rows = ['sequence                 kind  id                 truth in/out  counted in/out  |err|   zone mae  truth mean'];
  for (const [seq, s] of Object.entries(r.sequences)) {
    for (const [id, l] of Object.entries(s.lines)) {
      const err = Math.abs(l.counted.in - l.truth.in) + Math.abs(l.counted.out - l.truth.out);
      rows.push(`${seq.padEnd(24)} line  ${id.padEnd(18)} ${`${l.truth.in}/${l.truth.out}`.padStart(13)}  ${`${l.counted.in}/${l.counted.out}`.padStart(14)}  ${String(err).padStart(5)}`);
    }
    for (const [id, z] of Object.entries(s.zones)) {
      rows.push(`${seq.padEnd(24)} zone  ${id.padEnd(18)} ${''.padStart(13)}  ${''.padStart(14)}  ${''.padStart(5)}  ${z.mae.toFixed(3).padStart(8)}  ${z.truthMean.toFixed(2).padStart(10)}`);
    }
  }
  const c = r.combined;
  rows.push(`combined: truth ${c.truth}, counted ${c.counted}, absError ${c.absError}, relError ${fixed(c.relError, 3)}, zoneMae ${fixed(c.zoneMae, 3)}`);
  return rows.join('\n');
}
