// The dashboard with bad input and a bad connection, in Debian's chromium against a real server (auth on): a camera URL
// that fails its probe shows the reason at the field; a crossed polygon is pointed out on the drawing and cannot be
// saved; a session that ends sends the user to login and back to the very page (filters included) after; the server
// going down shows a banner, and when it is back the banner goes and the live video plays again by itself.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { DASHBOARD_DIR, dashboardBuilt } from '../src/api/routes/dashboard.ts';
import { startApp, type RunningApp } from '../src/app.ts';
import { freePort } from '../src/bench/rtsp-server.ts';
import type { Config } from '../src/config/schema.ts';
import { validateConfig } from '../src/config/load.ts';
import { INITIAL_PASSWORD_FILE } from '../src/store/initial-password.ts';
import { asset, ASSETS } from './support/assets.ts';
import { artifact, launchBrowser } from './support/browser.ts';

const PASSWORD = 'resilient-long-password-2';

let app: RunningApp | null = null;
let config: Config;
let dataDir: string;
let browser: Browser;

before(async () => {
  assert.ok(dashboardBuilt(DASHBOARD_DIR), `the dashboard is built at ${DASHBOARD_DIR} (npm run build -w web; the test command does it)`);
  dataDir = mkdtempSync(join(tmpdir(), 'sightline-resilience-'));
  const r = validateConfig({
    server: { port: await freePort(), host: '127.0.0.1' }, auth: { enabled: true }, dataDir, assets: ASSETS, log: { level: 'silent' }, models: { download: false },
    cameras: [{ id: 'street', name: 'Street', source: { url: asset('videos/vtest.avi'), loop: true }, detect: { fps: 2 }, record: { mode: 'off' } }],
  });
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.problems));
  config = r.config;
  app = await startApp(config, pino({ level: 'silent' }));
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Fills the login form the page shows and sends it. */
async function logIn(page: Page, password: string): Promise<void> {
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Frames the live player of `camera` has presented so far. */
const presented = (page: Page, camera: string) => page.evaluate((id) => {
  const v = document.querySelector(`video[data-camera="${id}"]`) as (HTMLVideoElement & { sightlinePlayer?: { stats: { framesPresented: number } } }) | null;
  return v?.sightlinePlayer?.stats.framesPresented ?? 0;
}, camera);

test('bad input and a bad connection: probe reason, crossed polygon, expired session, server down and back', { timeout: 240_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  try {
    // First login: the initial password, then a new one.
    await page.goto(`${app!.url}/cameras`);
    const initial = readFileSync(join(dataDir, INITIAL_PASSWORD_FILE), 'utf8').trim();
    await logIn(page, initial);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await page.getByLabel('Current password').fill(initial);
    await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('New password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('heading', { name: 'Add a camera' }).waitFor();

    // A camera URL that fails the probe: the reason next to the field, which is marked invalid.
    const port = await freePort();
    await page.getByLabel('Source URL').fill(`rtsp://127.0.0.1:${port}/nothing`);
    await page.getByRole('button', { name: 'Probe' }).click();
    await page.locator('#probe-result', { hasText: /^unreachable: / }).waitFor({ timeout: 20_000 });
    assert.equal(await page.getByLabel('Source URL').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByRole('button', { name: 'Add camera' }).isDisabled(), true, 'a camera that failed its probe cannot be saved');
    await page.screenshot({ path: artifact('resilience-probe.png') });

    // A crossed polygon (a bow tie): the problem is named under the drawing and Save is refused.
    await page.getByRole('link', { name: 'Zones and lines', exact: true }).click();
    await page.getByRole('combobox', { name: 'Camera' }).selectOption('street');
    await page.waitForFunction(() => !!document.querySelector('.canvas-box canvas'));
    await page.getByRole('button', { name: 'New zone' }).click();
    const stage = page.locator('.canvas-box .konvajs-content');
    const box = (await stage.boundingBox())!;
    for (const [fx, fy] of [[0.1, 0.1], [0.9, 0.9], [0.9, 0.1], [0.1, 0.9]] as const) await stage.click({ position: { x: box.width * fx, y: box.height * fy } });
    await page.getByRole('button', { name: 'Finish zone' }).click();
    await page.locator('ul.problems', { hasText: /cross/ }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save' }).isDisabled(), true);
    await page.screenshot({ path: artifact('resilience-polygon.png') });

    // The session ends (its cookie is gone): the next call sends the user to login, and back to the page after.
    await page.goto(`${app!.url}/events?type=presence`);
    await page.getByRole('heading', { name: 'Events' }).waitFor();
    await context.clearCookies();
    await page.getByRole('combobox', { name: 'Severity' }).selectOption('info');
    await page.getByLabel('User name').waitFor({ timeout: 20_000 });
    await logIn(page, PASSWORD);
    await page.getByRole('heading', { name: 'Events' }).waitFor();
    const back = new URL(page.url());
    assert.equal(back.pathname, '/events');
    assert.equal(back.searchParams.get('type'), 'presence', `the page is restored with its filters: ${page.url()}`);

    // The server goes down: a banner; it comes back: the banner goes and the live video plays on by itself.
    await page.getByRole('link', { name: 'Live', exact: true }).click();
    await page.waitForFunction(() => {
      const v = document.querySelector('video[data-camera="street"]') as (HTMLVideoElement & { sightlinePlayer?: { stats: { framesPresented: number } } }) | null;
      return (v?.sightlinePlayer?.stats.framesPresented ?? 0) > 5;
    }, null, { timeout: 30_000 });
    await app!.stop();
    app = null;
    await page.getByRole('alert').filter({ hasText: /The server does not answer/ }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: artifact('resilience-server-down.png') });
    app = await startApp(config, pino({ level: 'silent' }));
    await page.getByRole('alert').filter({ hasText: /The server does not answer/ }).waitFor({ state: 'detached', timeout: 60_000 });
    const framesBack = await presented(page, 'street');
    await page.waitForFunction((n) => {
      const v = document.querySelector('video[data-camera="street"]') as (HTMLVideoElement & { sightlinePlayer?: { stats: { framesPresented: number } } }) | null;
      return (v?.sightlinePlayer?.stats.framesPresented ?? 0) > n + 10;
    }, framesBack, { timeout: 60_000 });
  } catch (err) {
    await page.screenshot({ path: artifact('resilience-failure.png') });
    throw err;
  } finally {
    await context.close();
  }
  assert.deepEqual(pageErrors, [], 'no page errors');
});
