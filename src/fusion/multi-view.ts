/**
 * One instant, several calibrated views: which detections are the same person? Each view's detections are given as
 * plan positions (metres, with their standard deviation) and, optionally, appearance embeddings; out come persons
 * (clusters with at most one detection per view), each with its fused position and the evidence of every link.
 *
 * Method: the views are merged one after the other into the persons found so far, each merge an optimal assignment
 * (Hungarian with a cost limit, `tracking/linear-assignment.ts`) of the view's detections to the persons, so no
 * detection is given to the first person in reach; then each view in turn is taken out and assigned again to the
 * persons the other views make, until nothing changes, so the result does not hang on the order of the views. Pure.
 */

import type { Point } from '../core/types.ts';
import { linearAssignment } from '../tracking/linear-assignment.ts';
import { cosineSimilarity } from './embedding-mean.ts';

/** One detection of one view, on the plan. */
export interface ViewDetection {
  /** Plan position, metres (the foot point mapped through the view's ground homography). */
  readonly positionM: Point;
  /** Standard deviation of `positionM`, metres (foot-point noise and calibration error at that spot). */
  readonly uncertaintyM: number;
  /** Appearance embedding (any length; compared by cosine similarity), when one was computed. */
  readonly embedding?: Float32Array | undefined;
}

/** What decides that two detections are one person. */
export type AssociationMode = 'position' | 'appearance' | 'both';

/** Options of `associateViews`. */
export interface MultiViewOptions {
  /** `position`: plan distance only; `appearance`: embeddings only; `both`: distance gates, both decide. */
  readonly mode: AssociationMode;
  /** Distance gate in standard deviations of the combined position error of the detection and the person. */
  readonly gateSigmas: number;
  /** The gate never goes below this many metres. */
  readonly minGateM: number;
  /** Cosine similarity at which appearance costs as much as a distance of one gate (the limit of `appearance` mode). */
  readonly minSimilarity: number;
  /** Share of appearance in the cost of `both` (the rest is position). */
  readonly appearanceWeight: number;
  /** Most rounds of taking each view out and assigning it again. */
  readonly refineRounds: number;
}

/**
 * Defaults, with their reasons:
 * - `both`: position alone merges two people standing closer than a gate, appearance alone confuses people dressed
 *   alike; together the distance rules out the impossible and appearance settles the close calls.
 * - `gateSigmas` 3: a true pair falls inside 3 standard deviations 99 % of the time (the same gate as `fusion/options.ts`).
 * - `minGateM` 0.5: a body is about 0.5 m across and each view sees a different side of it, so the foot points of one
 *   person differ by up to that much between views even where the uncertainty estimates are small.
 * - `minSimilarity` 0.5: between views one person is seen from different sides, so same-person similarities are lower
 *   than along one camera's track (0.93-0.95 on MOT17-09). On MultiviewX (bench/multiviewx.ts, OSNet-x0.25) cross-view
 *   same-person pairs have a median of 0.79 and different-person pairs 0.46; at 0.5, a typical same-person pair costs
 *   0.42 of a gate and a typical different-person pair 1.08, so appearance alone draws its line near the different-person
 *   median, and in `both` it shifts a link's cost by a fifth of a gate between the two.
 * - `appearanceWeight` 1/3: position is the stronger cue between calibrated overlapping views, as in `fusion/cross-camera.ts`.
 * - `refineRounds` 3: each round re-assigns every view once. On MultiviewX, `position` and `both` settle within two
 *   rounds (the last one changing nothing), and refining raises pairwise precision from 0.92 to 0.95 and recall from
 *   0.97 to 0.98 over one pass; `appearance` alone sometimes uses all three.
 */
export const MULTI_VIEW_DEFAULTS: MultiViewOptions = Object.freeze({
  mode: 'both',
  gateSigmas: 3,
  minGateM: 0.5,
  minSimilarity: 0.5,
  appearanceWeight: 1 / 3,
  refineRounds: 3,
});

/** A detection by view and index in that view's list. */
export interface DetectionRef {
  readonly view: number;
  readonly index: number;
}

/** A detection in a person, with the evidence against the person's other detections (null where there is none). */
export interface PersonLink extends DetectionRef {
  /** Distance from this detection to the fused position of the person's other detections, metres. */
  readonly distanceM: number | null;
  /** Distance over the gate (below 1 is inside). */
  readonly gateRatio: number | null;
  /** Cosine similarity to the mean appearance of the person's other detections. */
  readonly similarity: number | null;
  /** The normalised cost of the link in the chosen mode (1 or less was allowed when the link was made; the others may
   * have moved since), null where the mode rules the link out (no embedding in `appearance` mode, or outside the gate). */
  readonly cost: number | null;
}

/** A person seen at this instant. */
export interface ViewPerson {
  /** One link per view that sees the person, ascending by view. */
  readonly links: readonly PersonLink[];
  /** Mean of the detections' positions weighted by their precision (1 / uncertainty²), metres. */
  readonly positionM: Point;
  /** Standard deviation of `positionM`, metres. */
  readonly uncertaintyM: number;
}

/** The result of `associateViews`. */
export interface MultiViewResult {
  /** Persons, ordered by their first detection (view, then index). */
  readonly persons: readonly ViewPerson[];
  /** For each view, for each detection, the index of its person in `persons`. */
  readonly personOf: readonly (readonly number[])[];
  /** Refinement rounds run (the last one changed nothing, unless the limit was reached). */
  readonly rounds: number;
}

interface Cluster {
  /** Detection index per view, -1 where the view has none. */
  readonly members: number[];
}

/** Checks the options; a bad value throws a RangeError naming it, the range and the value. */
export function multiViewOptions(partial: Partial<MultiViewOptions> = {}): MultiViewOptions {
  const o = { ...MULTI_VIEW_DEFAULTS, ...partial };
  if (!['position', 'appearance', 'both'].includes(o.mode)) throw new RangeError(`mode must be position, appearance or both, got ${String(o.mode)}`);
  for (const k of ['gateSigmas', 'minGateM'] as const) if (!(o[k] > 0 && Number.isFinite(o[k]))) throw new RangeError(`${k} must be a positive number, got ${o[k]}`);
  if (!(o.minSimilarity > -1 && o.minSimilarity < 1)) throw new RangeError(`minSimilarity must be in (-1, 1), got ${o.minSimilarity}`);
  if (!(o.appearanceWeight >= 0 && o.appearanceWeight <= 1)) throw new RangeError(`appearanceWeight must be in [0, 1], got ${o.appearanceWeight}`);
  if (!(Number.isInteger(o.refineRounds) && o.refineRounds >= 0)) throw new RangeError(`refineRounds must be a whole number of 0 or more, got ${o.refineRounds}`);
  return Object.freeze(o);
}

/** Groups the detections of several views at one instant into persons (see the module comment for the method). */
export function associateViews(views: readonly (readonly ViewDetection[])[], options: Partial<MultiViewOptions> = {}): MultiViewResult {
  const o = multiViewOptions(options);
  views.forEach((dets, v) =>
    dets.forEach((d, i) => {
      if (!(Number.isFinite(d.positionM[0]) && Number.isFinite(d.positionM[1]) && d.uncertaintyM > 0 && Number.isFinite(d.uncertaintyM))) {
        throw new RangeError(`view ${v} detection ${i}: expected a finite positionM and a positive uncertaintyM, got ${JSON.stringify(d.positionM)} and ${d.uncertaintyM}`);
      }
    }),
  );
  const scorer = new Scorer(views, o);
  let clusters: Cluster[] = [];
  for (let v = 0; v < views.length; v++) clusters = assignView(clusters, v, scorer);
  let rounds = 0;
  while (rounds < o.refineRounds) {
    const before = signature(clusters);
    for (let v = 0; v < views.length; v++) {
      const others = clusters.map((c) => ({ members: c.members.map((m, w) => (w === v ? -1 : m)) })).filter((c) => c.members.some((m) => m >= 0));
      clusters = assignView(others, v, scorer);
    }
    rounds++;
    if (signature(clusters) === before) break;
  }
  return finish(clusters, views, scorer, rounds);
}

/** Assigns view `v`'s detections to `clusters` (which hold none of its detections); the unassigned start new ones. */
function assignView(clusters: Cluster[], v: number, scorer: Scorer): Cluster[] {
  const dets = scorer.views[v]!;
  const summaries = clusters.map((c) => scorer.summarise(c.members, -1));
  const values = new Float64Array(clusters.length * dets.length);
  for (let r = 0; r < clusters.length; r++) {
    for (let c = 0; c < dets.length; c++) {
      const { cost } = scorer.score(summaries[r]!, dets[c]!);
      values[r * dets.length + c] = cost <= 1 ? cost : Infinity;
    }
  }
  const { matches } = linearAssignment({ rows: clusters.length, cols: dets.length, values }, 1);
  const out = clusters.map((c) => ({ members: [...c.members] }));
  const taken = new Set<number>();
  for (const [r, c] of matches) {
    out[r]!.members[v] = c;
    taken.add(c);
  }
  for (let c = 0; c < dets.length; c++) {
    if (taken.has(c)) continue;
    const members = new Array<number>(scorer.views.length).fill(-1);
    members[v] = c;
    out.push({ members });
  }
  return out;
}

function signature(clusters: readonly Cluster[]): string {
  return clusters.map((c) => c.members.join(',')).sort().join(';');
}

function finish(clusters: readonly Cluster[], views: readonly (readonly ViewDetection[])[], scorer: Scorer, rounds: number): MultiViewResult {
  const firstOf = (c: Cluster): number => {
    const v = c.members.findIndex((m) => m >= 0);
    return v * 1e6 + c.members[v]!;
  };
  const ordered = [...clusters].sort((a, b) => firstOf(a) - firstOf(b));
  const personOf = views.map((dets) => new Array<number>(dets.length).fill(-1));
  const persons = ordered.map((c, p): ViewPerson => {
    const links: PersonLink[] = [];
    c.members.forEach((i, v) => {
      if (i < 0) return;
      personOf[v]![i] = p;
      const rest = scorer.summarise(c.members, v);
      const scored = rest.count > 0 ? scorer.score(rest, views[v]![i]!) : null;
      links.push({
        view: v, index: i,
        distanceM: scored?.distanceM ?? null,
        gateRatio: scored?.gateRatio ?? null,
        similarity: scored?.similarity ?? null,
        cost: scored && Number.isFinite(scored.cost) ? scored.cost : null,
      });
    });
    const all = scorer.summarise(c.members, -1);
    return { links, positionM: all.positionM, uncertaintyM: all.uncertaintyM };
  });
  return { persons, personOf, rounds };
}

/** A group of detections as one: precision-weighted position and the mean of its embeddings. */
interface Summary {
  readonly count: number;
  readonly positionM: Point;
  readonly uncertaintyM: number;
  readonly embedding: Float64Array | null;
}

interface Scored {
  readonly cost: number;
  readonly distanceM: number;
  readonly gateRatio: number;
  readonly similarity: number | null;
}

class Scorer {
  constructor(
    readonly views: readonly (readonly ViewDetection[])[],
    private readonly o: MultiViewOptions,
  ) {}

  /** The detections of `members` (detection index per view) except view `skip`'s. */
  summarise(members: readonly number[], skip: number): Summary {
    let w = 0, x = 0, y = 0, count = 0;
    let sum: Float64Array | null = null;
    members.forEach((i, v) => {
      if (i < 0 || v === skip) return;
      const d = this.views[v]![i]!;
      const k = 1 / (d.uncertaintyM * d.uncertaintyM);
      w += k;
      x += k * d.positionM[0];
      y += k * d.positionM[1];
      count++;
      if (d.embedding && d.embedding.length > 0) {
        if (sum === null) sum = new Float64Array(d.embedding.length);
        if (d.embedding.length === sum.length) for (let j = 0; j < sum.length; j++) sum[j]! += d.embedding[j]!;
      }
    });
    if (count === 0) return { count, positionM: [NaN, NaN], uncertaintyM: NaN, embedding: null };
    return { count, positionM: [x / w, y / w], uncertaintyM: 1 / Math.sqrt(w), embedding: sum };
  }

  /** Cost of adding `d` to the group `s` (allowed at most 1; Infinity when the mode rules it out), with its evidence. */
  score(s: Summary, d: ViewDetection): Scored {
    const o = this.o;
    const distanceM = Math.hypot(d.positionM[0] - s.positionM[0], d.positionM[1] - s.positionM[1]);
    const gateM = Math.max(o.minGateM, o.gateSigmas * Math.hypot(d.uncertaintyM, s.uncertaintyM));
    const gateRatio = distanceM / gateM;
    const similarity = s.embedding && d.embedding && d.embedding.length > 0 ? cosineSimilarity(s.embedding, d.embedding) : null;
    const appCost = similarity === null ? null : (1 - similarity) / (1 - o.minSimilarity);
    let cost: number | null;
    if (o.mode === 'position') cost = gateRatio;
    else if (o.mode === 'appearance') cost = appCost;
    // In `both`, the distance gate is a hard limit: at one instant two detections farther apart than the gate cannot
    // be one person, however alike they look.
    else cost = gateRatio > 1 ? null : appCost === null ? gateRatio : (1 - o.appearanceWeight) * gateRatio + o.appearanceWeight * appCost;
    return { cost: cost ?? Infinity, distanceM, gateRatio, similarity };
  }
}
