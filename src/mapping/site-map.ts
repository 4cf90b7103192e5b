/**
 * A site's floor plans, areas and camera calibrations made usable: each plan's scale and size in metres, each
 * camera's image -> plan homography (fitted to its point pairs), each area checked against its plan. What cannot be
 * used is a problem with the fix in its message, never an exception: a camera whose calibration fails keeps running
 * without a map position, an area outside its plan is not counted. Pure.
 */

import type { Point } from '../core/types.ts';
import { checkArea } from './areas.ts';
import { estimateHomography, type HomographyFit } from './homography.ts';
import { planScale, planSizeM } from './plan-scale.ts';

/** The parts of a plan this needs (the config's `site.plans[]`). */
export interface PlanInput {
  readonly id: string;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly metresPerPixel?: number | undefined;
  readonly reference?: { readonly pointsPx: readonly [Point, Point]; readonly distanceM: number } | undefined;
}

/** The parts of an area this needs. */
export interface AreaInput {
  readonly id: string;
  readonly plan: string;
  readonly polygonM: readonly Point[];
}

/** The parts of a counting line on a plan this needs. */
export interface LineInput {
  readonly id: string;
  readonly plan: string;
  readonly pointsM: readonly Point[];
  readonly in: 'left' | 'right';
}

/** The parts of a site rule this needs (`site.rules[]`): what it watches. */
export interface RuleInput {
  readonly id: string;
  readonly type: string;
  readonly area?: string;
  readonly line?: string;
}

/** The parts of the site section this needs. */
export interface SiteInput {
  readonly plans: readonly PlanInput[];
  readonly areas: readonly AreaInput[];
  readonly lines?: readonly LineInput[];
  readonly rules?: readonly RuleInput[];
  readonly fusion?: { readonly enabled: boolean };
}

/** The parts of a camera this needs. */
export interface CameraInput {
  readonly id: string;
  readonly calibration?: { readonly plan: string; readonly pointPairs: readonly { readonly imageNorm: Point; readonly planM: Point }[] } | undefined;
}

/** A plan with its scale. */
export interface MapPlan {
  readonly id: string;
  readonly metresPerPixel: number;
  readonly widthM: number;
  readonly heightM: number;
}

/** A calibrated camera: image fractions -> plan metres, and how well the pairs agree. */
export interface CameraMap {
  readonly cameraId: string;
  readonly plan: string;
  readonly fit: HomographyFit;
  /** Standard deviation of this camera's plan positions: its calibration error and the foot point's noise together. */
  readonly uncertaintyM: number;
}

/** Something in the site that cannot be used, where it is, and how to fix it. */
export interface SiteProblem {
  /** Config path, e.g. `cameras[2].calibration` or `site.areas[0].polygonM[3]`. */
  readonly path: string;
  readonly message: string;
  readonly cameraId?: string;
}

/** Everything usable, and the problems. */
export interface SiteMap {
  readonly plans: ReadonlyMap<string, MapPlan>;
  readonly cameras: ReadonlyMap<string, CameraMap>;
  readonly areas: readonly AreaInput[];
  /** Counting lines on plans with a usable scale. */
  readonly lines: readonly LineInput[];
  readonly problems: readonly SiteProblem[];
}

/**
 * Noise of a person's foot point on the plan beyond the calibration's: the bottom of a person's box wanders by about a
 * foot's length between frames and between views (the detector's box, the stride).
 */
export const FOOT_NOISE_M = 0.15;

/** Builds the site map; `cameraIndex` gives each camera's position in `cameras[]` for problem paths. */
export function buildSiteMap(site: SiteInput, cameras: readonly CameraInput[]): SiteMap {
  const problems: SiteProblem[] = [];
  const plans = new Map<string, MapPlan>();
  site.plans.forEach((p, i) => {
    const scale = planScale({ metresPerPixel: p.metresPerPixel, referencePx: p.reference?.pointsPx, referenceDistanceM: p.reference?.distanceM });
    if (!scale.ok) {
      problems.push({ path: `site.plans[${i}]`, message: `plan "${p.id}": ${scale.message}` });
      return;
    }
    const size = planSizeM(p.widthPx, p.heightPx, scale.metresPerPixel);
    plans.set(p.id, { id: p.id, metresPerPixel: scale.metresPerPixel, ...size });
  });
  const planIds = site.plans.map((p) => p.id);
  const areas: AreaInput[] = [];
  site.areas.forEach((a, i) => {
    const plan = plans.get(a.plan);
    if (plan === undefined) {
      const known = planIds.includes(a.plan);
      problems.push({ path: `site.areas[${i}].plan`, message: known ? `area "${a.id}": its plan "${a.plan}" has no usable scale (see that plan's problem); the area is not counted until it has` : `area "${a.id}" is drawn on plan "${a.plan}", which this site does not have; plans: ${planIds.join(', ') || 'none'}` });
      return;
    }
    const areaProblems = checkArea(a.polygonM, plan);
    for (const ap of areaProblems) {
      const at = ap.vertexIndex === undefined ? '' : `[${ap.vertexIndex}]`;
      problems.push({ path: `site.areas[${i}].polygonM${at}`, message: `area "${a.id}": ${ap.message}` });
    }
    if (areaProblems.length === 0) areas.push(a);
  });
  const lines: LineInput[] = [];
  (site.lines ?? []).forEach((l, i) => {
    if (plans.has(l.plan)) lines.push(l);
    else if (planIds.includes(l.plan)) problems.push({ path: `site.lines[${i}].plan`, message: `line "${l.id}": its plan "${l.plan}" has no usable scale (see that plan's problem); its crossings are not counted until it has` });
    // A plan the site does not have is a configuration error (config/site-rules-schema.ts), not a warning.
  });
  const mapped = new Map<string, CameraMap>();
  cameras.forEach((c, i) => {
    const cal = c.calibration;
    if (cal === undefined) return;
    const path = `cameras[${i}].calibration`;
    if (!plans.has(cal.plan)) {
      const known = planIds.includes(cal.plan);
      problems.push({
        path: `${path}.plan`, cameraId: c.id,
        message: known
          ? `camera "${c.id}" is calibrated to plan "${cal.plan}", which has no usable scale; fix the plan, the camera runs without a map position until then`
          : `camera "${c.id}" is calibrated to plan "${cal.plan}", which is not a plan of this site (plans: ${planIds.join(', ') || 'none'}); calibrate it to one of them, the camera runs without a map position until then`,
      });
      return;
    }
    const fit = estimateHomography(cal.pointPairs.map((p) => ({ imagePx: p.imageNorm, planM: p.planM })));
    if (!fit.ok) {
      problems.push({ path: `${path}.pointPairs`, cameraId: c.id, message: `camera "${c.id}": ${fit.message}; the camera runs without a map position until it is calibrated` });
      return;
    }
    const outliers = fit.pairs.filter((p) => !p.inlier);
    for (const o of outliers) {
      problems.push({ path: `${path}.pointPairs[${o.index}]`, cameraId: c.id, message: `camera "${c.id}": point pair ${o.index + 1} is ${o.errorM.toFixed(2)} m off the others' fit; check where it was clicked (it is left out)` });
    }
    mapped.set(c.id, { cameraId: c.id, plan: cal.plan, fit, uncertaintyM: Math.hypot(fit.rmsErrorM, FOOT_NOISE_M) });
  });
  problems.push(...ruleProblems(site, { plans, cameras: mapped, areas, lines }));
  return { plans, cameras: mapped, areas, lines, problems };
}

/** Site rules that cannot see anyone yet, and why (fusion off, their area or line unusable, no camera on their plan). */
function ruleProblems(site: SiteInput, built: Omit<SiteMap, 'problems'>): SiteProblem[] {
  const rules = site.rules ?? [];
  if (rules.length === 0) return [];
  if (site.fusion?.enabled === false) {
    return [{ path: 'site.fusion.enabled', message: `site rules (${rules.map((r) => r.id).join(', ')}) count people joined across cameras, and cross-camera identity is off: they see nobody; set site.fusion.enabled: true` }];
  }
  const out: SiteProblem[] = [];
  rules.forEach((r, i) => {
    const what = r.line !== undefined ? { kind: 'line', id: r.line, plan: built.lines.find((l) => l.id === r.line)?.plan } : { kind: 'area', id: r.area ?? '', plan: built.areas.find((a) => a.id === r.area)?.plan };
    if (what.plan === undefined) {
      out.push({ path: `site.rules[${i}]`, message: `site rule "${r.id}" watches ${what.kind} "${what.id}", which cannot be used (see its problem); the rule runs once it can` });
    } else if (![...built.cameras.values()].some((c) => c.plan === what.plan)) {
      out.push({ path: `site.rules[${i}]`, message: `site rule "${r.id}" watches plan "${what.plan}", which no camera is calibrated to: it sees nobody until one is (calibrate a camera to that plan)` });
    }
  });
  return out;
}
