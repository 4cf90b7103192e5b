// The dashboard (web/, built by the test command) in a real browser (Debian's chromium via playwright-core) against a
// real server with authentication on and a camera reading a real clip: the first admin logs in and must change the
// password, the live wall plays the camera with its overlay drawn on presented frames, events arrive on the Events page
// without a reload, an API key is shown once, a viewer user is made, and the viewer reaches no admin page and is
// refused admin calls. Every page is screenshotted (.test-output/artifacts), checked for console errors, and scanned
// with axe-core (no serious or critical violations).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { DASHBOARD_DIR, dashboardBuilt } from '../src/api/routes/dashboard.ts';
import { startApp, type RunningApp } from '../src/app.ts';
import { validateConfig } from '../src/config/load.ts';
import { INITIAL_PASSWORD_FILE } from '../src/store/initial-password.ts';
import { asset, ASSETS } from './support/assets.ts';
import { artifact, launchBrowser } from './support/browser.ts';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const NEW_PASSWORD = 'a-new-long-password-1';

let app: RunningApp;
let dataDir: string;
let browser: Browser;

before(async () => {
  assert.ok(dashboardBuilt(DASHBOARD_DIR), `the dashboard is built at ${DASHBOARD_DIR} (npm run build -w web; the test command does it)`);
  dataDir = mkdtempSync(join(tmpdir(), 'sightline-dashboard-'));
  const r = validateConfig({
    server: { port: 0, host: '127.0.0.1' }, auth: { enabled: true }, dataDir, assets: ASSETS, log: { level: 'silent' }, models: { download: false },
    cameras: [{
      id: 'street', name: 'Street', source: { url: asset('videos/vtest.avi'), loop: true }, detect: { fps: 5 },
      zones: [{ id: 'left', polygon: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]] }],
      rules: [{ id: 'people-left', type: 'presence', zone: 'left', objects: ['person'] }],
    }],
  });
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.problems));
  app = await startApp(r.config, pino({ level: 'silent' }));
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Console errors and page errors of `page`, collected as they happen. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`page error: ${String(err)}`));
  page.on('console', (m) => {
    // A refused call (403/401) is logged by chromium as a failed resource; the dashboard shows those itself.
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 40[13]/.test(m.text())) errors.push(m.text());
  });
  return errors;
}

/** Screenshots the page and scans it with axe-core; returns the serious and critical violations. */
async function check(page: Page, name: string): Promise<string[]> {
  await page.screenshot({ path: artifact(`dashboard-${name}.png`), fullPage: true });
  // Through the DevTools protocol: the page's Content Security Policy (rightly) refuses inline scripts.
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run(o: unknown): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe.run({ resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  return violations.map((v) => `${name}: ${v}`);
}

test('first admin: forced password change, live wall, live events, a key shown once, a viewer who reaches no admin page', { timeout: 180_000 }, async () => {
  const initial = readFileSync(join(dataDir, INITIAL_PASSWORD_FILE), 'utf8').trim();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  const a11y: string[] = [];

  await page.goto(`${app.url}/events`);
  await page.getByLabel('User name').waitFor();
  a11y.push(...(await check(page, 'login')));
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(initial);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  a11y.push(...(await check(page, 'change-password')));
  await page.getByLabel('Current password').fill(initial);
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('New password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  // Back to the page that was asked for first.
  await page.getByRole('heading', { name: 'Events' }).waitFor();
  assert.match(page.url(), /\/events$/);

  // Events arrive without a reload (the camera's presence rule fires as people walk on the left).
  await page.locator('.event-row').first().waitFor({ timeout: 60_000 });
  const row = await page.locator('.event-row').first().textContent();
  assert.match(row ?? '', /presence/);
  await page.locator('.event-row').first().click();
  await page.getByRole('heading', { name: /presence on street/ }).waitFor();
  a11y.push(...(await check(page, 'events')));

  // The live wall plays the camera, drawing the analysis on presented frames.
  await page.getByRole('link', { name: 'Live' }).click();
  await page.waitForFunction(() => {
    const v = document.querySelector('video[data-camera="street"]') as (HTMLVideoElement & { sightlinePlayer?: { stats: { mode: string; framesPresented: number; tracksMessages: number } } }) | null;
    const s = v?.sightlinePlayer?.stats;
    return !!s && s.mode === 'mse' && s.framesPresented > 20 && s.tracksMessages > 5;
  }, null, { timeout: 30_000 });
  a11y.push(...(await check(page, 'live')));

  // A key for a viewer, shown once.
  await page.getByRole('link', { name: 'API keys' }).click();
  await page.getByLabel('Name').fill('wall-display');
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = (await page.getByTestId('new-key').textContent()) ?? '';
  assert.match(key, /^slk_/);
  const withKey = await fetch(`${app.url}/api/cameras`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(withKey.status, 200, 'the key works');
  assert.equal((await fetch(`${app.url}/api/users`, { headers: { authorization: `Bearer ${key}` } })).status, 403, 'a viewer key is refused admin calls');
  a11y.push(...(await check(page, 'keys')));

  // A viewer user.
  await page.getByRole('link', { name: 'Users' }).click();
  await page.getByLabel('User name').fill('guard');
  await page.getByLabel('Password').fill('patrol-night-shift-7');
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.getByRole('cell', { name: 'guard', exact: true }).waitFor();
  a11y.push(...(await check(page, 'users')));
  await page.getByRole('link', { name: 'Cameras' }).click();
  await page.getByRole('heading', { name: 'Add a camera' }).waitFor();
  a11y.push(...(await check(page, 'cameras')));
  await page.getByRole('link', { name: 'System' }).click();
  await page.getByRole('heading', { name: 'Health' }).waitFor();
  a11y.push(...(await check(page, 'system')));
  await page.getByRole('button', { name: /Log out/ }).click();
  await page.getByLabel('User name').waitFor();

  // The viewer: no admin page in the menu, an admin page by address says so, admin calls are refused.
  await page.getByLabel('User name').fill('guard');
  await page.getByLabel('Password').fill('patrol-night-shift-7');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Live' }).waitFor();
  const menu = await page.getByRole('navigation', { name: 'Pages' }).textContent();
  assert.doesNotMatch(menu ?? '', /Cameras|Users/);
  await page.goto(`${app.url}/users`);
  await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
  const refused = await page.evaluate(async () => (await fetch('/api/users')).status);
  assert.equal(refused, 403);
  await context.close();
  assert.deepEqual(errors, [], 'no console errors on any page');
  assert.deepEqual(a11y, [], 'no serious or critical accessibility violations');
});
