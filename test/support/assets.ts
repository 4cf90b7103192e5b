import { resolve } from 'node:path';

/** Folder with the shared test models, videos and MOT data (env SIGHTLINE_ASSETS, default ../shared/assets). */
export const ASSETS = resolve(process.env['SIGHTLINE_ASSETS'] ?? '../shared/assets');

/** Path of a file inside the assets folder. */
export const asset = (relative: string): string => resolve(ASSETS, relative);
