// The Map page and the calibration screen (web/, built by the test command) in a real browser against a real server
// with the site of test/site.e2e.test.ts: the plaza clip (ffmpeg, the real detector) cut into two overlapping tile
// cameras calibrated to the floor plan, and the plaza camera itself calibrated to a plan the site does not have. The
// map shows people as dots with their global ids, the areas' live counts, the heatmap and what to fix, and fits a
// phone's width; on the calibration screen the admin clicks point pairs on plaza's frame and on the plan, sees the
// fit's rms error, drags a point off and sees its pair flagged, removes that pair, saves, and the server has plaza
// calibrated. Every screen is screenshotted (.test-output/artifacts), checked for console errors, and scanned with
// axe-core (no serious or critical violations).
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
import { ASSETS } from './support/assets.ts';
import { CLICKS, PLAN_H, PLAN_W, plazaSite } from './support/plaza-site.ts';
import { artifact, launchBrowser } from './support/browser.ts';
import { waitFor } from './support/wait.ts';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const NEW_PASSWORD = 'a-new-long-password-1';

let app: RunningApp;
let dataDir: string;
let browser: Browser;

before(async () => {
  assert.ok(dashboardBuilt(DASHBOARD_DIR), `the dashboard is built at ${DASHBOARD_DIR} (npm run build -w web; the test command does it)`);
  dataDir = mkdtempSync(join(tmpdir(), 'sightline-site-map-'));
  const r = validateConfig({
    server: { port: 0, host: '127.0.0.1' }, auth: { enabled: true }, dataDir, assets: ASSETS, models: { download: false }, log: { level: 'silent' },
    ...plazaSite(),
  });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
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
    // A refused call (the session check before login) is logged by chromium as a failed resource; the dashboard shows those itself.
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 40[13]/.test(m.text())) errors.push(m.text());
  });
  return errors;
}

/** Screenshots the page and scans it with axe-core; returns the serious and critical violations. */
async function check(page: Page, name: string): Promise<string[]> {
  await page.screenshot({ path: artifact(`site-map-${name}.png`), fullPage: true });
  // Through the DevTools protocol: the page's Content Security Policy (rightly) refuses inline scripts.
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run(o: unknown): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe.run({ resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  return violations.map((v) => `${name}: ${v}`);
}

/** Whether the page is wider than the screen (something would need sideways scrolling of the whole page). */
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** Where plan metres (`xM`, `yM`) are inside the plan's drawing, in pixels from its top left corner. */
function planOffset(page: Page, xM: number, yM: number): Promise<{ x: number; y: number }> {
  return page.locator('svg.plan-svg').evaluate((svg, [x, y]) => {
    const p = new DOMPoint(x, y).matrixTransform((svg as SVGSVGElement).getScreenCTM()!);
    const box = svg.getBoundingClientRect();
    return { x: p.x - box.left, y: p.y - box.top };
  }, [xM, yM] as const);
}

interface SiteView { cameras: { id: string; plan: string | null; calibrated: boolean; rmsErrorM: number | null }[]; problems: { message: string; cameraId?: string }[] }

test('the map shows people and live counts, and a camera is calibrated by pointing', { timeout: 150_000 }, async () => {
  const initial = readFileSync(join(dataDir, INITIAL_PASSWORD_FILE), 'utf8').trim();
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  const a11y: string[] = [];
  try {
    await page.goto(`${app.url}/map`);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(initial);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByLabel('Current password').fill(initial);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('heading', { name: 'Map', exact: true }).waitFor();
    assert.match(await page.getByRole('navigation', { name: 'Pages' }).textContent() ?? '', /^LiveMap/, 'Map comes after Live in the menu');

    // People on the floor plan, each a dot with its global id; the areas' counts, live.
    await page.locator('svg[data-plan="floor"] .person').first().waitFor({ timeout: 60_000 });
    const id = await page.locator('svg[data-plan="floor"] .person').first().getAttribute('data-global-id');
    assert.match(id ?? '', /^\d+$/);
    await page.locator('tr[data-area] td', { hasText: /^[1-9]\d* (person|people)$/ }).first().waitFor({ timeout: 30_000 });
    assert.match(await page.locator('text[data-area="plaza"]').textContent() ?? '', /^plaza: \d+ (person|people)$/, 'the area is labelled with its count on the plan');
    assert.equal(await page.locator('tr[data-area="car-park"] td').last().textContent(), 'not counted');

    // What to fix: the plan without a scale, the area off its plan, plaza calibrated to a plan the site lacks.
    const fix = page.getByRole('region', { name: 'What to fix' });
    await fix.waitFor();
    const fixText = (await fix.textContent()) ?? '';
    assert.match(fixText, /plan "sketch": the floor plan has no scale/);
    assert.match(fixText, /area "car-park"/);
    assert.match(fixText, /camera "plaza" is calibrated to plan "elsewhere", which is not a plan of this site/);

    // The heatmap of the last hour, drawn under the people, once trajectories are stored.
    await waitFor('stored trajectories on the floor', async () => ((await (await page.request.get(`${app.url}/api/site/heatmap?plan=floor`)).json()) as { maxCount: number }).maxCount > 0, 30_000, 500);
    await page.getByLabel('Heatmap of the last hour').check();
    await page.locator('svg[data-plan="floor"] .heat rect').first().waitFor({ state: 'attached' });
    await page.getByText(/^Heatmap: where people stood in the last hour/).waitFor();
    a11y.push(...(await check(page, 'map')));

    // The calibration screen of plaza: its stored pairs (to the missing plan) cleared, five new ones clicked.
    await page.getByRole('link', { name: 'Calibrate plaza', exact: true }).click();
    await page.waitForURL(/\/map\/calibrate\/plaza$/);
    await page.getByText('The stored calibration is to plan "elsewhere", which this site does not have').waitFor();
    assert.equal(await page.getByLabel('Plan', { exact: true }).inputValue(), 'floor');
    const frame = page.locator('.frame-box svg');
    await frame.waitFor();
    await page.getByRole('button', { name: 'Remove all pairs' }).click();
    await page.getByText('No point pairs yet.').waitFor();
    const frameBox = (await frame.boundingBox())!;
    const plan = page.locator('svg.plan-svg');
    for (const [k, [u, v]] of CLICKS.entries()) {
      await frame.click({ position: { x: u * frameBox.width, y: v * frameBox.height } });
      await page.locator(`.handle[data-side="frame"][data-pair="${k + 1}"]`).waitFor();
      await plan.click({ position: await planOffset(page, u * PLAN_W, v * PLAN_H) });
      await page.locator(`.handle[data-side="plan"][data-pair="${k + 1}"]`).waitFor();
      if (k === 3) await page.locator('.fit', { hasText: /RMS error 0\.0\d m.*over 4 pairs/ }).waitFor(); // four fit exactly
    }
    await page.locator('.fit', { hasText: /RMS error 0\.\d\d m.*over 5 pairs/ }).waitFor();
    assert.equal(await page.locator('tr.bad').count(), 0, 'careful clicks: no pair disagrees');
    assert.ok((await page.locator('.fit-on-frame polyline').count()) > 10, 'the plan\'s grid is drawn on the frame through the fit');
    assert.ok((await page.locator('.fit-outline').count()) >= 1, 'the frame\'s outline is drawn on the plan');
    a11y.push(...(await check(page, 'calibration')));

    // From the keyboard: a focused point moves with the arrow keys (0.1 m on the plan), as its row shows.
    const x1 = Number(await page.getByLabel('Pair 1 plan x (m)').inputValue());
    await page.locator('.handle[data-side="plan"][data-pair="1"]').focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(Number(await page.getByLabel('Pair 1 plan x (m)').inputValue()), Math.round((x1 + 0.1) * 100) / 100);
    await page.keyboard.press('ArrowLeft');
    assert.equal(Number(await page.getByLabel('Pair 1 plan x (m)').inputValue()), x1);

    // Pair 5's plan point dragged far off: that pair is flagged, with what to do.
    const handle = (await page.locator('.handle[data-side="plan"][data-pair="5"]').boundingBox())!;
    const planBox = (await plan.boundingBox())!;
    const to = await planOffset(page, 3, 12);
    await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await page.mouse.down();
    await page.mouse.move(planBox.x + to.x, planBox.y + to.y, { steps: 8 });
    await page.mouse.up();
    const bad = page.locator('tr.bad[data-pair="5"]');
    await bad.waitFor();
    assert.match(await bad.textContent() ?? '', /m off the fit of the others: check where it was clicked/);
    assert.equal(await page.locator('tr.bad').count(), 1, 'only the moved pair is flagged');
    await page.locator('.fit', { hasText: /over the 4 pairs that agree\. Pair 5 disagrees with the others and is left out/ }).waitFor();
    a11y.push(...(await check(page, 'calibration-bad-pair')));

    // Removed with its button; the four left are saved, and plaza is on the floor plan.
    await page.getByRole('button', { name: 'Remove pair 5' }).click();
    await page.locator('.fit', { hasText: /over 4 pairs/ }).waitFor();
    await page.getByRole('button', { name: 'Save calibration' }).click();
    await page.getByText(/^Saved: plaza is calibrated to floor \(rms 0\.\d\d m\)/).waitFor();
    const site = (await (await page.request.get(`${app.url}/api/site`)).json()) as SiteView;
    const plaza = site.cameras.find((c) => c.id === 'plaza')!;
    assert.deepEqual([plaza.plan, plaza.calibrated], ['floor', true], JSON.stringify(site.problems.filter((p) => p.cameraId === 'plaza')));
    assert.ok(plaza.rmsErrorM! < 0.05, `four careful clicks fit: rms ${plaza.rmsErrorM} m`);
    assert.equal(site.problems.some((p) => p.cameraId === 'plaza'), false);
  } finally {
    await context.close();
  }
  assert.deepEqual(errors, [], 'no console errors');
  assert.deepEqual(a11y, [], 'no serious or critical accessibility violations');
});

test('on a phone: the map and the calibration screen fit the screen', { timeout: 60_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const page = await context.newPage();
  const errors = watchErrors(page);
  const a11y: string[] = [];
  try {
    await page.goto(`${app.url}/map`);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Map', exact: true }).waitFor();
    await page.locator('svg[data-plan="floor"] .person').first().waitFor({ timeout: 30_000 });
    assert.ok((await overflow(page)) <= 0, `the map fits the phone's width (overflow ${await overflow(page)} px)`);
    const drawn = (await page.locator('svg[data-plan="floor"]').boundingBox())!;
    assert.ok(drawn.width >= 300, `the plan takes the screen's width: ${drawn.width} px`);
    a11y.push(...(await check(page, 'phone-map')));

    await page.goto(`${app.url}/map/calibrate/west`);
    await page.locator('.frame-box svg').waitFor();
    await page.locator('.fit', { hasText: /RMS error/ }).waitFor();
    assert.ok((await overflow(page)) <= 0, `the calibration screen fits the phone's width (overflow ${await overflow(page)} px)`);
    a11y.push(...(await check(page, 'phone-calibration')));
  } finally {
    await context.close();
  }
  assert.deepEqual(errors, [], 'no console errors');
  assert.deepEqual(a11y, [], 'no serious or critical accessibility violations');
});
