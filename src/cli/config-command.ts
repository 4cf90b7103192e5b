import { effectiveCameras } from '../app.ts';
import { loadConfig } from '../config/load.ts';

/** `sightline config check FILE`: prints every problem with its path, or a summary; returns the exit code. */
export async function configCommand(argv: string[]): Promise<number> {
  const [sub, file, ...rest] = argv;
  if (sub !== 'check' || !file || rest.length > 0) {
    console.error('usage: sightline config check FILE\nValidates a YAML configuration (with SIGHTLINE_* overrides applied) and lists every problem.');
    return 2;
  }
  const result = await loadConfig(file, process.env);
  if (!result.ok) {
    console.error(`${file}: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}`);
    for (const p of result.problems) console.error(`${p.path}: ${p.message}`);
    return 1;
  }
  const cams = effectiveCameras(result.config);
  console.log(`${file}: ok (${cams.length} camera${cams.length === 1 ? '' : 's'}: ${cams.map((c) => c.id).join(', ')})`);
  return 0;
}
