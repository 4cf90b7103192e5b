import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../core/errors.ts';
import { loadCatalog } from './catalog.ts';
import { downloadFile, downloadUrl, type DownloadProgress } from './download.ts';
import type { AssetSettings } from './resolve-model.ts';
import { acceptedFiles, verifyLocalFile } from './verify-file.ts';

/** Where sample clips are looked for and whether (and from where) a missing one is downloaded. */
export interface SampleLocation {
  /** The assets folder; its `videos/` is searched first and never written to. */
  readonly assetsDir?: string | undefined;
  /** `<dataDir>/samples`: downloads land here. */
  readonly samplesDir: string;
  readonly download: boolean;
  /** Base URL of a mirror serving catalog files by file name, used instead of the sample's own URL. */
  readonly mirror?: string | null | undefined;
  readonly onProgress?: DownloadProgress;
}

/** Where a configuration keeps sample clips: the assets folder's `videos/`, then `<dataDir>/samples` (pure). */
export function sampleLocation(config: AssetSettings, extra: Partial<SampleLocation> = {}): SampleLocation {
  return {
    assetsDir: config.assets,
    samplesDir: join(config.dataDir, 'samples'),
    download: config.models.download,
    mirror: config.models.mirror ?? null,
    ...extra,
  };
}

/**
 * Turns a `sample:ID` source into a local file: from the assets folder, the samples folder, or a download. A local file
 * must have the sha256 the catalog lists (or a listed equivalent's); any other is refused with CHECKSUM_MISMATCH.
 */
export async function resolveSampleUrl(url: string, opts: SampleLocation): Promise<string> {
  if (!url.startsWith('sample:')) return url;
  const id = url.slice('sample:'.length);
  const sample = loadCatalog().samples.find((s) => s.id === id);
  if (!sample) {
    const known = loadCatalog().samples.map((s) => `sample:${s.id}`).join(', ');
    throw new AppError('SOURCE_UNAVAILABLE', `expected one of ${known}, got "${url}"`);
  }
  const dest = join(opts.samplesDir, sample.file);
  const candidates = [...(opts.assetsDir ? [join(opts.assetsDir, 'videos', sample.file)] : []), dest];
  for (const p of candidates) {
    if (!(await access(p).then(() => true, () => false))) continue;
    const fix = p === dest ? `delete it${opts.download ? ' (it is then downloaded again)' : ''} or replace it with the right file` : 'replace it with the right file';
    await verifyLocalFile(p, sample, `sample ${id}`, fix);
    return p;
  }
  if (!opts.download) {
    throw new AppError('SOURCE_UNAVAILABLE', `sample ${id} is not in ${candidates.join(' or ')} and downloads are off; place ${sample.file} there`);
  }
  await downloadFile(downloadUrl(sample, opts.mirror) ?? sample.url, dest, { accept: acceptedFiles(sample), onProgress: opts.onProgress, what: `sample ${id}` });
  return dest;
}
