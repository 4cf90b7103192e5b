/**
 * This installation's node id: a random id in `DATA_DIR/node-id`, created on first start and kept across restarts
 * (and container re-creations that keep the data folder). Delivery leases carry it, so a restarted node releases
 * exactly the leases it held when it stopped.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../core/errors.ts';
import { readOrCreate } from './data-file.ts';

/** Reads the node id, or creates it when missing. */
export function loadNodeId(dataDir: string): Promise<string> {
  return readOrCreate(
    dataDir,
    'node-id',
    (id, file) => {
      if (/^[A-Za-z0-9_.:-]{1,100}$/.test(id)) return id;
      throw new AppError('CONFIG_INVALID', `${file} must hold one id (letters, digits, "_", ".", ":" or "-"), got "${id.slice(0, 40)}"; delete it and a new one is made at the next start`);
    },
    () => {
      const id = `node-${randomUUID()}`;
      return { value: id, text: id };
    },
  );
}
