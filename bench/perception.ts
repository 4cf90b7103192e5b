// Benchmark: what falls, animals and fights cost against detection alone, measured in the same run.
//  1. Rules alone (pure): evaluate() per frame with 1, 3 and 10 people for fall, animal and violence against presence
//     (the baseline every camera has), synthetic frames at 10 fps; medians of rounds.
//  2. `analyze` on real clips, each preset against the same clip with detection only (YOLOX-nano, the default presence
//     rule), interleaved rounds, medians: frames/s and CPU per frame of this process (all its threads, the models'
//     included; ffmpeg's decoding is the same on both sides and not counted).
//  3. Live: a fall camera (pose model as detector, detect.fps 5) on vtest.avi played in real time (up to 8 people in the
//     picture) for --live-seconds: detections per second sustained and frames replaced.
//  4. Live: a violence camera's detection rate with and without the rule, same clip, same run.
//   node --import tsx bench/perception.ts [--rounds 3] [--live-seconds 30] [--only rules,analyze,live,live-violence]
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { analyzeVideo } from '../src/analyze-video.ts';
import { loadClipClassifier } from '../src/assets/load-clip.ts';
import { loadDetector } from '../src/assets/load-detector.ts';
import { formatMachine, machineInfo } from '../src/bench/machine.ts';
import { readRulesFile, type RulesFile } from '../src/config/rules-file.ts';
import { CameraSchema } from '../src/config/schema.ts';
import type { Track } from '../src/core/types.ts';
import { liveFrameSource } from '../src/ingest/live-source.ts';
import { createCameraWorker } from '../src/pipeline/camera-worker.ts';
import { SharedDetector } from '../src/pipeline/shared-detector.ts';
import { buildThreatTable } from '../src/rules/animal-threat.ts';
import { AnimalRule } from '../src/rules/animal.ts';
import { FallRule } from '../src/rules/fall.ts';
import { PresenceRule } from '../src/rules/presence.ts';
import type { Rule, RuleFrame } from '../src/rules/rule.ts';
import { ViolenceRule } from '../src/rules/violence.ts';
import { WHOLE_FRAME_ZONE } from '../src/rules/zones.ts';
import { loadOnnxModel } from '../src/vision/adapters/onnx-runtime.ts';
import type { ObjectDetector } from '../src/vision/detector.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, 'live-seconds': { type: 'string', default: '30' }, only: { type: 'string', default: 'rules,analyze,live,live-violence' } } });
const parts = new Set(values.only.split(','));
const rounds = Number(values.rounds);
const liveSeconds = Number(values['live-seconds']);
const ASSETS = resolve(process.env['SIGHTLINE_ASSETS'] ?? '../shared/assets');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const loc = { modelDir: '/nonexistent', searchDirs: [join(ASSETS, 'models')], download: false };

console.log(formatMachine(machineInfo('cpu', 2)));

// 1. Rules alone.
function people(n: number, i: number, label = 'person'): Track[] {
  return Array.from({ length: n }, (_, k) => {
    const x = 100 + k * 150 + ((i * 7) % 40);
    const d = i % 2 === 0 ? 20 : -20;
    return { id: k + 1, boxXyxy: [x + d, 400, x + 100 - d, 700], score: 0.8, classId: 0, label, state: 'confirmed', ageFrames: i, hits: i, matched: true };
  });
}
const presence = () => new PresenceRule({ id: 'p', severity: 'info', zone: WHOLE_FRAME_ZONE, labels: ['person'], anchor: 'bottom-center', minDurationMs: 1000, endAfterMs: 5000, cooldownMs: 0 });
const RULES: Record<string, { make: () => Rule; label?: string }> = {
  presence: { make: presence },
  fall: { make: () => new FallRule({ id: 'f', severity: 'warning', zone: WHOLE_FRAME_ZONE, labels: ['person'], anchor: 'bottom-center', downMs: 2000, dropMs: 1000, dropRatio: 0.4, getUpMs: 500, criticalAfterMs: 30_000, unseenEndMs: 600_000 }) },
  animal: { make: () => new AnimalRule({ id: 'a', severity: 'info', zone: WHOLE_FRAME_ZONE, anchor: 'bottom-center', table: buildThreatTable(), minDurationMs: 1000, endAfterMs: 5000, cooldownMs: 0 }), label: 'dog' },
  violence: { make: () => new ViolenceRule({ id: 'v', severity: 'warning', zone: WHOLE_FRAME_ZONE, labels: ['person'], anchor: 'bottom-center', threshold: 0.7, minMs: 1000, smoothing: 0.5, minSpeedHeightsPerS: 1, gateHoldMs: 3000, endAfterMs: 4000 }) },
};
const ruleFrames = (n: number, label?: string): RuleFrame[] =>
  Array.from({ length: 3000 }, (_, i) => ({ timeMs: i * 100, frameIndex: i, widthPx: 1920, heightPx: 1080, tracks: people(n, i, label) }));
if (parts.has('rules')) {
console.log('\n1. rules alone: microseconds per frame (3000 frames at 10 fps), median of rounds after a warm-up pass; extra = minus presence, per person');
for (const { make, label } of Object.values(RULES)) for (const f of ruleFrames(3, label)) make().evaluate(f); // JIT warm-up
for (const n of [1, 3, 10]) {
  const perRule: Record<string, number> = {};
  for (const [name, { make, label }] of Object.entries(RULES)) {
    const frames = ruleFrames(n, label);
    const times: number[] = [];
    for (let r = 0; r < Math.max(3, rounds); r++) {
      const rule = make();
      const t0 = performance.now();
      for (const f of frames) rule.evaluate(f);
      times.push(((performance.now() - t0) * 1000) / frames.length);
    }
    perRule[name] = median(times);
  }
  const row = Object.entries(perRule).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
  const extra = ['fall', 'animal', 'violence'].map((k) => `${k} ${((perRule[k]! - perRule['presence']!) / n).toFixed(1)}`).join(', ');
  console.log(`  ${n} people: ${row} | extra per person: ${extra}`);
}
}

// 2. analyze, each preset against detection only on the same clip.
const dataDir = mkdtempSync(join(tmpdir(), 'sightline-bench-'));
execFileSync(process.execPath, ['bin/sightline.mjs', 'models', 'add', join(ASSETS, 'models/fight_3dcnn_hawkeye.onnx'), '--id', 'violence-classifier'], {
  env: { ...process.env, SIGHTLINE_DATA_DIR: dataDir, SIGHTLINE_MODELS__DOWNLOAD: 'false' }, stdio: 'ignore',
});
const storeFile = join(dataDir, 'models', 'user-models.json');
const store = JSON.parse(readFileSync(storeFile, 'utf8')) as { models: Record<string, unknown>[] };
Object.assign(store.models[0]!, { colorOrder: 'bgr', labels: ['no-violence', 'violence'], positiveLabel: 'violence' });
writeFileSync(storeFile, JSON.stringify(store));

const yolox = await loadDetector('yolox-nano', loc, loadOnnxModel, { threads: 2 });
const pose = await loadDetector('yolo11n-pose', loc, loadOnnxModel, { threads: 2 });
interface Case { readonly name: string; readonly clip: string; readonly fps: number | null; readonly preset: string; readonly detector: ObjectDetector; readonly labels: string[] }
const CASES: Case[] = [
  { name: 'falls', clip: 'videos/falls/gmdcsa24_s1_fall15_chair_side.mp4', fps: null, preset: 'preset:falls', detector: pose, labels: [] },
  { name: 'animals', clip: 'videos/swiftlet-birds-cctv-720p.mp4', fps: 2, preset: 'preset:animals', detector: yolox, labels: [] },
  { name: 'violence', clip: 'videos/violence/fight_cafeteria_sindhu4u.mp4', fps: null, preset: 'preset:violence', detector: yolox, labels: [] },
];
async function measure(clip: string, fps: number | null, detector: ObjectDetector, geometry: RulesFile | undefined, labels: string[]) {
  const cpu0 = process.cpuUsage();
  const r = await analyzeVideo(join(ASSETS, clip), detector, randomUUID, {
    labels, fps, geometry,
    loadClip: (rule) => loadClipClassifier(rule.model, rule.label, { modelDir: join(dataDir, 'models'), searchDirs: [], download: false }, loadOnnxModel, { threads: 1 }),
  });
  const cpu = process.cpuUsage(cpu0);
  return { fps: r.framesAnalyzed / (r.elapsedMs / 1000), cpuMsPerFrame: (cpu.user + cpu.system) / 1000 / r.framesAnalyzed, events: r.events.length };
}
if (parts.has('analyze')) {
console.log(`\n2. analyze: preset against detection only (YOLOX-nano, presence) on the same clip; ${rounds} interleaved rounds, medians`);
for (const c of CASES) {
  const preset = await readRulesFile(c.preset);
  const animalsLabels = c.name === 'animals' ? (preset.objects as { track: string[] }).track : ['person'];
  const base: { fps: number; cpu: number }[] = [];
  const withRule: { fps: number; cpu: number; events: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    const b = await measure(c.clip, c.fps, yolox, undefined, animalsLabels);
    base.push({ fps: b.fps, cpu: b.cpuMsPerFrame });
    const w = await measure(c.clip, c.fps, c.detector, preset, c.labels);
    withRule.push({ fps: w.fps, cpu: w.cpuMsPerFrame, events: w.events });
  }
  const bf = median(base.map((x) => x.fps)), bc = median(base.map((x) => x.cpu));
  const wf = median(withRule.map((x) => x.fps)), wc = median(withRule.map((x) => x.cpu));
  console.log(`  ${c.name} (${c.clip}${c.fps ? ` at ${c.fps} fps` : ''}): detection only ${bf.toFixed(1)} frames/s, ${bc.toFixed(1)} ms CPU/frame; ` +
    `${c.preset} ${wf.toFixed(1)} frames/s, ${wc.toFixed(1)} ms CPU/frame (x${(wc / bc).toFixed(2)} CPU, +${(wc - bc).toFixed(1)} ms/frame), ${withRule[0]!.events} events`);
}
}

// 3. Live fall camera.
if (parts.has('live')) {
const camera = CameraSchema.parse({
  id: 'fall-live', source: { url: join(ASSETS, 'videos/people-walking-street-720p.mp4'), loop: true }, detect: { fps: 5, width: 1280, model: 'yolo11n-pose' },
  motion: { enabled: false }, rules: [{ type: 'fall', id: 'fall' }],
});
// The shared detector owns the model it wraps; give it its own copy.
const shared = new SharedDetector(await loadDetector('yolo11n-pose', loc, loadOnnxModel, { threads: 2 }));
const detector = shared.forCamera(camera.id);
const log = pino({ level: 'silent' });
let maxPeople = 0;
const source = liveFrameSource(
  { ...camera.source, fps: 5, width: 1280, detectorImageSpec: (w, h) => pose.detectorImageSpec(w, h) },
  { log, now: Date.now, random: Math.random },
);
const worker = createCameraWorker(camera, {
  source, detector, renderSnapshot: null, events: { write: async (w) => w.event }, analytics: null, media: null,
  now: Date.now, newId: randomUUID, log,
  publish: (m) => {
    if (m.type === 'tracks') maxPeople = Math.max(maxPeople, m.tracks.length);
  },
});
const cpu0 = process.cpuUsage();
worker.start();
await new Promise((r) => setTimeout(r, 5000)); // warm-up
const s0 = worker.status();
const t0 = Date.now();
const c1 = process.cpuUsage(cpu0);
await new Promise((r) => setTimeout(r, liveSeconds * 1000));
const s1 = worker.status();
const c2 = process.cpuUsage(cpu0);
const seconds = (Date.now() - t0) / 1000;
await worker.stop();
console.log(`\n3. live fall camera (pose model as detector, detect.fps 5, people-walking-street-720p.mp4 in real time, up to ${maxPeople} people tracked): ` +
  `${((s1.framesProcessed - s0.framesProcessed) / seconds).toFixed(2)} detections/s over ${seconds.toFixed(0)} s, ` +
  `${s1.framesReplaced - s0.framesReplaced} frames replaced, ${((c2.user + c2.system - c1.user - c1.system) / 1000 / seconds / 10).toFixed(0)} % of one core in this process`);
}

// 4. Live violence camera: detection rate with and without the violence rule (gate open most of the time on the
//    looped cafeteria brawl), the clip classifier on one thread, windows dropped rather than queued.
if (parts.has('live-violence')) {
  const run = async (withRule: boolean) => {
    const cam = CameraSchema.parse({
      id: 'fight-live', source: { url: join(ASSETS, 'videos/violence/fight_cafeteria_sindhu4u.mp4'), loop: true }, detect: { fps: 5, width: 406 },
      motion: { enabled: false }, rules: withRule ? [{ type: 'violence', id: 'fight' }] : [],
    });
    const shared = new SharedDetector(await loadDetector('yolox-nano', loc, loadOnnxModel, { threads: 2 }));
    const clip = withRule ? await loadClipClassifier('violence-classifier', undefined, { modelDir: join(dataDir, 'models'), searchDirs: [], download: false }, loadOnnxModel, { threads: 1 }) : null;
    const log = pino({ level: 'silent' });
    const source = liveFrameSource({ ...cam.source, fps: 5, width: 406 }, { log, now: Date.now, random: Math.random });
    const worker = createCameraWorker(cam, {
      source, detector: shared.forCamera(cam.id), renderSnapshot: null, events: { write: async (w) => w.event }, analytics: null, media: null,
      now: Date.now, newId: randomUUID, log, publish: () => undefined, clipClassifier: clip,
    });
    worker.start();
    await new Promise((r) => setTimeout(r, 5000));
    const s0 = worker.status();
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, liveSeconds * 1000));
    const s1 = worker.status();
    const report = worker.clipReport();
    const seconds = (Date.now() - t0) / 1000;
    await worker.stop();
    await shared.close();
    await clip?.classifier.close();
    return { rate: (s1.framesProcessed - s0.framesProcessed) / seconds, replaced: s1.framesReplaced - s0.framesReplaced, report };
  };
  const without = await run(false);
  const withV = await run(true);
  console.log(`\n4. live violence camera (YOLOX-nano, detect.fps 5, cafeteria brawl looped, ${liveSeconds} s each): ` +
    `without the rule ${without.rate.toFixed(2)} detections/s (${without.replaced} replaced); with it ${withV.rate.toFixed(2)} detections/s ` +
    `(${withV.replaced} replaced), ${withV.report?.stats.windows ?? 0} windows classified, ${withV.report?.stats.dropped ?? 0} dropped`);
}
rmSync(dataDir, { recursive: true, force: true });
await pose.close();
await yolox.close();
