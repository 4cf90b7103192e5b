import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressKey, LoginThrottle } from './login-throttle.ts';
import { DUMMY_HASH, hashPassword, verifyPassword } from './password-hash.ts';
import { passwordProblem } from './password-policy.ts';
import { includesRole } from './roles.ts';
import { TokenBuckets } from './token-bucket.ts';
import { looksLikeApiKey, newApiKey, newPassword } from './tokens.ts';

test('token buckets: a burst, then the average rate; Retry-After until the next token; buckets are per key', () => {
  const b = new TokenBuckets(2, 3);
  for (let i = 0; i < 3; i++) assert.ok(b.take('a', 1000).ok);
  const refused = b.take('a', 1000);
  assert.deepEqual(refused, { ok: false, retryAfterMs: 500 });
  assert.ok(b.take('b', 1000).ok, 'another key has its own bucket');
  assert.ok(!b.take('a', 1400).ok);
  assert.ok(b.take('a', 1500).ok, 'one token back after 1/rate');
  assert.ok(b.take('a', 999_999).ok && b.take('a', 999_999).ok && b.take('a', 999_999).ok && !b.take('a', 999_999).ok, 'never more than the burst');
  assert.ok(b.take('a', 0).ok === false, 'a clock going back refills nothing');
});

test('login throttle: the n-th attempt in a row locks the name unless it succeeds (unknown names alike); addresses are slowed', () => {
  const t = new LoginThrottle({ failures: 3, lockMinutes: 10, addressPerMinute: 1000 });
  assert.equal(t.admit('Alice', 'ip', 0), null);
  assert.equal(t.admit('alice', 'ip', 0), null);
  // Admitted before any hash is checked: parallel guesses beyond the limit are refused.
  assert.equal(t.admit('ALICE', 'ip', 0), null);
  assert.equal(t.failed('alice', 0), 600_000, 'the third failure in a row locked the name (case-insensitively)');
  assert.deepEqual(t.admit('alice', 'ip', 1000), { reason: 'user-locked', retryAfterMs: 599_000 });
  assert.equal(t.admit('alice', 'ip', 600_000), null, 'the lock ends');
  t.admit('bob', 'ip', 0);
  t.admit('bob', 'ip', 0);
  t.clear('bob');
  t.admit('bob', 'ip', 0);
  assert.equal(t.failed('bob', 0), null, 'a success starts the count again');
  t.admit('carol', 'ip', 0);
  t.admit('carol', 'ip', 0);
  t.admit('carol', 'ip', 0);
  t.clear('carol');
  assert.equal(t.admit('carol', 'ip', 1), null, 'the right password on the last allowed attempt clears the lock it set');
  const slow = new LoginThrottle({ failures: 100, lockMinutes: 10, addressPerMinute: 2 });
  assert.equal(slow.admit('x', '10.0.0.1', 0), null);
  assert.equal(slow.admit('y', '10.0.0.1', 0), null);
  assert.equal(slow.admit('z', '10.0.0.1', 0)?.reason, 'address-slowed');
  assert.equal(slow.admit('z', '10.0.0.2', 0), null, 'per address');
  assert.equal(slow.admit('a', '2001:db8:1:2::1', 0), null);
  assert.equal(slow.admit('b', '2001:db8:1:2:ffff::9', 0), null);
  assert.equal(slow.admit('c', '2001:db8:1:2:abcd:0:0:7', 0)?.reason, 'address-slowed', 'IPv6 by /64');
  assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressKey('::ffff:10.0.0.1'), '::ffff:10.0.0.1');
});

test('password rules stop the worst choices only', () => {
  assert.match(passwordProblem('short', 'ann')!, /at least 10 characters, got 5/);
  assert.match(passwordProblem('Password123', 'ann')!, /common passwords/);
  assert.match(passwordProblem('aaaaaaaaaaaa', 'ann')!, /repeated characters/);
  assert.match(passwordProblem('xx-operator-xx', 'operator')!, /user name/);
  assert.match(passwordProblem('x'.repeat(257), 'ann')!, /at most 256/);
  assert.equal(passwordProblem('correct horse battery staple', 'ann'), null);
  assert.equal(passwordProblem('ünïcödé pässwörd', 'ann'), null);
});

test('scrypt hashes: self-describing, salted, verified in constant time; old parameters are flagged for renewal', async () => {
  const a = await hashPassword('correct horse');
  const b = await hashPassword('correct horse');
  assert.match(a, /^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, b, 'salted');
  assert.deepEqual(await verifyPassword('correct horse', a), { ok: true, outdated: false });
  assert.equal((await verifyPassword('correct horsE', a)).ok, false);
  const old = await hashPassword('correct horse', { N: 1024, r: 8, p: 1 });
  assert.deepEqual(await verifyPassword('correct horse', old), { ok: true, outdated: true });
  assert.equal((await verifyPassword('anything', DUMMY_HASH)).ok, false);
  assert.equal((await verifyPassword('anything', 'md5$abc')).ok, false);
});

test('keys and generated passwords', () => {
  const { key, prefix } = newApiKey();
  assert.ok(looksLikeApiKey(key) && key.startsWith(`${prefix}_`));
  assert.ok(!looksLikeApiKey(`${key}x`) && !looksLikeApiKey('slk_short_x'));
  assert.equal(new Set(Array.from({ length: 50 }, () => newApiKey().prefix)).size, 50);
  assert.match(newPassword(), /^[A-Za-z0-9]{20}$/);
  assert.ok(includesRole('admin', 'viewer') && includesRole('operator', 'operator') && !includesRole('viewer', 'operator'));
});
