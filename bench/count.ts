// Benchmark: line and zone counting against the ground truth, the product's counter (`sightline`: the `line` rule and
// zone counting with the hold) next to the baseline measured in the same run (`naive`: a side-change counter over the
// same tracks). With `count degrade`'s and `count eval`'s code: detections made from the gt with 20 % dropped, 5 % jitter
// and 2 % false boxes (seeds 1..N, medians over seeds), and the public detections (MOT17 FRCNN det.txt, MOT15
// det_sort.txt, where the detector's recall bounds any counter). Lines and zones: bench/count-lines*.json (see
// bench/place-count-lines.ts); each figure is given for the `tune` half, the `holdout` half and both.
//   node --import tsx bench/count.ts [--seeds 5] [--tracker sightline|bytetrack] [--json OUT]
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatMachine, machineInfo } from '../src/bench/machine.ts';
import { combineCounts, COUNTERS, type CombinedCounts, type CounterName, type SequenceCountResult } from '../src/mot/count/count-sequence.ts';
import { DEFAULT_DEGRADE } from '../src/mot/count/degrade.ts';
import { parseCountLines } from '../src/mot/count/lines-file.ts';
import { countDataset, degradeDataset } from '../src/mot/count/run-count.ts';
import { DEFAULT_MOT_TRACKER, trackerFactory } from '../src/mot/track/trackers.ts';

const { values } = parseArgs({ options: { seeds: { type: 'string', default: '5' }, tracker: { type: 'string', default: DEFAULT_MOT_TRACKER }, json: { type: 'string' } } });
const seeds = Array.from({ length: Number(values.seeds) }, (_, i) => i + 1);
const tracker = trackerFactory(values.tracker!);
const assets = resolve(process.env['SIGHTLINE_ASSETS'] ?? '../shared/assets');
const MOT17 = join(assets, 'mot/MOT17/train');
const MOT15 = join(assets, 'mot/MOT15/train');
const linesOf = async (name: string) => parseCountLines(await readFile(new URL(name, import.meta.url), 'utf8'), `bench/${name}`);
const lines = { all: await linesOf('count-lines.json'), mot17: await linesOf('count-lines-mot17.json'), mot15: await linesOf('count-lines-mot15.json') };
const HALVES = ['tune', 'holdout', 'both'] as const;
const inHalf = (half: (typeof HALVES)[number]) => (_kind: string, _seq: string, id: string) => half === 'both' || id.startsWith(half);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

type Row = { source: string; half: string; counter: CounterName; c: CombinedCounts };
const rows: Row[] = [];
const record = (source: string, counter: CounterName, runs: Record<string, SequenceCountResult>[]) => {
  for (const half of HALVES) {
    const per = runs.map((seqs) => combineCounts(seqs, inHalf(half)));
    const med = (k: keyof CombinedCounts) => median(per.map((p) => p[k] ?? NaN));
    rows.push({ source, half, counter, c: { truth: med('truth'), counted: med('counted'), absError: med('absError'), relError: med('relError'), zoneMae: med('zoneMae') } });
  }
};

const started = performance.now();
const tmp = await mkdtemp(join(tmpdir(), 'sightline-count-bench-'));
try {
  // Two score models for the degraded boxes: `spread` (true U(0.5, 1), false U(0.3, 0.8), as a detector's) and `one`
  // (every box 1.0: the boxes are the truth's, so scores carry nothing).
  for (const scores of ['spread', 'one'] as const) {
    const degraded: Record<CounterName, Record<string, SequenceCountResult>[]> = { sightline: [], naive: [] };
    for (const seed of seeds) {
      const out = join(tmp, `${scores}-seed-${seed}`);
      for (const dataDir of [MOT17, MOT15]) await degradeDataset({ dataDir, outDir: out, detFile: 'det.txt', seed, ...DEFAULT_DEGRADE, scores });
      for (const counter of COUNTERS) degraded[counter].push((await countDataset({ dataDir: out, lines: lines.all, detFile: 'det.txt', tracker, counter })).sequences);
    }
    for (const counter of COUNTERS) record(`degraded, scores ${scores} (${seeds.length} seeds)`, counter, degraded[counter]);
  }
  for (const counter of COUNTERS) {
    const a = await countDataset({ dataDir: MOT17, lines: lines.mot17, detFile: 'det.txt', tracker, counter });
    const b = await countDataset({ dataDir: MOT15, lines: lines.mot15, detFile: 'det_sort.txt', tracker, counter });
    record('public (FRCNN, det_sort)', counter, [{ ...a.sequences, ...b.sequences }]);
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}

const d = DEFAULT_DEGRADE;
console.log(`counting vs gt truth, tracker ${values.tracker}; degraded: drop ${d.drop}, jitter ${d.jitter} x box height, false ${d.falseRate} x kept boxes`);
console.log(`${'detections'.padEnd(34)} ${'half'.padEnd(8)} ${'counter'.padEnd(10)} ${'truth'.padStart(6)} ${'counted'.padStart(8)} ${'absErr'.padStart(7)} ${'relErr'.padStart(7)} ${'zoneMae'.padStart(8)}  relErr vs naive`);
for (const r of rows) {
  const naive = rows.find((x) => x.source === r.source && x.half === r.half && x.counter === 'naive')!;
  const ratio = r.counter === 'naive' || !naive.c.relError ? '' : `${((r.c.relError ?? NaN) / naive.c.relError).toFixed(2)}x`;
  const f = (v: number | null, digits: number, width: number) => (v === null || Number.isNaN(v) ? '-' : v.toFixed(digits)).padStart(width);
  console.log(`${r.source.padEnd(34)} ${r.half.padEnd(8)} ${r.counter.padEnd(10)} ${f(r.c.truth, 0, 6)} ${f(r.c.counted, 0, 8)} ${f(r.c.absError, 0, 7)} ${f(r.c.relError, 3, 7)} ${f(r.c.zoneMae, 3, 8)}  ${ratio}`);
}
const machine = machineInfo('none (no model)', 0);
console.log(`${formatMachine(machine)}; ${((performance.now() - started) / 1000).toFixed(1)} s`);
if (values.json) await writeFile(values.json, `${JSON.stringify({ tracker: values.tracker, degrade: d, seeds, rows, machine }, null, 2)}\n`);
