/**
 * `line`: directed crossings of a counting line (people through a doorway, cars into a car park), with `in` and `out`
 * counts. Each crossing is an event that starts and ends at once (`emit: event`), or only a count (`emit: count`: the
 * counts still go to the analytics series and the metrics). Crossing detection and what it withstands:
 * `line-crossing.ts`.
 */
import type { EndReason, Severity } from '../core/types.ts';
import { DEFAULT_CROSSING_OPTIONS, LineCrossingDetector, type Crossing, type CrossingOptions, type LineSpec } from './line-crossing.ts';
import { BaseRule, subjectOf, type RuleFrame, type RuleHit } from './rule.ts';

/** Settings of one line rule. */
export interface LineRuleSpec {
  readonly id: string;
  readonly severity: Severity;
  readonly line: LineSpec;
  readonly labels: readonly string[];
  /** `event`: one event per crossing; `count`: counts only. */
  readonly emit: 'event' | 'count';
  readonly crossing?: Partial<CrossingOptions>;
}

/** Counts crossings of a line in each direction. */
export class LineRule extends BaseRule {
  readonly type = 'line' as const;
  private readonly detector: LineCrossingDetector;
  private countIn = 0;
  private countOut = 0;
  private serial = 0;
  /** Crossings of the last frame (for tests and the analytics tap). */
  lastCrossings: readonly Crossing[] = [];

  constructor(private readonly spec: LineRuleSpec) {
    super(spec.id, spec.severity);
    this.detector = new LineCrossingDetector(spec.line, spec.labels, { ...DEFAULT_CROSSING_OPTIONS, ...spec.crossing });
  }

  /**
   * Whether this rule sees every crossing of `lineId` by any of `labels` with the default anchor, so its crossings can
   * stand for that line's count (the engine then runs no second detector for it).
   */
  countsAllOf(lineId: string, labels: readonly string[]): boolean {
    const o = this.detector.options;
    const defaults = Object.entries(DEFAULT_CROSSING_OPTIONS) as [keyof CrossingOptions, unknown][];
    return this.spec.line.id === lineId && defaults.every(([k, v]) => o[k] === v) && labels.every((l) => this.spec.labels.includes(l));
  }

  /** Crossings counted since the rule started (or was reset). */
  get counts(): { in: number; out: number } {
    return { in: this.countIn, out: this.countOut };
  }

  get openEpisodes(): number {
    return 0;
  }

  protected step(f: RuleFrame): RuleHit[] {
    const crossings = this.detector.update(f);
    this.lastCrossings = crossings;
    const hits: RuleHit[] = [];
    for (const c of crossings) {
      if (c.direction === 'in') this.countIn++;
      else this.countOut++;
      this.serial++;
      if (this.spec.emit !== 'event') continue;
      hits.push({
        kind: 'instant', key: `${c.trackId}:${this.serial}`, startMs: f.timeMs, lastSeenMs: f.timeMs, endMs: f.timeMs, endReason: 'instant',
        subjects: [subjectOf(c.track, f.timeMs)],
        attributes: { lineId: this.spec.line.id, direction: c.direction, countIn: this.countIn, countOut: this.countOut },
        snapshot: true,
      });
    }
    return hits;
  }

  protected endAll(_timeMs: number, _reason: EndReason): RuleHit[] {
    return [];
  }

  protected clear(): void {
    this.detector.clear();
    this.lastCrossings = [];
    this.countIn = 0;
    this.countOut = 0;
    this.serial = 0;
  }
}
