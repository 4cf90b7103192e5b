/**
 * The composition of access control: the accounts store and service, the first admin, the server machine's admin
 * socket, the audit retention, and TLS files (read at start, reloaded when they change).
 */
import { randomUUID } from 'node:crypto';
import { readFile, watch } from 'node:fs/promises';
import type { Logger } from 'pino';
import { startLocalAdmin } from './api/local-admin.ts';
import { AuthService } from './auth/auth-service.ts';
import type { Config } from './config/schema.ts';
import { AppError, errorMessage } from './core/errors.ts';
import { SqlAuthStore } from './store/auth-repository.ts';
import { removeInitialPassword, writeInitialPassword } from './store/initial-password.ts';
import type { SqlDatabase } from './store/sql-database.ts';

const DAY_MS = 86_400_000;

/** Starts access control; `auth` is null when it is turned off. */
export async function startAccess(config: Config, db: SqlDatabase, log: Logger): Promise<{ auth: AuthService | null; stop(): Promise<void> }> {
  if (!config.auth.enabled) {
    log.warn({ host: config.server.host }, 'authentication is off (auth.enabled: false): anyone who reaches this address may do anything; allowed only on loopback');
    return { auth: null, stop: async () => undefined };
  }
  const store = new SqlAuthStore(db);
  const authLog = log.child({ component: 'auth' });
  const auth = new AuthService(config.auth, {
    store, now: Date.now, newId: randomUUID, onBackgroundError: (err) => authLog.warn({ err: errorMessage(err) }, 'last-use time not written'),
    onGeneratedPasswordReplaced: () => removeInitialPassword(config.dataDir),
  });
  const first = await auth.ensureFirstAdmin(process.env['SIGHTLINE_ADMIN_PASSWORD'] || undefined);
  // Read once; child processes (ffmpeg) must not inherit it.
  delete process.env['SIGHTLINE_ADMIN_PASSWORD'];
  if (first.created && first.generatedPassword) {
    const file = await writeInitialPassword(config.dataDir, first.generatedPassword);
    // Shown once, on purpose: it is the only way in on a fresh install (and it must be changed at the first login).
    authLog.info({ username: 'admin', password: first.generatedPassword, file }, `first start: created user "admin" with password ${first.generatedPassword} (also in ${file}); it must be changed at the first login`);
  } else if (first.created) {
    authLog.info({ username: 'admin' }, 'first start: created user "admin" with the password of SIGHTLINE_ADMIN_PASSWORD');
  }
  const stopAdmin = await startLocalAdmin(config.dataDir, auth);
  const prune = async () => {
    const nowMs = Date.now();
    await store.pruneAudit(nowMs - config.auth.auditKeepDays * DAY_MS);
    await store.pruneSessions(nowMs - DAY_MS);
  };
  const pruneTimer = setInterval(() => void prune().catch((err) => authLog.warn({ err: errorMessage(err) }, 'audit retention failed')), 6 * 3_600_000);
  pruneTimer.unref();
  await prune();
  return {
    auth,
    async stop() {
      clearInterval(pruneTimer);
      await stopAdmin();
    },
  };
}

/** A server that can swap its certificate (node:https). */
export interface SecureServer {
  setSecureContext(options: { cert: Buffer; key: Buffer }): void;
}

/** Reads the PEM files named in server.tls. */
export async function readTls(tls: { certFile: string; keyFile: string }): Promise<{ cert: Buffer; key: Buffer }> {
  try {
    return { cert: await readFile(tls.certFile), key: await readFile(tls.keyFile) };
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `server.tls: cannot read the certificate or key (${errorMessage(err)}); expected PEM files at certFile and keyFile`, { cause: err });
  }
}

/** Reloads the certificate when either file changes (a renewed certificate needs no restart); returns the stopper. */
export function watchTls(tls: { certFile: string; keyFile: string }, server: SecureServer, log: Logger): () => void {
  const ac = new AbortController();
  for (const file of [tls.certFile, tls.keyFile]) {
    void (async () => {
      try {
        for await (const _change of watch(file, { signal: ac.signal })) {
          try {
            server.setSecureContext(await readTls(tls));
            log.info({ file }, 'TLS certificate reloaded');
          } catch (err) {
            log.error({ err: errorMessage(err) }, 'TLS certificate not reloaded; the previous one stays in use');
          }
        }
      } catch (err) {
        if ((err as Error).name !== 'AbortError') log.warn({ err: errorMessage(err), file }, 'TLS files are not watched');
      }
    })();
  }
  return () => ac.abort();
}
