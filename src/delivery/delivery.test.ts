import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { DeliveryMetrics } from './delivery-metrics.ts';
import { DeliveryWorker } from './delivery-worker.ts';
import type { OutboxPort } from './outbox.ts';
import { matchesContent, matchesVersion, type DeliveryFilter, type FilteredVersion } from './filter.ts';
import { DEFAULT_RETRY, judge, parseRetryAfter } from './retry-policy.ts';
import { SECRET_PATTERN, signWebhook, verifyWebhook } from './webhook-signature.ts';

const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;

describe('webhook signature', () => {
  it('is v1, + base64 HMAC-SHA256 of id.timestamp.body with the base64-decoded secret, and the reference verifier accepts it', () => {
    const body = JSON.stringify({ hello: 'world' });
    const h = signWebhook(SECRET, 'msg_1', 1_700_000_000_123, body);
    assert.equal(h['webhook-timestamp'], '1700000000');
    const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
    const want = createHmac('sha256', key).update(`msg_1.1700000000.${body}`).digest('base64');
    assert.equal(h['webhook-signature'], `v1,${want}`);
    assert.equal(h['webhook-signature'], new Webhook(SECRET).sign('msg_1', new Date(1_700_000_000_000), body), 'the reference package signs the same bytes');
    // A receiver checks it against its own clock (5 minutes of tolerance): sign with now.
    const now = signWebhook(SECRET, 'msg_2', Date.now(), body);
    assert.deepEqual(verifyWebhook(SECRET, { ...now }, body), { hello: 'world' });
    assert.throws(() => verifyWebhook(SECRET, { ...now }, body.replace('world', 'w0rld')));
    assert.throws(() => verifyWebhook(SECRET, { ...h }, body), 'an old timestamp is refused');
  });

  it('a secret is "whsec_" + base64 of at least 24 bytes (what the configuration accepts)', () => {
    assert.ok(SECRET_PATTERN.test(SECRET));
    for (const bad of ['', 'hunter2', 'whsec_c2hvcnQ=', SECRET.slice(6)]) assert.ok(!SECRET_PATTERN.test(bad), bad);
  });
});

describe('retry policy', () => {
  const half = () => 0.5;
  it('2xx delivered, 410 disables, other 4xx dead at once', () => {
    assert.equal(judge({ kind: 'status', status: 204 }, 1, 0, 0, DEFAULT_RETRY, half).action, 'delivered');
    assert.equal(judge({ kind: 'status', status: 410 }, 1, 0, 0, DEFAULT_RETRY, half).action, 'disable');
    assert.equal(judge({ kind: 'status', status: 400 }, 1, 0, 0, DEFAULT_RETRY, half).action, 'dead');
  });

  it('408, 429, 5xx, timeouts and connection errors back off exponentially with jitter, honour Retry-After, and die after the horizon', () => {
    const at = (attempt: number, random: number) => {
      const v = judge({ kind: 'status', status: 503 }, attempt, 0, 0, DEFAULT_RETRY, () => random);
      assert.equal(v.action, 'retry');
      return (v as { atMs: number }).atMs;
    };
    assert.deepEqual([at(1, 0), at(1, 0.999999)].map(Math.round), [2500, 5000]);
    assert.deepEqual([at(2, 0), at(3, 0), at(4, 0)], [5000, 10000, 20000]);
    assert.equal(at(30, 0), DEFAULT_RETRY.capMs / 2, 'capped');
    for (const o of [{ kind: 'status', status: 408 }, { kind: 'status', status: 429 }, { kind: 'timeout' }, { kind: 'network', error: 'ECONNREFUSED' }] as const) {
      assert.equal(judge(o, 1, 0, 0, DEFAULT_RETRY, half).action, 'retry');
    }
    const asked = judge({ kind: 'status', status: 429, retryAfter: '120' }, 1, 0, 1000, DEFAULT_RETRY, half);
    assert.deepEqual(asked, { action: 'retry', atMs: 121_000, reason: 'HTTP 429' });
    // Retry-After 0 or a past date: no faster than the base delay, or every slot would retry at once, again and again.
    assert.deepEqual(judge({ kind: 'status', status: 503, retryAfter: '0' }, 1, 0, 1000, DEFAULT_RETRY, half), { action: 'retry', atMs: 1000 + DEFAULT_RETRY.baseMs, reason: 'HTTP 503' });
    const past = new Date(0).toUTCString();
    assert.equal((judge({ kind: 'status', status: 429, retryAfter: past }, 3, 0, 1000, DEFAULT_RETRY, half) as { atMs: number }).atMs, 1000 + DEFAULT_RETRY.baseMs);
    const late = judge({ kind: 'timeout' }, 12, 0, DEFAULT_RETRY.horizonMs - 1000, DEFAULT_RETRY, half);
    assert.equal(late.action, 'dead');
  });

  it('Retry-After in seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter('30', 0), 30_000);
    assert.equal(parseRetryAfter(new Date(60_000).toUTCString(), 0), 60_000);
    assert.equal(parseRetryAfter('soon', 0), null);
    assert.equal(parseRetryAfter(undefined, 0), null);
  });
});

describe('delivery filter', () => {
  const matchesFilter = (f: DeliveryFilter, x: FilteredVersion) => matchesContent(f, x.event) && matchesVersion(f, x.kind);
  const v = (kind: FilteredVersion['kind'], over: Partial<FilteredVersion['event']> = {}): FilteredVersion => ({
    kind, event: { id: 'e1', type: 'fall', cameraId: 'hall', ruleId: 'down', severity: 'warning', subjects: [{ label: 'person' }], ...over },
  });

  it('routing is sticky per event: a destination that took a version gets the later ones although they no longer match', () => {
    const sender = { destinationId: 'x', batchSize: 1, ready: () => true, onReady: () => undefined, send: async () => [], check: async () => null, test: async () => ({ ok: true, answer: '', latencyMs: 0 }), close: async () => undefined };
    const worker = new DeliveryWorker({
      outbox: {} as OutboxPort, owner: 'n', now: () => 0, random: () => 0.5, log: { info() {}, warn() {}, error() {} }, metrics: new DeliveryMetrics(), pollMs: 1000,
      destinations: [
        { id: 'critical', filter: { minSeverity: 'critical' }, retry: DEFAULT_RETRY, sender },
        { id: 'people', filter: { labels: ['person'], versions: ['start', 'end'] }, retry: DEFAULT_RETRY, sender },
      ],
    });
    assert.deepEqual(worker.route(v('start')), ['people']);
    assert.deepEqual(worker.route(v('update', { severity: 'critical', subjects: [{ label: 'dog' }] })), ['critical'], 'people takes no updates; critical starts here');
    assert.deepEqual(worker.route(v('end', { severity: 'warning', subjects: [] })), ['critical', 'people'], 'both get the end, matching or not');
    assert.deepEqual(worker.route(v('update', { id: 'e2', subjects: [] })), [], 'another event starts afresh');
  });
  it('absent lists match anything; each list narrows', () => {
    assert.ok(matchesFilter({}, v('update')));
    assert.ok(matchesFilter({ types: ['fall'], cameras: ['hall'], rules: ['down'], labels: ['person'] }, v('start')));
    assert.ok(!matchesFilter({ types: ['animal'] }, v('start')));
    assert.ok(!matchesFilter({ cameras: ['yard'] }, v('start')));
    assert.ok(!matchesFilter({ labels: ['dog'] }, v('start')));
  });
  it('minimum severity, and versions: a point event is a start and an end', () => {
    assert.ok(!matchesFilter({ minSeverity: 'critical' }, v('start')));
    assert.ok(matchesFilter({ minSeverity: 'warning' }, v('start', { severity: 'critical' })));
    assert.ok(!matchesFilter({ versions: ['start'] }, v('update')));
    assert.ok(matchesFilter({ versions: ['end'] }, v('instant')));
  });
});
