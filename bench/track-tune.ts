// Benchmark: does the tracker's parameter search generalise? Two-fold cross-validation over the dev sequences: the
// search (coordinate descent over the search-found options, from ByteTrack's own values) runs on one half of the MOT17
// dev and MOT15 sequences and is scored on the other half, then the halves swap. Beside each: the shipped defaults
// (chosen on both halves, so on a held-out half they are not held out) and the ByteTrack port, measured in the same run.
// The options that have a stated reason (docs/tracking.md) are not searched.
//   node --import tsx bench/track-tune.ts [--passes 2] [--json OUT]
import { writeFile } from 'node:fs/promises';
import { cpus, platform, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDevSet, runDevSet } from '../src/mot/dev-set.ts';
import type { DevSequence } from '../src/mot/dev-set.ts';
import { summaryRecord } from '../src/mot/eval/report.ts';
import { byteTrackMot17 } from '../src/mot/track/trackers.ts';
import type { TrackerFactory } from '../src/mot/track/trackers.ts';
import { SIGHTLINE_TRACKER_DEFAULTS, SightlineTracker } from '../src/tracking/sightline-tracker.ts';
import type { SightlineTrackerOptions } from '../src/tracking/sightline-tracker.ts';

const { values } = parseArgs({ options: { passes: { type: 'string', default: '2' }, json: { type: 'string' } } });
const passes = Number(values.passes);
const assets = resolve(process.env['SIGHTLINE_ASSETS'] ?? '../shared/assets');

const MOT17_SEQS = ['MOT17-02-FRCNN', 'MOT17-04-FRCNN', 'MOT17-05-FRCNN', 'MOT17-09-FRCNN'];
const MOT15_SEQS = ['ADL-Rundle-6', 'ADL-Rundle-8', 'ETH-Bahnhof', 'ETH-Pedcross2', 'ETH-Sunnyday', 'KITTI-13', 'KITTI-17', 'PETS09-S2L1', 'TUD-Campus', 'TUD-Stadtmitte', 'Venice-2'];
// The halves: each has fixed and moving cameras (moving: MOT17-05, ETH-*, KITTI-*, ADL-Rundle-8) and sequences from
// both detectors; MOT17-04 and -09 (the fixed ones with most people) are in the second.
const HALF_A = new Set(['MOT17-02-FRCNN', 'MOT17-05-FRCNN', 'ADL-Rundle-6', 'ETH-Bahnhof', 'ETH-Sunnyday', 'KITTI-13', 'PETS09-S2L1', 'TUD-Stadtmitte']);
const mot17 = await loadDevSet(join(assets, 'mot/MOT17/train'), MOT17_SEQS, 'det.txt');
const mot15 = await loadDevSet(join(assets, 'mot/MOT15/train'), MOT15_SEQS, 'det_sort.txt');

interface Half {
  readonly name: string;
  readonly mot17: DevSequence[];
  readonly mot15: DevSequence[];
}
const half = (name: string, inA: boolean): Half => ({
  name,
  mot17: mot17.filter((s) => HALF_A.has(s.name) === inA),
  mot15: mot15.filter((s) => HALF_A.has(s.name) === inA),
});
const halves = [half('A', true), half('B', false)] as const;

/** The search space: ByteTrack's value first (the starting point), then the alternatives. */
const SPACE: Partial<Record<keyof SightlineTrackerOptions, number[]>> = {
  highScoreThresh: [0.6, 0.5, 0.7, 0.8],
  lowScoreThresh: [0.1, 0.05, 0.2, 0.3],
  newTrackThresh: [0.7, 0.6, 0.8, 0.9, 0.95],
  matchIouThresh: [0.8, 0.7, 0.85, 0.9, 0.95],
  secondMatchIouThresh: [0.5, 0.4, 0.6, 0.7, 0.8],
  unconfirmedMatchThresh: [0.7, 0.6, 0.8, 0.9],
  confidenceNoiseFloor: [1, 0.1, 0.2, 0.3, 0.5],
  confirmScoreSum: [0, 1.5, 1.7, 1.9],
};
const START = Object.fromEntries(Object.entries(SPACE).map(([k, v]) => [k, v[0]])) as Partial<SightlineTrackerOptions>;

interface Score {
  readonly hota17: number;
  readonly idf117: number;
  readonly hota15: number;
  readonly idf115: number;
}
const score = (h: Half, factory: TrackerFactory): Score => {
  const opts = { offline: null, motProfile: true };
  const a = summaryRecord(runDevSet(h.mot17, factory, opts).combined);
  const b = summaryRecord(runDevSet(h.mot15, factory, opts).combined);
  return { hota17: a.HOTA * 100, idf117: a.IDF1 * 100, hota15: b.HOTA * 100, idf115: b.IDF1 * 100 };
};
/** The objective: the mean of the two datasets' HOTA (each dataset's sequences combined). */
const objective = (s: Score) => (s.hota17 + s.hota15) / 2;
const sightlineWith = (o: Partial<SightlineTrackerOptions>): TrackerFactory => () => new SightlineTracker(o);

function search(h: Half): { options: Partial<SightlineTrackerOptions>; evaluations: number } {
  let best = { ...START };
  let bestValue = objective(score(h, sightlineWith(best)));
  let evaluations = 1;
  for (let pass = 0; pass < passes; pass++) {
    let changed = false;
    for (const [key, candidates] of Object.entries(SPACE) as [keyof SightlineTrackerOptions, number[]][]) {
      for (const v of candidates) {
        if (best[key] === v) continue;
        const trial = { ...best, [key]: v };
        if ((trial.lowScoreThresh ?? 0) > (trial.highScoreThresh ?? 1)) continue;
        const value = objective(score(h, sightlineWith(trial)));
        evaluations++;
        if (value > bestValue + 1e-9) {
          best = trial;
          bestValue = value;
          changed = true;
        }
      }
      process.stderr.write(`  tuning on ${h.name}, pass ${pass + 1}: ${key} = ${String(best[key])} (objective ${bestValue.toFixed(2)})\n`);
    }
    if (!changed) break;
  }
  return { options: best, evaluations };
}

const fmt = (s: Score) => `${s.hota17.toFixed(2).padStart(6)} ${s.idf117.toFixed(2).padStart(6)} | ${s.hota15.toFixed(2).padStart(6)} ${s.idf115.toFixed(2).padStart(6)}`;
const results: Record<string, unknown>[] = [];
console.log('Two-fold cross-validation of the tracker parameter search (online, TrackEval rules, each dataset combined)');
console.log(`half A: ${[...HALF_A].join(', ')}; half B: the other ${mot17.length + mot15.length - HALF_A.size}`);
for (const [tuneOn, heldOut] of [halves, [halves[1], halves[0]]] as const) {
  const started = performance.now();
  const found = search(tuneOn);
  const seconds = (performance.now() - started) / 1000;
  console.log(`\ntuned on ${tuneOn.name} (${found.evaluations} evaluations, ${seconds.toFixed(0)} s): ${JSON.stringify(found.options)}`);
  console.log(`${'tracker'.padEnd(34)} | half | MOT17  HOTA   IDF1 | MOT15  HOTA   IDF1`);
  const rows: [string, TrackerFactory][] = [
    ['ByteTrack port', byteTrackMot17],
    [`searched on ${tuneOn.name}`, sightlineWith(found.options)],
    ['shipped defaults (tuned on A + B)', sightlineWith({})],
  ];
  for (const h of [tuneOn, heldOut]) {
    for (const [name, factory] of rows) {
      const s = score(h, factory);
      console.log(`${name.padEnd(34)} | ${h.name} ${h === heldOut ? 'held out' : 'tuned on'} | ${fmt(s)}`);
      results.push({ tunedOn: tuneOn.name, half: h.name, heldOut: h === heldOut, tracker: name, ...s, options: name.startsWith('searched') ? found.options : undefined });
    }
  }
}
console.log(`\nshipped defaults: ${JSON.stringify(Object.fromEntries(Object.keys(SPACE).map((k) => [k, SIGHTLINE_TRACKER_DEFAULTS[k as keyof SightlineTrackerOptions]])))}`);
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}`;
console.log(`machine: ${machine}`);
if (values.json !== undefined) await writeFile(values.json, JSON.stringify({ machine, results }, null, 2));
