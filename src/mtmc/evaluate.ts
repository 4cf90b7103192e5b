/**
 * Scores cross-camera identity on a multi-camera scene: each camera's tracker runs on its detections, positions go
 * through the homography estimated from the scene's clicked point pairs, `fusion/` joins the tracks into people, and
 * the result is compared with the ground truth: IDF1 over all cameras together (one identity correspondence for the
 * whole site, so a track is right only where its global id is the person's id in every camera), per-area count error
 * over time, and position error on the plan. The baseline is what users get without fusion: each camera's own track
 * ids, and per-area counts summed over cameras. Pure.
 */

import { iou, pointInPolygon } from '../core/geometry.ts';
import type { Point } from '../core/types.ts';
import { FRAMES_HELD } from '../fusion/cross-camera.ts';
import { SiteFusion, type SiteFusionOptions } from '../fusion/site-fusion.ts';
import { buildSiteMap } from '../mapping/site-map.ts';
import { evaluateIdentity } from '../mot/eval/identity.ts';
import type { MotFile, MotRow } from '../mot/eval/parse.ts';
import { preprocessTrackEval } from '../mot/eval/preprocess.ts';
import type { SeqInfo } from '../mot/seqinfo.ts';
import type { SequenceDetections } from '../mot/track/det-file.ts';
import { SightlineTracker, type SightlineTrackerOptions } from '../tracking/sightline-tracker.ts';
import { linearAssignment } from '../tracking/linear-assignment.ts';
import type { parseSiteFile } from './site-file.ts';

/** One camera of a scene, loaded. */
export interface MtmcCamera {
  readonly id: string;
  readonly seqinfo: SeqInfo;
  readonly detections: SequenceDetections;
  readonly gt: MotFile;
}

/** The true plan position of one person at one frame. */
export interface TruePosition {
  readonly frame: number;
  readonly id: number;
  readonly positionM: Point;
}

/** A loaded scene. */
export interface MtmcScene {
  readonly site: ReturnType<typeof parseSiteFile>;
  readonly cameras: readonly MtmcCamera[];
  readonly positions: readonly TruePosition[];
}

/** The figures of `sightline mtmc eval` (ratios 0..1). */
export interface MtmcReport {
  readonly combined: { readonly IDF1: number; readonly countError: number; readonly countBias: number; readonly positionErrorM: number };
  readonly baseline: { readonly IDF1: number; readonly countError: number; readonly countBias: number };
  /**
   * A reference for what joining whole camera tracks can reach: every camera track given the true id it overlaps most
   * (IoU >= 0.5), one row per id and frame. Fusion above it must have split camera tracks; far below it, it joins
   * wrongly; near it, the camera tracks themselves are the limit.
   */
  readonly trackLevelIDF1: number;
  readonly cameras: Record<string, { readonly IDF1: number; readonly calibration: { readonly rmsErrorM: number; readonly maxErrorM: number; readonly pairs: number } | { readonly problem: string } }>;
  readonly fusion: { readonly joined: number; readonly reentered: number; readonly split: number; readonly people: number; readonly truePeople: number };
  readonly frames: number;
}

/** A fused position further than this from every true one is not compared (it is a false person, scored by IDF1). */
const POSITION_MATCH_M = 2;
/** Plan pixels per metre of the plan the scene's `widthM` x `heightM` becomes (the site map wants a plan image). */
const PLAN_PX_PER_M = 100;

/** Runs the scene through the product's site fusion (`fusion/site-fusion.ts`) and scores it; the per-camera trackers take `trackerOptions` over their defaults. */
export function evaluateScene(scene: MtmcScene, options: Partial<SiteFusionOptions> = {}, strideFrames = 1, trackerOptions: Partial<SightlineTrackerOptions> = {}): MtmcReport {
  const frames = Math.min(...scene.cameras.map((c) => c.seqinfo.seqLength));
  const frameRate = scene.cameras[0]!.seqinfo.frameRate;
  const { plan, areas } = scene.site;
  const map = buildSiteMap(
    {
      plans: [{ id: 'plan', widthPx: Math.ceil(plan.widthM * PLAN_PX_PER_M), heightPx: Math.ceil(plan.heightM * PLAN_PX_PER_M), metresPerPixel: 1 / PLAN_PX_PER_M }],
      areas: areas.map((a) => ({ id: a.id, plan: 'plan', polygonM: a.polygonM as Point[] })),
    },
    // The scene's pairs are in image pixels: the cameras' frames are given to the site as 1 x 1 below, so pixels stay pixels.
    scene.site.cameras.map((c) => ({ id: c.id, calibration: { plan: 'plan', pointPairs: c.pointPairs.map((p) => ({ imageNorm: p.imagePx as Point, planM: p.planM as Point })) } })),
  );
  const site = new SiteFusion(map, { sampleMs: Infinity, ...options }, () => undefined);
  // The baseline holds a camera track as the fusion holds a person: the presence hold, or 2.5 analysed frame intervals.
  const hold = Math.max(site.presenceHoldMs(), (FRAMES_HELD * strideFrames * 1000) / frameRate);
  const trackers = scene.cameras.map(() => new SightlineTracker(trackerOptions));
  const localRows = scene.cameras.map((): MotRow[] => []);
  const globalRows = scene.cameras.map((): MotRow[] => []);
  const truthByFrame = groupPositions(scene.positions, frames);
  // Baseline: each camera's tracks, held as the fused people are, projected and counted per area, summed.
  const baselineLast = scene.cameras.map(() => new Map<number, { timeMs: number; positionM: Point }>());
  let countAbs = 0, baselineAbs = 0, countSigned = 0, baselineSigned = 0, truthSum = 0, posErrSum = 0, posErrN = 0;
  const counts = { joined: 0, reentered: 0, split: 0 };
  // With a stride, only every strideFrames-th frame is analysed (a camera detecting at a lower rate) and scored.
  const analysed = (f: number) => (f - 1) % strideFrames === 0;
  for (let f = 1; f <= frames; f++) {
    if (!analysed(f)) continue;
    const timeMs = ((f - 1) * 1000) / frameRate;
    scene.cameras.forEach((cam, ci) => {
      const tracks = trackers[ci]!.update(cam.detections.frames[f - 1] ?? [], timeMs);
      const placed = new Map(site.observe(cam.id, timeMs, tracks, 1, 1).map((p) => [p.trackId, p]));
      for (const c of site.changes()) counts[c.kind]++;
      for (const t of tracks) {
        const [x1, y1, x2, y2] = t.boxXyxy;
        const row: MotRow = { frame: f, id: t.id, x: x1, y: y1, w: x2 - x1, h: y2 - y1, conf: t.score, classId: -1, line: 0 };
        localRows[ci]!.push(row);
        const p = placed.get(t.id);
        // A track with no map position (camera not calibrated, point above the horizon) keeps a camera-local identity.
        globalRows[ci]!.push({ ...row, id: p?.globalId ?? 1_000_000_000_000 + ci * 1_000_000 + t.id });
        if (p !== undefined) baselineLast[ci]!.set(t.id, { timeMs, positionM: p.positionM });
      }
    });
    const people = site.mapPeople();
    const truth = truthByFrame[f - 1]!;
    for (const area of areas) {
      const inArea = (p: Point) => pointInPolygon(p, area.polygonM as Point[]);
      const t = truth.filter((x) => inArea(x.positionM)).length;
      const fused = people.filter((p) => p.areas.includes(area.id)).length;
      let summed = 0;
      for (const last of baselineLast) for (const v of last.values()) if (v.timeMs >= timeMs - hold && inArea(v.positionM)) summed++;
      truthSum += t;
      countAbs += Math.abs(fused - t);
      baselineAbs += Math.abs(summed - t);
      countSigned += fused - t;
      baselineSigned += summed - t;
    }
    const seenNow = people.filter((p) => p.lastSeenMs === timeMs);
    const { sum, n } = matchedDistances(seenNow.map((p) => p.positionM), truth.map((x) => x.positionM));
    posErrSum += sum;
    posErrN += n;
    for (const last of baselineLast) for (const [id, v] of last) if (v.timeMs < timeMs - hold) last.delete(id);
  }
  const gtFiles = scene.cameras.map((c) => ({ ...c.gt, rows: c.gt.rows.filter((r) => analysed(r.frame)) }));
  const cameras: MtmcReport['cameras'] = {};
  scene.cameras.forEach((cam, ci) => {
    const cal = map.cameras.get(cam.id);
    const problem = map.problems.find((p) => p.cameraId === cam.id);
    cameras[cam.id] = {
      IDF1: identityOf([gtFiles[ci]!], [{ fileName: `${cam.id} tracks`, rows: localRows[ci]! }], frames).IDF1,
      calibration: cal !== undefined
        ? { rmsErrorM: cal.fit.rmsErrorM, maxErrorM: cal.fit.maxErrorM, pairs: cal.fit.pairs.length }
        : { problem: problem?.message ?? 'site.json has no point pairs for this camera' },
    };
  });
  const localGlobal = localRows.map((rows, ci) => ({ fileName: `${scene.cameras[ci]!.id} tracks`, rows: rows.map((r) => ({ ...r, id: (ci + 1) * 1_000_000 + r.id })) }));
  const truePeople = new Set(scene.positions.map((p) => p.id)).size;
  const majority = localRows.map((rows, ci) => ({ fileName: `${scene.cameras[ci]!.id} majority`, rows: majorityIds(rows, gtFiles[ci]!, ci) }));
  const ratio = (v: number) => (truthSum === 0 ? 0 : v / truthSum);
  return {
    combined: {
      IDF1: identityOf(gtFiles, globalRows.map((rows, ci) => ({ fileName: `${scene.cameras[ci]!.id} global`, rows })), frames).IDF1,
      countError: ratio(countAbs),
      countBias: ratio(countSigned),
      positionErrorM: posErrN === 0 ? 0 : posErrSum / posErrN,
    },
    baseline: { IDF1: identityOf(gtFiles, localGlobal, frames).IDF1, countError: ratio(baselineAbs), countBias: ratio(baselineSigned) },
    trackLevelIDF1: identityOf(gtFiles, majority, frames).IDF1,
    cameras,
    fusion: { ...counts, people: new Set(globalRows.flatMap((rows) => rows.map((r) => r.id))).size, truePeople },
    frames,
  };
}

/** Each camera track's rows relabelled with the true id it overlaps most (IoU >= 0.5); tracks matching none keep their own. */
function majorityIds(rows: readonly MotRow[], gt: MotFile, cameraIndex: number): MotRow[] {
  const gtByFrame = new Map<number, MotRow[]>();
  for (const g of gt.rows) (gtByFrame.get(g.frame) ?? gtByFrame.set(g.frame, []).get(g.frame)!).push(g);
  const votes = new Map<number, Map<number, number>>();
  for (const r of rows) {
    let best = -1, bestIou = 0.5;
    for (const g of gtByFrame.get(r.frame) ?? []) {
      const v = iou([r.x, r.y, r.x + r.w, r.y + r.h], [g.x, g.y, g.x + g.w, g.y + g.h]);
      if (v >= bestIou) [best, bestIou] = [g.id, v];
    }
    if (best < 0) continue;
    const m = votes.get(r.id) ?? votes.set(r.id, new Map()).get(r.id)!;
    m.set(best, (m.get(best) ?? 0) + 1);
  }
  const seen = new Set<string>();
  const out: MotRow[] = [];
  for (const r of rows) {
    const m = votes.get(r.id);
    const id = m === undefined ? 1_000_000_000_000 + cameraIndex * 1_000_000 + r.id : [...m.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
    const key = `${r.frame},${id}`;
    if (seen.has(key)) continue; // two tracks with one majority id in a frame: one row per id and frame
    seen.add(key);
    out.push({ ...r, id });
  }
  return out;
}

/** TrackEval's IDF1 with all cameras laid end to end as one sequence, so one id correspondence spans every camera. */
function identityOf(gts: readonly MotFile[], trackers: readonly MotFile[], frames: number) {
  const shift = (files: readonly MotFile[], name: string): MotFile => ({
    fileName: name,
    rows: files.flatMap((file, ci) => file.rows.filter((r) => r.frame <= frames).map((r) => ({ ...r, frame: r.frame + ci * frames }))),
  });
  const data = preprocessTrackEval({ name: 'site', gt: shift(gts, 'gt'), tracker: shift(trackers, 'tracks'), seqLength: frames * gts.length, benchmark: 'MOT17' });
  return evaluateIdentity(data);
}

function groupPositions(positions: readonly TruePosition[], frames: number): TruePosition[][] {
  const out: TruePosition[][] = Array.from({ length: frames }, () => []);
  for (const p of positions) if (p.frame >= 1 && p.frame <= frames) out[p.frame - 1]!.push(p);
  return out;
}

/** Sum and count of the distances of an optimal one-to-one matching of points within `POSITION_MATCH_M`. */
function matchedDistances(a: readonly Point[], b: readonly Point[]): { sum: number; n: number } {
  if (a.length === 0 || b.length === 0) return { sum: 0, n: 0 };
  const values = new Float64Array(a.length * b.length);
  a.forEach((p, i) => b.forEach((q, j) => {
    const d = Math.hypot(p[0] - q[0], p[1] - q[1]);
    values[i * b.length + j] = d <= POSITION_MATCH_M ? d : Infinity;
  }));
  const { matches } = linearAssignment({ rows: a.length, cols: b.length, values }, 2 * POSITION_MATCH_M);
  let sum = 0;
  for (const [i, j] of matches) sum += values[i * b.length + j]!;
  return { sum, n: matches.length };
}
