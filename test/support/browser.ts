// A real browser for the tests: Debian's chromium (apt-get install -y chromium) driven by playwright-core, headless,
// with a fresh profile each time (playwright's). Screenshots go to the artifacts folder.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

/** Folder for test artifacts (screenshots): env SIGHTLINE_TEST_ARTIFACTS, default `.test-output/artifacts`. */
export const ARTIFACTS = resolve(process.env['SIGHTLINE_TEST_ARTIFACTS'] ?? '.test-output/artifacts');

/** Path for an artifact file, its folder created. */
export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/** Starts headless chromium. */
export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found; install it with: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required',
    ],
  });
}
