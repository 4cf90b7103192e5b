// The dashboard in a real browser with authentication on (the default): the sign-in form, the forced change of the
// generated password, then the live wall; a wrong password and a refused new password are shown with the server's
// reasons, the session cookie is HttpOnly and SameSite=Strict, and the CSP lets the dashboard's scripts run.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { startApp } from '../src/app.ts';
import { validateConfig } from '../src/config/load.ts';
import { artifact, launchBrowser } from './support/browser.ts';

test('first sign-in in the browser: the generated password, the forced change, then the page', { timeout: 90_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sightline-login-page-'));
  const saved = process.env['SIGHTLINE_ADMIN_PASSWORD'];
  delete process.env['SIGHTLINE_ADMIN_PASSWORD'];
  const r = validateConfig({ server: { port: 0 }, dataDir, log: { level: 'silent' }, models: { download: false }, cameras: [{ id: 'gate', enabled: false, source: { url: 'rtsp://127.0.0.1:9/none' } }] });
  assert.ok(r.ok);
  const app = await startApp(r.config, pino({ level: 'silent' }));
  const browser = await launchBrowser();
  try {
    const generated = readFileSync(join(dataDir, 'initial-admin-password'), 'utf8').trim();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // Answers of 4xx (the wrong password, the disabled camera's picture) are expected; a blocked script is not.
    page.on('console', (m) => m.type() === 'error' && /Content Security Policy|Refused/.test(m.text()) && errors.push(m.text()));
    await page.goto(app.url);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill('wrong password here');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'unknown user or wrong password' }).waitFor();
    await page.getByLabel('Password').fill(generated);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await page.getByLabel('Current password').fill(generated);
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('New password again').fill('short');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').filter({ hasText: 'at least 10 characters' }).waitFor();
    await page.getByLabel('New password', { exact: true }).fill('chosen in the browser');
    await page.getByLabel('New password again').fill('chosen in the browser');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('heading', { name: 'Live' }).waitFor();
    await page.locator('figure.tile', { hasText: 'gate' }).waitFor();
    await page.screenshot({ path: artifact('login-page.png') });
    const cookies = await page.context().cookies();
    assert.ok(cookies.some((c) => c.name === 'sightline_session' && c.httpOnly && c.sameSite === 'Strict'));
    assert.equal(await page.evaluate(() => document.cookie), '', 'the session cookie is not readable by scripts');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await app.stop();
    if (saved !== undefined) process.env['SIGHTLINE_ADMIN_PASSWORD'] = saved;
    rmSync(dataDir, { recursive: true, force: true });
  }
});
