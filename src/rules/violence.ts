/**
 * `violence`: a fight, judged by a clip classifier on the camera's recent frames and controlled by what the tracks
 * show (pure). The model alone is not trusted: it runs only while the gate is open (at least two people close
 * together, one of them moving fast), its window scores are smoothed, and the event needs the smoothed score above
 * `threshold` for `minMs` of video. The camera's clip stage (pipeline/clip-stage.ts) reads `gateOpen` after each frame
 * to decide whether to keep frames and classify; the scores come back in a later frame's `clipScores`.
 */
import type { BoxXyxy, EndReason, EventSubject, Severity, Track } from '../core/types.ts';
import { DEFAULT_HEARTBEAT_MS } from './episodes.ts';
import { BaseRule, subjectOf, type ClipWindowScore, type RuleFrame, type RuleHit } from './rule.ts';
import { insideFlags, type Anchor, type Zone } from './zones.ts';

/** Settings of one violence rule (times in milliseconds). */
export interface ViolenceRuleSpec {
  readonly id: string;
  readonly severity: Severity;
  readonly zone: Zone;
  readonly labels: readonly string[];
  readonly anchor: Anchor;
  /** Smoothed fight probability at or above which a fight is going on. */
  readonly threshold: number;
  /** The smoothed score must stay at or above the threshold over this much video (window starts to window ends). */
  readonly minMs: number;
  /** Weight of a new window score in the smoothed score (exponential smoothing; 1 = no smoothing). */
  readonly smoothing: number;
  /** People moving at least this many of their heights per second (box centre and size changes) count as fast. */
  readonly minSpeedHeightsPerS: number;
  /** The gate stays open this long after its condition last held, so the window in progress can finish. */
  readonly gateHoldMs: number;
  /** The event ends once the smoothed score has stayed below the threshold (or no window came) for this long. */
  readonly endAfterMs: number;
}

/** How far back a person's motion is measured (ms). */
const MOTION_SPAN_MS = 500;
/** A person's box change is measured over steps at least this long (ms), so 30 frames/s do not add more jitter than 10. */
const SPEED_STEP_MS = 100;
/** Two people are close when the horizontal gap between their boxes is at most this share of their mean height. */
const CLOSE_GAP_RATIO = 0.25;

interface Sample {
  readonly timeMs: number;
  readonly box: BoxXyxy;
}

/** A fight seen by a clip classifier, gated by the people in the picture. */
export class ViolenceRule extends BaseRule {
  readonly type = 'violence' as const;
  private readonly labels: ReadonlySet<string>;
  private readonly history = new Map<number, Sample[]>();
  private gateUntilMs = -Infinity;
  private smoothed: number | null = null;
  private peak = 0;
  private runStartMs: number | null = null;
  private runFirstEndMs: number | null = null;
  private lastAboveMs = -Infinity;
  private event: { startMs: number; subjects: EventSubject[]; lastReportMs: number; reportedScore: number } | null = null;
  private gatePeople: EventSubject[] = [];
  private lastFrameMs = -Infinity;

  constructor(private readonly spec: ViolenceRuleSpec) {
    super(spec.id, spec.severity);
    this.labels = new Set(spec.labels);
  }

  /** Whether the clip stage should keep frames and classify (after the frame last evaluated). */
  get gateOpen(): boolean {
    return this.lastFrameMs <= this.gateUntilMs;
  }

  get openEpisodes(): number {
    return this.event ? 1 : 0;
  }

  protected step(f: RuleFrame): RuleHit[] {
    this.lastFrameMs = f.timeMs;
    const people = this.people(f);
    const close = this.closeAndFast(people);
    if (close) {
      this.gateUntilMs = f.timeMs + this.spec.gateHoldMs;
      this.gatePeople = close.map((t) => subjectOf(t, f.timeMs));
    }
    const hits: RuleHit[] = [];
    for (const w of f.clipScores ?? []) {
      const hit = this.window(w, f.timeMs);
      if (hit) hits.push(hit);
    }
    if (this.event && f.timeMs - this.lastAboveMs > this.spec.endAfterMs) {
      hits.push(this.end('cleared', this.lastAboveMs));
    }
    if (!this.gateOpen && !this.event) {
      this.smoothed = null; // a new gate opening starts from the next window's score
      this.runStartMs = this.runFirstEndMs = null;
    }
    return hits;
  }

  /** Confirmed, matched people in the zone; their box history is kept for speed. */
  private people(f: RuleFrame): Track[] {
    const inside = insideFlags(f, this.spec.zone, this.spec.anchor);
    const out: Track[] = [];
    f.tracks.forEach((t, i) => {
      if (t.state !== 'confirmed' || !t.matched || !this.labels.has(t.label) || inside[i] === 0) return;
      out.push(t);
      const h = this.history.get(t.id) ?? [];
      h.push({ timeMs: f.timeMs, box: t.boxXyxy });
      while (h.length > 1 && f.timeMs - h[0]!.timeMs > MOTION_SPAN_MS) h.shift();
      this.history.set(t.id, h);
    });
    for (const [id, h] of this.history) if (f.timeMs - h[h.length - 1]!.timeMs > MOTION_SPAN_MS) this.history.delete(id);
    return out;
  }

  /** How fast a person's box moves and changes shape, in heights per second (null before enough history). */
  private speed(t: Track): number | null {
    const h = this.history.get(t.id);
    if (!h || h.length < 2) return null;
    const spanS = (h[h.length - 1]!.timeMs - h[0]!.timeMs) / 1000;
    if (spanS < MOTION_SPAN_MS / 2000) return null;
    // Box changes summed over steps of at least SPEED_STEP_MS, so the measure does not grow with the frame rate.
    let change = 0;
    let a = h[0]!;
    for (let k = 1; k < h.length; k++) {
      const b = h[k]!;
      if (b.timeMs - a.timeMs < SPEED_STEP_MS && k < h.length - 1) continue;
      change += Math.abs(b.box[0] - a.box[0]) + Math.abs(b.box[1] - a.box[1]) + Math.abs(b.box[2] - a.box[2]) + Math.abs(b.box[3] - a.box[3]);
      a = b;
    }
    const height = t.boxXyxy[3] - t.boxXyxy[1];
    return change / 2 / Math.max(1, height) / spanS;
  }

  /** A pair of people close together, one of them moving fast; null if none. */
  private closeAndFast(people: readonly Track[]): [Track, Track] | null {
    for (let i = 0; i < people.length; i++) {
      for (let j = i + 1; j < people.length; j++) {
        const [a, b] = [people[i]!.boxXyxy, people[j]!.boxXyxy];
        const ha = a[3] - a[1], hb = b[3] - b[1];
        const gap = Math.max(0, Math.max(a[0], b[0]) - Math.min(a[2], b[2]));
        const overlapY = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
        if (gap > CLOSE_GAP_RATIO * ((ha + hb) / 2) || overlapY < 0.5 * Math.min(ha, hb)) continue;
        const fastest = Math.max(this.speed(people[i]!) ?? 0, this.speed(people[j]!) ?? 0);
        if (fastest >= this.spec.minSpeedHeightsPerS) return [people[i]!, people[j]!];
      }
    }
    return null;
  }

  /** A window's score: smooth it, and start, update or keep the event. */
  private window(w: ClipWindowScore, timeMs: number): RuleHit | null {
    if (!this.gateOpen && !this.event) return null; // frames from before the gate closed: nobody to attribute it to
    if (!Number.isFinite(w.score)) return null; // a broken model output is no evidence either way
    const score = Math.min(1, Math.max(0, w.score));
    const a = this.spec.smoothing;
    this.smoothed = this.smoothed === null ? score : a * score + (1 - a) * this.smoothed;
    if (!(this.smoothed >= this.spec.threshold)) {
      if (!this.event) this.runStartMs = this.runFirstEndMs = null;
      return null;
    }
    if (this.event) this.peak = Math.max(this.peak, this.smoothed);
    this.lastAboveMs = timeMs;
    // Window times come from the stage; never later than the frame that delivers them. The run is held from the end
    // of its first window, so one window alone (however long) never raises a fight.
    const endMs = Math.min(w.endMs, timeMs);
    this.runStartMs ??= Math.min(w.startMs, timeMs);
    this.runFirstEndMs ??= endMs;
    if (!this.event) {
      if (endMs - this.runFirstEndMs < this.spec.minMs) return null;
      this.peak = this.smoothed;
      this.event = { startMs: this.runStartMs, subjects: this.gatePeople, lastReportMs: timeMs, reportedScore: this.smoothed };
      return this.hit('start', timeMs, true);
    }
    if (Math.abs(this.smoothed - this.event.reportedScore) >= 0.1 || timeMs - this.event.lastReportMs >= DEFAULT_HEARTBEAT_MS) {
      this.event.lastReportMs = timeMs;
      this.event.reportedScore = this.smoothed;
      return this.hit('update', timeMs, false);
    }
    return null;
  }

  private attributes(): Record<string, number | string> {
    return { zoneId: this.spec.zone.id, score: Math.round((this.smoothed ?? 0) * 1000) / 1000, peakScore: Math.round(this.peak * 1000) / 1000 };
  }

  private hit(kind: 'start' | 'update', _timeMs: number, snapshot: boolean): RuleHit {
    const e = this.event!;
    return { kind, key: String(e.startMs), startMs: e.startMs, lastSeenMs: Math.max(this.lastAboveMs, e.startMs), endMs: null, endReason: null, subjects: e.subjects, attributes: this.attributes(), snapshot };
  }

  private end(reason: EndReason, endMs: number): RuleHit {
    const e = this.event!;
    const attributes = this.attributes();
    this.event = null;
    this.peak = 0;
    this.runStartMs = this.runFirstEndMs = null;
    const at = Math.max(endMs, e.startMs);
    return { kind: 'end', key: String(e.startMs), startMs: e.startMs, lastSeenMs: at, endMs: at, endReason: reason, subjects: e.subjects, attributes, snapshot: false };
  }

  protected endAll(timeMs: number, reason: EndReason): RuleHit[] {
    return this.event ? [this.end(reason, Math.min(timeMs, this.lastAboveMs))] : [];
  }

  protected clear(): void {
    this.history.clear();
    this.gateUntilMs = -Infinity;
    this.smoothed = null;
    this.peak = 0;
    this.runStartMs = this.runFirstEndMs = null;
    this.lastAboveMs = -Infinity;
    this.event = null;
    this.gatePeople = [];
    this.lastFrameMs = -Infinity;
  }
}
