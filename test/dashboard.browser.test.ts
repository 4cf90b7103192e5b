// The dashboard (web/, built by the test command) in a real browser (Debian's chromium via playwright-core) against a
// real server with authentication on and a camera reading a real clip: the first admin logs in and must change the
// password, the live wall plays the camera with its overlay drawn on presented frames, events arrive on the Events page
// without a reload, an API key is shown once, a viewer user is made, and the viewer reaches no admin page and is
// refused admin calls. Every page is screenshotted (.test-output/artifacts), checked for console errors, and scanned
// with axe-core (no serious or critical violations).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
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
import { buildMosaic } from './support/mosaic.ts';

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

/** Opens `path` and logs in on the login page it lands on. */
async function logIn(page: Page, path: string, username: string, password: string): Promise<void> {
  await page.goto(`${app.url}${path}`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
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
  await page.getByRole('link', { name: 'Live', exact: true }).click();
  await page.waitForFunction(() => {
    const v = document.querySelector('video[data-camera="street"]') as (HTMLVideoElement & { sightlinePlayer?: { stats: { mode: string; framesPresented: number; tracksMessages: number } } }) | null;
    const s = v?.sightlinePlayer?.stats;
    return !!s && s.mode === 'mse' && s.framesPresented > 20 && s.tracksMessages > 5;
  }, null, { timeout: 30_000 });
  a11y.push(...(await check(page, 'live')));

  // Analytics: the zone's occupancy as a chart, with its CSV.
  await page.getByRole('link', { name: 'Analytics', exact: true }).click();
  await page.getByRole('img', { name: 'Chart: Zone left: objects present' }).locator('canvas').first().waitFor();
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).first().click()]);
  assert.equal(csv.suggestedFilename(), 'street-zone-left.csv');
  a11y.push(...(await check(page, 'analytics')));

  // A key for a viewer, shown once.
  await page.getByRole('link', { name: 'API keys', exact: true }).click();
  await page.getByLabel('Name').fill('wall-display');
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = (await page.getByTestId('new-key').textContent()) ?? '';
  assert.match(key, /^slk_/);
  const withKey = await fetch(`${app.url}/api/cameras`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(withKey.status, 200, 'the key works');
  assert.equal((await fetch(`${app.url}/api/users`, { headers: { authorization: `Bearer ${key}` } })).status, 403, 'a viewer key is refused admin calls');
  a11y.push(...(await check(page, 'keys')));

  // Delivery: a webhook added with a generated secret, a test sent to it, the log of what went out.
  const received: string[] = [];
  const receiver = createServer((req, res) => {
    received.push(String(req.headers['webhook-id']));
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  try {
    await page.getByRole('link', { name: 'Delivery', exact: true }).click();
    await page.getByRole('heading', { name: 'Destinations' }).waitFor();
    const add = page.getByRole('form', { name: 'Add a webhook' });
    await add.getByLabel('Id').fill('ops');
    await add.getByLabel('URL').fill(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`);
    await add.getByRole('button', { name: 'Add webhook' }).click();
    await page.getByText(/webhook ops added\. Its signing secret, shown only now/).waitFor();
    await page.getByRole('button', { name: 'Send a test' }).click();
    await page.getByText(/test to ops delivered/).waitFor();
    assert.ok(received.length >= 1, 'the receiver got the test');
    await page.getByRole('cell', { name: 'delivered' }).first().waitFor({ timeout: 30_000 }); // events of the camera's rule
    a11y.push(...(await check(page, 'delivery')));
  } finally {
    receiver.close();
  }

  // A viewer user.
  await page.getByRole('link', { name: 'Users', exact: true }).click();
  await page.getByLabel('User name').fill('guard');
  await page.getByLabel('Password').fill('patrol-night-shift-7');
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.getByRole('cell', { name: 'guard', exact: true }).waitFor();
  a11y.push(...(await check(page, 'users')));
  await page.getByRole('link', { name: 'Cameras', exact: true }).click();
  await page.getByRole('heading', { name: 'Add a camera' }).waitFor();
  a11y.push(...(await check(page, 'cameras')));
  await page.getByRole('link', { name: 'System', exact: true }).click();
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
  assert.doesNotMatch(menu ?? '', /Cameras|Users|Delivery|Zones|Rules/);
  await page.goto(`${app.url}/users`);
  await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
  const refused = await page.evaluate(async () => (await fetch('/api/users')).status);
  assert.equal(refused, 403);
  await context.close();
  assert.deepEqual(errors, [], 'no console errors on any page');
  assert.deepEqual(a11y, [], 'no serious or critical accessibility violations');
});

test('set-up by pointing: add a camera after a probe, draw a zone, make a rule, see its event arrive and play its clip', { timeout: 240_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  const a11y: string[] = [];
  try {
    await logIn(page, '/cameras', 'admin', NEW_PASSWORD);
    await page.getByRole('heading', { name: 'Add a camera' }).waitFor();

    // A camera from a file on the server, probed first: codec, size and a preview before it can be saved.
    await page.getByLabel('Source URL').fill(asset('videos/people-walking-street-720p.mp4'));
    assert.equal(await page.getByRole('button', { name: 'Add camera' }).isDisabled(), true, 'nothing can be saved before a probe');
    await page.getByRole('button', { name: 'Probe' }).click();
    await page.locator('#probe-result', { hasText: /1280x720/ }).waitFor({ timeout: 20_000 });
    await page.getByRole('img', { name: /Preview of/ }).waitFor();
    await page.getByLabel('Id').fill('yard');
    await page.getByLabel('Name').fill('Yard');
    await page.getByRole('button', { name: 'Add camera' }).click();
    await page.getByRole('cell', { name: /^Yard/ }).waitFor();
    a11y.push(...(await check(page, 'cameras-added')));

    // A zone drawn on its latest frame: four clicks, Finish, Save.
    await page.getByRole('link', { name: 'Zones and lines', exact: true }).click();
    await page.getByRole('heading', { name: 'Zones and lines' }).waitFor();
    await page.getByRole('combobox', { name: 'Camera' }).selectOption('yard');
    await page.waitForURL(/\/zones\/yard$/);
    await page.waitForFunction(() => !!document.querySelector('.canvas-box canvas'));
    await page.getByRole('button', { name: 'New zone' }).click();
    const stage = page.locator('.canvas-box .konvajs-content');
    const box = (await stage.boundingBox())!;
    for (const [fx, fy] of [[0.02, 0.3], [0.98, 0.3], [0.98, 0.98], [0.02, 0.98]] as const) {
      await stage.click({ position: { x: box.width * fx, y: box.height * fy } });
    }
    await page.getByRole('button', { name: 'Finish zone' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved; the camera uses them from its next frame.').waitFor();
    const zones = await (await page.request.get(`${app.url}/api/cameras/yard/zones`)).json() as { items: { id: string; polygon: number[][] }[] };
    assert.equal(zones.items.length, 1);
    assert.equal(zones.items[0]!.polygon.length, 4);
    assert.ok(zones.items[0]!.polygon.every(([x, y]) => x! >= 0 && x! <= 1 && y! >= 0.25 && y! <= 1), JSON.stringify(zones.items[0]!.polygon));
    a11y.push(...(await check(page, 'zones')));

    // A presence rule on it, from the form.
    await page.getByRole('link', { name: 'Rules', exact: true }).click();
    await page.getByRole('heading', { name: 'Rules' }).waitFor();
    await page.getByRole('combobox', { name: 'Camera' }).selectOption('yard');
    await page.getByRole('button', { name: 'New rule' }).click();
    await page.getByRole('button', { name: 'Create rule' }).click();
    await page.getByText('pick the zone the rule watches').waitFor(); // validated before sending
    await page.getByLabel('Id').fill('yard-people');
    await page.getByLabel('Zone').selectOption(zones.items[0]!.id);
    await page.getByLabel('Objects (default: the camera\'s)').fill('person');
    await page.getByRole('button', { name: 'Create rule' }).click();
    await page.getByRole('cell', { name: 'yard-people' }).waitFor();
    a11y.push(...(await check(page, 'rules')));

    // Its event arrives on the Events page without a reload, and its clip plays.
    await page.getByRole('link', { name: 'Events', exact: true }).click();
    await page.getByRole('heading', { name: 'Events' }).waitFor();
    await page.getByRole('combobox', { name: 'Camera' }).selectOption('yard');
    const row = page.locator('.event-row', { hasText: 'on yard' }).first();
    await row.waitFor({ timeout: 90_000 });
    await row.click();
    await page.getByRole('heading', { name: /presence on yard/ }).waitFor();
    const clip = page.locator('video.clip');
    await clip.waitFor({ timeout: 90_000 });
    await page.waitForFunction(() => (document.querySelector('video.clip') as HTMLVideoElement | null)?.readyState! >= 2, null, { timeout: 30_000 });
    const played = await page.evaluate(async () => {
      const v = document.querySelector('video.clip') as HTMLVideoElement;
      v.muted = true;
      await v.play();
      await new Promise((r) => setTimeout(r, 1500));
      return { time: v.currentTime, duration: v.duration, width: v.videoWidth };
    });
    assert.ok(played.time > 0.5, `the clip plays: ${JSON.stringify(played)}`);
    assert.equal(played.width, 1280);
    a11y.push(...(await check(page, 'event-clip')));

    // The day on the recordings timeline: recorded spans, the event's marker, and playing from the event.
    await page.getByRole('link', { name: 'Recordings', exact: true }).click();
    await page.getByRole('heading', { name: 'Recordings' }).waitFor();
    await page.getByRole('combobox', { name: 'Camera' }).selectOption('yard');
    await page.locator('.timeline .tl-rec').first().waitFor();
    await page.locator('.timeline .tl-event').first().waitFor({ state: 'attached' });
    // The oldest event: its segment is closed (the newest one's may still be being written).
    await page.getByRole('list', { name: 'Events of the day' }).getByRole('button').last().click();
    await page.waitForFunction(() => {
      const v = document.querySelector('video.clip') as HTMLVideoElement | null;
      return !!v && v.readyState >= 2 && v.currentTime > 0;
    }, null, { timeout: 30_000 });
    a11y.push(...(await check(page, 'recordings')));
  } finally {
    await context.close();
  }
  assert.deepEqual(errors, [], 'no console errors on any page');
  assert.deepEqual(a11y, [], 'no serious or critical accessibility violations');
});

test('a DVR mosaic: its grid proposal is shown over the picture and accepted in one click', { timeout: 180_000 }, async () => {
  const mosaic = join(dataDir, 'dvr.mp4');
  buildMosaic(mosaic, 30);

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  const a11y: string[] = [];
  try {
    await logIn(page, '/cameras', 'admin', NEW_PASSWORD);
    await page.getByLabel('Source URL').fill(mosaic);
    await page.getByRole('button', { name: 'Probe' }).click();
    await page.locator('#probe-result', { hasText: /1280x720/ }).waitFor({ timeout: 20_000 });
    await page.getByLabel('Id').fill('dvr');
    await page.getByRole('button', { name: 'Add camera' }).click();
    const row = page.getByRole('row', { name: /^dvr/ });
    await row.getByRole('button', { name: 'Mosaic grid' }).and(page.locator(':enabled')).waitFor({ timeout: 30_000 });
    await row.getByRole('button', { name: 'Mosaic grid' }).click();
    await page.getByText('2 x 2 tiles, sure').waitFor({ timeout: 60_000 });
    const rects = await page.locator('.grid-picture rect').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
    assert.equal(rects.length, 4);
    assert.ok(rects.every((w) => w > 100), `each tile drawn over its quarter: widths ${rects.join(', ')}`);
    a11y.push(...(await check(page, 'mosaic-grid')));
    await page.getByRole('button', { name: 'Add the 4 tile cameras' }).click();
    await page.getByText(/Added 4 tile cameras/).waitFor();
    for (const id of ['dvr-1-1', 'dvr-1-2', 'dvr-2-1', 'dvr-2-2']) await page.getByRole('row', { name: new RegExp(`^${id}`) }).waitFor();
  } finally {
    await context.close();
  }
  assert.deepEqual(errors, [], 'no console errors');
  assert.deepEqual(a11y, [], 'no serious or critical accessibility violations');
});

test('on a phone: Live and Events fit the screen, the menu scrolls sideways, the timeline narrows the list', { timeout: 180_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const page = await context.newPage();
  const errors = watchErrors(page);
  const a11y: string[] = [];
  /** Whether the page is wider than the screen (something would need sideways scrolling of the whole page). */
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  try {
    await logIn(page, '/live', 'admin', NEW_PASSWORD);
    await page.getByRole('heading', { name: 'Live' }).waitFor();
    await page.locator('video[data-camera="street"]').waitFor();
    await page.waitForFunction(() => ((document.querySelector('video[data-camera="street"]') as HTMLVideoElement | null)?.videoWidth ?? 0) > 0, null, { timeout: 30_000 });
    assert.ok((await overflow()) <= 0, `Live fits the phone's width (overflow ${await overflow()} px)`);
    const tile = await page.locator('figure.tile').first().boundingBox();
    assert.ok(tile && tile.width >= 340, `a tile takes the screen's width: ${tile?.width} px`);
    // The menu is one row that scrolls sideways: its last page can be reached.
    await page.getByRole('link', { name: 'System', exact: true }).scrollIntoViewIfNeeded();
    assert.ok(await page.getByRole('link', { name: 'System', exact: true }).isVisible());
    a11y.push(...(await check(page, 'phone-live')));

    await page.getByRole('link', { name: 'Events', exact: true }).click();
    await page.locator('.event-row').first().waitFor({ timeout: 30_000 });
    assert.ok((await overflow()) <= 0, `Events fits the phone's width (overflow ${await overflow()} px)`);
    // The timeline: a bar narrows the list to its bucket; "Last 24 hours" widens it again.
    const bar = page.locator('.event-timeline [role="button"]').first();
    const barLabel = (await bar.getAttribute('aria-label')) ?? '';
    assert.match(barLabel, /^\d+ events from /);
    await bar.click();
    await page.getByRole('button', { name: 'Last 24 hours' }).waitFor();
    const url = new URL(page.url());
    const span = Number(url.searchParams.get('to')) - Number(url.searchParams.get('from'));
    assert.equal(span, 900_000, 'a bar of the day is a quarter of an hour');
    await page.locator('.event-row').first().waitFor();
    a11y.push(...(await check(page, 'phone-events')));
    await page.locator('.event-row').first().click();
    await page.locator('#event-title').waitFor();
    const detail = await page.locator('.detail').boundingBox();
    assert.ok(detail && detail.y < 844, `the chosen event shows on the first screen (at y ${detail?.y})`);
    await page.getByRole('button', { name: 'Last 24 hours' }).click();
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('from'));
  } finally {
    await context.close();
  }
  assert.deepEqual(errors, [], 'no console errors');
  assert.deepEqual(a11y, [], 'no serious or critical accessibility violations');
});
