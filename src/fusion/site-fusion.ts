/**
 * The site's map of people: each camera's confirmed tracks placed on their plan (the ground contact point through
 * the camera's homography, smoothed per track, with speed in m/s), people tracks joined across cameras into global
 * ids (`cross-camera.ts`), trajectories sampled for storage, and who stands in which area. The server and
 * `sightline mtmc eval` both run it, so what is measured is what serves. Pure: time comes with every call, stored
 * points leave through a callback.
 */

import { bottomCenter } from '../core/geometry.ts';
import type { BoxXyxy, Point, Track } from '../core/types.ts';
import type { CameraSighting } from './site-rules.ts';
import { areaContains } from '../mapping/areas.ts';
import { projectPoint } from '../mapping/matrix3.ts';
import { PlanTrackSmoother } from '../mapping/position-smoother.ts';
import type { SiteMap } from '../mapping/site-map.ts';
import { CrossCameraFusion, type FusedPerson, type FusionChange, type FusionObservation } from './cross-camera.ts';
import type { FusionOptions } from './options.ts';

/** A camera track on the plan. */
export interface PlacedTrack {
  readonly trackId: number;
  readonly label: string;
  readonly plan: string;
  readonly positionM: Point;
  readonly velocityMps: Point;
  readonly speedMps: number;
  /** The person's id across cameras (people only, when fusion is on); null otherwise. */
  readonly globalId: number | null;
  /** An appearance embedding of this track would pay now (`addAppearance` takes it). */
  readonly wantsAppearance: boolean;
}

/** One stored trajectory point. */
export interface TrajectoryPoint {
  readonly cameraId: string;
  readonly trackId: number;
  readonly globalId: number | null;
  readonly label: string;
  readonly plan: string;
  readonly timeMs: number;
  readonly positionM: Point;
  readonly speedMps: number;
}

/** A person on the map now. */
export interface MapPerson extends FusedPerson {
  readonly plan: string;
  /** Areas the person stands in. */
  readonly areas: readonly string[];
}

/** How the site runs. */
export interface SiteFusionOptions {
  /** Join people across cameras (else each track is placed on the plan only). */
  readonly fusion: boolean;
  readonly fusionOptions: Partial<FusionOptions>;
  /** A trajectory point is stored per track every this many milliseconds. */
  readonly sampleMs: number;
  /** Labels joined across cameras. */
  readonly fusedLabels: readonly string[];
  /** Smooth each track's plan position (speed needs it; positions without are the raw projections). */
  readonly smooth: boolean;
}

/** Defaults: people fused, a point a second, smoothed. */
export const SITE_FUSION_DEFAULTS: SiteFusionOptions = Object.freeze({ fusion: true, fusionOptions: {}, sampleMs: 1000, fusedLabels: Object.freeze(['person']), smooth: true });

/** People on different plans are never one person by position: each plan's coordinates are moved this far apart. */
const PLAN_SEPARATION_M = 1e6;
/** A foot point further than this outside its plan is not on it (a point just below the horizon maps far away). */
const OFF_PLAN_M = 50;
/** A person's camera tracks seen within this long of their newest sighting see them "now" (cameras' frames arrive at different moments). */
const SIGHTING_WINDOW_MS = 1000;
/** A camera track not seen for this long is forgotten (longer than any tracker's lost buffer). */
const TRACK_FORGET_MS = 10_000;

interface CameraTrackState {
  readonly cameraId: string;
  readonly track: { id: number; label: string; score: number; boxXyxy: BoxXyxy };
  readonly smoother: PlanTrackSmoother;
  lastSeenMs: number;
  lastStoredMs: number;
  globalId: number | null;
}

/** Places tracks on plans and joins people across cameras; one per site. */
export class SiteFusion {
  private map: SiteMap;
  private readonly options: SiteFusionOptions;
  private readonly fusion: CrossCameraFusion;
  private readonly tracks = new Map<string, CameraTrackState>();
  private readonly planIndex = new Map<string, number>();
  private people: readonly FusedPerson[] = [];
  /** Appearance embeddings received. */
  embeddings = 0;
  private lastChanges: readonly FusionChange[] = [];

  constructor(map: SiteMap, options: Partial<SiteFusionOptions>, private readonly store: (points: readonly TrajectoryPoint[]) => void, firstGlobalId = 1) {
    this.options = { ...SITE_FUSION_DEFAULTS, ...options };
    this.fusion = new CrossCameraFusion({ ...this.options.fusionOptions, firstId: firstGlobalId });
    this.map = map;
    this.indexPlans();
  }

  /** Puts a changed site (plans, areas, calibrations) in force; tracks keep their people. */
  setMap(map: SiteMap): void {
    this.map = map;
    this.indexPlans();
  }

  /** The site map in force. */
  siteMap(): SiteMap {
    return this.map;
  }

  /**
   * Places one camera frame's confirmed tracks (boxes in pixels of a `frameWidth` x `frameHeight` frame; the
   * calibration's image points are fractions of it) and joins the people across cameras. An uncalibrated camera gets
   * an empty list.
   */
  observe(cameraId: string, timeMs: number, tracks: readonly Track[], frameWidth: number, frameHeight: number): PlacedTrack[] {
    const cam = this.map.cameras.get(cameraId);
    this.lastChanges = [];
    if (cam === undefined) return [];
    const plan = this.map.plans.get(cam.plan)!;
    const o = this.options;
    const placed: { track: Track; key: string; state: CameraTrackState; positionM: Point; velocityMps: Point; speedMps: number }[] = [];
    for (const t of tracks) {
      const [fx, fy] = bottomCenter(t.boxXyxy);
      const raw = projectPoint(cam.fit.imageToPlan, [fx / frameWidth, fy / frameHeight]);
      if (raw === null) continue; // at or above the horizon: not on the floor
      // Just below the horizon a foot point maps kilometres away: nothing that far off the plan is someone on it.
      if (!(raw[0] >= -OFF_PLAN_M && raw[1] >= -OFF_PLAN_M && raw[0] <= plan.widthM + OFF_PLAN_M && raw[1] <= plan.heightM + OFF_PLAN_M)) continue;
      const key = `${cameraId}\u0000${t.id}`;
      let state = this.tracks.get(key);
      if (state === undefined) {
        state = {
          cameraId, track: { id: t.id, label: t.label, score: t.score, boxXyxy: t.boxXyxy },
          smoother: new PlanTrackSmoother({ measurementNoiseM: Math.max(0.1, cam.uncertaintyM) }), lastSeenMs: timeMs, lastStoredMs: -Infinity, globalId: null,
        };
        this.tracks.set(key, state);
      }
      state.lastSeenMs = timeMs;
      state.track.score = t.score;
      state.track.boxXyxy = t.boxXyxy;
      state.track.label = t.label;
      const est = state.smoother.update(timeMs, raw);
      const positionM = o.smooth && est !== null ? est.positionM : raw;
      placed.push({ track: t, key, state, positionM, velocityMps: est?.velocityMps ?? [0, 0], speedMps: est?.speedMps ?? 0 });
    }
    if (o.fusion) {
      const fused = placed.filter((p) => o.fusedLabels.includes(p.track.label));
      const offset = PLAN_SEPARATION_M * (this.planIndex.get(cam.plan) ?? 0);
      const observations: FusionObservation[] = fused.map((p) => ({
        cameraId, trackId: p.track.id, positionM: [p.positionM[0] + offset, p.positionM[1]], uncertaintyM: cam.uncertaintyM,
      }));
      const out = this.fusion.update(timeMs, observations, [cameraId]);
      out.globalIds.forEach((g, i) => (fused[i]!.state.globalId = g));
      this.people = out.people;
      this.lastChanges = out.changes;
    }
    const due: TrajectoryPoint[] = [];
    const result = placed.map((p) => {
      const globalId = o.fusion && o.fusedLabels.includes(p.track.label) ? p.state.globalId : null;
      // One point per track in each sampleMs slot of the clock, so every track's points line up slot by slot.
      if (Math.floor(timeMs / o.sampleMs) !== Math.floor(p.state.lastStoredMs / o.sampleMs)) {
        p.state.lastStoredMs = timeMs;
        due.push({ cameraId, trackId: p.track.id, globalId, label: p.track.label, plan: cam.plan, timeMs, positionM: p.positionM, speedMps: p.speedMps });
      }
      const wantsAppearance = globalId !== null && this.fusion.wantsAppearance(cameraId, p.track.id, timeMs);
      return { trackId: p.track.id, label: p.track.label, plan: cam.plan, positionM: p.positionM, velocityMps: p.velocityMps, speedMps: p.speedMps, globalId, wantsAppearance };
    });
    if (due.length > 0) this.store(due);
    for (const [key, s] of this.tracks) if (s.lastSeenMs < timeMs - TRACK_FORGET_MS) this.tracks.delete(key);
    return result;
  }

  /** Forgets a camera's tracks: its worker (re)starts and hands out track ids from 1 again. */
  forgetCamera(cameraId: string): void {
    for (const key of [...this.tracks.keys()]) if (key.startsWith(`${cameraId}\u0000`)) this.tracks.delete(key);
    this.fusion.forgetCamera(cameraId);
  }

  /** Adds appearance embeddings made of camera tracks (asked for with `wantsAppearance`). */
  addAppearance(cameraId: string, items: readonly { readonly trackId: number; readonly embedding: Float32Array }[]): void {
    for (const it of items) this.fusion.addAppearance(cameraId, it.trackId, it.embedding);
    this.embeddings += items.length;
  }

  /**
   * The camera tracks of a person, newest first, those seen within a second of the newest: which cameras see them now
   * and with what box (site rules name the camera and the box in their events). Cameras deliver frames at different
   * moments, so "now" is a second wide (the fusion's camera skew).
   */
  sightingsOf(globalId: number): CameraSighting[] {
    const out: CameraSighting[] = [];
    for (const s of this.tracks.values()) {
      if (s.globalId === globalId) out.push({ cameraId: s.cameraId, trackId: s.track.id, label: s.track.label, score: s.track.score, boxXyxy: s.track.boxXyxy, timeMs: s.lastSeenMs });
    }
    out.sort((a, b) => b.timeMs - a.timeMs);
    return out.filter((x) => x.timeMs >= out[0]!.timeMs - SIGHTING_WINDOW_MS);
  }

  /** How long a person stays present after the last sighting, ms. */
  presenceHoldMs(): number {
    return this.fusion.options.presenceHoldMs;
  }

  /** The links the last update made or broke, with their evidence. */
  changes(): readonly FusionChange[] {
    return this.lastChanges;
  }

  /** People present at the last update, on their plan, with the areas they stand in. */
  mapPeople(): MapPerson[] {
    const plans = [...this.planIndex.entries()];
    return this.people.map((p) => {
      const index = Math.round(p.positionM[0] / PLAN_SEPARATION_M);
      const plan = plans.find(([, i]) => i === index)?.[0] ?? '';
      const positionM: Point = [p.positionM[0] - index * PLAN_SEPARATION_M, p.positionM[1]];
      const areas = this.map.areas.filter((a) => a.plan === plan && areaContains(a.polygonM, positionM)).map((a) => a.id);
      return { ...p, plan, positionM, areas };
    });
  }

  /** Distinct people in each area now. */
  occupancy(): Map<string, number> {
    const counts = new Map(this.map.areas.map((a) => [a.id, 0]));
    for (const p of this.mapPeople()) for (const a of p.areas) counts.set(a, (counts.get(a) ?? 0) + 1);
    return counts;
  }

  private indexPlans(): void {
    // Indexes only grow, so a plan keeps its offset while the site changes around it.
    for (const id of this.map.plans.keys()) if (!this.planIndex.has(id)) this.planIndex.set(id, this.planIndex.size);
  }
}
