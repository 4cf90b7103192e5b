import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { EquivalentFileSchema, ModelManifestSchema, type ModelManifest } from '../vision/model-manifest.ts';

/** A downloadable sample clip (used by the demo camera when no local assets are configured). */
export const SampleSchema = z
  .object({
    id: z.string(),
    file: z.string(),
    description: z.string(),
    licence: z.string(),
    url: z.string().url(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    sizeBytes: z.number().int().positive(),
    equivalents: z.array(EquivalentFileSchema).optional(),
  })
  .strict();
/** A sample clip entry of the catalog. */
export type Sample = z.infer<typeof SampleSchema>;

const CatalogSchema = z
  .object({
    $comment: z.string().optional(),
    labelSets: z.record(z.string(), z.array(z.string()).min(1)),
    models: z.array(ModelManifestSchema),
    samples: z.array(SampleSchema),
  })
  .strict();

/** The model and sample catalog with label sets resolved. */
export interface Catalog {
  readonly labelSets: Readonly<Record<string, readonly string[]>>;
  readonly models: readonly ModelManifest[];
  readonly samples: readonly Sample[];
}

/** Path of the catalog that ships with Sightline. */
export const CATALOG_PATH = fileURLToPath(new URL('../../models/catalog.json', import.meta.url));

/** Validates catalog JSON and resolves label-set names (pure). */
export function parseCatalog(json: unknown): Catalog {
  const raw = CatalogSchema.parse(json);
  const models = raw.models.map((m) => resolveLabels(m, raw.labelSets));
  return { labelSets: raw.labelSets, models, samples: raw.samples };
}

/** A manifest with its label-set name (if it has labels) replaced by the set's list (pure). */
export function resolveLabels(m: z.infer<typeof ModelManifestSchema>, labelSets: Readonly<Record<string, readonly string[]>>): ModelManifest {
  if (!('labels' in m) || Array.isArray(m.labels)) return m as ModelManifest;
  const set = labelSets[m.labels];
  if (!set) throw new Error(`model ${m.id}: label set "${m.labels}" is not in labelSets`);
  return { ...m, labels: set } as ModelManifest;
}

let cached: Catalog | undefined;

/** Reads the shipped catalog once. */
export function loadCatalog(): Catalog {
  cached ??= parseCatalog(JSON.parse(readFileSync(CATALOG_PATH, 'utf8')));
  return cached;
}
