import type { SightEvent } from '../core/types.ts';
import type { ZoneHit } from '../rules/zones.ts';

/** Timing rules of the event lifecycle, in milliseconds. */
export interface LifecycleOptions {
  readonly minDurationMs: number;
  readonly endAfterMs: number;
  readonly cooldownMs: number;
}

/** A change to an event; `snapshot` asks for an image of the current frame (a new best observation). */
export interface EventChange {
  readonly kind: 'start' | 'update' | 'end';
  readonly event: SightEvent;
  readonly snapshot: boolean;
}

interface Entry {
  firstSeenMs: number;
  lastSeenMs: number;
  event: SightEvent | null;
}

/** Minimum score gain that counts as a better observation (avoids a snapshot per frame). */
const BETTER_BY = 0.05;

/**
 * Turns per-frame zone hits into events (pure; ids and time come in from outside): an event starts once a
 * track has been in a zone for `minDurationMs`, is updated when a clearly better observation arrives, and ends
 * when the track has been unseen in the zone for `endAfterMs`. The same track and zone start no new event
 * within `cooldownMs` after an end.
 */
export class EventLifecycle {
  private readonly entries = new Map<string, Entry>();
  private readonly cooldownUntil = new Map<string, number>();

  constructor(
    private readonly cameraId: string,
    private readonly opts: LifecycleOptions,
    private readonly newId: () => string,
  ) {}

  /** Feeds the hits of one frame at `timeMs`; returns the changes, ends first. */
  update(hits: readonly ZoneHit[], timeMs: number): EventChange[] {
    const changes = this.expire(timeMs, false);
    for (const hit of hits) {
      const key = `${hit.trackId}:${hit.zoneId}`;
      const until = this.cooldownUntil.get(key);
      if (until !== undefined) {
        if (timeMs < until) continue;
        this.cooldownUntil.delete(key);
      }
      let entry = this.entries.get(key);
      if (!entry) {
        entry = { firstSeenMs: timeMs, lastSeenMs: timeMs, event: null };
        this.entries.set(key, entry);
      }
      entry.lastSeenMs = timeMs;
      if (!entry.event) {
        if (timeMs - entry.firstSeenMs < this.opts.minDurationMs) continue;
        entry.event = {
          id: this.newId(),
          cameraId: this.cameraId,
          zoneId: hit.zoneId,
          trackId: hit.trackId,
          label: hit.label,
          startMs: entry.firstSeenMs,
          endMs: null,
          bestScore: hit.score,
          bestBoxXyxy: hit.boxXyxy,
          bestTimeMs: timeMs,
          snapshotPath: null,
        };
        changes.push({ kind: 'start', event: entry.event, snapshot: true });
      } else if (hit.score >= entry.event.bestScore + BETTER_BY) {
        entry.event = { ...entry.event, bestScore: hit.score, bestBoxXyxy: hit.boxXyxy, bestTimeMs: timeMs };
        changes.push({ kind: 'update', event: entry.event, snapshot: true });
      }
    }
    return changes;
  }

  /** Records where the snapshot of an event was stored, so later changes carry it. */
  setSnapshot(eventId: string, snapshotPath: string): SightEvent | null {
    for (const entry of this.entries.values()) {
      if (entry.event?.id === eventId) {
        entry.event = { ...entry.event, snapshotPath };
        return entry.event;
      }
    }
    return null;
  }

  /** Ends every open event (camera stopping or video finished) at its last sighting. */
  flush(timeMs: number): EventChange[] {
    return this.expire(timeMs, true);
  }

  /** Number of events in progress. */
  get openEvents(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.event) n++;
    return n;
  }

  private expire(timeMs: number, all: boolean): EventChange[] {
    const changes: EventChange[] = [];
    for (const [key, entry] of this.entries) {
      if (!all && timeMs - entry.lastSeenMs <= this.opts.endAfterMs) continue;
      this.entries.delete(key);
      if (!entry.event) continue;
      changes.push({ kind: 'end', event: { ...entry.event, endMs: entry.lastSeenMs }, snapshot: false });
      if (this.opts.cooldownMs > 0) this.cooldownUntil.set(key, timeMs + this.opts.cooldownMs);
    }
    for (const [key, until] of this.cooldownUntil) if (until <= timeMs) this.cooldownUntil.delete(key);
    return changes;
  }
}
