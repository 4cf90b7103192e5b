import { startApp } from './app.ts';
import { loadConfig } from './config/load.ts';
import { errorMessage } from './core/errors.ts';
import { createLogger } from './logging.ts';

/**
 * Starts the server with `--config FILE` (or env SIGHTLINE_CONFIG), `--role all|api|worker` (cluster.role) and
 * SIGHTLINE_* overrides; stops cleanly on SIGINT/SIGTERM (a worker hands its cameras over first).
 */
export async function runServer(argv: readonly string[]): Promise<number> {
  const i = argv.indexOf('--config');
  const file = i >= 0 ? argv[i + 1] : process.env['SIGHTLINE_CONFIG'];
  const r = argv.indexOf('--role');
  const role = r >= 0 ? argv[r + 1] : undefined;
  if (r >= 0 && !['all', 'api', 'worker'].includes(role ?? '')) {
    console.error(`sightline: --role expects all, api or worker, got ${role === undefined ? 'nothing' : `"${role}"`}`);
    return 2;
  }
  const env = role ? { ...process.env, SIGHTLINE_CLUSTER__ROLE: role } : process.env;
  const result = await loadConfig(file, env).catch((err: unknown) => ({ ok: false as const, problems: [{ path: file ?? '', message: errorMessage(err) }] }));
  if (!result.ok) {
    console.error(`sightline: the configuration is invalid:\n${result.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
    return 2;
  }
  const log = createLogger(result.config.log.level);
  let app;
  try {
    app = await startApp(result.config, log);
  } catch (err) {
    log.fatal({ err: errorMessage(err) }, 'server could not start');
    // What started before the failure (database pool, Redis clients, timers) must not keep a failed process alive.
    setTimeout(() => process.exit(1), 200).unref();
    return 1;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log.info('stopping');
  await app.stop();
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await runServer(process.argv.slice(2));
}
