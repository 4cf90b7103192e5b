/**
 * The site's routes (floor plans, areas, calibrations, people on the map) as a typed client on the same connection as
 * every other call (CSRF token, 401 handling, the server-down banner). docs/openapi.json, from which schema.d.ts is
 * generated, is rendered from a server built without the site (documentServer in src/api/security-doc.ts), so these
 * routes are not in it yet: the payload types below follow src/api/routes/site.ts. Once the document lists them, each
 * becomes `Answer<'/api/site', 'get'>` and so on, and `siteApi` becomes `api`.
 */
import type { Client } from 'openapi-fetch';
import { api, unwrap } from './client';

type PointJson = [number, number];

/** A pair's fit: its distance on the plan, in metres, from where the fit maps its image point; `inlier: false` when it disagrees with the others. */
export interface PairErrorJson { index: number; errorM: number; inlier: boolean }

/** GET /api/site. */
export interface SiteJson {
  plans: { id: string; name: string; image: string | null; widthPx: number; heightPx: number; metresPerPixel: number | null; widthM: number | null; heightM: number | null }[];
  areas: AreaJson[];
  cameras: { id: string; plan: string | null; calibrated: boolean; rmsErrorM: number | null; maxErrorM: number | null; pairs: PairErrorJson[]; uncertaintyM: number | null }[];
  problems: { path: string; message: string; cameraId?: string }[];
  people: MapPersonJson[];
  /** Distinct people in each area now. */
  occupancy: Record<string, number>;
}

/** An area of a plan; `counted: false` when a problem keeps it from being counted. */
export interface AreaJson { id: string; name: string; plan: string; polygonM: PointJson[]; counted: boolean }

/** A person on the map now. */
export interface MapPersonJson { globalId: number; plan: string; positionM: PointJson; cameras: string[]; areas: string[]; lastSeenMs?: number }

/** A plan that has a scale, so it can be drawn in metres. */
export type ScaledPlan = SiteJson['plans'][number] & { widthM: number; heightM: number };

/** Whether `plan` has a scale. */
export function isScaled(plan: SiteJson['plans'][number]): plan is ScaledPlan {
  return plan.widthM !== null && plan.heightM !== null;
}

/** One point pair of a calibration: where a spot is on the frame (fractions) and on the plan (metres). */
export interface PointPairJson { imageNorm: PointJson; planM: PointJson }

/** POST /api/site/calibration: the fit of point pairs (nothing is stored). */
export interface CalibrationFitJson {
  ok: boolean;
  code?: string;
  message?: string;
  /** 0-based index of the pair a failure is about. */
  pairIndex?: number;
  /** Frame fractions to plan metres, row-major 3x3. */
  imageToPlan?: number[];
  rmsErrorM?: number;
  maxErrorM?: number;
  worstPairIndex?: number;
  pairs?: PairErrorJson[];
  summary: string;
}

/** GET /api/site/heatmap: counts per cell, row by row (`counts[row * columns + column]`). */
export interface HeatmapJson { plan: string; cellM: number; columns: number; rows: number; counts: number[]; maxCount: number; secondsPerCount: number; fromMs: number; toMs: number }

type Json<T> = { headers: { [name: string]: unknown }; content: { 'application/json': T } };
type NoParameters = { query?: never; header?: never; path?: never; cookie?: never };
interface SitePaths {
  '/api/site': {
    parameters: NoParameters;
    get: { parameters: NoParameters; requestBody?: never; responses: { 200: Json<SiteJson> } };
  };
  '/api/site/calibration': {
    parameters: NoParameters;
    post: { parameters: NoParameters; requestBody: { content: { 'application/json': { pointPairs: PointPairJson[] } } }; responses: { 200: Json<CalibrationFitJson> } };
  };
  '/api/site/heatmap': {
    parameters: NoParameters;
    get: {
      parameters: { query?: { plan?: string; area?: string; cellM?: string; from?: string; to?: string }; header?: never; path?: never; cookie?: never };
      requestBody?: never;
      responses: { 200: Json<HeatmapJson> };
    };
  };
}

/** The client for the site's routes (the same instance as `api`, typed by `SitePaths`). */
export const siteApi = api as unknown as Client<SitePaths>;

/** The query of GET /api/site, shared by the pages that show the site (one cache entry). */
export const siteQuery = {
  queryKey: ['site'],
  // openapi-fetch's answer types widen tuples to arrays; the points are pairs.
  queryFn: async (): Promise<SiteJson> => unwrap(await siteApi.GET('/api/site')) as SiteJson,
} as const;
