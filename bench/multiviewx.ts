// Benchmark: real pictures, real calibration — the MultiviewX demo subset (6 overlapping views of a 25 m x 16 m
// square, 10 time steps, global person ids; assets mtmc/multiviewx_demo, see MANIFEST.md).
//  1. Per view: the ground homography from the calibration (K·[r1 r2 t]) next to one fitted to 8 point pairs a user
//     would click (floor marks spread over the image, exact image points from the calibration plus 1.5 px click
//     noise, seeded), compared over the image points that fall on the area: mean / p90 / max metres on the plan.
//     Also: annotated ground positions projected into each view vs. the annotated boxes' bottom centres.
//  2. Per detector (default YOLOv8n int8 and YOLOX-nano, full 1920x1080 frames letterboxed, no tiling), per step and
//     view: persons detected, foot points to the plan, the real OSNet embedder on every crop, the crop quality filter;
//     detections matched to the annotated persons by foot point. Tiling (`--tiling auto`) is not the default: on these
//     frames it adds boxes of half people cut at the inner tile borders that NMS keeps (IoU with the whole box is low).
//  3. Per step: cross-view association in modes position / appearance / both (and both with only the kept crops'
//     embeddings): pairwise precision and recall against the global ids; persons found vs. the true count vs. the
//     per-camera sum of detections (the count without de-duplication: the baseline).
//  4. Appearance: cross-view same-person vs. different-person cosine similarity, all crops vs. the kept crops.
//   node --import tsx bench/multiviewx.ts [--models yolov8n-int8,yolox-nano] [--tiling off] [--steps 10] [--threads 2] [--seed 1] [--json OUT]
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDetector } from '../src/assets/load-detector.ts';
import { loadEmbedder } from '../src/assets/load-embedder.ts';
import { formatMachine, machineInfo } from '../src/bench/machine.ts';
import { mulberry32, seedOf } from '../src/core/random.ts';
import type { BoxXyxy, Frame } from '../src/core/types.ts';
import { cosineSimilarity } from '../src/fusion/embedding-mean.ts';
import type { AssociationMode } from '../src/fusion/multi-view.ts';
import { projectPoint } from '../src/mapping/matrix3.ts';
import { decodeImage } from '../src/media/render.ts';
import { clickPairs, fitAndCompare, gridMarks, groundMapsOf, type GroundMaps } from '../src/mtmc/calibrated-view.ts';
import { matchDetectionsToTruth, separation, sumPairScores, type PairScores, type Separation } from '../src/mtmc/multiview-evaluation.ts';
import { imagePath, loadMultiviewX } from '../src/mtmc/multiviewx.ts';
import { associateStep, observeStep, truthInView, type EmbeddingUse, type StepObservation } from '../src/mtmc/multiviewx-run.ts';
import { loadOnnxModel } from '../src/vision/adapters/onnx-runtime.ts';
import type { TilingMode } from '../src/vision/tiles.ts';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'yolov8n-int8,yolox-nano' },
    tiling: { type: 'string', default: 'off' },
    steps: { type: 'string', default: '10' },
    threads: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    json: { type: 'string' },
  },
});
const threads = Number(values.threads), seed = Number(values.seed), tiling = values.tiling as TilingMode;
const ASSETS = resolve(process.env['SIGHTLINE_ASSETS'] ?? '../shared/assets');
const loc = { modelDir: '/nonexistent', searchDirs: [join(ASSETS, 'models')], download: false };
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : String(x));
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : String(x));
const pad = (s: string | number, n: number) => String(s).padStart(n);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

const machine = machineInfo('cpu', threads);
console.log(formatMachine(machine));
const t0 = performance.now();
const ds = await loadMultiviewX(join(ASSETS, 'mtmc', 'multiviewx_demo'));
const area = { widthPx: ds.imageWidthPx, heightPx: ds.imageHeightPx, areaWidthM: ds.areaWidthM, areaHeightM: ds.areaHeightM };
const maps: GroundMaps[] = ds.views.map((cal) => {
  const m = groundMapsOf(cal, area);
  if (!m) throw new Error(`view ${cal.view + 1}: the calibration sees the ground edge-on`);
  return m;
});

// 1. Calibration vs. clicked homography; annotated positions vs. annotated boxes.
console.log('\n1. ground homography per view: calibration vs. fitted to 8 clicked floor marks (1.5 px click noise), metres on the area');
console.log('view  pairs  fit rms m  method          diff mean  p90    max    | annotated foot vs box bottom centre px: median  p90   n');
const homographies = ds.views.map((cal, v) => {
  const pairs = clickPairs(gridMarks(cal, area, 0.5), area.widthPx, area.heightPx, mulberry32(seedOf(`C${v + 1}`, seed)));
  const { fit, difference } = fitAndCompare(maps[v]!, pairs, area);
  const footErrorsPx: number[] = [];
  for (const persons of ds.steps) {
    for (const p of persons) {
      const box = p.boxesXyxy[v], q = box ? projectPoint(maps[v]!.planToImage, p.positionM) : null;
      if (box && q) footErrorsPx.push(Math.hypot(q[0] - (box[0] + box[2]) / 2, q[1] - box[3]));
    }
  }
  const row = {
    view: `C${v + 1}`, pairs: pairs.length, fitRmsM: fit.ok ? fit.rmsErrorM : NaN, method: fit.ok ? fit.method : fit.code,
    difference, footMedianPx: median(footErrorsPx), footP90Px: quantile(footErrorsPx, 0.9), footBoxes: footErrorsPx.length,
  };
  console.log(`${row.view.padEnd(5)} ${pad(row.pairs, 5)}  ${pad(f3(row.fitRmsM), 9)}  ${row.method.padEnd(14)}  ${pad(f3(difference?.meanM ?? NaN), 9)}  ${pad(f3(difference?.p90M ?? NaN), 5)}  ${pad(f3(difference?.maxM ?? NaN), 5)}  | ${pad(f2(row.footMedianPx), 49)} ${pad(f2(row.footP90Px), 5)} ${pad(row.footBoxes, 4)}`);
  return row;
});

// 2. Detection, mapping, embedding, per detector.
const embedder = await loadEmbedder('osnet-x0.25-msmt17', loc, loadOnnxModel, { threads });
const stepCount = Math.min(Number(values.steps), ds.steps.length);
const MODES: { name: string; mode: AssociationMode; use: EmbeddingUse }[] = [
  { name: 'position', mode: 'position', use: 'all' },
  { name: 'appearance', mode: 'appearance', use: 'all' },
  { name: 'both', mode: 'both', use: 'all' },
  { name: 'both, kept crops', mode: 'both', use: 'kept' },
];
const reports = [];
for (const model of values.models.split(',')) {
  const detector = await loadDetector(model, loc, loadOnnxModel, { threads });
  const ports = {
    image: async (view: number, step: number): Promise<Frame> => {
      const img = await decodeImage(await readFile(imagePath(ds, view, step)));
      return { index: step, timeMs: 0, width: img.width, height: img.height, rgb: img.rgb };
    },
    detect: async (frame: Frame) => (await detector.detect(frame, { labels: ['person'], tiling })).map((d) => d.boxXyxy),
    embed: (frame: Frame, boxes: readonly BoxXyxy[]) => embedder.embed(frame, boxes),
  };
  const observations: StepObservation[] = [];
  const tDetect = performance.now();
  for (let step = 0; step < stepCount; step++) observations.push(await observeStep(ds, maps, step, ports));
  const detectSeconds = (performance.now() - tDetect) / 1000;
  await detector.close();
  reports.push(report(model, observations, detectSeconds));
}
await embedder.close();

function report(model: string, observations: StepObservation[], detectSeconds: number) {
  const all = observations.flatMap((o) => o.detections);
  const onArea = all.filter((d) => d.onArea);
  const truthBoxes = observations.reduce((s, o) => s + o.truthBoxes.reduce((a, b) => a + b, 0), 0);
  const matchedBoxes = observations.reduce((s, o) => s + o.matchedBoxes.reduce((a, b) => a + b, 0), 0);
  console.log(`\n2. ${model} (tiling ${tiling}) + OSNet on ${stepCount * ds.views.length} images: ${detectSeconds.toFixed(1)} s (${((detectSeconds * 1000) / (stepCount * ds.views.length)).toFixed(0)} ms an image, decoding included)`);
  console.log(`   ${all.length} person detections, ${onArea.length} on the annotated area; ${matchedBoxes} of ${truthBoxes} true persons in view matched (${f3(matchedBoxes / truthBoxes)}); ${onArea.filter((d) => d.truth === null).length} on-area detections match no annotated person`);
  const perViewRecall = ds.views.map((_, v) => {
    const t = observations.reduce((s, o) => s + o.truthBoxes[v]!, 0), m = observations.reduce((s, o) => s + o.matchedBoxes[v]!, 0);
    return `C${v + 1} ${f2(m / t)}`;
  });
  console.log(`   true persons in view matched, per view: ${perViewRecall.join(', ')}`);
  const reasons = new Map<string, number>();
  for (const d of all) for (const r of d.quality.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
  const uncertainty = onArea.map((d) => d.uncertaintyM);
  console.log(`   crop quality: ${all.filter((d) => d.quality.keep).length} of ${all.length} kept; set aside (a crop can have several reasons): ${[...reasons].map(([r, n]) => `${r} ${n}`).join(', ')}; sharpness (Laplacian variance) median ${f2(median(all.map((d) => d.sharpness)))}, p10 ${f2(quantile(all.map((d) => d.sharpness), 0.1))}`);
  console.log(`   plan position uncertainty of on-area detections: median ${f2(median(uncertainty))} m, p90 ${f2(quantile(uncertainty, 0.9))} m`);

  // The file naming quirk: annotation file 0000(k+1).json belongs to image 000k.jpg. Detections of image k matched
  // against the annotations of steps k-1, k, k+1.
  const quirk = [-1, 0, 1].map((shift) => {
    let matched = 0, total = 0;
    for (const o of observations) {
      const s = o.step + shift;
      if (s < 0 || s >= ds.steps.length) continue;
      for (let v = 0; v < ds.views.length; v++) {
        const truth = truthInView(ds.steps[s]!, v, ds.views[v]!, maps[v]!, area);
        const boxes = o.detections.filter((d) => d.view === v).map((d) => d.boxXyxy);
        matched += matchDetectionsToTruth(boxes, truth).filter((id) => id !== null).length;
        total += truth.length;
      }
    }
    return { shift, matchedShare: matched / total };
  });
  console.log(`   naming quirk: share of true persons matched when image k is scored against annotation step k-1 / k / k+1: ${quirk.map((s) => f3(s.matchedShare)).join(' / ')}`);

  // 3. Association.
  const association = MODES.map(({ name, mode, use }) => {
    const steps = observations.map((o) => associateStep(o, ds.views.length, { mode }, use));
    return { name, mode, use, pairs: sumPairScores(steps.map((s) => s.pairs)), persons: steps.map((s) => s.persons), multiView: steps.map((s) => s.result.persons.filter((p) => p.links.length >= 2).length), steps };
  });
  console.log(`\n3. ${model}: cross-view association, pairwise over all steps (pairs of on-area detections in different views)`);
  console.log('mode               precision  recall  true pairs  false  missed  | persons found per step');
  for (const a of association) {
    const p: PairScores = a.pairs;
    console.log(`${a.name.padEnd(17)}  ${pad(f3(p.precision), 9)}  ${pad(f3(p.recall), 6)}  ${pad(p.truePairs, 10)}  ${pad(p.falsePairs, 5)}  ${pad(p.missedPairs, 6)}  | ${a.persons.join(' ')}`);
  }
  const both = association.find((a) => a.name === 'both')!;
  const counts = observations.map((o, i) => ({
    step: o.step, truth: o.truthCount, persons: both.persons[i]!, personsMultiView: both.multiView[i]!,
    perCameraSum: both.steps[i]!.perCameraSum, trueInView: o.truthBoxes.reduce((a, b) => a + b, 0),
  }));
  console.log(`\n   ${model}: count per step (mode both): truth (annotation file), persons found, of them seen by 2+ views, per-camera sum of on-area detections, true persons in view summed over views`);
  console.log('step  truth  persons  2+ views  per-camera sum  true in view');
  for (const c of counts) console.log(`${pad(c.step, 4)}  ${pad(c.truth, 5)}  ${pad(c.persons, 7)}  ${pad(c.personsMultiView, 8)}  ${pad(c.perCameraSum, 14)}  ${pad(c.trueInView, 12)}`);
  const meanAbs = (key: 'persons' | 'personsMultiView' | 'perCameraSum') => counts.reduce((s, c) => s + Math.abs(c[key] - c.truth), 0) / counts.length;
  console.log(`mean |count - truth|: persons ${f2(meanAbs('persons'))}, 2+ views ${f2(meanAbs('personsMultiView'))}, per-camera sum ${f2(meanAbs('perCameraSum'))}`);

  // 4. Appearance separation, cross-view pairs of the same step.
  const crossViewSimilarities = (keptOnly: boolean): Separation => {
    const same: number[] = [], different: number[] = [];
    for (const o of observations) {
      const dets = o.detections.filter((d) => d.truth !== null && (!keptOnly || d.quality.keep));
      for (let i = 0; i < dets.length; i++) {
        for (let j = i + 1; j < dets.length; j++) {
          if (dets[i]!.view === dets[j]!.view) continue;
          (dets[i]!.truth === dets[j]!.truth ? same : different).push(cosineSimilarity(dets[i]!.embedding, dets[j]!.embedding));
        }
      }
    }
    return separation(same, different);
  };
  const appearance = { all: crossViewSimilarities(false), kept: crossViewSimilarities(true) };
  console.log(`\n4. ${model}: OSNet cosine similarity, cross-view pairs of matched detections at the same step`);
  console.log('crops  same pairs  mean   median | different pairs  mean   median | different above same median  AUC');
  for (const [name, x] of Object.entries(appearance)) {
    console.log(`${name.padEnd(5)}  ${pad(x.samePairs, 10)}  ${f3(x.sameMean)}  ${f3(x.sameMedian)}  | ${pad(x.differentPairs, 15)}  ${f3(x.differentMean)}  ${f3(x.differentMedian)}  | ${pad(f3(x.differentAboveSameMedian), 27)}  ${f3(x.auc)}`);
  }
  return {
    model, detectSeconds,
    detections: { total: all.length, onArea: onArea.length, truthInView: truthBoxes, matched: matchedBoxes, perViewRecall, quirk },
    association: association.map(({ name, mode, use, pairs, persons, multiView }) => ({ name, mode, use, pairs, persons, multiView })),
    counts, appearance,
  };
}

const totalSeconds = (performance.now() - t0) / 1000;
console.log(`\ntotal ${totalSeconds.toFixed(1)} s`);
if (values.json) {
  await writeFile(values.json, `${JSON.stringify({ machine, tiling, steps: stepCount, seed, totalSeconds, homographies, reports }, null, 2)}\n`);
}
