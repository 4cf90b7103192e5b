// Benchmark: cross-camera fusion on a 4-camera site, and what re-id embeddings cost at the rate a gating rule asks for.
//  1. Fusion cost on a synthetic site (seeded, pure): 20 people walking on a 30 x 20 m plan, 4 cameras each seeing a
//     quadrant plus 2 m of overlap, plan positions with 0.1 m noise, frames at 5 and 15 fps staggered by a quarter frame
//     between cameras; per-camera track ids that break at random (1 %/s per person), after an occlusion (0.1/s per
//     person and camera, 0.3 to 2 s) of over 1 s, and when a person walks out of the view and back. Wall time of every
//     `CrossCameraFusion.update` (one camera's frame per call; also all four cameras in one call, and with synthetic
//     512-d embeddings on the observations the gate picks), summed per second of video; baseline in the same rounds: the
//     same observations through a per-camera Map of local ids. Sanity: global ids, people present and id purity against
//     the 20 people.
//  2. Re-id: the gating rule (below, in this file only) counted on the site, and the real OSNet-x0.25 timed on MOT17-09
//     gt crops in batches of the gated size and of the naive size (every track, every frame): CPU per crop, so CPU per
//     second of video and the share of one core and of the machine, gated vs naive.
//  3. Live: 4 real RTSP cameras (vtest.avi 720p15 on every mount, all moving, GStreamer's server as `bench cameras`),
//     the product's camera workers at detect 5 fps / 640 px (YOLOX-nano, 2 threads, motion gate on) without fusion (the
//     baseline), with fusion fed from every published frame, and with fusion plus gated OSNet embeddings of the live
//     frames: detection rate per camera, frames that missed detection (`bench cameras`' rule: sustained = under 1 %
//     missed and every camera decoding >= 90 % of its rate), fusion ms per second, CPU of this bench and of the machine.
//   node --import tsx bench/fusion.ts [--rounds 3] [--seconds 60] [--threads 1] [--live-seconds 15] [--live-clip videos/vtest.avi] [--live-rounds 1] [--seed 1] [--only fusion,reid,live] [--json OUT]
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadDetector } from '../src/assets/load-detector.ts';
import { loadEmbedder } from '../src/assets/load-embedder.ts';
import { sample, TICKS_PER_SECOND } from '../src/bench/camera-bench.ts';
import { formatMachine, machineInfo } from '../src/bench/machine.ts';
import { rtspClip, startRtspServer } from '../src/bench/rtsp-server.ts';
import { CameraSchema } from '../src/config/schema.ts';
import { gaussian, mulberry32, seedOf } from '../src/core/random.ts';
import type { BoxXyxy, Frame, Point } from '../src/core/types.ts';
import { CrossCameraFusion, type FusedPerson, type FusionObservation } from '../src/fusion/cross-camera.ts';
import { FUSION_DEFAULTS } from '../src/fusion/options.ts';
import { liveFrameSource } from '../src/ingest/live-source.ts';
import { decodeImage, renderJpeg } from '../src/media/render.ts';
import { createCameraWorker } from '../src/pipeline/camera-worker.ts';
import type { LiveMessage } from '../src/pipeline/live-messages.ts';
import { SharedDetector } from '../src/pipeline/shared-detector.ts';
import { loadOnnxModel } from '../src/vision/adapters/onnx-runtime.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '60' }, threads: { type: 'string', default: '1' },
    'live-seconds': { type: 'string', default: '15' }, 'live-clip': { type: 'string', default: 'videos/vtest.avi' }, 'live-rounds': { type: 'string', default: '1' }, seed: { type: 'string', default: '1' },
    only: { type: 'string', default: 'fusion,reid,live' }, json: { type: 'string' },
  },
});
const parts = new Set(values.only.split(','));
const rounds = Number(values.rounds);
const videoSeconds = Number(values.seconds);
const threads = Number(values.threads);
const seed = Number(values.seed);
const ASSETS = resolve(process.env['SIGHTLINE_ASSETS'] ?? '../shared/assets');
const loc = { modelDir: '/nonexistent', searchDirs: [join(ASSETS, 'models')], download: false };
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const quantile = (xs: readonly number[], q: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.max(0, Math.ceil(q * s.length) - 1)] ?? NaN; };
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const keyOf = (o: { cameraId: string; trackId: number }) => `${o.cameraId}\u0000${o.trackId}`;
const load0 = loadavg();
const started = performance.now();
const machine = machineInfo('cpu', threads);
console.log(`${formatMachine(machine)}; load average ${load0.map((x) => x.toFixed(2)).join(' ')}`);
const report: Record<string, unknown> = { machine, loadAverageStart: load0, options: { rounds, videoSeconds, threads, seed } };

// ---- The synthetic site -------------------------------------------------------------------------------------------
const PLAN_M = [30, 20] as const;
const OVERLAP_M = 2;
/** Each camera's view on the plan, [x0, y0, x1, y1] in metres: a quadrant plus the overlap. */
const VIEWS = [[0, 0, 15 + OVERLAP_M, 10 + OVERLAP_M], [15 - OVERLAP_M, 0, 30, 10 + OVERLAP_M], [0, 10 - OVERLAP_M, 15 + OVERLAP_M, 20], [15 - OVERLAP_M, 10 - OVERLAP_M, 30, 20]] as const;
const PEOPLE = 20;
const NOISE_M = 0.1;
const BREAK_PER_S = 0.01; // a camera's track id changes for no reason (an id switch)
const OCCLUSION_PER_S = 0.1; // a person hidden from one camera for 0.3 to 2 s
const LOST_MS = 1000; // a camera's tracker keeps an id through a gap this long
const TURN_PER_S = 0.2;

interface SiteObservation extends FusionObservation { readonly personId: number }
/** One camera's frame, or (synchronised cameras) all four cameras' frames of one moment. */
interface SiteUpdate { readonly timeMs: number; readonly frames: readonly { readonly cameraId: string; readonly observations: readonly SiteObservation[] }[] }

/** The site's camera frames in time order: staggered (one camera per update) or synchronised (four per update). Pure. */
function buildSite(seconds: number, fps: number, staggered: boolean, siteSeed: number): SiteUpdate[] {
  const rand = mulberry32(seedOf('fusion-site', siteSeed));
  const periodMs = 1000 / fps;
  const walkers = Array.from({ length: PEOPLE }, () => ({ x: rand() * PLAN_M[0], y: rand() * PLAN_M[1], vx: 0, vy: 0 }));
  const turn = (w: (typeof walkers)[number]) => {
    const speed = rand() < 0.2 ? 0 : 0.5 + rand();
    const a = 2 * Math.PI * rand();
    w.vx = speed * Math.cos(a);
    w.vy = speed * Math.sin(a);
  };
  walkers.forEach(turn);
  const tracks = VIEWS.map(() => walkers.map(() => ({ id: 0, lastSeenMs: -Infinity, hiddenUntilMs: -Infinity })));
  const nextId = VIEWS.map(() => 1);
  const updates: SiteUpdate[] = [];
  let simMs = 0;
  for (let k = 0; k < seconds * fps; k++) {
    const moment: { cameraId: string; observations: SiteObservation[] }[] = [];
    for (let c = 0; c < VIEWS.length; c++) {
      const timeMs = k * periodMs + (staggered ? (c * periodMs) / VIEWS.length : 0);
      const dt = (timeMs - simMs) / 1000;
      simMs = timeMs;
      for (const w of walkers) {
        if (rand() < TURN_PER_S * dt) turn(w);
        w.x += w.vx * dt;
        w.y += w.vy * dt;
        if (w.x < 0 || w.x > PLAN_M[0]) { w.vx = -w.vx; w.x = Math.min(PLAN_M[0], Math.max(0, w.x)); }
        if (w.y < 0 || w.y > PLAN_M[1]) { w.vy = -w.vy; w.y = Math.min(PLAN_M[1], Math.max(0, w.y)); }
      }
      const [x0, y0, x1, y1] = VIEWS[c]!;
      const obs: SiteObservation[] = [];
      walkers.forEach((w, p) => {
        const t = tracks[c]![p]!;
        if (w.x < x0 || w.x > x1 || w.y < y0 || w.y > y1 || timeMs < t.hiddenUntilMs) return;
        if (rand() < (OCCLUSION_PER_S * periodMs) / 1000) { t.hiddenUntilMs = timeMs + 300 + rand() * 1700; return; }
        if (t.id === 0 || timeMs - t.lastSeenMs > LOST_MS || rand() < (BREAK_PER_S * periodMs) / 1000) t.id = nextId[c]!++;
        t.lastSeenMs = timeMs;
        obs.push({ cameraId: `cam${c}`, trackId: t.id, positionM: [w.x + NOISE_M * gaussian(rand), w.y + NOISE_M * gaussian(rand)], uncertaintyM: NOISE_M, personId: p + 1 });
      });
      if (staggered) updates.push({ timeMs, frames: [{ cameraId: `cam${c}`, observations: obs }] });
      else moment.push({ cameraId: `cam${c}`, observations: obs });
    }
    if (!staggered) updates.push({ timeMs: k * periodMs, frames: moment });
  }
  return updates;
}

/**
 * The crop-gating rule under test (bench-only until it moves into `fusion/`): a camera track gets an appearance crop
 * when it is new, when it comes back after missing at least one of its camera's frames and `reentryGapMs` (its tracker
 * kept the id through an occlusion; counted in frames too, so a camera that falls behind its rate does not turn every
 * frame into a re-entry), and when two or more people the fusion reported last stand within the gate of its position
 * (an ambiguous match), at most once per `ambiguousEveryMs` per track. Pure: time comes with every call.
 */
class CropGate {
  readonly counts = { newTrack: 0, reentry: 0, ambiguous: 0, ambiguousFrames: 0 };
  private readonly lastSeen = new Map<string, { timeMs: number; frame: number }>();
  private readonly cameraFrames = new Map<string, number>();
  private readonly lastCropMs = new Map<string, number>();
  private prunedMs = 0;

  constructor(private readonly gateM: number, private readonly reentryGapMs = 500, private readonly ambiguousEveryMs = 1000) {}

  /** Indices of one camera frame's `observations` to embed, given the people of the previous fusion update. */
  decide(timeMs: number, cameraId: string, observations: readonly FusionObservation[], people: readonly FusedPerson[]): number[] {
    const frame = (this.cameraFrames.get(cameraId) ?? 0) + 1;
    this.cameraFrames.set(cameraId, frame);
    const picked: number[] = [];
    observations.forEach((o, i) => {
      const key = keyOf(o);
      const seen = this.lastSeen.get(key);
      this.lastSeen.set(key, { timeMs, frame });
      let near = 0;
      for (const p of people) if (Math.hypot(p.positionM[0] - o.positionM[0], p.positionM[1] - o.positionM[1]) <= this.gateM) near++;
      if (near >= 2) this.counts.ambiguousFrames++;
      const reason = seen === undefined ? 'newTrack'
        : frame - seen.frame > 1 && timeMs - seen.timeMs >= this.reentryGapMs ? 'reentry'
        : near >= 2 && timeMs - (this.lastCropMs.get(key) ?? -Infinity) >= this.ambiguousEveryMs ? 'ambiguous' : null;
      if (reason === null) return;
      this.counts[reason]++;
      this.lastCropMs.set(key, timeMs);
      picked.push(i);
    });
    if (timeMs - this.prunedMs > 10_000) {
      for (const [k, t] of this.lastSeen) if (t.timeMs < timeMs - 10_000) { this.lastSeen.delete(k); this.lastCropMs.delete(k); }
      this.prunedMs = timeMs;
    }
    return picked;
  }
}
const GATE_M = Math.max(FUSION_DEFAULTS.minGateM, FUSION_DEFAULTS.gateSigmas * Math.hypot(NOISE_M, NOISE_M));

/** Synthetic unit embeddings: same person ~0.93 cosine, different people ~0.43 (the OSNet figures on MOT17-09). */
function embeddingsOf(people: number, embedSeed: number) {
  const rand = mulberry32(seedOf('fusion-embeddings', embedSeed));
  const unit = (v: Float32Array) => { const n = Math.hypot(...v); return v.map((x) => x / n); };
  const randomUnit = () => unit(Float32Array.from({ length: 512 }, () => gaussian(rand)));
  const common = randomUnit();
  const base = Array.from({ length: people + 1 }, () => { const own = randomUnit(); return unit(common.map((x, i) => Math.sqrt(0.43) * x + Math.sqrt(0.57) * own[i]!)); });
  return (personId: number) => unit(base[personId]!.map((x) => x + 0.0175 * gaussian(rand)));
}

interface RunStats {
  updateMs: number[];
  perSecondMs: number[];
  distinctIds: number;
  /** Ids given to observations over at least a second (a provisional id that is absorbed a frame later is not one). */
  lastingIds: number;
  presentMedian: number;
  purity: number;
  idsPerPerson: number;
  crops: number;
  cropBatches: number[];
  observations: number;
  cameraFrames: number;
  gate: CropGate['counts'];
}

/** Runs the site through the fusion (or the baseline), timing each update; gating is counted outside the timing. */
function runSite(updates: readonly SiteUpdate[], seconds: number, kind: 'fusion' | 'baseline', embed: ((p: number) => Float32Array) | null): RunStats {
  const fusion = new CrossCameraFusion();
  const local = new Map<string, number>();
  let nextLocal = 1;
  const gate = new CropGate(GATE_M);
  let people: readonly FusedPerson[] = [];
  const updateMs: number[] = [];
  const perSecondMs = new Array<number>(seconds).fill(0);
  const present: number[] = [];
  const votes = new Map<number, Map<number, number>>();
  const byPerson = new Map<number, Set<number>>();
  const span = new Map<number, [number, number]>();
  const cropBatches: number[] = [];
  let crops = 0, observations = 0, cameraFrames = 0;
  const liveLocal = new Map<string, number>();
  for (const u of updates) {
    const obs: SiteObservation[] = [];
    for (const { cameraId, observations: frame } of u.frames) {
      const picked = kind === 'fusion' ? gate.decide(u.timeMs, cameraId, frame, people) : [];
      if (picked.length > 0) cropBatches.push(picked.length);
      crops += picked.length;
      cameraFrames++;
      const chosen = new Set(picked);
      frame.forEach((o, i) => obs.push(embed !== null && chosen.has(i) ? { ...o, embedding: embed(o.personId) } : o));
    }
    observations += obs.length;
    let ids: readonly number[];
    const t0 = performance.now();
    if (kind === 'fusion') {
      const out = fusion.update(u.timeMs, obs);
      ids = out.globalIds;
      people = out.people;
    } else {
      ids = obs.map((o) => {
        const k = keyOf(o);
        let id = local.get(k);
        if (id === undefined) local.set(k, (id = nextLocal++));
        return id;
      });
    }
    const ms = performance.now() - t0;
    updateMs.push(ms);
    perSecondMs[Math.min(seconds - 1, Math.floor(u.timeMs / 1000))]! += ms;
    ids.forEach((g, i) => {
      const p = obs[i]!.personId;
      const v = votes.get(g) ?? new Map<number, number>();
      v.set(p, (v.get(p) ?? 0) + 1);
      votes.set(g, v);
      byPerson.set(p, (byPerson.get(p) ?? new Set()).add(g));
      const sp = span.get(g);
      if (sp === undefined) span.set(g, [u.timeMs, u.timeMs]);
      else sp[1] = u.timeMs;
      liveLocal.set(keyOf(obs[i]!), u.timeMs);
    });
    if (kind === 'fusion') present.push(people.length);
    else {
      for (const [k, t] of liveLocal) if (t < u.timeMs - FUSION_DEFAULTS.presenceHoldMs) liveLocal.delete(k);
      present.push(liveLocal.size);
    }
  }
  let majority = 0, total = 0;
  for (const v of votes.values()) { majority += Math.max(...v.values()); for (const n of v.values()) total += n; }
  const lasting = new Set([...span].filter(([, [a, b]]) => b - a >= 1000).map(([g]) => g));
  return {
    updateMs, perSecondMs, distinctIds: votes.size, lastingIds: lasting.size, presentMedian: median(present), purity: majority / total,
    idsPerPerson: mean([...byPerson.values()].map((s) => [...s].filter((g) => lasting.has(g)).length)), crops, cropBatches, observations, cameraFrames, gate: { ...gate.counts },
  };
}

interface FusionCase { readonly name: string; readonly fps: number; readonly staggered: boolean; readonly embeddings: boolean }
const CASES: FusionCase[] = [
  { name: '5 fps, one camera per update', fps: 5, staggered: true, embeddings: false },
  { name: '5 fps, gated embeddings', fps: 5, staggered: true, embeddings: true },
  { name: '5 fps, 4 cameras per update', fps: 5, staggered: false, embeddings: false },
  { name: '15 fps, one camera per update', fps: 15, staggered: true, embeddings: false },
  { name: '15 fps, gated embeddings', fps: 15, staggered: true, embeddings: true },
];
/** Gated and naive crop counts per site fps, for part 2. */
const cropRates = new Map<number, { gatedPerS: number; gatedBatch: number; naivePerS: number; naiveBatch: number; gate: CropGate['counts'] }>();

if (parts.has('fusion') || parts.has('reid')) {
  const fusionRows = [];
  if (parts.has('fusion')) console.log(`\n1. fusion cost: ${PEOPLE} people, 4 cameras (quadrants + ${OVERLAP_M} m overlap), ${videoSeconds} s of video, noise ${NOISE_M} m, ` +
    `id breaks ${BREAK_PER_S * 100} %/s, occlusions ${OCCLUSION_PER_S}/s; ${rounds} rounds after a warm-up, medians; baseline = per-camera Map of local ids`);
  if (parts.has('fusion')) console.log(`${'case'.padEnd(32)} | ${'fusion ms per video s'.padEnd(21)} | ${'per update ms'.padEnd(19)} | baseline ms/s | ratio | ids (>= 1 s) present purity ids/person`);
  if (parts.has('fusion')) console.log(`${''.padEnd(32)} | ${'mean     p95   max'.padEnd(21)} | ${'p50    p95    max'.padEnd(19)} |               |       |`);
  for (const c of CASES) {
    if (!parts.has('fusion') && c.embeddings) continue;
    const updates = buildSite(videoSeconds, c.fps, c.staggered, seed);
    const embed = c.embeddings ? embeddingsOf(PEOPLE, seed) : null;
    const fused: RunStats[] = [], base: RunStats[] = [];
    for (let r = 0; r <= (parts.has('fusion') ? rounds : 0); r++) {
      const b = runSite(updates, videoSeconds, 'baseline', null);
      const a = runSite(updates, videoSeconds, 'fusion', embed);
      if (r > 0 || !parts.has('fusion')) { base.push(b); fused.push(a); }
    }
    const m = (xs: RunStats[], g: (s: RunStats) => number) => median(xs.map(g));
    const row = {
      case: c.name, fps: c.fps, staggered: c.staggered, embeddings: c.embeddings, updatesPerS: updates.length / videoSeconds,
      msPerVideoSecond: m(fused, (s) => mean(s.perSecondMs)), p95MsPerVideoSecond: m(fused, (s) => quantile(s.perSecondMs, 0.95)), maxMsPerVideoSecond: m(fused, (s) => Math.max(...s.perSecondMs)),
      p50UpdateMs: m(fused, (s) => quantile(s.updateMs, 0.5)), p95UpdateMs: m(fused, (s) => quantile(s.updateMs, 0.95)), maxUpdateMs: m(fused, (s) => Math.max(...s.updateMs)),
      baselineMsPerVideoSecond: m(base, (s) => mean(s.perSecondMs)), baselineP95UpdateMs: m(base, (s) => quantile(s.updateMs, 0.95)),
      ratio: m(fused, (s) => mean(s.perSecondMs)) / m(base, (s) => mean(s.perSecondMs)),
      distinctGlobalIds: fused[0]!.distinctIds, lastingGlobalIds: fused[0]!.lastingIds, truePeople: PEOPLE, presentMedian: fused[0]!.presentMedian, purity: fused[0]!.purity, globalIdsPerPerson: fused[0]!.idsPerPerson,
      baselineDistinctIds: base[0]!.distinctIds, baselineLastingIds: base[0]!.lastingIds, baselinePresentMedian: base[0]!.presentMedian,
      crops: fused[0]!.crops, observations: fused[0]!.observations, gate: fused[0]!.gate,
    };
    fusionRows.push(row);
    if (c.staggered && !c.embeddings) {
      const s = fused[0]!;
      cropRates.set(c.fps, {
        gatedPerS: s.crops / videoSeconds, gatedBatch: mean(s.cropBatches), gate: s.gate,
        naivePerS: s.observations / videoSeconds, naiveBatch: s.observations / s.cameraFrames,
      });
    }
    if (!parts.has('fusion')) continue;
    console.log(`${c.name.padEnd(32)} | ${f(row.msPerVideoSecond, 1).padStart(6)} ${f(row.p95MsPerVideoSecond, 1).padStart(6)} ${f(row.maxMsPerVideoSecond, 1).padStart(6)}  | ` +
      `${f(row.p50UpdateMs, 3).padStart(6)} ${f(row.p95UpdateMs, 3).padStart(6)} ${f(row.maxUpdateMs, 2).padStart(5)} | ${f(row.baselineMsPerVideoSecond, 3).padStart(13)} | ${f(row.ratio, 0).padStart(5)} | ` +
      `${String(row.distinctGlobalIds).padStart(4)} (${String(row.lastingGlobalIds).padStart(3)}) ${f(row.presentMedian, 0).padStart(7)} ${f(row.purity, 3).padStart(6)} ${f(row.globalIdsPerPerson, 1).padStart(6)}`);
  }
  if (parts.has('fusion')) {
    const b = fusionRows[0]!;
    console.log(`  sanity: ${PEOPLE} true people; without fusion (the baseline) ${b.baselineDistinctIds} camera-local ids (${b.baselineLastingIds} over >= 1 s) and a median of ${b.baselinePresentMedian} tracks present. ` +
      `Share of one core: ${fusionRows.map((r) => `${r.case} ${f(r.msPerVideoSecond / 10)} %`).join(', ')}; ids: every id given to an observation (in brackets: over >= 1 s); ` +
      `purity: observations whose id's majority person is theirs; ids/person: ids over >= 1 s per true person`);
    report['fusion'] = fusionRows;
  }
}

// ---- 2. Re-id embeddings at the gated rate vs every track every frame ------------------------------------------------
if (parts.has('reid')) {
  const embedder = await loadEmbedder('osnet-x0.25-msmt17', loc, loadOnnxModel, { threads });
  const seq = join(ASSETS, 'mot/MOT17/train/MOT17-09-FRCNN');
  const gt = (await readFile(join(seq, 'gt/gt.txt'), 'utf8')).trim().split('\n').map((l) => l.split(',').map(Number));
  const crops: { frame: Frame; boxes: BoxXyxy[] }[] = [];
  // The stored subset has the first few frames only: every one there is used.
  for (const name of (await readdir(join(seq, 'img1'))).filter((x) => x.endsWith('.jpg')).sort()) {
    const n = Number(name.slice(0, -4));
    const img = await decodeImage(await readFile(join(seq, 'img1', name)));
    const boxes = gt.filter((r) => r[0] === n && r[6] === 1 && r[7] === 1 && r[8]! >= 0.5).map((r) => [r[2]!, r[3]!, r[2]! + r[4]!, r[3]! + r[5]!] as BoxXyxy);
    if (boxes.length > 0) crops.push({ frame: { index: n, timeMs: 0, width: img.width, height: img.height, rgb: img.rgb }, boxes });
  }
  /** CPU and wall ms per crop when crops go `batch` at a time, over about `total` crops. */
  const perCrop = async (batch: number, total: number) => {
    const calls = Math.max(3, Math.ceil(total / batch));
    const batches = Array.from({ length: calls }, (_, i) => {
      const c = crops[i % crops.length]!;
      return { frame: c.frame, boxes: Array.from({ length: batch }, (_, j) => c.boxes[j % c.boxes.length]!) };
    });
    for (const b of batches.slice(0, 3)) await embedder.embed(b.frame, b.boxes);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const b of batches) await embedder.embed(b.frame, b.boxes);
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { wallMsPerCrop: wall / (calls * batch), cpuMsPerCrop: (cpu.user + cpu.system) / 1000 / (calls * batch) };
  };
  const sizes = [...new Set([...cropRates.values()].flatMap((r) => [Math.max(1, Math.round(r.gatedBatch)), Math.max(1, Math.round(r.naiveBatch))]))].sort((a, b) => a - b);
  const timings = new Map<number, { wall: number[]; cpu: number[] }>(sizes.map((s) => [s, { wall: [], cpu: [] }]));
  for (let r = 0; r < Math.max(3, Math.min(rounds, 5)); r++) {
    for (const s of sizes) {
      const t = await perCrop(s, 120);
      timings.get(s)!.wall.push(t.wallMsPerCrop);
      timings.get(s)!.cpu.push(t.cpuMsPerCrop);
    }
  }
  await embedder.close();
  const cpuAt = (batch: number) => median(timings.get(Math.max(1, Math.round(batch)))!.cpu);
  const wallAt = (batch: number) => median(timings.get(Math.max(1, Math.round(batch)))!.wall);
  console.log(`\n2. re-id: OSNet-x0.25 on MOT17-09 gt crops (${crops.length} frames, visibility >= 0.5), ${threads} inference thread(s); medians of rounds. ` +
    `Gate: new track, back after missing >= 1 frame and >= 500 ms, or >= 2 people within ${GATE_M.toFixed(2)} m (at most 1/s per track)`);
  for (const s of sizes) console.log(`  batch ${String(s).padStart(2)}: ${f(median(timings.get(s)!.cpu))} ms CPU per crop, ${f(median(timings.get(s)!.wall))} ms wall per crop`);
  console.log(`${'site fps / rule'.padEnd(34)} | crops/s | batch | ms CPU/crop | ms CPU per video s | % of one core | % of the ${machine.cores}-core machine`);
  const reidRows = [];
  for (const [fps, r] of cropRates) {
    for (const [rule, perS, batch] of [['gated', r.gatedPerS, r.gatedBatch], ['naive (every track/frame)', r.naivePerS, r.naiveBatch]] as const) {
      const cpuMsPerS = perS * cpuAt(batch);
      const row = { fps, rule, cropsPerS: perS, meanBatch: batch, batchMeasured: Math.max(1, Math.round(batch)), cpuMsPerCrop: cpuAt(batch), wallMsPerCrop: wallAt(batch), cpuMsPerVideoSecond: cpuMsPerS, coreSharePct: cpuMsPerS / 10, machineSharePct: cpuMsPerS / 10 / machine.cores };
      reidRows.push({ ...row, ...(rule === 'gated' ? { gate: r.gate } : {}) });
      console.log(`${`${fps} fps, ${rule}`.padEnd(34)} | ${f(perS, 1).padStart(7)} | ${f(batch, 1).padStart(5)} | ${f(row.cpuMsPerCrop).padStart(11)} | ${f(cpuMsPerS, 1).padStart(18)} | ${f(row.coreSharePct, 1).padStart(13)} | ${f(row.machineSharePct, 1).padStart(6)}`);
    }
    const g = r.gate;
    console.log(`  ${fps} fps gate: per s ${f(g.newTrack / videoSeconds)} new, ${f(g.reentry / videoSeconds)} re-entries, ${f(g.ambiguous / videoSeconds)} ambiguous ` +
      `(${f(g.ambiguousFrames / videoSeconds)} ambiguous observations/s before the 1 s limit); naive/gated CPU ${f((r.naivePerS * cpuAt(r.naiveBatch)) / (r.gatedPerS * cpuAt(r.gatedBatch)), 0)}x`);
  }
  report['reid'] = { threads, batchTimings: Object.fromEntries(timings), rows: reidRows };
}

// ---- 3. Live: 4 RTSP cameras at detect rate, with and without fusion ------------------------------------------------
if (parts.has('live')) {
  const liveSeconds = Number(values['live-seconds']);
  const WARMUP_S = 5, FPS = 5, WIDTH = 640, CAMERAS = 4;
  const log = pino({ level: 'silent' });
  const clip = await rtspClip(join(ASSETS, values['live-clip']), 15, 720);
  /** Busy ticks of the whole machine (every process, ours and others'), from /proc/stat. */
  const machineTicks = async () => {
    const cpu = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return cpu.reduce((a, b) => a + b, 0) - cpu[3]! - (cpu[4] ?? 0);
  };
  const ids = Array.from({ length: CAMERAS }, (_, i) => `cam${i}`);
  const server = await startRtspServer(Object.fromEntries(ids.map((id) => [id, clip])), { fps: 15 });
  const detector = await loadDetector('yolox-nano', loc, loadOnnxModel, { threads: 2 });
  const embedder = await loadEmbedder('osnet-x0.25-msmt17', loc, loadOnnxModel, { threads });
  type Mode = 'off' | 'fusion' | 'fusion+reid';
  const trial = async (mode: Mode) => {
    const shared = new SharedDetector(detector);
    const fusion = new CrossCameraFusion();
    const gate = new CropGate(Math.max(FUSION_DEFAULTS.minGateM, FUSION_DEFAULTS.gateSigmas * Math.hypot(0.3, 0.3)));
    let people: readonly FusedPerson[] = [];
    const latest = new Map<string, Frame>();
    const pending = new Map<string, Float32Array>();
    const fusionMs: number[] = [];
    let observations = 0, requested = 0, embedded = 0, droppedCrops = 0, queued = 0, embedMs = 0;
    let chain: Promise<void> = Promise.resolve();
    let measuring = false;
    const onMessage = (m: LiveMessage) => {
      if (m.type !== 'tracks' || mode === 'off') return;
      // Every camera shows the whole 30 x 20 m plan (the same street, unsynchronised): each person is on up to 4 cameras.
      const sx = PLAN_M[0] / m.width, sy = PLAN_M[1] / m.height;
      const tracks = m.tracks.filter((t) => t.label === 'person');
      const obs: FusionObservation[] = tracks.map((t) => {
        const key = keyOf({ cameraId: m.cameraId, trackId: t.id });
        const embedding = pending.get(key);
        pending.delete(key);
        const foot: Point = [((t.boxXyxy[0] + t.boxXyxy[2]) / 2) * sx, t.boxXyxy[3] * sy];
        return { cameraId: m.cameraId, trackId: t.id, positionM: foot, uncertaintyM: 0.3, ...(embedding ? { embedding } : {}) };
      });
      const now = performance.now();
      if (mode === 'fusion+reid') {
        const picked = gate.decide(now, m.cameraId, obs, people);
        const frame = latest.get(m.cameraId);
        if (picked.length > 0 && frame?.index === m.frameIndex) {
          requested += picked.length;
          if (queued + picked.length > 32) droppedCrops += picked.length; // a backlog is dropped, not queued without end
          else {
            queued += picked.length;
            const boxes = picked.map((i) => tracks[i]!.boxXyxy);
            const keys = picked.map((i) => keyOf(obs[i]!));
            chain = chain.then(async () => {
              const t0 = performance.now();
              const es = await embedder.embed(frame, boxes);
              if (measuring) { embedMs += performance.now() - t0; embedded += es.length; }
              es.forEach((e, i) => pending.set(keys[i]!, e));
              queued -= boxes.length;
            });
          }
        }
      }
      const t0 = performance.now();
      people = fusion.update(now, obs).people;
      if (measuring) { fusionMs.push(performance.now() - t0); observations += obs.length; }
    };
    const cams = ids.map((id) => {
      const camera = CameraSchema.parse({ id, source: { url: server.url(id), loop: false, stallTimeoutMs: 10_000, timeoutMs: 5000 }, detect: { fps: FPS, width: WIDTH } });
      const det = shared.forCamera(id);
      const deps = { log, now: () => performance.now(), random: Math.random };
      const source = liveFrameSource({ ...camera.source, fps: FPS, width: WIDTH, detectorImageSpec: det.detectorImageSpec! }, deps);
      let n = 0;
      const worker = createCameraWorker(camera, {
        source, detector: det, renderSnapshot: renderJpeg, events: { write: async (w) => w.event }, publish: onMessage, analytics: null, media: null,
        now: deps.now, newId: () => `${id}-${n++}`, log,
      });
      if (mode === 'fusion+reid') worker.onFrame((fr) => latest.set(id, fr));
      worker.start();
      return worker;
    });
    await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
    measuring = true;
    const g0 = { ...gate.counts };
    const s0 = cams.map((c) => c.status());
    const c0 = sample();
    const m0 = await machineTicks();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, liveSeconds * 1000));
    const seconds = (performance.now() - t0) / 1000;
    const c1 = sample();
    const m1 = await machineTicks();
    const s1 = cams.map((c) => c.status());
    measuring = false;
    await Promise.all(cams.map((c) => c.stop()));
    await chain;
    const d = (k: 'framesDecoded' | 'framesDropped' | 'framesReplaced' | 'detectorCalls' | 'framesProcessed') => s1.map((s, i) => s[k] - s0[i]![k]);
    const decoded = d('framesDecoded'), processed = d('framesProcessed');
    const missed = d('framesDropped').reduce((a, b) => a + b, 0) + d('framesReplaced').reduce((a, b) => a + b, 0);
    const totalDecoded = decoded.reduce((a, b) => a + b, 0);
    const pct = (t: number) => (100 * t) / TICKS_PER_SECOND / seconds;
    const droppedFraction = totalDecoded > 0 ? missed / totalDecoded : 1;
    const minDecodedFps = Math.min(...decoded) / seconds;
    return {
      mode, seconds, processedFpsPerCamera: mean(processed) / seconds, minProcessedFps: Math.min(...processed) / seconds, minDecodedFps,
      detectorCallsPerS: d('detectorCalls').reduce((a, b) => a + b, 0) / seconds, droppedFraction,
      sustained: droppedFraction < 0.01 && minDecodedFps >= 0.9 * FPS,
      cpuPct: { ffmpeg: pct(c1.ffmpeg - c0.ffmpeg), nodeMain: pct(c1.main - c0.main), nodeOtherThreads: pct(c1.process - c0.process - (c1.main - c0.main)), rtspServer: pct(c1.server - c0.server), machine: pct(m1 - m0), otherProcesses: pct(m1 - m0 - (c1.ffmpeg - c0.ffmpeg) - (c1.process - c0.process) - (c1.server - c0.server)) },
      fusion: mode === 'off' ? null : { updatesPerS: fusionMs.length / seconds, observationsPerS: observations / seconds, msPerS: fusionMs.reduce((a, b) => a + b, 0) / seconds, p95UpdateMs: quantile(fusionMs, 0.95), maxUpdateMs: Math.max(...fusionMs), people: people.length },
      reid: mode === 'fusion+reid' ? { gatePerS: Object.fromEntries(Object.entries(gate.counts).map(([k, v]) => [k, (v - g0[k as keyof typeof g0]) / seconds])), requestedPerS: requested / seconds, embeddedPerS: embedded / seconds, dropped: droppedCrops, wallMsPerCrop: embedded > 0 ? embedMs / embedded : NaN } : null,
    };
  };
  const liveRows: Awaited<ReturnType<typeof trial>>[] = [];
  for (let r = 0; r < Number(values['live-rounds']); r++) for (const mode of ['off', 'fusion', 'fusion+reid'] as const) liveRows.push(await trial(mode));
  await server.stop();
  await detector.close();
  await embedder.close();
  console.log(`\n3. live: ${CAMERAS} RTSP cameras (${values['live-clip']} 720p15 on each, all moving), detect ${FPS} fps at ${WIDTH} px, YOLOX-nano 2 threads, ` +
    `motion gate on; ${WARMUP_S} s warm-up, ${liveSeconds} s measured, ${values['live-rounds']} round(s); CPU % of one core (machine: every process; others: not this bench's)`);
  console.log(`${'mode'.padEnd(12)} | processed/s per cam (min) | decoded min | detector calls/s | missed  | sustained | ffmpeg  node  ORT machine others | fusion ms/s  p95 ms | re-id crops/s asked/done`);
  for (const row of liveRows) {
    const fu = row.fusion, re = row.reid;
    console.log(`${row.mode.padEnd(12)} | ${f(row.processedFpsPerCamera).padStart(10)} (${f(row.minProcessedFps)})${''.padStart(8)} | ${f(row.minDecodedFps).padStart(11)} | ${f(row.detectorCallsPerS, 1).padStart(16)} | ` +
      `${(f(row.droppedFraction * 100) + ' %').padStart(7)} | ${String(row.sustained).padStart(9)} | ${f(row.cpuPct.ffmpeg, 0).padStart(6)} ${f(row.cpuPct.nodeMain, 0).padStart(5)} ${f(row.cpuPct.nodeOtherThreads, 0).padStart(4)} ${f(row.cpuPct.machine, 0).padStart(7)} ${f(row.cpuPct.otherProcesses, 0).padStart(6)} | ` +
      `${fu ? `${f(fu.msPerS, 1).padStart(11)} ${f(fu.p95UpdateMs, 2).padStart(6)}` : ''.padStart(18)} | ${re ? `${f(re.requestedPerS, 1)} / ${f(re.embeddedPerS, 1)} (${re.dropped} dropped, ${f(re.wallMsPerCrop, 1)} ms wall/crop)` : ''}`);
  }
  for (const row of liveRows) {
    if (row.fusion) console.log(`  ${row.mode}: fusion ${f(row.fusion.updatesPerS, 1)} updates/s, ${f(row.fusion.observationsPerS, 1)} observations/s, max update ${f(row.fusion.maxUpdateMs, 1)} ms, ${row.fusion.people} people at the end`);
    const g = row.reid?.gatePerS;
    if (g) console.log(`  ${row.mode}: gate per s ${f(g['newTrack']!)} new, ${f(g['reentry']!)} re-entries, ${f(g['ambiguous']!)} ambiguous (${f(g['ambiguousFrames']!)} ambiguous observations/s before the 1 s limit)`);
  }
  report['live'] = liveRows;
}

report['loadAverageEnd'] = loadavg();
report['elapsedS'] = (performance.now() - started) / 1000;
console.log(`\nload average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${f((performance.now() - started) / 1000, 1)} s`);
if (values.json) await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
