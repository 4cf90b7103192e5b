// Benchmark: tracking accuracy and speed on the MOTChallenge dev sets, Sightline's trackers next to the published
// reference numbers (upstream Python SORT / ByteTrack / OC-SORT scored with TrackEval on this kind of machine; they
// are constants from issue 3, not measured here). Accuracy rows are measured in this run with `mot eval`'s code; the
// speed baseline is Sightline's ByteTrack port, measured in the same run. Tracker updates only, no file I/O.
//   node --import tsx bench/track.ts [--rounds 5]
import { cpus, platform, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDevSet, runDevSet } from '../src/mot/dev-set.ts';
import type { DevSequence } from '../src/mot/dev-set.ts';
import { summaryRecord } from '../src/mot/eval/report.ts';
import { trackSequence } from '../src/mot/track/run-sequence.ts';
import { byteTrackMot17, MOT_TRACKERS } from '../src/mot/track/trackers.ts';
import type { TrackerFactory } from '../src/mot/track/trackers.ts';
import { OFFLINE_DEFAULTS } from '../src/tracking/offline.ts';
import { SightlineTracker } from '../src/tracking/sightline-tracker.ts';
import { mulberry32, seedOf } from '../src/core/random.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = Number(values.rounds);
const assets = resolve(process.env['SIGHTLINE_ASSETS'] ?? '../shared/assets');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (x: number) => (x * 100).toFixed(2).padStart(6);

const MOT17_SEQS = ['MOT17-02-FRCNN', 'MOT17-04-FRCNN', 'MOT17-05-FRCNN', 'MOT17-09-FRCNN'];
const MOT15_SEQS = ['ADL-Rundle-6', 'ADL-Rundle-8', 'ETH-Bahnhof', 'ETH-Pedcross2', 'ETH-Sunnyday', 'KITTI-13', 'KITTI-17', 'PETS09-S2L1', 'TUD-Campus', 'TUD-Stadtmitte', 'Venice-2'];
const mot17 = await loadDevSet(join(assets, 'mot/MOT17/train'), MOT17_SEQS, 'det.txt');
const mot15 = await loadDevSet(join(assets, 'mot/MOT15/train'), MOT15_SEQS, 'det_sort.txt');

// Published reference rows (HOTA, MOTA, IDF1 in %, IDSW on MOT17).
const REFERENCE = [
  { name: 'SORT (reference)', m17: [45.03, 47.95, 51.44, 256], m15: [36.44, 39.88, 45.89] },
  { name: 'ByteTrack (reference)', m17: [47.77, 48.37, 55.93, 146], m15: [37.61, 38.52, 49.24] },
  { name: 'OC-SORT (reference)', m17: [47.78, 47.03, 55.84, 131], m15: [36.08, 37.9, 48.11] },
];
const sightline = MOT_TRACKERS.get('sightline')!;
const MEASURED: { name: string; factory: TrackerFactory; offline: boolean }[] = [
  { name: 'ByteTrack port (measured)', factory: byteTrackMot17, offline: false },
  { name: 'Sightline online (measured)', factory: sightline, offline: false },
  { name: 'Sightline offline (measured)', factory: sightline, offline: true },
];

console.log('MOT17 dev (FRCNN public detections, 4 sequences) and MOT15 (det_sort.txt, 11 sequences), combined, TrackEval rules');
console.log(`${'tracker'.padEnd(30)} | MOT17   HOTA   MOTA   IDF1  IDSW | MOT15   HOTA   MOTA   IDF1`);
for (const r of REFERENCE) {
  console.log(`${r.name.padEnd(30)} |       ${r.m17.slice(0, 3).map((x) => x.toFixed(2).padStart(6)).join(' ')} ${String(r.m17[3]).padStart(5)} |       ${r.m15.map((x) => x.toFixed(2).padStart(6)).join(' ')}`);
}
for (const m of MEASURED) {
  const opts = { offline: m.offline ? OFFLINE_DEFAULTS : null, motProfile: true };
  const a = summaryRecord(runDevSet(mot17, m.factory, opts).combined);
  const b = summaryRecord(runDevSet(mot15, m.factory, opts).combined);
  console.log(`${m.name.padEnd(30)} |       ${pct(a.HOTA)} ${pct(a.MOTA)} ${pct(a.IDF1)} ${String(a.IDSW).padStart(5)} |       ${pct(b.HOTA)} ${pct(b.MOTA)} ${pct(b.IDF1)}`);
}

// Moving and fixed cameras apart (MOT17-05 and MOT15's ETH, KITTI and ADL-Rundle-8 are filmed from a moving camera),
// with camera motion estimated from the boxes (off by default) beside the defaults and the ByteTrack port.
const MOVING = new Set(['MOT17-05-FRCNN', 'ADL-Rundle-8', 'ETH-Bahnhof', 'ETH-Pedcross2', 'ETH-Sunnyday', 'KITTI-13', 'KITTI-17']);
const both = [...mot17, ...mot15];
const SUBSET_ROWS: { name: string; factory: TrackerFactory }[] = [
  { name: 'ByteTrack port', factory: byteTrackMot17 },
  { name: 'Sightline online', factory: sightline },
  { name: 'Sightline + camera motion (boxes)', factory: () => new SightlineTracker({ cameraMotionFromBoxes: true }) },
];
console.log('\nmoving and fixed cameras (MOT17 dev and MOT15 together, online)');
console.log(`${'tracker'.padEnd(36)} | moving (${[...MOVING].length})  HOTA   MOTA   IDF1 | fixed (${both.length - MOVING.size})  HOTA   MOTA   IDF1`);
for (const m of SUBSET_ROWS) {
  const opts = { offline: null, motProfile: true };
  const a = summaryRecord(runDevSet(both.filter((x) => MOVING.has(x.name)), m.factory, opts).combined);
  const b = summaryRecord(runDevSet(both.filter((x) => !MOVING.has(x.name)), m.factory, opts).combined);
  console.log(`${m.name.padEnd(36)} |            ${pct(a.HOTA)} ${pct(a.MOTA)} ${pct(a.IDF1)} |           ${pct(b.HOTA)} ${pct(b.MOTA)} ${pct(b.IDF1)}`);
}

// Dropped frames: a live camera on a busy machine loses frames before the tracker. Frames are dropped at random (seeded
// per sequence), the trackers never see them and they are not scored. Sightline predicts by the elapsed time; the same
// tracker predicting one frame per update and the ByteTrack port are measured beside it in the same run.
const dropSeed = 1;
const keepFrames = (drop: number) => {
  const kept = new Map<string, Set<number>>();
  return (sequence: string, frame: number) => {
    let set = kept.get(sequence);
    if (set === undefined) {
      const random = mulberry32(seedOf(`drop ${drop} ${sequence}`, dropSeed));
      set = new Set();
      for (let f = 1; f <= 100_000; f++) if (random() >= drop) set.add(f);
      kept.set(sequence, set);
    }
    return set.has(frame);
  };
};
const DROP_ROWS: { name: string; factory: TrackerFactory }[] = [
  { name: 'ByteTrack port', factory: byteTrackMot17 },
  { name: 'Sightline, a frame per update', factory: () => new SightlineTracker({ predictByElapsedTime: false }) },
  { name: 'Sightline (elapsed time)', factory: sightline },
];
console.log('\ndropped frames (online; the dropped frames are not scored)');
console.log(`${'drop  tracker'.padEnd(36)} | MOT17   HOTA   MOTA   IDF1 | MOT15   HOTA   MOTA   IDF1`);
for (const drop of [0.2, 0.5]) {
  for (const m of DROP_ROWS) {
    const opts = { offline: null, motProfile: true };
    const a = summaryRecord(runDevSet(mot17, m.factory, opts, keepFrames(drop)).combined);
    const b = summaryRecord(runDevSet(mot15, m.factory, opts, keepFrames(drop)).combined);
    console.log(`${`${Math.round(drop * 100)} %  ${m.name}`.padEnd(36)} |       ${pct(a.HOTA)} ${pct(a.MOTA)} ${pct(a.IDF1)} |       ${pct(b.HOTA)} ${pct(b.MOTA)} ${pct(b.IDF1)}`);
  }
}

/** Frames per second of tracker updates alone over `set`, median of `rounds` runs (after one warm-up run). */
function speed(set: readonly DevSequence[], factory: TrackerFactory): number {
  const frames = set.reduce((n, s) => n + s.info.seqLength, 0);
  const times: number[] = [];
  for (let r = 0; r <= rounds; r++) {
    let ms = 0;
    for (const s of set) {
      const tracker = factory(s.info.frameRate);
      const t0 = performance.now();
      trackSequence(s.dets, tracker, s.info.frameRate);
      ms += performance.now() - t0;
    }
    if (r > 0) times.push(ms);
  }
  return frames / (median(times) / 1000);
}

const densest = mot17.filter((s) => s.name === 'MOT17-04-FRCNN');
const base = { all: speed(mot17, byteTrackMot17), dense: speed(densest, byteTrackMot17) };
const ours = { all: speed(mot17, sightline), dense: speed(densest, sightline) };
const PYTHON_BYTETRACK_FPS = 465; // reference Python ByteTrack on this kind of machine (issue 3), not measured here
console.log(`\nspeed: tracker updates only, single thread, median of ${rounds} runs (frames/s)`);
console.log(`${'tracker'.padEnd(30)} | MOT17 dev | MOT17-04 (densest)`);
console.log(`${'ByteTrack port (baseline)'.padEnd(30)} | ${base.all.toFixed(0).padStart(9)} | ${base.dense.toFixed(0).padStart(9)}`);
console.log(`${'Sightline online'.padEnd(30)} | ${ours.all.toFixed(0).padStart(9)} | ${ours.dense.toFixed(0).padStart(9)}`);
console.log(`ratio Sightline / ByteTrack port: ${(ours.all / base.all).toFixed(2)} (dev set), ${(ours.dense / base.dense).toFixed(2)} (MOT17-04)`);
console.log(`ratio Sightline / reference Python ByteTrack (${PYTHON_BYTETRACK_FPS} frames/s): ${(ours.all / PYTHON_BYTETRACK_FPS).toFixed(1)}x`);
console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}`);
