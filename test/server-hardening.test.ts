// The server's outer shell: HTTPS with a certificate reloaded when its files change (Secure cookies, HSTS), security
// headers with a CSP that lets the page's own script run, CORS off unless configured, the body limit, and the API
// reference. Certificates are made with openssl.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import pino from 'pino';
import { startApp } from '../src/app.ts';
import { validateConfig } from '../src/config/load.ts';
import { waitFor } from './support/wait.ts';

function makeCert(dir: string, name: string): void {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`)], { stdio: 'ignore' });
}

/** GET over HTTPS trusting `ca`; the answer with the certificate the server showed. */
function httpsGet(url: string, ca: Buffer, headers: Record<string, string> = {}, method = 'GET', body?: string) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string; subject: string }>((resolve, reject) => {
    const req = request(url, { ca, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString(), subject: new X509Certificate((res.socket as TLSSocket).getPeerX509Certificate()!.raw).subject }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function config(dataDir: string, extra: Record<string, unknown>) {
  const r = validateConfig({ server: { port: 0, ...extra }, dataDir, log: { level: 'silent' }, models: { download: false }, cameras: [{ id: 'gate', enabled: false, source: { url: 'rtsp://127.0.0.1:9/none' } }] });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  return r.config;
}

test('HTTPS: Secure session cookie and HSTS; a renewed certificate is served without a restart', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-tls-'));
  const saved = process.env['SIGHTLINE_ADMIN_PASSWORD'];
  process.env['SIGHTLINE_ADMIN_PASSWORD'] = 'tls test password';
  makeCert(dir, 'first');
  makeCert(dir, 'second');
  const certFile = join(dir, 'server.crt');
  const keyFile = join(dir, 'server.key');
  execFileSync('cp', [join(dir, 'first.crt'), certFile]);
  execFileSync('cp', [join(dir, 'first.key'), keyFile]);
  const app = await startApp(config(join(dir, 'data'), { tls: { certFile, keyFile } }), pino({ level: 'silent' }));
  try {
    assert.match(app.url, /^https:/);
    const first = readFileSync(join(dir, 'first.crt'));
    const health = await httpsGet(`${app.url}/api/health`, first);
    assert.equal(health.status, 200);
    assert.equal(health.subject, 'CN=first');
    assert.match(String(health.headers['strict-transport-security']), /max-age=\d+/);
    const login = await httpsGet(`${app.url}/api/auth/login`, first, { 'content-type': 'application/json' }, 'POST', JSON.stringify({ username: 'admin', password: 'tls test password' }));
    assert.equal(login.status, 200);
    assert.match(String(login.headers['set-cookie']), /HttpOnly; Secure; SameSite=Strict/);
    // Renew: the key first, then the certificate (as certbot's deploy does); new connections get the new one.
    execFileSync('cp', [join(dir, 'second.key'), keyFile]);
    execFileSync('cp', [join(dir, 'second.crt'), certFile]);
    const second = readFileSync(join(dir, 'second.crt'));
    await waitFor('the renewed certificate', async () => (await httpsGet(`${app.url}/api/health`, second).catch(() => null))?.subject === 'CN=second', 10_000);
  } finally {
    if (saved === undefined) delete process.env['SIGHTLINE_ADMIN_PASSWORD'];
    else process.env['SIGHTLINE_ADMIN_PASSWORD'] = saved;
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('headers, CORS, body limit and the API reference', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-headers-'));
  const saved = process.env['SIGHTLINE_ADMIN_PASSWORD'];
  process.env['SIGHTLINE_ADMIN_PASSWORD'] = 'headers test password';
  const app = await startApp(config(dir, { corsOrigins: ['https://dash.example.com'], bodyLimitKb: 4 }), pino({ level: 'silent' }));
  try {
    const page = await fetch(`${app.url}/`);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    assert.doesNotMatch(csp, /unsafe-inline[^;]*;?\s*$|script-src[^;]*unsafe-inline/, 'no inline scripts but the page\'s own');
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('strict-transport-security'), null, 'no HSTS over plain HTTP');
    const allowed = await fetch(`${app.url}/api/health`, { headers: { origin: 'https://dash.example.com' } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://dash.example.com');
    const other = await fetch(`${app.url}/api/health`, { headers: { origin: 'https://evil.example.com' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    const big = await fetch(`${app.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'x'.repeat(10_000) }) });
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as { error: { code: string } }).error.code, 'PAYLOAD_TOO_LARGE');
    const docs = await fetch(`${app.url}/api/docs/`);
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /swagger/i);
    assert.equal((await fetch(`${app.url}/api/openapi.json`)).status, 401, 'the document needs a login like the API');
  } finally {
    if (saved === undefined) delete process.env['SIGHTLINE_ADMIN_PASSWORD'];
    else process.env['SIGHTLINE_ADMIN_PASSWORD'] = saved;
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a fresh server with the default settings (auth on) refuses anonymous calls on every route but health and login', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-anon-'));
  const app = await startApp(config(dir, {}), pino({ level: 'silent' }));
  try {
    assert.equal((await fetch(`${app.url}/api/health`)).status, 200);
    for (const path of ['/api/cameras', '/api/events', '/metrics', '/api/recordings/status', '/api/audit', '/api/users']) {
      assert.equal((await fetch(`${app.url}${path}`)).status, 401, path);
    }
  } finally {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with authentication off, only loopback host names are answered (no DNS rebinding)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-rebind-'));
  const r = validateConfig({ server: { port: 0 }, auth: { enabled: false }, dataDir: dir, log: { level: 'silent' }, models: { download: false }, cameras: [{ id: 'gate', enabled: false, source: { url: 'rtsp://127.0.0.1:9/none' } }] });
  assert.ok(r.ok);
  const app = await startApp(r.config, pino({ level: 'silent' }));
  try {
    const port = new URL(app.url).port;
    const get = (host: string) => new Promise<number>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path: '/api/cameras', headers: { host } }, (res) => { res.resume(); resolve(res.statusCode!); }).on('error', reject).end();
    });
    assert.equal(await get(`127.0.0.1:${port}`), 200);
    assert.equal(await get(`localhost:${port}`), 200);
    assert.equal(await get(`[::1]:${port}`), 200);
    assert.equal(await get(`attacker.example.com:${port}`), 403);
  } finally {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('behind a trusted reverse proxy the client address comes from X-Forwarded-For (lockout, rate limit, audit)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-proxy-'));
  const saved = process.env['SIGHTLINE_ADMIN_PASSWORD'];
  process.env['SIGHTLINE_ADMIN_PASSWORD'] = 'proxy test password';
  const app = await startApp(config(dir, { trustProxy: ['127.0.0.1'] }), pino({ level: 'silent' }));
  try {
    const login = (forwardedFor: string) => fetch(`${app.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor }, body: JSON.stringify({ username: 'admin', password: 'proxy test password' }) });
    const ok = await login('203.0.113.7');
    assert.equal(ok.status, 200);
    const cookie = ok.headers.get('set-cookie')!.split(';')[0]!;
    const audit = (await (await fetch(`${app.url}/api/audit?action=auth.login`, { headers: { cookie } })).json()) as { entries: { address: string }[] };
    assert.equal(audit.entries[0]!.address, '203.0.113.7');
  } finally {
    if (saved === undefined) delete process.env['SIGHTLINE_ADMIN_PASSWORD'];
    else process.env['SIGHTLINE_ADMIN_PASSWORD'] = saved;
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
