import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../core/errors.ts';
import { loadCatalog } from './catalog.ts';
import { downloadFile, type DownloadProgress } from './download.ts';

/** Turns a `sample:ID` source into a local file: from the assets folder, the samples folder, or a download. */
export async function resolveSampleUrl(
  url: string,
  opts: { assetsDir?: string | undefined; samplesDir: string; download: boolean; onProgress?: DownloadProgress },
): Promise<string> {
  if (!url.startsWith('sample:')) return url;
  const id = url.slice('sample:'.length);
  const sample = loadCatalog().samples.find((s) => s.id === id);
  if (!sample) {
    const known = loadCatalog().samples.map((s) => `sample:${s.id}`).join(', ');
    throw new AppError('SOURCE_UNAVAILABLE', `expected one of ${known}, got "${url}"`);
  }
  const candidates = [...(opts.assetsDir ? [join(opts.assetsDir, 'videos', sample.file)] : []), join(opts.samplesDir, sample.file)];
  for (const p of candidates) if (await access(p).then(() => true, () => false)) return p;
  const dest = join(opts.samplesDir, sample.file);
  if (!opts.download) {
    throw new AppError('SOURCE_UNAVAILABLE', `sample ${id} is not in ${candidates.join(' or ')} and downloads are off; place ${sample.file} there`);
  }
  await downloadFile(sample.url, dest, { sha256: sample.sha256, onProgress: opts.onProgress });
  return dest;
}
