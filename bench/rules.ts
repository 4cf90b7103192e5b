// Benchmark: rule evaluation cost per frame. One camera with 50 rules (15 presence, 15 line, 10 dwell, 10 occupancy over
// 10 zones and 15 lines) and 100 tracks per frame walking at random, 10 frames/s for 5 minutes of frame time. Measured:
// the rule engine's evaluate() per frame (every rule plus the counters of every declared line and zone), p50 / p95 /
// max. Baseline, in the same run on the same frames: the least any zone rule must do, one point-in-polygon test per
// track and zone, in a plain loop. Rounds alternate; medians.
//   node --import tsx bench/rules.ts [--rounds 5] [--frames 3000]
import { parseArgs } from 'node:util';
import { formatMachine, machineInfo } from '../src/bench/machine.ts';
import { CameraSchema } from '../src/config/schema.ts';
import { pointInPolygon } from '../src/core/geometry.ts';
import type { Point, Track } from '../src/core/types.ts';
import { buildRules, cameraGeometry } from '../src/rules/build.ts';
import { RuleEngine } from '../src/rules/engine.ts';
import type { RuleFrame } from '../src/rules/rule.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, frames: { type: 'string', default: '3000' } } });
const rounds = Number(values.rounds);
const frameCount = Number(values.frames);
const W = 1920;
const H = 1080;
const TRACKS = 100;

/** Seeded PRNG (mulberry32): the same scene every run. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const zones = Array.from({ length: 10 }, (_, i) => {
  const x = (i % 5) * 0.2;
  const y = i < 5 ? 0.1 : 0.55;
  return { id: `z${i}`, polygon: [[x, y], [x + 0.18, y], [x + 0.18, y + 0.35], [x, y + 0.35]] as [number, number][] };
});
const lines = Array.from({ length: 15 }, (_, i) => ({
  id: `l${i}`,
  points: i % 2 === 0 ? ([[0.05 + i * 0.06, 0.05], [0.05 + i * 0.06, 0.95]] as [number, number][]) : ([[0.05, 0.05 + i * 0.06], [0.95, 0.05 + i * 0.06]] as [number, number][]),
}));
const rules = [
  ...Array.from({ length: 15 }, (_, i) => ({ id: `presence-${i}`, type: 'presence', zone: `z${i % 10}` })),
  ...Array.from({ length: 15 }, (_, i) => ({ id: `line-${i}`, type: 'line', line: `l${i}` })),
  ...Array.from({ length: 10 }, (_, i) => ({ id: `dwell-${i}`, type: 'dwell', zone: `z${i}`, seconds: 10 })),
  ...Array.from({ length: 10 }, (_, i) => ({ id: `occupancy-${i}`, type: 'occupancy', zone: `z${i}`, max: 5, seconds: 3 })),
];
const camera = CameraSchema.parse({ id: 'bench', source: { url: 'x.mp4' }, zones, lines, rules });

// 100 people walking at 1-2 m/s-like speeds (3-8 px per frame at 10 fps), bouncing off the frame edges; ids turn over
// slowly (a track ends and a new one starts now and then), as in a busy scene. Frames are made one at a time, outside
// the timed part, and dropped after use, as a camera's are; every run replays the same seeded scene.
function* scene(): Generator<RuleFrame> {
  const random = rng(1);
  let nextId = 1;
  const people = Array.from({ length: TRACKS }, () => ({ id: nextId++, x: random() * W, y: 100 + random() * (H - 100), vx: (random() - 0.5) * 12, vy: (random() - 0.5) * 8 }));
  for (let f = 0; f < frameCount; f++) {
    const tracks: Track[] = people.map((p) => {
      p.x += p.vx;
      p.y += p.vy;
      if (p.x < 20 || p.x > W - 20) p.vx = -p.vx;
      if (p.y < 100 || p.y > H) p.vy = -p.vy;
      if (random() < 0.002) p.id = nextId++;
      return { id: p.id, boxXyxy: [p.x - 20, p.y - 100, p.x + 20, p.y], score: 0.5 + random() / 2, classId: 0, label: 'person', state: 'confirmed', ageFrames: 10, hits: 10, matched: true };
    });
    yield { timeMs: f * 100, frameIndex: f, widthPx: W, heightPx: H, tracks };
  }
}

const zonesNorm = zones.map((z) => z.polygon as Point[]);
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)]!;
const median = (xs: number[]) => percentile(xs, 0.5);

/** Milliseconds per frame of `fn` over every frame, after the first 100 (warm-up). */
function timePerFrame(fn: (f: RuleFrame) => number): number[] {
  const out: number[] = [];
  let sink = 0;
  let i = 0;
  for (const frame of scene()) {
    const t0 = performance.now();
    sink += fn(frame);
    if (i++ >= 100) out.push(performance.now() - t0);
  }
  if (sink === -1) console.log(sink); // keeps the work observable
  return out;
}

const engineRuns: { p50: number; p95: number; max: number; hits: number }[] = [];
const baseRuns: { p50: number; p95: number }[] = [];
for (let r = 0; r < rounds; r++) {
  const base = timePerFrame((f) => {
    let n = 0;
    for (const t of f.tracks) {
      const p: Point = [(t.boxXyxy[0] + t.boxXyxy[2]) / 2 / W, t.boxXyxy[3] / H];
      for (const z of zonesNorm) if (pointInPolygon(p, z)) n++;
    }
    return n;
  });
  baseRuns.push({ p50: median(base), p95: percentile(base, 0.95) });
  const engine = new RuleEngine(buildRules(camera), cameraGeometry(camera));
  let hits = 0;
  const times = timePerFrame((f) => {
    const out = engine.evaluate(f);
    hits += out.hits.length;
    return out.hits.length + out.crossings.length;
  });
  engineRuns.push({ p50: median(times), p95: percentile(times, 0.95), max: Math.max(...times), hits });
  console.error(`round ${r + 1}: engine p50 ${median(times).toFixed(3)} ms p95 ${percentile(times, 0.95).toFixed(3)} ms; baseline p95 ${percentile(base, 0.95).toFixed(3)} ms`);
}
const e = { p50: median(engineRuns.map((x) => x.p50)), p95: median(engineRuns.map((x) => x.p95)), max: median(engineRuns.map((x) => x.max)) };
const b = { p50: median(baseRuns.map((x) => x.p50)), p95: median(baseRuns.map((x) => x.p95)) };
console.log(`${rules.length} rules (${zones.length} zones, ${lines.length} lines), ${TRACKS} tracks per frame, ${frameCount} frames at 10 fps, ${rounds} rounds (medians)`);
console.log(`rule engine per frame:          p50 ${e.p50.toFixed(3)} ms  p95 ${e.p95.toFixed(3)} ms  max ${e.max.toFixed(3)} ms  (aim: p95 < 0.5 ms)`);
console.log(`baseline (point in polygon):    p50 ${b.p50.toFixed(3)} ms  p95 ${b.p95.toFixed(3)} ms`);
console.log(`ratio engine / baseline (p95):  ${(e.p95 / b.p95).toFixed(1)}; ${engineRuns[0]!.hits} rule hits per run`);
console.log(formatMachine(machineInfo('none (no inference)', 0)));
