/**
 * `sightline keys create --role ROLE [--name N] [--camera ID]... [--expires-days D]`: prints a new API key, on the
 * server machine. While the server runs the key is made through its owner-only admin socket; otherwise on the
 * database directly.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { requestKeyFromServer, type LocalKeyRequest } from '../api/local-admin.ts';
import { AuthService } from '../auth/auth-service.ts';
import { ROLES, type Role } from '../auth/roles.ts';
import { AppError } from '../core/errors.ts';
import { SqlAuthStore } from '../store/auth-repository.ts';
import { openDatabase } from '../store/open-database.ts';
import { intOption, loadCliConfig } from './cli-config.ts';

export const KEYS_USAGE = `usage: sightline keys create --role viewer|operator|admin [--name NAME] [--camera ID]... [--expires-days D] [--config FILE]
  Prints a new API key (shown once) for scripts, backups and monitoring: send it as "Authorization: Bearer KEY".`;

export async function keysCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'create') {
    console.error(KEYS_USAGE);
    return 2;
  }
  const { values } = parseArgs({
    args: rest, strict: true,
    options: { role: { type: 'string' }, name: { type: 'string' }, camera: { type: 'string', multiple: true }, 'expires-days': { type: 'string' }, config: { type: 'string' } },
  });
  const role = values.role as Role | undefined;
  if (!role || !ROLES.includes(role)) throw new AppError('CONFIG_INVALID', `--role: expected one of ${ROLES.join(', ')}, got ${values.role === undefined ? 'nothing' : `"${values.role}"`}`);
  const days = values['expires-days'] === undefined ? null : intOption('expires-days', values['expires-days'], 0, 1, 36_500);
  const request: LocalKeyRequest = {
    name: values.name ?? `${role} key made on the server`, role,
    ...(values.camera ? { cameras: values.camera } : {}), ...(days ? { expiresMs: Date.now() + days * 86_400_000 } : {}),
  };
  const config = await loadCliConfig(values.config);
  let created = await requestKeyFromServer(config.dataDir, request);
  if (!created) {
    const db = await openDatabase({ url: config.database.url, dataDir: join(config.dataDir, 'db') });
    try {
      const auth = new AuthService(config.auth, { store: new SqlAuthStore(db), now: Date.now, newId: randomUUID, onBackgroundError: () => undefined });
      created = await auth.createKey(null, { name: request.name, role, cameraIds: request.cameras ?? null, expiresMs: request.expiresMs ?? null }, { address: 'local' });
    } finally {
      await db.close();
    }
  }
  const record = created.record as { prefix: string; role: string };
  console.error(`created API key ${record.prefix} (role ${record.role}); it is shown once, keep it safe:`);
  console.log(created.key);
  return 0;
}
