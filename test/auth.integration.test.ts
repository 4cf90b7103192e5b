// Accounts in the running API, on PGlite and PostgreSQL: lockout and the login slow-down, rate limits, session idle
// and absolute expiry, revocation that closes open WebSockets at once, a password change ending the other sessions,
// expiring keys, CSRF, bad credentials answered alike, the last admin kept, and an audit entry for each change.
import assert from 'node:assert/strict';
import { waitFor } from './support/wait.ts';
import { test } from 'node:test';
import WebSocket from 'ws';
import { newToken } from '../src/auth/tokens.ts';
import { openTestDatabase, startAuthServer, USER_PASSWORD, type AuthServer, type Credential } from './support/auth-server.ts';

const MINUTE = 60_000;

async function req(s: AuthServer, method: string, path: string, cred: Credential, body?: unknown, extra: Record<string, string> = {}) {
  const res = await fetch(`${s.url}${path}`, {
    method, headers: { ...cred.headers(method !== 'GET'), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...extra },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as any, headers: res.headers };
}

const login = (s: AuthServer, username: string, password: string) => req(s, 'POST', '/api/auth/login', s.anonymous, { username, password });

async function newUser(s: AuthServer, role: 'viewer' | 'operator' | 'admin' = 'viewer'): Promise<{ id: string; username: string }> {
  const username = `u${Math.random().toString(36).slice(2, 10)}`;
  const r = await req(s, 'POST', '/api/users', s.keys.admin, { username, password: USER_PASSWORD, role });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { id: r.body.id, username };
}

/** Resolves with the close code of a WebSocket opened with `cred`, once `action` has run; rejects when it stays open 3 s. */
function closeCodeAfter(s: AuthServer, path: string, cred: Credential, action: () => Promise<void>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${s.url.replace('http', 'ws')}${path}`, { headers: cred.headers() });
    ws.once('message', () => {
      // Timed from the revocation, not from the connection.
      void action().then(() => setTimeout(() => reject(new Error('the socket stayed open 3 s after the revocation')), 3000).unref(), reject);
    });
    ws.on('close', (code) => resolve(code));
    ws.on('error', reject);
  });
}

async function withServer(kind: 'pglite' | 'postgres', t: { skip(m: string): void }, opts: NonNullable<Parameters<typeof startAuthServer>[1]>, fn: (s: AuthServer) => Promise<void>) {
  const database = await openTestDatabase(kind);
  if (!database) {
    if (process.env['CI'] === 'true') assert.fail('PG_TEST_URL is not set but CI=true');
    t.skip('PG_TEST_URL is not set');
    return;
  }
  const s = await startAuthServer(database.db, opts);
  try {
    await fn(s);
  } finally {
    await s.stop();
    await database.dispose();
  }
}

for (const kind of ['pglite', 'postgres'] as const) {
  test(`accounts on ${kind}`, { timeout: 180_000 }, async (t) => {
    await withServer(kind, t, {}, async (s) => {
      await t.test('unknown user and wrong password get the same answer; 5 failures lock the name, even for the right password; it unlocks after 15 minutes', async () => {
        const user = await newUser(s);
        const wrong = await login(s, user.username, 'not the password at all');
        const unknown = await login(s, 'nobody-by-this-name', 'not the password at all');
        assert.equal(wrong.status, 401);
        assert.deepEqual(wrong.body, unknown.body);
        assert.deepEqual(wrong.body.error, { code: 'LOGIN_FAILED', message: 'unknown user or wrong password' });
        for (let i = 0; i < 4; i++) assert.equal((await login(s, user.username, 'still wrong password')).status, 401);
        const locked = await login(s, user.username, USER_PASSWORD);
        assert.equal(locked.status, 429);
        assert.equal(locked.body.error.code, 'LOGIN_LOCKED');
        assert.ok(Number(locked.headers.get('retry-after')) > 800, `Retry-After ${locked.headers.get('retry-after')}`);
        // An unknown name locks the same way (the answer tells nothing about which names exist).
        for (let i = 0; i < 5; i++) await login(s, 'ghost-user', 'wrong password here');
        assert.equal((await login(s, 'ghost-user', 'wrong password here')).status, 429);
        s.clock.offsetMs += 16 * MINUTE;
        assert.equal((await login(s, user.username, USER_PASSWORD)).status, 200);
      });

      await t.test('a session ends after idle minutes; bad cookies and headers get 401 with stable codes', async () => {
        const user = await newUser(s);
        const session = await s.login(user.username, USER_PASSWORD);
        assert.equal((await req(s, 'GET', '/api/auth/session', session)).status, 200);
        s.clock.offsetMs += 121 * MINUTE;
        const expired = await req(s, 'GET', '/api/cameras', session);
        assert.equal(expired.status, 401);
        assert.equal(expired.body.error.code, 'SESSION_EXPIRED');
        const foreign = { name: 'cookie of another server', headers: () => ({ cookie: `sightline_session=${newToken()}` }) };
        assert.equal((await req(s, 'GET', '/api/cameras', foreign)).body.error.code, 'AUTH_INVALID');
        const garbage = { name: 'garbage cookie', headers: () => ({ cookie: 'sightline_session=%00%ff../..' }) };
        assert.equal((await req(s, 'GET', '/api/cameras', garbage)).body.error.code, 'AUTH_INVALID');
        for (const header of ['Basic YWRtaW46YWRtaW4=', 'Bearer', 'Bearer slk_short', `Bearer ${'x'.repeat(500)}`]) {
          const r = await req(s, 'GET', '/api/cameras', { name: header, headers: () => ({ authorization: header }) });
          assert.equal(r.status, 401, header);
          assert.equal(r.body.error.code, 'AUTH_INVALID', header);
        }
      });

      await t.test('a password change ends the user\'s other sessions, and the old password stops working', async () => {
        const user = await newUser(s);
        const a = await s.login(user.username, USER_PASSWORD);
        const b = await s.login(user.username, USER_PASSWORD);
        const changed = await req(s, 'POST', '/api/auth/password', a, { currentPassword: USER_PASSWORD, newPassword: 'another good password' });
        assert.equal(changed.status, 200, JSON.stringify(changed.body));
        assert.equal((await req(s, 'GET', '/api/cameras', b)).body.error.code, 'SESSION_EXPIRED');
        assert.equal((await req(s, 'GET', '/api/cameras', a)).status, 200);
        assert.equal((await login(s, user.username, USER_PASSWORD)).status, 401);
        assert.equal((await login(s, user.username, 'another good password')).status, 200);
        const weak = await req(s, 'POST', '/api/auth/password', a, { currentPassword: 'another good password', newPassword: 'password123' });
        assert.equal(weak.status, 400);
        assert.match(weak.body.error.message, /newPassword: this password is on every list of common passwords/);
      });

      await t.test('revoking a key or ending a session closes its open WebSockets at once', async () => {
        const { key, record } = await s.auth.createKey(null, { name: 'dashboard tv', role: 'viewer' }, { address: null });
        const cred = { name: 'tv key', headers: () => ({ authorization: `Bearer ${key}` }) };
        const code = await closeCodeAfter(s, '/api/ws', cred, async () => {
          assert.equal((await req(s, 'DELETE', `/api/keys/${record.id}`, s.keys.admin)).status, 200);
        });
        assert.equal(code, 4401);
        assert.equal((await req(s, 'GET', '/api/cameras', cred)).body.error.code, 'AUTH_INVALID');
        const user = await newUser(s);
        const session = await s.login(user.username, USER_PASSWORD);
        const code2 = await closeCodeAfter(s, '/api/cameras/cam1/live', session, async () => {
          assert.equal((await req(s, 'POST', '/api/auth/logout', session)).status, 204);
        });
        assert.equal(code2, 4401);
      });

      await t.test('a key stops at its expiry; keys are made up to one\'s own role and shown once', async () => {
        const viewer = await s.login((await newUser(s)).username, USER_PASSWORD);
        const tooHigh = await req(s, 'POST', '/api/keys', viewer, { name: 'escalate', role: 'admin' });
        assert.equal(tooHigh.status, 403);
        const made = await req(s, 'POST', '/api/keys', viewer, { name: 'script', role: 'viewer', expiresMs: Date.now() + s.clock.offsetMs + 60_000 });
        assert.equal(made.status, 201);
        assert.match(made.body.key, /^slk_[A-Za-z0-9]{8}_/);
        assert.ok(made.body.key.startsWith(made.body.record.prefix));
        const listed = await req(s, 'GET', '/api/keys', viewer);
        assert.deepEqual(listed.body.keys.map((k: { id: string }) => k.id), [made.body.record.id], 'a viewer sees only their own keys');
        assert.ok(!JSON.stringify(listed.body).includes(made.body.key.slice(14)), 'the key is not shown again');
        const cred = { name: 'script key', headers: () => ({ authorization: `Bearer ${made.body.key}` }) };
        assert.equal((await req(s, 'GET', '/api/cameras', cred)).status, 200);
        s.clock.offsetMs += 61_000;
        assert.equal((await req(s, 'GET', '/api/cameras', cred)).body.error.code, 'AUTH_INVALID');
      });

      await t.test('disabling a user or lowering their role ends their keys above it; a key cannot make keys', async () => {
        const user = await newUser(s, 'admin');
        const session = await s.login(user.username, USER_PASSWORD);
        const adminKey = (await req(s, 'POST', '/api/keys', session, { name: 'their admin key', role: 'admin' })).body.key as string;
        const viewerKey = (await req(s, 'POST', '/api/keys', session, { name: 'their viewer key', role: 'viewer' })).body.key as string;
        const as = (key: string) => ({ name: 'key', headers: () => ({ authorization: `Bearer ${key}` }) });
        const planted = await req(s, 'POST', '/api/keys', as(adminKey), { name: 'planted', role: 'viewer' });
        assert.equal(planted.status, 403);
        assert.match(planted.body.error.message, /not with another key/);
        assert.equal((await req(s, 'PATCH', `/api/users/${user.id}`, s.keys.admin, { role: 'viewer' })).status, 200);
        assert.equal((await req(s, 'GET', '/api/users', as(adminKey))).body.error.code, 'AUTH_INVALID', 'the admin key of a demoted user is revoked');
        assert.equal((await req(s, 'GET', '/api/cameras', as(viewerKey))).status, 200, 'keys within the new role stay');
        assert.equal((await req(s, 'PATCH', `/api/users/${user.id}`, s.keys.admin, { disabled: true })).status, 200);
        assert.equal((await req(s, 'GET', '/api/cameras', as(viewerKey))).body.error.code, 'AUTH_INVALID', 'a disabled user\'s keys stop');
      });

      await t.test('guesses of the current password at a password change lock like failed logins', async () => {
        const user = await newUser(s);
        const session = await s.login(user.username, USER_PASSWORD);
        const codes: number[] = [];
        for (let i = 0; i < 6; i++) codes.push((await req(s, 'POST', '/api/auth/password', session, { currentPassword: `guess number ${i}`, newPassword: 'a new password here' })).status);
        assert.deepEqual(codes, [400, 400, 400, 400, 400, 429]);
      });

      await t.test('a WebSocket from another site\'s page is refused; the server\'s own page and clients without Origin are not', async () => {
        const open = (headers: Record<string, string>) => new Promise<number>((resolve) => {
          const ws = new WebSocket(`${s.url.replace('http', 'ws')}/api/ws`, { headers: { ...s.keys.viewer.headers(), ...headers } });
          ws.on('open', () => { ws.close(); resolve(101); });
          ws.on('unexpected-response', (_q, res) => { res.resume(); resolve(res.statusCode ?? 0); });
        });
        assert.equal(await open({ origin: 'https://evil.example.com' }), 403);
        assert.equal(await open({ origin: s.url }), 101);
        assert.equal(await open({}), 101);
      });

      await t.test('revoking a key ends its MJPEG stream', async () => {
        const { key, record } = await s.auth.createKey(null, { name: 'mjpeg', role: 'viewer' }, { address: null });
        const res = await fetch(`${s.url}/api/cameras/cam1/live.mjpeg?fps=5`, { headers: { authorization: `Bearer ${key}` } });
        assert.equal(res.status, 200);
        const reader = res.body!.getReader();
        await reader.read();
        assert.equal((await req(s, 'DELETE', `/api/keys/${record.id}`, s.keys.admin)).status, 200);
        // Timed from the revocation: the stream ends (or errors) within 3 s.
        const ended = await Promise.race([
          (async () => { for (;;) { const r = await reader.read().catch(() => ({ done: true })); if (r.done) return true; } })(),
          new Promise<boolean>((r) => setTimeout(() => r(false), 3000).unref()),
        ]);
        assert.ok(ended, 'the stream still runs 3 s after the revocation');
      });

      await t.test('changes through a cookie need the CSRF token and a same-site request', async () => {
        const operator = await s.login((await newUser(s, 'operator')).username, USER_PASSWORD);
        const path = `/api/events/${s.eventIds[2]}`;
        const noToken = await req(s, 'PATCH', path, { name: 'no token', headers: () => ({ cookie: operator.cookie }) }, { keep: true });
        assert.equal(noToken.body.error.code, 'CSRF_FAILED');
        const crossSite = await req(s, 'PATCH', path, operator, { keep: true }, { 'sec-fetch-site': 'cross-site' });
        assert.equal(crossSite.body.error.code, 'CSRF_FAILED');
        assert.equal((await req(s, 'GET', path, s.keys.viewer)).body.keep, false, 'nothing changed');
        assert.equal((await req(s, 'PATCH', path, operator, { keep: true })).status, 200);
      });

      await t.test('the last enabled admin cannot be demoted, disabled or deleted', async () => {
        const r = await req(s, 'PATCH', `/api/users/${s.userIds.admin}`, s.keys.admin, { role: 'viewer' });
        assert.equal(r.status, 409);
        assert.equal(r.body.error.code, 'LAST_ADMIN');
        assert.equal((await req(s, 'DELETE', `/api/users/${s.userIds.admin}`, s.keys.admin)).body.error.code, 'LAST_ADMIN');
      });

      await t.test('every change and every login is in the audit log, with before and after, and no secret', async () => {
        const user = await newUser(s);
        await req(s, 'PATCH', `/api/users/${user.id}`, s.keys.admin, { role: 'operator' });
        await req(s, 'DELETE', `/api/users/${user.id}`, s.keys.admin);
        // The harness's sessions have expired with the clock moved on; fresh ones.
        const operator = await s.login('operator1', USER_PASSWORD);
        const viewer = await s.login('viewer1', USER_PASSWORD);
        assert.equal((await req(s, 'PATCH', `/api/events/${s.eventIds[0]}`, operator, { keep: true })).status, 200);
        assert.equal((await req(s, 'PATCH', `/api/events/${s.eventIds[0]}`, viewer, { keep: false })).status, 403);
        const { body } = await req(s, 'GET', '/api/audit?limit=1000', s.keys.admin);
        const find = (action: string, target: string | null, outcome = 'ok') => body.entries.find((e: any) => e.action === action && (target === null || e.target === target) && e.outcome === outcome);
        assert.ok(find('auth.login', 'viewer1'), 'login');
        assert.ok(find('auth.login', null, 'failed'), 'failed login');
        assert.ok(find('auth.login', null, 'denied'), 'locked login');
        assert.ok(find('auth.password', null), 'password change');
        assert.ok(find('auth.logout', null), 'logout');
        assert.ok(find('user.create', user.username), 'user created');
        assert.deepEqual(find('user.update', user.username).before, { role: 'viewer', disabled: false });
        assert.equal(find('user.update', user.username).after.role, 'operator');
        assert.equal(find('user.delete', user.username).actor, 'key:' + (await s.auth.store.getKey(s.keys.admin.id))!.prefix);
        assert.ok(find('key.create', null) && find('key.revoke', null), 'keys');
        const keep = find('event.keep', s.eventIds[0]!);
        assert.deepEqual([keep.before, keep.after, keep.actor, keep.address], [{ keep: false }, { keep: true }, 'user:operator1', '127.0.0.1']);
        // The audit entry of a refusal is written after the answer has gone out: look until it is there.
        const denied = await waitFor('the refused change in the audit log', async () => {
          const again = (await req(s, 'GET', '/api/audit?action=event.keep&limit=100', s.keys.admin)).body;
          return again.entries.find((e: any) => e.target === s.eventIds[0] && e.outcome === 'denied');
        }, 10_000, 50);
        assert.ok(denied, 'a refused change is audited too');
        const text = JSON.stringify(body);
        for (const secret of [USER_PASSWORD, s.keys.admin.key, 'another good password']) assert.ok(!text.includes(secret), 'no secret in the audit log');
        const filtered = await req(s, 'GET', '/api/audit?action=user.', s.keys.admin);
        assert.ok(filtered.body.entries.length > 0 && filtered.body.entries.every((e: any) => e.action.startsWith('user.')));
      });
    });
  });
}

test('rate limits: the token bucket answers 429 with Retry-After past the burst, per key; logins from one address are slowed', { timeout: 60_000 }, async (t) => {
  await withServer('pglite', t, { auth: { rateLimit: { perSecond: 0.1, burst: 10 }, lockout: { failures: 100, lockMinutes: 15, addressPerMinute: 5 } } }, async (s) => {
    for (let i = 0; i < 10; i++) assert.equal((await req(s, 'GET', '/api/cameras', s.keys.viewer)).status, 200);
    const limited = await req(s, 'GET', '/api/cameras', s.keys.viewer);
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal((await req(s, 'GET', '/api/cameras', s.keys.operator)).status, 200, 'another key has its own bucket');
    s.clock.offsetMs += 10_100;
    assert.equal((await req(s, 'GET', '/api/cameras', s.keys.viewer)).status, 200, 'a token is back after 10 s (0.1 a second)');
    // The address's login bucket holds 5 a minute (the harness's own logins have refilled after a minute).
    s.clock.offsetMs += MINUTE;
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await login(s, `nobody${i}`, 'wrong password here')).status);
    assert.deepEqual(codes, [401, 401, 401, 401, 401, 429]);
  });
});

test('absolute expiry ends an active session', { timeout: 60_000 }, async (t) => {
  await withServer('pglite', t, { auth: { session: { idleMinutes: 525_600, maxHours: 1 } } }, async (s) => {
    const session = await s.login('viewer1', USER_PASSWORD);
    for (let i = 0; i < 3; i++) {
      s.clock.offsetMs += 19 * MINUTE;
      assert.equal((await req(s, 'GET', '/api/cameras', session)).status, 200);
    }
    s.clock.offsetMs += 5 * MINUTE;
    assert.equal((await req(s, 'GET', '/api/cameras', session)).body.error.code, 'SESSION_EXPIRED');
  });
});
