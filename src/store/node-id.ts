/**
 * This installation's node id: a random id in `DATA_DIR/node-id`, created on first start and kept across restarts
 * (and container re-creations that keep the data folder). Delivery leases carry it, so a restarted node releases
 * exactly the leases it held when it stopped.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError, errorMessage } from '../core/errors.ts';

/** Reads the node id, or creates it when missing. */
export async function loadNodeId(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'node-id');
  try {
    const id = (await readFile(file, 'utf8')).trim();
    if (/^[A-Za-z0-9_.:-]{1,100}$/.test(id)) return id;
    throw new AppError('CONFIG_INVALID', `${file} must hold one id (letters, digits, "_", ".", ":" or "-"), got "${id.slice(0, 40)}"; delete it and a new one is made at the next start`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const id = `node-${randomUUID()}`;
  try {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, `${id}\n`, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadNodeId(dataDir);
    throw new AppError('CONFIG_INVALID', `cannot write ${file}: ${errorMessage(err)}; set dataDir to a writable folder`, { cause: err });
  }
  return id;
}
