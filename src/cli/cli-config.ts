import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { AppError } from '../core/errors.ts';

/** The configuration a command runs with: --config FILE, else SIGHTLINE_CONFIG, plus SIGHTLINE_* overrides. */
export async function loadCliConfig(file: string | undefined): Promise<Config> {
  const cfg = await loadConfig(file ?? process.env['SIGHTLINE_CONFIG'], process.env);
  if (!cfg.ok) throw new AppError('CONFIG_INVALID', `invalid configuration:\n${cfg.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
  return cfg.config;
}

/** An integer option `--name` between min and max, or `fallback` when absent; CONFIG_INVALID otherwise. */
export function intOption(name: string, raw: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = Number(raw ?? fallback);
  if (!(Number.isInteger(v) && v >= min && v <= max)) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `${min}..${max}`;
    throw new AppError('CONFIG_INVALID', `--${name}: expected an integer ${range}, got ${raw}`);
  }
  return v;
}
