/**
 * What the condition rules share on top of `BaseRule`: their episodes (open count, ending, forgetting), and for the
 * rules whose episodes are single tracks in a zone (presence, dwell), the walk over the frame's tracks. Pure.
 */
import type { EndReason, Severity, Track } from '../core/types.ts';
import { Episodes, type EpisodeTiming, type EpisodeView } from './episodes.ts';
import { BaseRule, type RuleFrame, type RuleHit } from './rule.ts';
import { insideFlags, type Anchor, type Zone } from './zones.ts';

/** A rule whose state is a set of episodes (plus what `clear` is given to forget). */
export abstract class EpisodeRule<P> extends BaseRule {
  protected abstract readonly episodes: Episodes<P>;

  get openEpisodes(): number {
    return this.episodes.open;
  }

  protected endAll(_timeMs: number, reason: EndReason): RuleHit[] {
    return this.episodes.endAll(reason);
  }

  protected clear(): void {
    this.episodes.clear();
  }
}

/** Where a zone rule looks and what it counts. */
export interface ZoneRuleSpec {
  readonly id: string;
  readonly severity: Severity;
  readonly zone: Zone;
  readonly labels: readonly string[];
  readonly anchor: Anchor;
}

/** One episode per confirmed track of a listed label inside the zone; the subclass gives the timing and the view. */
export abstract class TrackInZoneRule extends EpisodeRule<Track> {
  protected readonly episodes: Episodes<Track>;
  private readonly labels: ReadonlySet<string>;

  constructor(
    private readonly where: ZoneRuleSpec,
    timing: EpisodeTiming,
    view: EpisodeView<Track>,
  ) {
    super(where.id, where.severity);
    this.labels = new Set(where.labels);
    this.episodes = new Episodes<Track>(timing, 'left', view);
  }

  protected step(f: RuleFrame): RuleHit[] {
    const hits = this.episodes.expire(f.timeMs);
    const inside = insideFlags(f, this.where.zone, this.where.anchor);
    for (let i = 0; i < f.tracks.length; i++) {
      const t = f.tracks[i]!;
      if (inside[i] === 0 || t.state !== 'confirmed' || !this.labels.has(t.label)) continue;
      const hit = this.episodes.observe(t.id, f.timeMs, t.score, t);
      if (hit) hits.push(hit);
    }
    return hits;
  }
}
