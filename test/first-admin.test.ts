// The whole server's first start with authentication on: a generated admin password printed once and kept in an
// owner-only file, the forced change at the first login (the file goes), SIGHTLINE_ADMIN_PASSWORD for automated
// installs, `sightline keys create` on the server machine (running server and stopped), and the refusal to serve
// other machines with authentication off.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { startApp } from '../src/app.ts';
import { loadConfig, validateConfig } from '../src/config/load.ts';

const BIN = new URL('../bin/sightline.mjs', import.meta.url).pathname;

function config(dataDir: string) {
  // One disabled camera: the server starts without decoding or loading a model.
  const r = validateConfig({ server: { port: 0 }, dataDir, log: { level: 'silent' }, models: { download: false }, cameras: [{ id: 'gate', enabled: false, source: { url: 'rtsp://127.0.0.1:9/none' } }] });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  return r.config;
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } }, (err, out, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out, err: stderr }));
  });
}

test('first start: a generated admin password, shown once and kept owner-only, must be changed at the first login', { timeout: 60_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sightline-first-admin-'));
  const lines: string[] = [];
  const saved = process.env['SIGHTLINE_ADMIN_PASSWORD'];
  delete process.env['SIGHTLINE_ADMIN_PASSWORD'];
  let app = await startApp(config(dataDir), pino({ level: 'info' }, { write: (l: string) => void lines.push(l) }));
  try {
    const file = join(dataDir, 'initial-admin-password');
    const password = readFileSync(file, 'utf8').trim();
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(lines.filter((l) => l.includes(password)).length, 1, 'the password is logged exactly once');
    const login = await post(`${app.url}/api/auth/login`, { username: 'admin', password });
    const session = (await login.json()) as { mustChangePassword: boolean; csrfToken: string };
    assert.equal(session.mustChangePassword, true);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const blocked = await fetch(`${app.url}/api/cameras`, { headers: { cookie } });
    assert.equal(blocked.status, 403);
    assert.equal(((await blocked.json()) as { error: { code: string } }).error.code, 'PASSWORD_CHANGE_REQUIRED');
    const changed = await post(`${app.url}/api/auth/password`, { currentPassword: password, newPassword: 'my own choice here' }, { cookie, 'x-csrf-token': session.csrfToken });
    assert.equal(changed.status, 200);
    assert.equal((await fetch(`${app.url}/api/cameras`, { headers: { cookie } })).status, 200);
    assert.ok(!existsSync(file), 'the file goes once the password is changed');

    // keys create while the server runs: through its admin socket.
    const made = await cli(['keys', 'create', '--role', 'viewer', '--name', 'backup script'], { SIGHTLINE_DATA_DIR: dataDir });
    assert.equal(made.code, 0, made.err);
    const key = made.out.trim();
    assert.match(key, /^slk_/);
    assert.equal((await fetch(`${app.url}/api/cameras`, { headers: { authorization: `Bearer ${key}` } })).status, 200);
    assert.equal((await fetch(`${app.url}/api/users`, { headers: { authorization: `Bearer ${key}` } })).status, 403);
    const bad = await cli(['keys', 'create', '--role', 'root'], { SIGHTLINE_DATA_DIR: dataDir });
    assert.equal(bad.code, 1);
    assert.match(bad.err, /--role: expected one of viewer, operator, admin, got "root"/);

    // A restart creates no second admin and no new password file.
    await app.stop();
    // keys create with the server stopped: on the database itself.
    const offline = await cli(['keys', 'create', '--role', 'operator'], { SIGHTLINE_DATA_DIR: dataDir });
    assert.equal(offline.code, 0, offline.err);
    app = await startApp(config(dataDir), pino({ level: 'silent' }));
    assert.ok(!existsSync(file));
    assert.equal((await fetch(`${app.url}/api/cameras`, { headers: { authorization: `Bearer ${offline.out.trim()}` } })).status, 200);
    assert.equal((await post(`${app.url}/api/auth/login`, { username: 'admin', password: 'my own choice here' })).status, 200);
  } finally {
    if (saved !== undefined) process.env['SIGHTLINE_ADMIN_PASSWORD'] = saved;
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('SIGHTLINE_ADMIN_PASSWORD sets the first admin\'s password without a forced change; a weak one stops the start', { timeout: 60_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sightline-admin-env-'));
  const saved = process.env['SIGHTLINE_ADMIN_PASSWORD'];
  try {
    process.env['SIGHTLINE_ADMIN_PASSWORD'] = 'admin';
    await assert.rejects(startApp(config(dataDir), pino({ level: 'silent' })), /SIGHTLINE_ADMIN_PASSWORD: expected at least 10 characters, got 5/);
    process.env['SIGHTLINE_ADMIN_PASSWORD'] = 'set by the installer';
    // Loaded as `sightline serve` loads it: the variable is read by the server, not taken for a configuration key.
    const loaded = await loadConfig(undefined, { ...process.env, SIGHTLINE_DATA_DIR: join(dataDir, 'ok'), SIGHTLINE_SERVER__PORT: '0', SIGHTLINE_LOG__LEVEL: 'silent', SIGHTLINE_CAMERAS: JSON.stringify([{ id: 'gate', enabled: false, source: { url: 'rtsp://127.0.0.1:9/none' } }]) });
    assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.problems));
    const app = await startApp(loaded.config, pino({ level: 'silent' }));
    try {
      assert.ok(!existsSync(join(dataDir, 'ok', 'initial-admin-password')));
      const login = await post(`${app.url}/api/auth/login`, { username: 'admin', password: 'set by the installer' });
      assert.equal(((await login.json()) as { mustChangePassword: boolean }).mustChangePassword, false);
    } finally {
      await app.stop();
    }
  } finally {
    if (saved === undefined) delete process.env['SIGHTLINE_ADMIN_PASSWORD'];
    else process.env['SIGHTLINE_ADMIN_PASSWORD'] = saved;
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('authentication cannot be off on an address other machines reach; config check says how to fix it', async () => {
  const r = validateConfig({ server: { host: '0.0.0.0' }, auth: { enabled: false } });
  assert.ok(!r.ok);
  assert.deepEqual(r.problems.map((p) => p.path), ['auth.enabled']);
  assert.match(r.problems[0]!.message, /authentication cannot be off while the server listens on "0\.0\.0\.0".*set auth\.enabled: true \(the default\), or server\.host: 127\.0\.0\.1/);
  assert.ok(validateConfig({ server: { host: '127.0.0.1' }, auth: { enabled: false } }).ok);
  assert.ok(validateConfig({ server: { host: '0.0.0.0' } }).ok, 'with auth on (the default) any address is fine');
  const dir = mkdtempSync(join(tmpdir(), 'sightline-auth-check-'));
  try {
    writeFileSync(join(dir, 'c.yaml'), 'server: { host: 0.0.0.0 }\nauth: { enabled: false }\n');
    const out = await cli(['config', 'check', join(dir, 'c.yaml'), '--offline']);
    assert.notEqual(out.code, 0);
    assert.match(out.out + out.err, /auth\.enabled: authentication cannot be off/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
