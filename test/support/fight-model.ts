import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { asset } from './assets.ts';

const run = promisify(execFile);

/**
 * Adds the assets' fight 3D-CNN to `dataDir` as a user would (`sightline models add ... --id violence-classifier`),
 * then edits its record in user-models.json as the user does from the model card: `fields` over what was proposed.
 */
export async function addFightModel(dataDir: string, fields: Record<string, unknown>): Promise<void> {
  await run(process.execPath, ['bin/sightline.mjs', 'models', 'add', asset('models/fight_3dcnn_hawkeye.onnx'), '--id', 'violence-classifier'], {
    env: { ...process.env, SIGHTLINE_DATA_DIR: dataDir, SIGHTLINE_MODELS__DOWNLOAD: 'false' },
  });
  const file = join(dataDir, 'models', 'user-models.json');
  const store = JSON.parse(await readFile(file, 'utf8')) as { models: Record<string, unknown>[] };
  Object.assign(store.models.find((m) => m['id'] === 'violence-classifier')!, fields);
  await writeFile(file, JSON.stringify(store));
}

/** The fight model's card (the assets' MANIFEST): BGR frames, index 1 is the fight. */
export const FIGHT_MODEL_CARD = { colorOrder: 'bgr', labels: ['no-violence', 'violence'], positiveLabel: 'violence' } as const;
