/**
 * Turns rule hits into versioned events (pure; ids come in from outside): a `start` hit opens an event with a new id,
 * `update` hits make new versions of it, an `end` hit closes it, and an `instant` hit is a whole event in one version.
 * Every version carries the frame it came from; `latencyMs` and `snapshotPath` are filled where the event is stored.
 */
import { EVENT_SCHEMA_VERSION, type SightEvent } from '../core/types.ts';
import type { RuleHitOf } from '../rules/engine.ts';
import type { RuleHit } from '../rules/rule.ts';

/** One version of an event to store and publish; `snapshot` asks for a picture of the frame that produced it. */
export interface EventChange {
  /** `instant`: an event that started and ended in this frame (a line crossing); filters for start or end match it. */
  readonly kind: 'start' | 'update' | 'end' | 'instant';
  readonly event: SightEvent;
  readonly snapshot: boolean;
}

/** The open events of one camera. */
export class EventBook {
  private readonly open = new Map<string, SightEvent>();

  /**
   * `cameraId`: the camera of every event, or (site rules: people seen by several cameras) the camera of the event a
   * `start` or `instant` hit opens; later versions keep it.
   */
  constructor(
    private readonly cameraId: string | ((hit: RuleHit) => string),
    private readonly newId: () => string,
  ) {}

  /** The events changed by one frame's hits, in hit order; `frameIndex` null: not one camera's frame (site rules). */
  apply(hits: readonly RuleHitOf[], frameIndex: number | null): EventChange[] {
    const changes: EventChange[] = [];
    for (const { rule, hit } of hits) {
      const key = `${rule.id}\u0000${hit.key}`;
      const fields = {
        lastSeenMs: hit.lastSeenMs, subjects: hit.subjects, attributes: hit.attributes, frameIndex,
        ...(hit.severity ? { severity: hit.severity } : {}),
      };
      if (hit.kind === 'start' || hit.kind === 'instant') {
        const event: SightEvent = {
          schema: EVENT_SCHEMA_VERSION, id: this.newId(), type: rule.type, severity: rule.severity, cameraId: typeof this.cameraId === 'string' ? this.cameraId : this.cameraId(hit), ruleId: rule.id,
          startMs: hit.startMs, endMs: hit.endMs, endReason: hit.endReason, latencyMs: null, snapshotPath: null, keep: false, ...fields,
        };
        if (hit.kind === 'start') this.open.set(key, event);
        changes.push({ kind: hit.kind, event, snapshot: hit.snapshot });
        continue;
      }
      const previous = this.open.get(key);
      if (!previous) continue; // an update or end of an episode this book never saw start (cannot happen for a well-behaved rule)
      const event: SightEvent = { ...previous, ...fields, ...(hit.kind === 'end' ? { endMs: hit.endMs, endReason: hit.endReason } : {}) };
      if (hit.kind === 'end') this.open.delete(key);
      else this.open.set(key, event);
      changes.push({ kind: hit.kind, event, snapshot: hit.snapshot });
    }
    return changes;
  }

  /** Records where the snapshot of an open event was stored, so its later versions carry it. */
  setSnapshot(eventId: string, snapshotPath: string): void {
    for (const [key, e] of this.open) if (e.id === eventId) this.open.set(key, { ...e, snapshotPath });
  }

  /** Events in progress. */
  get openEvents(): number {
    return this.open.size;
  }
}
