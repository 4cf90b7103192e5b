/**
 * The server machine's own door: a Unix socket `DATA_DIR/admin/admin.sock`, in a folder only the account the server
 * runs as may enter (made so before the socket exists, so no umask opens it even for a moment), through which `sightline keys create` makes an API key while the server runs (the embedded database
 * is open in the server process and cannot be opened beside it). Whoever may open this socket may read the data
 * folder anyway, so it asks for nothing more (as Grafana's CLI trusts whoever can read its database file).
 */
import { chmod, mkdir, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import path, { join } from 'node:path';
import { z } from 'zod';
import type { AuthService } from '../auth/auth-service.ts';
import { ROLES } from '../auth/roles.ts';
import { errorMessage, isAppError } from '../core/errors.ts';

export const ADMIN_SOCKET = join('admin', 'admin.sock');

/** What `keys create` sends. */
export const LocalKeyRequest = z.object({
  name: z.string().min(1).max(100), role: z.enum(ROLES), cameras: z.array(z.string().min(1).max(64)).min(1).optional(), expiresMs: z.number().int().positive().optional(),
}).strict();
export type LocalKeyRequest = z.infer<typeof LocalKeyRequest>;

/** Listens on the admin socket; returns the function that closes it. */
export async function startLocalAdmin(dataDir: string, auth: AuthService): Promise<() => Promise<void>> {
  const file = path.join(dataDir, ADMIN_SOCKET);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await chmod(path.dirname(file), 0o700);
  await rm(file, { force: true });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        try {
          if (req.method !== 'POST' || req.url !== '/keys') throw new Error(`expected POST /keys, got ${req.method} ${req.url}`);
          const body = LocalKeyRequest.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          const created = await auth.createKey(null, { name: body.name, role: body.role, cameraIds: body.cameras ?? null, expiresMs: body.expiresMs ?? null }, { address: 'local' });
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(created));
        } catch (err) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: isAppError(err) ? err.code : 'BAD_REQUEST', message: errorMessage(err) } }));
        }
      })();
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(file, () => resolve()));
  await chmod(file, 0o600);
  return () => new Promise<void>((resolve) => server.close(() => void rm(file, { force: true }).then(() => resolve())));
}

/** Asks a running server for a key through its admin socket; null when no server listens there. */
export function requestKeyFromServer(dataDir: string, body: LocalKeyRequest): Promise<{ key: string; record: unknown } | null> {
  const file = path.join(dataDir, ADMIN_SOCKET);
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: file, path: '/keys', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { key: string; record: unknown } | { error: { message: string } };
        if ('error' in parsed) reject(new Error(parsed.error.message));
        else resolve(parsed);
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? resolve(null) : reject(err)));
    req.end(JSON.stringify(body));
  });
}
