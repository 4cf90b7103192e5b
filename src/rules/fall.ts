/**
 * `fall`: a person falls and stays down. Per person track, over time in milliseconds of frame time (pure):
 *
 * - a fall is a fast drop to the floor: the top of the body goes down by at least `dropRatio` of the body's length (the
 *   box's longer side as it was) within `dropMs`, and the person is then seen lying (`posture.ts`), or no longer
 *   upright with the body's height down by at least `dropRatio` too (a fall towards or away from the camera
 *   foreshortens a lying body into a box that is not wide); or, from a bed or
 *   a sofa, a person lying before and after whose whole body (top and bottom of the box) goes down by at least
 *   `LEVEL_DROP_RATIO` of its length within `dropMs` (lying down on purpose lowers the top, not the bottom);
 * - the event starts once the person has not got up for `downMs` after that (its start is the moment the drop began);
 *   getting up means being seen upright for `getUpMs` in a row, so one odd detection does not end anything;
 * - while down it is updated with the time down, and its severity rises to critical after `criticalAfterMs`;
 * - a person the detector loses while lying keeps the event open (people on the floor are often missed) until they
 *   have been unseen for `unseenEndMs`; a track lost during the fall hands its history to the track that appears in
 *   its place within `HANDOVER_MS`.
 *
 * With keypoints (a pose model as the camera's detector) the posture uses the torso angle; without, the box shape
 * only, and the event says which (`method`). A fall still within its down time when the camera stops or the video
 * ends is reported as a point event at its start with `confirmed: false` (nobody saw the person get up, nor stay down that long).
 */
import type { BoxXyxy, EndReason, EventAttributes, EventSubject, Severity, Track } from '../core/types.ts';
import { DEFAULT_HEARTBEAT_MS } from './episodes.ts';
import { readPosture, type Posture } from './posture.ts';
import { BaseRule, subjectOf, type RuleFrame, type RuleHit, type TrackPose } from './rule.ts';
import { insideFlags, type Anchor, type Zone } from './zones.ts';

/** Settings of one fall rule (times in milliseconds). */
export interface FallRuleSpec {
  readonly id: string;
  readonly severity: Severity;
  readonly zone: Zone;
  readonly labels: readonly string[];
  readonly anchor: Anchor;
  /** Still down this long after the fall: the event starts. */
  readonly downMs: number;
  /** The drop must happen within this time. */
  readonly dropMs: number;
  /** The top of the body must drop by this share of the body's length. */
  readonly dropRatio: number;
  /** Seen upright this long in a row: the person got up (the fall is void, or the event ends). */
  readonly getUpMs: number;
  /** Down this long: the event becomes critical. */
  readonly criticalAfterMs: number;
  /** A person down and not seen for this long: the event ends (`left`). */
  readonly unseenEndMs: number;
}

/** A track that vanished during a fall hands its history to a new track appearing in its place within this time (ms). */
export const HANDOVER_MS = 1000;
/** A lying body whose top and bottom both drop by this share of its length within `dropMs` fell from something. */
export const LEVEL_DROP_RATIO = 0.25;

interface Sample {
  readonly timeMs: number;
  readonly topPx: number;
  readonly heightPx: number;
  readonly bottomPx: number;
  readonly lengthPx: number;
  readonly lying: boolean;
}

interface Fall {
  /** When the drop began (the event's start). */
  readonly startMs: number;
  /** When the person was first seen lying after the drop. */
  readonly fellMs: number;
  subject: EventSubject;
  posture: Posture;
  open: boolean;
  severity: Severity;
  lastReportMs: number;
}

interface Person {
  samples: Sample[];
  lastBox: BoxXyxy;
  lastSeenMs: number;
  method: 'pose' | 'box';
  uprightSinceMs: number | null;
  fall: Fall | null;
}

/** A person falling and staying down. */
export class FallRule extends BaseRule {
  readonly type = 'fall' as const;
  private readonly people = new Map<number, Person>();
  private readonly labels: ReadonlySet<string>;

  constructor(private readonly spec: FallRuleSpec) {
    super(spec.id, spec.severity);
    this.labels = new Set(spec.labels);
  }

  get openEpisodes(): number {
    let n = 0;
    for (const p of this.people.values()) if (p.fall?.open) n++;
    return n;
  }

  protected step(f: RuleFrame): RuleHit[] {
    const hits: RuleHit[] = [];
    const inside = insideFlags(f, this.spec.zone, this.spec.anchor);
    const seen = new Set<number>();
    for (let i = 0; i < f.tracks.length; i++) {
      const t = f.tracks[i]!;
      if (t.state !== 'confirmed' || !t.matched || !this.labels.has(t.label)) continue;
      const known = this.people.get(t.id);
      if (!known && inside[i] === 0) continue; // a fall is watched from where the person is first seen in the zone
      seen.add(t.id);
      const hit = this.observe(t, known ?? this.adopt(t, f.timeMs, seen), f.poses?.get(t.id) ?? null, f.timeMs);
      if (hit) hits.push(hit);
    }
    for (const [id, p] of this.people) {
      const hit = this.advance(id, p, f.timeMs);
      if (hit) hits.push(hit);
    }
    return hits;
  }

  /** The state of a track seen for the first time: the history of a person lost just before at that place, or new. */
  private adopt(t: Track, timeMs: number, seen: ReadonlySet<number>): Person {
    const [cx, cy] = [(t.boxXyxy[0] + t.boxXyxy[2]) / 2, (t.boxXyxy[1] + t.boxXyxy[3]) / 2];
    let best: { id: number; d: number } | null = null;
    for (const [id, p] of this.people) {
      if (seen.has(id) || timeMs - p.lastSeenMs > HANDOVER_MS) continue;
      const b = p.lastBox;
      const reach = 0.75 * Math.max(b[2] - b[0], b[3] - b[1]);
      const d = Math.hypot((b[0] + b[2]) / 2 - cx, (b[1] + b[3]) / 2 - cy);
      if (d <= reach && (!best || d < best.d)) best = { id, d };
    }
    let person: Person;
    if (best) {
      person = this.people.get(best.id)!;
      this.people.delete(best.id);
    } else {
      person = { samples: [], lastBox: t.boxXyxy, lastSeenMs: timeMs, method: 'box', uprightSinceMs: null, fall: null };
    }
    this.people.set(t.id, person);
    return person;
  }

  private observe(t: Track, p: Person, pose: TrackPose | null, timeMs: number): RuleHit | null {
    const box = pose?.boxXyxy ?? t.boxXyxy;
    const reading = readPosture(box, pose?.keypoints ?? null);
    p.lastBox = box;
    p.lastSeenMs = timeMs;
    p.method = pose ? 'pose' : 'box';
    const lengthPx = Math.max(box[2] - box[0], box[3] - box[1]);
    let hit: RuleHit | null = null;
    const from = timeMs - this.spec.dropMs;
    while (p.samples.length > 0 && p.samples[0]!.timeMs < from) p.samples.shift();
    if (!p.fall) {
      const heightPx = box[3] - box[1];
      const r = this.spec.dropRatio;
      if (reading.posture === 'lying' || !reading.upright) {
        const lying = reading.posture === 'lying';
        const drop =
          p.samples.find((s) => box[1] - s.topPx >= r * s.lengthPx && (lying || heightPx <= (1 - r) * s.heightPx)) ??
          (lying ? p.samples.find((s) => s.lying && Math.min(box[1] - s.topPx, box[3] - s.bottomPx) >= LEVEL_DROP_RATIO * s.lengthPx) : undefined);
        if (drop) {
          // The drop began at the last sample still near the highest the body was in the window.
          const highest = Math.min(...p.samples.map((s) => s.topPx));
          let began = drop;
          for (const s of p.samples) if (s.topPx <= highest + 0.1 * s.lengthPx) began = s;
          p.fall = { startMs: Math.max(drop.timeMs, began.timeMs), fellMs: timeMs, subject: subjectOf(t, timeMs), posture: reading.posture, open: false, severity: this.severity, lastReportMs: timeMs };
          p.uprightSinceMs = null;
        }
      }
    } else {
      p.fall.posture = reading.posture;
      if (reading.upright) {
        p.uprightSinceMs ??= timeMs;
        if (timeMs - p.uprightSinceMs >= this.spec.getUpMs) {
          if (p.fall.open) hit = this.endHit(p, p.fall, 'cleared', timeMs);
          p.fall = null;
          p.uprightSinceMs = null;
        }
      } else {
        p.uprightSinceMs = null;
        if (reading.posture === 'lying' && t.score > p.fall.subject.score && !p.fall.open) p.fall.subject = subjectOf(t, timeMs);
      }
    }
    p.samples.push({ timeMs, topPx: box[1], heightPx: box[3] - box[1], bottomPx: box[3], lengthPx, lying: reading.posture === 'lying' });
    return hit;
  }

  /** Opens, updates or ends the fall of one person at `timeMs` (seen in this frame or not). */
  private advance(id: number, p: Person, timeMs: number): RuleHit | null {
    const fall = p.fall;
    if (!fall) {
      if (timeMs - p.lastSeenMs > HANDOVER_MS + this.spec.dropMs) this.people.delete(id);
      return null;
    }
    if (timeMs - p.lastSeenMs > this.spec.unseenEndMs) {
      this.people.delete(id);
      return fall.open ? this.endHit(p, fall, 'left', p.lastSeenMs) : null;
    }
    const downMs = timeMs - fall.fellMs;
    const severity: Severity = downMs >= this.spec.criticalAfterMs ? 'critical' : this.severity;
    if (!fall.open) {
      if (downMs < this.spec.downMs) return null;
      fall.open = true;
      fall.severity = severity;
      fall.lastReportMs = timeMs;
      return this.hit('start', p, fall, timeMs, true);
    }
    if (severity !== fall.severity || timeMs - fall.lastReportMs >= DEFAULT_HEARTBEAT_MS) {
      fall.severity = severity;
      fall.lastReportMs = timeMs;
      return this.hit('update', p, fall, timeMs, false);
    }
    return null;
  }

  private attributes(p: Person, fall: Fall, timeMs: number): EventAttributes {
    return {
      zoneId: this.spec.zone.id,
      posture: fall.posture,
      downSeconds: Math.round((timeMs - fall.fellMs) / 100) / 10,
      method: p.method,
      confirmed: fall.open,
    };
  }

  private hit(kind: 'start' | 'update', p: Person, fall: Fall, timeMs: number, snapshot: boolean): RuleHit {
    return {
      kind, key: String(fall.subject.trackId) + '@' + fall.startMs, startMs: fall.startMs, lastSeenMs: p.lastSeenMs, endMs: null, endReason: null,
      subjects: [fall.subject], attributes: this.attributes(p, fall, timeMs), snapshot, severity: fall.severity,
    };
  }

  /** The end of a fall at `endMs`; its time down counts to `downUntilMs` (default: the end). */
  private endHit(p: Person, fall: Fall, reason: EndReason, endMs: number, downUntilMs = endMs): RuleHit {
    return {
      kind: 'end', key: String(fall.subject.trackId) + '@' + fall.startMs, startMs: fall.startMs, lastSeenMs: p.lastSeenMs, endMs, endReason: reason,
      subjects: [fall.subject], attributes: this.attributes(p, fall, Math.max(downUntilMs, fall.fellMs)), snapshot: false, severity: fall.severity,
    };
  }

  protected endAll(_timeMs: number, reason: EndReason): RuleHit[] {
    const hits: RuleHit[] = [];
    for (const p of this.people.values()) {
      const fall = p.fall;
      if (fall?.open) hits.push(this.endHit(p, fall, reason, p.lastSeenMs));
      // A fall within its down time: a point event at its start, `confirmed: false`.
      else if (fall) hits.push({ ...this.endHit(p, fall, 'instant', fall.startMs, p.lastSeenMs), lastSeenMs: fall.startMs, kind: 'instant' });
      p.fall = null;
    }
    this.people.clear();
    return hits;
  }

  protected clear(): void {
    this.people.clear();
  }
}
