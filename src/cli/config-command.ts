import { effectiveCameras } from '../app.ts';
import { loadConfig } from '../config/load.ts';
import { loadCatalog } from '../assets/catalog.ts';
import pino from 'pino';
import { checkDetectorForRules } from '../pipeline/perception-check.ts';
import { checkDestinations } from '../senders/delivery-service.ts';
import { buildSiteMap } from '../mapping/site-map.ts';

/** `sightline config check FILE`: prints every problem with its path, or a summary; returns the exit code. */
export async function configCommand(argv: string[]): Promise<number> {
  const offline = argv.includes('--offline');
  const [sub, file, ...rest] = argv.filter((a) => a !== '--offline');
  if (sub !== 'check' || !file || rest.length > 0) {
    console.error(
      'usage: sightline config check FILE [--offline]\nValidates a YAML configuration (with SIGHTLINE_* overrides applied) and lists every problem;\n' +
        'connects to each delivery destination (MQTT broker, SMTP server) unless --offline.',
    );
    return 2;
  }
  const result = await loadConfig(file, process.env);
  if (!result.ok) {
    console.error(`${file}: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}`);
    for (const p of result.problems) console.error(`${p.path}: ${p.message}`);
    return 1;
  }
  const cams = effectiveCameras(result.config);
  // Rules that need something of the camera's model, where the model is a catalog model (files are checked at start).
  const catalog = loadCatalog();
  const problems: string[] = [];
  cams.forEach((cam, i) => {
    const spec = cam.detect.model ?? result.config.models.default;
    const manifest = catalog.models.find((m) => m.id === spec);
    if (!manifest || (manifest.task !== 'detect' && manifest.task !== 'pose')) return;
    try {
      checkDetectorForRules(cam, manifest);
    } catch (err) {
      problems.push(`cameras[${i}].rules: ${(err as Error).message}`);
    }
  });
  if (!offline) problems.push(...(await checkDestinations(result.config, pino({ level: 'silent' }))));
  if (problems.length > 0) {
    console.error(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
    for (const p of problems) console.error(p);
    return 1;
  }
  // Site problems are warnings: the server starts, and a camera whose calibration cannot be used runs without a map position.
  const site = buildSiteMap(result.config.site, cams);
  for (const p of site.problems) console.error(`warning: ${p.path}: ${p.message}`);
  const dests = result.config.delivery.destinations;
  const destText = dests.length === 0 ? '' : `; ${dests.length} destination${dests.length === 1 ? '' : 's'}: ${dests.map((d) => d.id).join(', ')}${offline ? ' (not contacted)' : ''}`;
  const siteText = site.cameras.size === 0 ? '' : `; ${site.cameras.size} calibrated to ${site.plans.size} plan${site.plans.size === 1 ? '' : 's'}, ${site.areas.length} area${site.areas.length === 1 ? '' : 's'}`;
  console.log(`${file}: ok (${cams.length} camera${cams.length === 1 ? '' : 's'}: ${cams.map((c) => c.id).join(', ')}${destText}${siteText})`);
  return 0;
}
