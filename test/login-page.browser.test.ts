// The page in a real browser with authentication on (the default): the sign-in form, the forced change of the
// generated password, then the cameras and events; a wrong password is shown, and the CSP lets the page's script run.
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
    await page.locator('#login').waitFor({ state: 'visible' });
    await page.fill('#login [name=username]', 'admin');
    await page.fill('#login [name=password]', 'wrong password here');
    await page.click('#login button');
    await page.locator('#login .err', { hasText: 'unknown user or wrong password' }).waitFor();
    await page.fill('#login [name=password]', generated);
    await page.click('#login button');
    await page.locator('#change').waitFor({ state: 'visible' });
    await page.fill('#change [name=currentPassword]', generated);
    await page.fill('#change [name=newPassword]', 'short');
    await page.click('#change button');
    await page.locator('#change .err', { hasText: 'at least 10 characters' }).waitFor();
    await page.fill('#change [name=newPassword]', 'chosen in the browser');
    await page.click('#change button');
    await page.locator('main').waitFor({ state: 'visible' });
    await page.locator('.cam[data-camera=gate]').waitFor();
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
