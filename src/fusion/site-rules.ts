/**
 * Rules on the floor plan: presence, dwell, occupancy and line crossing watched over the site's people (global ids,
 * plan positions), so an area's count is the number of distinct people in it whatever cameras see them, and a person
 * walking from one camera's view into another's stays one episode. Pure: time comes with every call.
 *
 * The camera rules (`rules/`) run unchanged on a "plan frame": the plan is the frame (its size in metres), each person
 * a standing body 1.7 m tall whose feet are at their plan position, areas and lines in fractions of the plan. So the
 * timing, cooldowns, crossing bands (a tenth of the body height: 17 cm) and hand-overs are the camera rules' own, in
 * metres where the camera rules work in pixels. Events come out through the same `EventBook` as a camera's: their
 * subjects are the person's track on the camera that sees them best (`cameraId` on the subject, `globalId` beside
 * it), the event's camera is that camera at the start (its snapshot and clip), and attributes name the plan.
 */
import type { BoxXyxy, EventSubject, Track } from '../core/types.ts';
import type { SiteRuleConfig } from '../config/site-rules-schema.ts';
import { EventBook, type EventChange } from '../events/event-book.ts';
import { DwellRule } from '../rules/dwell.ts';
import type { RuleHitOf } from '../rules/engine.ts';
import { LineRule } from '../rules/line.ts';
import { OccupancyRule } from '../rules/occupancy.ts';
import { PresenceRule } from '../rules/presence.ts';
import type { Rule, RuleFrame, RuleHit } from '../rules/rule.ts';
import type { SiteMap } from '../mapping/site-map.ts';

/** A person on a plan, as the site fusion reports them. */
export interface PlanPerson {
  readonly globalId: number;
  readonly plan: string;
  readonly positionM: readonly [number, number];
}

/** A camera's track of a person, as last seen. */
export interface CameraSighting {
  readonly cameraId: string;
  readonly trackId: number;
  readonly label: string;
  readonly score: number;
  readonly boxXyxy: BoxXyxy;
  readonly timeMs: number;
}

/** Height of the body a person stands for on the plan (m): the crossing band and hand-over radius scale with it. */
export const PLAN_BODY_HEIGHT_M = 1.7;
/** Its width (m); only the feet (bottom centre) are read. */
const PLAN_BODY_WIDTH_M = 0.5;
/** Smallest half-width of a plan line's dead band (m): the camera rule's 2 px floor read as metres would be 2 m. */
const PLAN_MIN_BAND_M = 0.05;

/** A rule's hit and the plan it watches. */
interface PlanHit extends RuleHitOf {
  readonly plan: string;
}

interface PlanRule {
  readonly config: SiteRuleConfig;
  readonly plan: string;
  readonly rule: Rule;
  /** Equal keys: same behaviour (rule, its area or line, the plan's size), so its state survives a configuration change. */
  readonly key: string;
}

/** Runs the site's rules over the people on its plans. */
export class SiteRules {
  private rules: PlanRule[] = [];
  private readonly book: EventBook;
  /** The camera of each open episode (`ruleId\0key`), and the subjects it was last reported with. */
  private readonly episodes = new Map<string, { cameraId: string; subjects: readonly EventSubject[] }>();
  /** The camera `toEvents` chose for each hit it hands the book (the book asks when a hit opens an event). */
  private readonly cameraOfHit = new WeakMap<RuleHit, string>();
  private lastTimeMs = -Infinity;
  private frames = 0;

  /** `map` holds the site's usable plans, areas, lines and calibrated cameras (`buildSiteMap`). */
  constructor(
    rules: readonly SiteRuleConfig[],
    private map: SiteMap,
    newId: () => string,
  ) {
    this.book = new EventBook((hit) => this.cameraOfHit.get(hit)!, newId);
    this.set(rules, map, 0);
  }

  /** Rules that run (those whose area or line is usable and on a plan some camera is calibrated to). */
  get running(): readonly { readonly id: string; readonly plan: string }[] {
    return this.rules.map((r) => ({ id: r.config.id, plan: r.plan }));
  }

  /** Episodes in progress. */
  get openEpisodes(): number {
    return this.rules.reduce((n, r) => n + r.rule.openEpisodes, 0);
  }

  /**
   * Puts changed rules, lines, areas or calibrations in force: a rule whose behaviour is unchanged keeps its episodes,
   * the others end theirs (`stopped`) at `timeMs`, returned as event changes.
   */
  set(rules: readonly SiteRuleConfig[], map: SiteMap, timeMs: number): EventChange[] {
    this.map = map;
    const old = new Map(this.rules.map((r) => [r.key, r]));
    const next: PlanRule[] = [];
    for (const config of rules) {
      const built = buildPlanRule(config, map);
      if (built === null) continue;
      const kept = old.get(built.key);
      if (kept) old.delete(built.key);
      next.push(kept ?? built);
    }
    const at = Math.max(timeMs, this.lastTimeMs === -Infinity ? timeMs : this.lastTimeMs);
    const ended = [...old.values()].flatMap((r) => r.rule.flush(at).map((hit) => ({ rule: r.rule, hit, plan: r.plan })));
    this.rules = next;
    return this.toEvents(ended, () => []);
  }

  /**
   * Feeds the people on the plans at `timeMs` (time order; an earlier time is ignored) and returns the event changes.
   * `sightings` gives the camera tracks that see a person now (`SiteFusion.sightingsOf`).
   */
  evaluate(timeMs: number, people: readonly PlanPerson[], sightings: (globalId: number) => readonly CameraSighting[]): EventChange[] {
    if (!(timeMs > this.lastTimeMs) || this.rules.length === 0) return [];
    this.lastTimeMs = timeMs;
    this.frames++;
    const frames = new Map<string, RuleFrame>();
    const hits: PlanHit[] = [];
    for (const r of this.rules) {
      let frame = frames.get(r.plan);
      if (frame === undefined) frames.set(r.plan, (frame = this.planFrame(r.plan, timeMs, people)));
      for (const hit of r.rule.evaluate(frame)) hits.push({ rule: r.rule, hit, plan: r.plan });
    }
    return this.toEvents(hits, sightings);
  }

  /** Ends every open episode (`stopped`): the server stops. */
  flush(timeMs: number): EventChange[] {
    return this.toEvents(this.rules.flatMap((r) => r.rule.flush(timeMs).map((hit) => ({ rule: r.rule, hit, plan: r.plan }))), () => []);
  }

  /** Records where the snapshot of an open event was stored, so its later versions carry it. */
  setSnapshot(eventId: string, path: string): void {
    this.book.setSnapshot(eventId, path);
  }

  private planFrame(plan: string, timeMs: number, people: readonly PlanPerson[]): RuleFrame {
    const size = this.map.plans.get(plan)!;
    const tracks: Track[] = [];
    for (const p of people) {
      if (p.plan !== plan) continue;
      const [x, y] = p.positionM;
      tracks.push({
        id: p.globalId, label: 'person', score: 1, classId: 0, state: 'confirmed', ageFrames: 0, hits: 1, matched: true,
        boxXyxy: [x - PLAN_BODY_WIDTH_M / 2, y - PLAN_BODY_HEIGHT_M, x + PLAN_BODY_WIDTH_M / 2, y],
      });
    }
    return { timeMs, frameIndex: this.frames, widthPx: size.widthM, heightPx: size.heightM, tracks };
  }

  /** Hits with plan subjects -> event changes with camera subjects, the event's camera and the plan in the attributes. */
  private toEvents(hits: readonly PlanHit[], sightings: (globalId: number) => readonly CameraSighting[]): EventChange[] {
    const mapped = hits.map(({ rule, hit, plan }): RuleHitOf => {
      const key = `${rule.id}\u0000${hit.key}`;
      const known = this.episodes.get(key);
      const subjects = hit.subjects.flatMap((s) => {
        const seen = sightings(s.trackId);
        const pick = (known && seen.find((x) => x.cameraId === known.cameraId)) ?? bestSighting(seen);
        return pick ? [{ trackId: pick.trackId, label: pick.label, score: pick.score, boxXyxy: pick.boxXyxy, timeMs: pick.timeMs, globalId: s.trackId, cameraId: pick.cameraId }] : [];
      });
      // A person no camera sees any more (the end of a presence) keeps the subjects last reported.
      const kept = subjects.length > 0 || hit.subjects.length === 0 ? subjects : known?.subjects ?? [];
      const cameraId = known?.cameraId ?? kept[0]?.cameraId ?? this.fallbackCamera(plan);
      // The event's camera's subjects first (the snapshot shows them).
      const ordered = [...kept.filter((s) => s.cameraId === cameraId), ...kept.filter((s) => s.cameraId !== cameraId)];
      if (hit.kind === 'end' || hit.kind === 'instant') this.episodes.delete(key);
      else this.episodes.set(key, { cameraId, subjects: ordered });
      const mappedHit: RuleHit = { ...hit, subjects: ordered, attributes: { ...hit.attributes, planId: plan } };
      this.cameraOfHit.set(mappedHit, cameraId);
      return { rule, hit: mappedHit };
    });
    return this.book.apply(mapped, null);
  }

  /** The camera an event with no subject belongs to: the first camera (by id) calibrated to its plan. */
  private fallbackCamera(plan: string): string {
    const ids = [...this.map.cameras.values()].filter((c) => c.plan === plan).map((c) => c.cameraId).sort();
    return ids[0] ?? [...this.map.cameras.keys()].sort()[0] ?? 'site';
  }
}

/** The sighting that shows the person best: the tallest box among those that see them now. */
function bestSighting(seen: readonly CameraSighting[]): CameraSighting | undefined {
  if (seen.length === 0) return undefined;
  return seen.reduce((a, b) => (b.boxXyxy[3] - b.boxXyxy[1] > a.boxXyxy[3] - a.boxXyxy[1] ? b : a));
}

/** A site rule on its plan, or null when its area or line is not usable or no camera is calibrated to its plan. */
function buildPlanRule(config: SiteRuleConfig, map: SiteMap): PlanRule | null {
  const labels = ['person'];
  const anchor = 'bottom-center' as const;
  if (config.type === 'line') {
    const line = map.lines.find((l) => l.id === config.line);
    const plan = line && map.plans.get(line.plan);
    if (!line || !plan || !calibratedTo(map, plan.id)) return null;
    const spec = { id: line.id, pointsNorm: line.pointsM.map(([x, y]) => [x / plan.widthM, y / plan.heightM] as [number, number]), inSide: line.in };
    const rule = new LineRule({ id: config.id, severity: config.severity, line: spec, labels, emit: config.emit, crossing: { minBandPx: PLAN_MIN_BAND_M } });
    return { config, plan: plan.id, rule, key: JSON.stringify([config, line, plan]) };
  }
  const area = map.areas.find((a) => a.id === config.area);
  const plan = area && map.plans.get(area.plan);
  if (!area || !plan || !calibratedTo(map, plan.id)) return null;
  const zone = { id: area.id, polygonNorm: area.polygonM.map(([x, y]) => [x / plan.widthM, y / plan.heightM] as [number, number]) };
  const where = { id: config.id, severity: config.severity, zone, labels, anchor };
  const rule: Rule = config.type === 'presence'
    ? new PresenceRule({ ...where, minDurationMs: config.minDurationMs, endAfterMs: config.endAfterMs, cooldownMs: config.cooldownMs })
    : config.type === 'dwell'
      ? new DwellRule({ ...where, minDwellMs: config.seconds * 1000, toleranceMs: config.toleranceSeconds * 1000 })
      : new OccupancyRule({
          ...where, max: config.max ?? null, min: config.min ?? null,
          minDurationMs: config.seconds * 1000, endAfterMs: config.clearSeconds * 1000, holdMs: config.holdSeconds * 1000,
        });
  return { config, plan: plan.id, rule, key: JSON.stringify([config, area, plan]) };
}

function calibratedTo(map: SiteMap, plan: string): boolean {
  for (const c of map.cameras.values()) if (c.plan === plan) return true;
  return false;
}
