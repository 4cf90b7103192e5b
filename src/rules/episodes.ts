/**
 * The timing every condition rule shares (presence, dwell, occupancy): a keyed condition becomes an episode once it has
 * held for a minimum time, is updated when it is seen better or its values change meaningfully (and, while nothing
 * changes, every `heartbeatMs` so its last sighting is kept for crash recovery), ends when unseen for `endAfterMs`,
 * and the same key starts nothing new for `cooldownMs` after an end. Pure: time comes in as an argument.
 *
 * A rule observes each key with a payload of its own (a track, a frame); subjects and attributes are built from the
 * payload only when an episode is reported, so the frames in which nothing changes allocate nothing (a camera with
 * 50 rules and 100 tracks runs this 5,000 times a frame).
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

/** How a rule turns its payload into what an event carries. */
export interface EpisodeView<P> {
  /** The objects of the episode in the frame of `payload` (called for the start and for a new best observation). */
  subjects(payload: P, timeMs: number): readonly EventSubject[];
  /** The event's attributes given the payload and the episode's first and last sighting (ms). */
  attributes(payload: P, firstSeenMs: number, lastSeenMs: number): EventAttributes;
  /** Whether the values moved enough since the last report to be worth an update (default: never; heartbeats only). */
  changed?(reported: EventAttributes, payload: P, firstSeenMs: number, lastSeenMs: number): boolean;
}

/** Minimum quality gain that counts as a better observation (avoids a snapshot per frame). */
const BETTER_BY = 0.05;
/**
 * A better observation is taken at most this often after the last snapshot (ms): a track whose score climbs for its
 * first second would otherwise cost a JPEG encoding every frame; the best of what follows is taken then.
 */
export const MIN_SNAPSHOT_INTERVAL_MS = 1000;

interface Entry<P> {
  readonly firstSeenMs: number;
  lastSeenMs: number;
  open: boolean;
  lastReportMs: number;
  lastSnapshotMs: number;
  reported: EventAttributes | null;
  /** Quality and subjects of the best observation reported (the one in the snapshot). */
  bestQuality: number;
  bestSubjects: readonly EventSubject[];
  /** The newest payload. */
  payload: P;
}

/** The episodes of one rule, by key (a track id, a zone id). */
export class Episodes<P> {
  private readonly entries = new Map<string | number, Entry<P>>();
  private readonly cooldownUntil = new Map<string | number, number>();

  /** `endReason` is what a normal end means for this rule (`left` or `cleared`). */
  constructor(
    private readonly timing: EpisodeTiming,
    private readonly endReason: EndReason,
    private readonly view: EpisodeView<P>,
  ) {}

  /**
   * The condition of `key` holds at `timeMs`, seen with `payload`; `quality` is how good a picture of the episode this
   * frame is (e.g. the best detection score). Returns the hit it causes, if any.
   */
  observe(key: string | number, timeMs: number, quality: number, payload: P): RuleHit | null {
    const until = this.cooldownUntil.get(key);
    if (until !== undefined) {
      if (timeMs < until) return null;
      this.cooldownUntil.delete(key);
    }
    let e = this.entries.get(key);
    if (!e) {
      e = {
        firstSeenMs: timeMs, lastSeenMs: timeMs, open: false, lastReportMs: timeMs, lastSnapshotMs: timeMs, reported: null,
        bestQuality: quality, bestSubjects: [], payload,
      };
      this.entries.set(key, e);
    }
    e.lastSeenMs = timeMs;
    e.payload = payload;
    if (!e.open) {
      if (timeMs - e.firstSeenMs < this.timing.minDurationMs) return null;
      e.open = true;
      e.bestQuality = quality;
      e.bestSubjects = this.view.subjects(payload, timeMs);
      e.lastSnapshotMs = timeMs;
      return this.report(key, e, 'start', timeMs, true);
    }
    if (quality >= e.bestQuality + BETTER_BY && timeMs - e.lastSnapshotMs >= MIN_SNAPSHOT_INTERVAL_MS) {
      e.bestQuality = quality;
      e.bestSubjects = this.view.subjects(payload, timeMs);
      e.lastSnapshotMs = timeMs;
      return this.report(key, e, 'update', timeMs, true);
    }
    const changed = this.view.changed?.(e.reported!, payload, e.firstSeenMs, timeMs) ?? false;
    if (changed || timeMs - e.lastReportMs >= this.timing.heartbeatMs) return this.report(key, e, 'update', timeMs, false);
    return null;
  }

  /** Ends the episodes (and forgets the pending conditions) not seen for longer than `endAfterMs` at `timeMs`. */
  expire(timeMs: number): RuleHit[] {
    const hits: RuleHit[] = [];
    // forEach rather than for-of over entries: no [key, value] pair allocated per episode, every frame.
    this.entries.forEach((e, key, entries) => {
      if (timeMs - e.lastSeenMs <= this.timing.endAfterMs) return;
      entries.delete(key);
      if (!e.open) return;
      hits.push(this.endHit(key, e, this.endReason));
      if (this.timing.cooldownMs > 0) this.cooldownUntil.set(key, timeMs + this.timing.cooldownMs);
    });
    this.cooldownUntil.forEach((until, key, cooldowns) => {
      if (until <= timeMs) cooldowns.delete(key);
    });
    return hits;
  }

  /** Ends every open episode at its last sighting with `reason`, and forgets pending conditions. */
  endAll(reason: EndReason): RuleHit[] {
    const hits: RuleHit[] = [];
    for (const [key, e] of this.entries) if (e.open) hits.push(this.endHit(key, e, reason));
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

  private report(key: string | number, e: Entry<P>, kind: 'start' | 'update', timeMs: number, snapshot: boolean): RuleHit {
    e.lastReportMs = timeMs;
    const attributes = this.view.attributes(e.payload, e.firstSeenMs, e.lastSeenMs);
    e.reported = attributes;
    return {
      kind, key: String(key), startMs: e.firstSeenMs, lastSeenMs: e.lastSeenMs, endMs: null, endReason: null,
      subjects: e.bestSubjects, attributes, snapshot,
    };
  }

  private endHit(key: string | number, e: Entry<P>, reason: EndReason): RuleHit {
    return {
      kind: 'end', key: String(key), startMs: e.firstSeenMs, lastSeenMs: e.lastSeenMs, endMs: e.lastSeenMs, endReason: reason,
      subjects: e.bestSubjects, attributes: this.view.attributes(e.payload, e.firstSeenMs, e.lastSeenMs), snapshot: false,
    };
  }
}
