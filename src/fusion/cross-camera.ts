/**
 * Cross-camera identity: joins the tracks of several calibrated cameras into people with one global id each. Pure:
 * time comes with every update, nothing is random.
 *
 * Evidence, per camera track:
 * - position: two tracks of different cameras that stood at the same plan position over the evidence window (mean
 *   distance under a gate set from both cameras' position error) are one person;
 * - appearance: mean re-id embeddings, compared by cosine similarity, added to the position cost when both exist and
 *   deciding passages between cameras that do not overlap;
 * - topology: configured passages (camera A to camera B within a time window) for people who vanish and reappear.
 * Each update solves one global assignment (Hungarian, `tracking/linear-assignment.ts`) of the tracks still free to
 * move (new tracks, and tracks that are their person's only one) to people, so a track is never given to the first
 * person in reach; links are re-checked every update and split when the window's evidence disagrees.
 */

import type { Point } from '../core/types.ts';
import { linearAssignment } from '../tracking/linear-assignment.ts';
import { cosineSimilarity, EmbeddingMean } from './embedding-mean.ts';
import { fusionOptions, type FusionOptions } from './options.ts';
import { coPresence, distanceM, TrackHistory } from './track-history.ts';

/** One camera track's plan position at one frame. */
export interface FusionObservation {
  readonly cameraId: string;
  /** The camera tracker's id (unique within the camera). */
  readonly trackId: number;
  readonly positionM: Point;
  /** Standard deviation of this camera's plan positions in metres (its calibration error and foot-point noise). */
  readonly uncertaintyM: number;
  /** A unit-length appearance embedding of the track at this frame, when one was computed. */
  readonly embedding?: Float32Array | undefined;
}

/** Why a track was given to a person. */
export interface MatchEvidence {
  /** Mean plan distance to the person's other tracks over the window, or to where the person was last seen. */
  readonly distanceM?: number;
  /** Moments the distance was measured over. */
  readonly samples?: number;
  /** Cosine similarity of the appearances. */
  readonly similarity?: number;
  /** Time since the person was last seen, for a re-entry. */
  readonly gapMs?: number;
}

/** A link made or broken in one update. */
export interface FusionChange {
  /** `joined`: with a person other cameras see now; `reentered`: a person no camera saw; `split`: taken off a person. */
  readonly kind: 'joined' | 'reentered' | 'split';
  readonly cameraId: string;
  readonly trackId: number;
  readonly globalId: number;
  /** The person the track belonged to before. */
  readonly fromGlobalId: number | null;
  readonly evidence: MatchEvidence;
}

/** A person present now. */
export interface FusedPerson {
  readonly globalId: number;
  /** Mean of the live tracks' positions weighted by their cameras' precision. */
  readonly positionM: Point;
  /** Cameras that see the person now. */
  readonly cameras: readonly string[];
  readonly lastSeenMs: number;
}

/** The result of one update. */
export interface FusionFrame {
  /** The global id of each observation, in input order. */
  readonly globalIds: readonly number[];
  /** Everyone seen within the presence hold, ascending by id. */
  readonly people: readonly FusedPerson[];
  readonly changes: readonly FusionChange[];
}

interface LocalTrack {
  readonly key: string;
  readonly cameraId: string;
  readonly trackId: number;
  readonly history: TrackHistory;
  readonly firstSeenMs: number;
  lastSeenMs: number;
  sigmaM: number;
  personId: number | null;
  readonly appearance: EmbeddingMean;
  /** When the last assignment found two or more people in reach of this track. */
  ambiguousMs: number;
  /** When an embedding of this track was last asked for. */
  appearanceAskedMs: number;
  /** Typical time between this track's samples (its camera's analysed frame interval), ms; 0 before the second. */
  intervalMs: number;
  /** When the track was linked to its person. */
  boundMs: number;
}

interface Person {
  readonly id: number;
  readonly createdMs: number;
  readonly tracks: Set<LocalTrack>;
  lastSeenMs: number;
  lastPositionM: Point;
  lastCamera: string;
  readonly appearance: EmbeddingMean;
  /** Only ever had its first track, and that one recently: absorbing it into another person leaves no trace. */
  provisional: boolean;
}

/** Most a camera's clock may lag the newest update's before its tracks are judged by the newest (ms). */
const CAMERA_SKEW_MS = 1000;

/** Frame intervals a track stays live and its person present without a sighting: one missed detection and some delay. */
export const FRAMES_HELD = 2.5;

/** Joins camera tracks into people; feed it each frame's observations in time order. */
export class CrossCameraFusion {
  readonly options: FusionOptions;
  private readonly tracks = new Map<string, LocalTrack>();
  private readonly persons = new Map<number, Person>();
  /** Each camera's newest frame time: its tracks are judged by its own clock (frames reach the site after different delays). */
  private readonly cameraLatestMs = new Map<string, number>();
  private nextId: number;

  constructor(options: Partial<FusionOptions> = {}) {
    this.options = fusionOptions(options);
    this.nextId = this.options.firstId;
  }

  /**
   * Feeds the observations made at `timeMs` (one or more cameras) and returns the global ids and who is present.
   * `cameras` names the cameras whose frame this is, also when they saw nobody (their clock moves on).
   */
  update(timeMs: number, observations: readonly FusionObservation[], cameras: readonly string[] = []): FusionFrame {
    const o = this.options;
    for (const c of [...cameras, ...observations.map((x) => x.cameraId)]) this.cameraLatestMs.set(c, Math.max(timeMs, this.cameraLatestMs.get(c) ?? -Infinity));
    const seen = observations.map((obs) => this.observe(timeMs, obs));
    this.expire(timeMs);
    const changes: FusionChange[] = [];
    this.splitDisagreeing(seen, timeMs, changes);
    this.assign(timeMs, changes);
    this.markAmbiguous(seen, timeMs);
    for (const t of seen) {
      const p = this.persons.get(t.personId!)!;
      if (t.lastSeenMs >= p.lastSeenMs) {
        p.lastSeenMs = t.lastSeenMs;
        p.lastPositionM = t.history.latest()!.positionM;
        p.lastCamera = t.cameraId;
      }
    }
    const people: FusedPerson[] = [];
    for (const p of this.persons.values()) {
      if (!this.isPresent(p, timeMs)) continue;
      people.push({ globalId: p.id, positionM: this.fusedPosition(p, timeMs), cameras: this.liveCameras(p, timeMs), lastSeenMs: p.lastSeenMs });
    }
    people.sort((a, b) => a.globalId - b.globalId);
    return { globalIds: seen.map((t) => t.personId!), people, changes };
  }

  /** Forgets a camera's tracks (its worker restarted and hands out track ids from 1 again); their people stay remembered. */
  forgetCamera(cameraId: string): void {
    for (const t of [...this.tracks.values()]) {
      if (t.cameraId !== cameraId) continue;
      this.unbind(t);
      this.tracks.delete(t.key);
    }
    this.cameraLatestMs.delete(cameraId);
  }

  /** People remembered (present or not), for diagnostics and tests. */
  personCount(): number {
    return this.persons.size;
  }

  private observe(timeMs: number, obs: FusionObservation): LocalTrack {
    const key = `${obs.cameraId}\u0000${obs.trackId}`;
    let t = this.tracks.get(key);
    if (t === undefined) {
      t = {
        key, cameraId: obs.cameraId, trackId: obs.trackId, history: new TrackHistory(this.options.windowMs),
        firstSeenMs: timeMs, lastSeenMs: timeMs, sigmaM: obs.uncertaintyM, personId: null, appearance: new EmbeddingMean(),
        ambiguousMs: -Infinity, appearanceAskedMs: -Infinity, intervalMs: 0, boundMs: timeMs,
      };
      this.tracks.set(key, t);
    }
    const dt = timeMs - t.lastSeenMs;
    // A missed detection doubles one interval; the smaller of the average and this one keeps to the frame rate.
    if (dt > 0) t.intervalMs = t.intervalMs === 0 ? dt : Math.min(dt, 0.8 * t.intervalMs + 0.2 * dt);
    t.history.add(timeMs, obs.positionM);
    t.lastSeenMs = timeMs;
    t.sigmaM = obs.uncertaintyM;
    if (obs.embedding !== undefined) this.addTrackAppearance(t, obs.embedding);
    return t;
  }

  /**
   * Whether an appearance embedding of this track would pay now: a new track until it has `appearanceCrops` of them
   * (one every `appearanceIntervalMs`), or a track whose last assignment had two or more people in reach (at most one
   * every `ambiguousIntervalMs`). Saying yes marks the time; `addAppearance` brings the embedding once it is made.
   */
  wantsAppearance(cameraId: string, trackId: number, timeMs: number): boolean {
    const o = this.options;
    const t = this.tracks.get(`${cameraId}\u0000${trackId}`);
    if (t === undefined) return false;
    const young = t.appearance.count < o.appearanceCrops && timeMs - t.appearanceAskedMs >= o.appearanceIntervalMs;
    const ambiguous = t.ambiguousMs === t.lastSeenMs && timeMs - t.appearanceAskedMs >= o.ambiguousIntervalMs;
    if (!young && !ambiguous) return false;
    t.appearanceAskedMs = timeMs;
    return true;
  }

  /** Adds an embedding made of a camera track (to the track and its person); a track already forgotten is ignored. */
  addAppearance(cameraId: string, trackId: number, embedding: Float32Array): void {
    const t = this.tracks.get(`${cameraId}\u0000${trackId}`);
    if (t !== undefined) this.addTrackAppearance(t, embedding);
  }

  private addTrackAppearance(t: LocalTrack, embedding: Float32Array): void {
    t.appearance.add(embedding);
    if (t.personId !== null) this.persons.get(t.personId)?.appearance.add(embedding);
  }

  private expire(timeMs: number): void {
    const o = this.options;
    for (const t of this.tracks.values()) {
      if (t.lastSeenMs < timeMs - o.trackTimeoutMs) {
        this.unbind(t);
        this.tracks.delete(t.key);
      }
    }
    for (const p of this.persons.values()) {
      if (p.tracks.size === 0 && p.lastSeenMs < timeMs - o.memoryMs) this.persons.delete(p.id);
    }
  }

  private gateM(a: LocalTrack, b: LocalTrack): number {
    return Math.max(this.options.minGateM, this.options.gateSigmas * Math.hypot(a.sigmaM, b.sigmaM));
  }

  /** Seen within `liveMs`, or within two and a half of its camera's frame intervals (one missed detection) at low rates. */
  private isLive(t: LocalTrack, timeMs: number): boolean {
    return t.lastSeenMs >= this.clockOf(t, timeMs) - Math.max(this.options.liveMs, FRAMES_HELD * t.intervalMs);
  }

  /**
   * The time a track is judged at: its camera's newest frame time when that is behind `timeMs` (its frames arrive
   * later), but never more than `CAMERA_SKEW_MS` behind (a camera that stopped sending loses its tracks).
   */
  private clockOf(t: LocalTrack, timeMs: number): number {
    return Math.max(Math.min(this.cameraLatestMs.get(t.cameraId) ?? timeMs, timeMs), timeMs - CAMERA_SKEW_MS);
  }

  /** Present: one of its tracks seen within the presence hold (or two and a half frame intervals of its camera). */
  private isPresent(p: Person, timeMs: number): boolean {
    if (p.lastSeenMs >= timeMs - this.options.presenceHoldMs) return true;
    for (const t of p.tracks) if (t.lastSeenMs >= this.clockOf(t, timeMs) - Math.max(this.options.presenceHoldMs, FRAMES_HELD * t.intervalMs)) return true;
    return false;
  }

  /** Tracks of one person that stood apart over the whole window are taken off it (the one linked last goes). */
  private splitDisagreeing(seen: readonly LocalTrack[], timeMs: number, changes: FusionChange[]): void {
    const o = this.options;
    // Only the people a track was seen of now have new evidence (cameras update one at a time).
    const touched = new Set<Person>();
    for (const t of seen) if (t.personId !== null) touched.add(this.persons.get(t.personId)!);
    for (const p of touched) {
      const live = [...p.tracks].filter((t) => this.isLive(t, timeMs));
      if (live.length < 2) continue;
      let worst: { track: LocalTrack; ratio: number; distanceM: number; samples: number } | null = null;
      for (const t of live) {
        let ratioSum = 0, distSum = 0, samples = 0, others = 0;
        for (const q of live) {
          if (q === t) continue;
          if (q.cameraId === t.cameraId) {
            // Two live tracks of one camera are two people: the later one is split off below.
            ratioSum += o.splitGates * 2;
            others++;
            continue;
          }
          const cp = coPresence(t.history, q.history, o.syncToleranceMs);
          if (cp === null) continue;
          ratioSum += cp.meanDistanceM / this.gateM(t, q);
          distSum += cp.meanDistanceM;
          samples += cp.samples;
          others++;
        }
        if (others === 0) continue;
        const ratio = ratioSum / others;
        const fullWindow = t.history.all().length >= Math.max(o.minCoSamples, 2) && samples >= o.minCoSamples;
        // Of the tracks that stand apart, the one linked last goes (the established link keeps the person's id).
        if (ratio > o.splitGates && fullWindow && (worst === null || t.boundMs > worst.track.boundMs || (t.boundMs === worst.track.boundMs && ratio > worst.ratio))) {
          worst = { track: t, ratio, distanceM: distSum / others, samples };
        }
      }
      if (worst !== null) {
        const from = p.id;
        this.unbind(worst.track);
        changes.push({ kind: 'split', cameraId: worst.track.cameraId, trackId: worst.track.trackId, globalId: from, fromGlobalId: from, evidence: { distanceM: worst.distanceM, samples: worst.samples } });
      }
    }
  }

  /**
   * A track seen now is ambiguous when another person's live track (of another camera) stands within the gate of it:
   * position alone cannot tell them apart, so an embedding pays.
   */
  private markAmbiguous(seen: readonly LocalTrack[], timeMs: number): void {
    const live = [...this.tracks.values()].filter((q) => q.personId !== null && this.isLive(q, timeMs));
    for (const t of seen) {
      if (t.personId === null) continue;
      const here = t.history.latest()!.positionM;
      const other = live.some((q) => q.personId !== t.personId && q.cameraId !== t.cameraId && distanceM(here, q.history.latest()!.positionM) < this.gateM(t, q));
      if (other) t.ambiguousMs = timeMs;
    }
  }

  private unbind(t: LocalTrack): void {
    if (t.personId === null) return;
    this.persons.get(t.personId)?.tracks.delete(t);
    t.personId = null;
  }

  /**
   * One assignment of the movable tracks (no person yet, or their person's only live track) to people; what stays
   * unmatched keeps its person or gets a new one.
   */
  private assign(timeMs: number, changes: FusionChange[]): void {
    const o = this.options;
    const rows: LocalTrack[] = [];
    for (const t of this.tracks.values()) {
      if (!this.isLive(t, timeMs)) continue;
      if (t.personId === null) rows.push(t);
      else {
        const p = this.persons.get(t.personId)!;
        if ([...p.tracks].every((q) => q === t || !this.isLive(q, timeMs))) rows.push(t);
      }
    }
    if (rows.length === 0) return;
    const cols = [...this.persons.values()];
    const evidence: (MatchEvidence | null)[] = new Array(rows.length * cols.length).fill(null);
    const costs = new Float64Array(rows.length * cols.length).fill(Infinity);
    rows.forEach((t, r) => {
      const own = t.personId === null ? null : this.persons.get(t.personId)!;
      let inReach = 0;
      cols.forEach((p, c) => {
        if (p === own) return;
        // Moving a person's only track into a younger person would let two people swap; the younger one moves instead.
        if (own !== null && (p.createdMs > own.createdMs || (p.createdMs === own.createdMs && p.id > own.id))) return;
        const scored = this.cost(t, p, timeMs);
        if (scored === null) return;
        if (scored.cost < 1) inReach++;
        const stayPenalty = own === null || own.provisional ? 0 : 1 - o.stayCost;
        costs[r * cols.length + c] = scored.cost + stayPenalty;
        evidence[r * cols.length + c] = scored.evidence;
      });
      if (inReach >= 2) t.ambiguousMs = timeMs;
    });
    const { matches } = linearAssignment({ rows: rows.length, cols: cols.length, values: costs }, 1);
    const matched = new Set<LocalTrack>();
    const left: Person[] = [];
    for (const [r, c] of matches) {
      const t = rows[r]!, p = cols[c]!;
      const from = t.personId;
      this.unbind(t);
      if (from !== null) left.push(this.persons.get(from)!);
      // A track of the same camera that is no longer live gives way to the one that is.
      for (const q of [...p.tracks]) if (q.cameraId === t.cameraId) this.unbind(q);
      t.personId = p.id;
      t.boundMs = timeMs;
      p.tracks.add(t);
      p.provisional = false;
      const live = [...p.tracks].some((q) => q !== t && this.isLive(q, timeMs));
      changes.push({ kind: live ? 'joined' : 'reentered', cameraId: t.cameraId, trackId: t.trackId, globalId: p.id, fromGlobalId: from, evidence: evidence[r * cols.length + c]! });
      matched.add(t);
    }
    // A provisional person whose only track joined someone else leaves no trace.
    for (const old of left) if (old.provisional && old.tracks.size === 0) this.persons.delete(old.id);
    for (const t of rows) {
      if (t.personId !== null || matched.has(t)) {
        const p = t.personId === null ? undefined : this.persons.get(t.personId);
        if (p !== undefined && p.provisional && timeMs - p.createdMs > o.windowMs) p.provisional = false;
        continue;
      }
      const p: Person = {
        id: this.nextId++, createdMs: timeMs, tracks: new Set([t]), lastSeenMs: t.lastSeenMs,
        lastPositionM: t.history.latest()!.positionM, lastCamera: t.cameraId, appearance: new EmbeddingMean(), provisional: true,
      };
      p.appearance.addMean(t.appearance);
      t.personId = p.id;
      t.boundMs = timeMs;
      this.persons.set(p.id, p);
    }
  }

  /** Normalised cost (below 1 is a match) of giving track `t` to person `p`, with its evidence; null when impossible. */
  private cost(t: LocalTrack, p: Person, timeMs: number): { cost: number; evidence: MatchEvidence } | null {
    const o = this.options;
    const live = [...p.tracks].filter((q) => this.isLive(q, timeMs));
    if (live.some((q) => q.cameraId === t.cameraId)) return null;
    const similarity = t.appearance.count > 0 && p.appearance.count > 0 ? cosineSimilarity(t.appearance.mean(), p.appearance.mean()) : null;
    const appCost = similarity === null ? null : (1 - similarity) / (1 - o.minSimilarity);
    if (live.length > 0) {
      let ratioSum = 0, distSum = 0, samples = 0, n = 0;
      const now = t.history.latest()!.positionM;
      for (const q of live) {
        const gate = this.gateM(t, q);
        // Far apart now: no need to look at the window.
        if (distanceM(now, q.history.latest()!.positionM) > 4 * gate) return null;
        const cp = coPresence(t.history, q.history, o.syncToleranceMs);
        if (cp === null) continue;
        ratioSum += cp.meanDistanceM / gate;
        distSum += cp.meanDistanceM;
        samples += cp.samples;
        n++;
      }
      if (n === 0 || samples < o.minCoSamples) return null;
      const posCost = ratioSum / n;
      const cost = appCost === null ? posCost : (2 * posCost + appCost) / 3;
      return { cost, evidence: { distanceM: distSum / n, samples, ...(similarity === null ? {} : { similarity }) } };
    }
    // Nobody sees the person now: only a track that has just started can be the person coming back.
    if (t.firstSeenMs < timeMs - o.windowMs) return null;
    const gapMs = Math.max(0, t.firstSeenMs - p.lastSeenMs);
    const start = t.history.oldest()!.positionM;
    const d = distanceM(start, p.lastPositionM);
    const reachM = Math.max(o.minGateM, o.gateSigmas * t.sigmaM) + (o.maxSpeedMps * gapMs) / 1000;
    // By position alone only after a short gap; a longer one (within memory) needs the appearance to agree as well.
    if (d < reachM && (gapMs <= o.reentryMs || (appCost !== null && appCost < 1))) {
      const posCost = d / reachM;
      const cost = appCost === null ? posCost : (posCost + appCost) / 2;
      return { cost, evidence: { distanceM: d, gapMs, ...(similarity === null ? {} : { similarity }) } };
    }
    const passage = o.transitions.find((x) => x.fromCamera === p.lastCamera && x.toCamera === t.cameraId);
    if (passage !== undefined && appCost !== null && gapMs >= passage.minGapMs && gapMs <= passage.maxGapMs) {
      return { cost: appCost, evidence: { gapMs, similarity: similarity!, distanceM: d } };
    }
    return null;
  }

  private liveCameras(p: Person, timeMs: number): string[] {
    return [...new Set([...p.tracks].filter((t) => t.lastSeenMs >= this.clockOf(t, timeMs) - Math.max(this.options.presenceHoldMs, FRAMES_HELD * t.intervalMs)).map((t) => t.cameraId))].sort();
  }

  private fusedPosition(p: Person, timeMs: number): Point {
    let sx = 0, sy = 0, sw = 0;
    for (const t of p.tracks) {
      if (!this.isLive(t, timeMs)) continue;
      const s = t.history.latest()!;
      const w = 1 / Math.max(1e-6, t.sigmaM * t.sigmaM);
      sx += w * s.positionM[0];
      sy += w * s.positionM[1];
      sw += w;
    }
    return sw > 0 ? [sx / sw, sy / sw] : p.lastPositionM;
  }
}
