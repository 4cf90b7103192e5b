/**
 * The timing every condition rule shares (presence, dwell, occupancy): a keyed condition becomes an episode once it has
 * held for a minimum time, is updated when it is seen better or its values change meaningfully (and, while nothing
 * changes, every `heartbeatMs` so its last sighting is kept for crash recovery), ends when unseen for `endAfterMs`,
 * and the same key starts nothing new for `cooldownMs` after an end. Pure: time comes in as an argument.
 */
import type { EndReason, EventAttributes, EventSubject } from '../core/types.ts';
import type { RuleHit } from './rule.ts';

/** Timing of a rule's episodes, in milliseconds of frame time. */
export interface EpisodeTiming {
  /** The condition must hold this long (gaps up to `endAfterMs` allowed) before the episode starts. */
  readonly minDurationMs: number;
  /** An episode ends once its condition has not been seen for longer than this. */
  readonly endAfterMs: number;
  /** After an episode ends, its key starts no new one for this long. */
  readonly cooldownMs: number;
  /** An open episode with nothing new is updated this often, so its last sighting is stored. */
  readonly heartbeatMs: number;
}

/** Default heartbeat: an open event's last sighting is at most this old in the store (ms). */
export const DEFAULT_HEARTBEAT_MS = 5000;

/** What a rule saw of one key in one frame. */
export interface Observation {
  readonly subjects: readonly EventSubject[];
  readonly attributes: EventAttributes;
  /** How good a picture of the episode this frame is (e.g. the best detection score, 0..1). */
  readonly quality: number;
}

/** Minimum quality gain that counts as a better observation (avoids a snapshot per frame). */
const BETTER_BY = 0.05;

interface Entry {
  readonly firstSeenMs: number;
  lastSeenMs: number;
  open: boolean;
  lastReportMs: number;
  reportedAttributes: EventAttributes;
  best: Observation;
  current: Observation;
}

/** The episodes of one rule, by key. */
export class Episodes {
  private readonly entries = new Map<string, Entry>();
  private readonly cooldownUntil = new Map<string, number>();

  /**
   * `endReason` is what a normal end means for this rule (`left` or `cleared`); `changed` says whether values moved
   * enough since the last report to be worth an update (default: any attribute differs).
   */
  constructor(
    private readonly timing: EpisodeTiming,
    private readonly endReason: EndReason,
    private readonly changed: (reported: EventAttributes, now: EventAttributes) => boolean = attributesDiffer,
  ) {}

  /** The condition of `key` holds at `timeMs`; returns the hit it causes, if any. */
  observe(key: string, timeMs: number, obs: Observation): RuleHit | null {
    const until = this.cooldownUntil.get(key);
    if (until !== undefined) {
      if (timeMs < until) return null;
      this.cooldownUntil.delete(key);
    }
    let e = this.entries.get(key);
    if (!e) {
      e = { firstSeenMs: timeMs, lastSeenMs: timeMs, open: false, lastReportMs: timeMs, reportedAttributes: obs.attributes, best: obs, current: obs };
      this.entries.set(key, e);
    }
    e.lastSeenMs = timeMs;
    e.current = obs;
    if (!e.open) {
      if (timeMs - e.firstSeenMs < this.timing.minDurationMs) return null;
      e.open = true;
      e.best = obs;
      return this.report(key, e, 'start', timeMs, true);
    }
    if (obs.quality >= e.best.quality + BETTER_BY) {
      e.best = obs;
      return this.report(key, e, 'update', timeMs, true);
    }
    if (this.changed(e.reportedAttributes, obs.attributes) || timeMs - e.lastReportMs >= this.timing.heartbeatMs) {
      return this.report(key, e, 'update', timeMs, false);
    }
    return null;
  }

  /** Ends the episodes (and forgets the pending conditions) not seen for longer than `endAfterMs` at `timeMs`. */
  expire(timeMs: number): RuleHit[] {
    const hits: RuleHit[] = [];
    for (const [key, e] of this.entries) {
      if (timeMs - e.lastSeenMs <= this.timing.endAfterMs) continue;
      this.entries.delete(key);
      if (!e.open) continue;
      hits.push(endHit(key, e, e.lastSeenMs, this.endReason));
      if (this.timing.cooldownMs > 0) this.cooldownUntil.set(key, timeMs + this.timing.cooldownMs);
    }
    for (const [key, until] of this.cooldownUntil) if (until <= timeMs) this.cooldownUntil.delete(key);
    return hits;
  }

  /** Ends every open episode at its last sighting with `reason`, and forgets pending conditions. */
  endAll(reason: EndReason): RuleHit[] {
    const hits: RuleHit[] = [];
    for (const [key, e] of this.entries) if (e.open) hits.push(endHit(key, e, e.lastSeenMs, reason));
    this.entries.clear();
    return hits;
  }

  /** Forgets everything, cooldowns included. */
  clear(): void {
    this.entries.clear();
    this.cooldownUntil.clear();
  }

  /** Episodes in progress. */
  get open(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.open) n++;
    return n;
  }

  /** Keys whose condition was seen, open or not yet (for rules that need to know what they follow). */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  private report(key: string, e: Entry, kind: 'start' | 'update', timeMs: number, snapshot: boolean): RuleHit {
    e.lastReportMs = timeMs;
    e.reportedAttributes = e.current.attributes;
    return {
      kind, key, startMs: e.firstSeenMs, lastSeenMs: e.lastSeenMs, endMs: null, endReason: null,
      subjects: e.best.subjects, attributes: e.current.attributes, snapshot,
    };
  }
}

function endHit(key: string, e: Entry, endMs: number, reason: EndReason): RuleHit {
  return {
    kind: 'end', key, startMs: e.firstSeenMs, lastSeenMs: e.lastSeenMs, endMs, endReason: reason,
    subjects: e.best.subjects, attributes: e.current.attributes, snapshot: false,
  };
}

/** True when any attribute has another value. */
export function attributesDiffer(a: EventAttributes, b: EventAttributes): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (a[k] !== b[k]) return true;
  return false;
}
