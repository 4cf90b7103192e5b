/**
 * `site.json` of a multi-camera scene folder: the plan's size, areas on it, and each camera's calibration point pairs.
 * Pure: text in, a checked site out; every problem names the key, what was expected and what arrived.
 */

import { z } from 'zod';
import { describeIssues } from '../config/describe-issues.ts';
import { AppError } from '../core/errors.ts';

const PointSchema = z.tuple([z.number(), z.number()]);

/** The schema of `site.json`. */
export const SiteFileSchema = z.object({
  plan: z.object({
    widthM: z.number().positive().describe('Plan width in metres.'),
    heightM: z.number().positive().describe('Plan height in metres.'),
  }).strict(),
  areas: z.array(z.object({ id: z.string().min(1), polygonM: z.array(PointSchema).min(3) }).strict()).default([]),
  cameras: z.array(z.object({
    id: z.string().min(1).describe("The camera's sequence folder."),
    pointPairs: z.array(z.object({ imagePx: PointSchema, planM: PointSchema }).strict()),
  }).strict()).min(1),
}).strict();

/** A parsed `site.json`. */
export type SiteFile = z.input<typeof SiteFileSchema>;

/** Parses and checks `site.json`; bad JSON or a bad shape throws `MOT_FILE_INVALID` listing each problem. */
export function parseSiteFile(text: string, fileName: string): z.output<typeof SiteFileSchema> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new AppError('MOT_FILE_INVALID', `${fileName}: expected JSON, ${(err as Error).message}`);
  }
  const parsed = SiteFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error.issues, raw).map((p) => `${p.path || '(top)'}: ${p.message}`);
    throw new AppError('MOT_FILE_INVALID', `${fileName}: ${problems.join('; ')}`);
  }
  const ids = new Set<string>();
  for (const c of parsed.data.cameras) {
    if (ids.has(c.id)) throw new AppError('MOT_FILE_INVALID', `${fileName}: cameras: "${c.id}" appears twice; each camera id names one sequence folder`);
    ids.add(c.id);
  }
  return parsed.data;
}
