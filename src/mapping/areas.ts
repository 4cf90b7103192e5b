/**
 * Areas drawn on a floor plan (polygons in plan metres): checks that say what is wrong with one and how to fix it, and
 * point membership. Plan coordinates have the origin at the plan image's top-left corner, x to the right, y down. Pure.
 */

import { pointInPolygon, polygonArea2, polygonSelfIntersection } from '../core/geometry.ts';
import type { Point } from '../core/types.ts';
import { allOnOneLine } from './pair-checks.ts';

/** Codes of the problems `checkArea` finds. */
export type AreaProblemCode = 'AREA_TOO_FEW_POINTS' | 'AREA_NON_FINITE' | 'AREA_SELF_INTERSECTING' | 'AREA_ZERO' | 'AREA_OUTSIDE_PLAN';

/** One problem with an area; `vertexIndex` (0-based) names the vertex when one is at fault, messages count from 1. */
export interface AreaProblem {
  readonly code: AreaProblemCode;
  readonly message: string;
  readonly vertexIndex?: number;
}

/** The floor plan's size in metres. */
export interface PlanSizeM {
  readonly widthM: number;
  readonly heightM: number;
}

/** An area smaller than this many square metres has no inside a person could stand in. */
export const MIN_AREA_M2 = 0.01;

/** A vertex may lie this many metres outside the plan (a click on its border) without counting as outside. */
export const PLAN_EDGE_TOLERANCE_M = 1e-6;

/** Problems of an area polygon in plan metres (empty when it is fine); too few or non-finite points stop further checks. */
export function checkArea(polygonM: readonly Point[], plan: PlanSizeM): AreaProblem[] {
  if (!Array.isArray(polygonM) || polygonM.length < 3) {
    const count = Array.isArray(polygonM) ? polygonM.length : 0;
    return [{ code: 'AREA_TOO_FEW_POINTS', message: `an area needs at least 3 points, got ${count}; add points around the area` }];
  }
  const bad = polygonM.findIndex((p) => !Array.isArray(p) || p.length !== 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1]));
  if (bad >= 0) {
    return [{ code: 'AREA_NON_FINITE', vertexIndex: bad, message: `vertex ${bad + 1} must be two finite numbers [x, y] in metres, got ${describeValue(polygonM[bad])}` }];
  }
  const problems: AreaProblem[] = [];
  const areaM2 = Math.abs(polygonArea2(polygonM)) / 2;
  const crossing = polygonSelfIntersection(polygonM);
  if (areaM2 < MIN_AREA_M2 && (crossing === null || allOnOneLine(polygonM))) {
    problems.push({ code: 'AREA_ZERO', message: `the area encloses ${areaM2.toFixed(3)} m² (its points lie on one line or on top of each other); spread its points out` });
  } else if (crossing !== null) {
    const [i, j] = crossing;
    const edge = (k: number) => `${k + 1}-${((k + 1) % polygonM.length) + 1}`;
    problems.push({
      code: 'AREA_SELF_INTERSECTING', vertexIndex: i,
      message: `the area's edges ${edge(i)} and ${edge(j)} cross; order its points around the outline (clockwise or anticlockwise)`,
    });
  }
  const size = `${plan.widthM.toFixed(2)} m × ${plan.heightM.toFixed(2)} m`;
  polygonM.forEach((p, k) => {
    const inside = p[0] >= -PLAN_EDGE_TOLERANCE_M && p[1] >= -PLAN_EDGE_TOLERANCE_M && p[0] <= plan.widthM + PLAN_EDGE_TOLERANCE_M && p[1] <= plan.heightM + PLAN_EDGE_TOLERANCE_M;
    if (!inside) {
      problems.push({
        code: 'AREA_OUTSIDE_PLAN', vertexIndex: k,
        message: `vertex ${k + 1} at (${p[0].toFixed(2)}, ${p[1].toFixed(2)}) m lies outside the plan (${size}, from (0, 0) at its top-left corner); move it onto the plan`,
      });
    }
  });
  return problems;
}

/** True when the plan point `pointM` lies inside the area `polygonM` (both in plan metres; even-odd rule). */
export function areaContains(polygonM: readonly Point[], pointM: Point): boolean {
  return pointInPolygon(pointM, polygonM);
}

function describeValue(value: unknown): string {
  return Array.isArray(value) ? `[${value.map(String).join(', ')}]` : String(value);
}
