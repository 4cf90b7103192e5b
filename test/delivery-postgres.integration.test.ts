// Delivery on PostgreSQL: two processes' workers (two owners) share one outbox and deliver every version exactly once
// between them; the webhook's inline snapshot; within one destination a slow attempt holds its slot, not the others.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSecret, startDeliveryStack, testEvent, TINY_JPEG } from './support/delivery-stack.ts';
import { postgresUrlForTests } from './support/postgres.ts';
import { sleep, waitFor } from './support/wait.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';

test('two workers on one PostgreSQL outbox: every version delivered once, both take part, in order per event', { timeout: 120_000 }, async (t) => {
  const url = await postgresUrlForTests(t);
  if (!url) return;
  const secret = newSecret();
  const receiver = new WebhookReceiver(secret);
  await receiver.start();
  const destinations = [{ type: 'webhook', id: 'hook', url: receiver.url, secret, concurrency: 4 }];
  const a = await startDeliveryStack({ databaseUrl: url, owner: 'node-a', destinations });
  const b = await startDeliveryStack({ databaseUrl: url, owner: 'node-b', destinations });
  try {
    const stored: string[] = [];
    for (let i = 0; i < 150; i++) {
      const writer = i % 2 === 0 ? a : b;
      const e = await writer.write('start', testEvent());
      await writer.write('end', { ...e, endMs: e.startMs + 100, endReason: 'left' });
      stored.push(`msg_${e.id}_1`, `msg_${e.id}_2`);
      if (i % 10 === 0) await sleep(20);
    }
    await waitFor('every version accepted', () => receiver.accepted.length === stored.length, 60_000);
    await sleep(500);
    assert.deepEqual([...receiver.accepted].sort(), [...stored].sort());
    assert.equal(receiver.requests.length, stored.length, 'no version sent twice: a claimed row is never claimed by the other worker');
    const counts = await Promise.all([a, b].map(async (s) => Number(/sightline_delivery_successes_total\{destination="hook"\} (\d+)/.exec(await s.delivery.metricsText())![1])));
    assert.equal(counts[0]! + counts[1]!, stored.length);
    assert.ok(counts.every((n) => n > 0), `both workers delivered: ${counts.join(' + ')}`);
    for (let k = 0; k < stored.length; k += 2) {
      const start = receiver.requests.findIndex((r) => r.id === stored[k]);
      const end = receiver.requests.findIndex((r) => r.id === stored[k + 1]);
      assert.ok(start < end, `${stored[k]} before ${stored[k + 1]}`);
    }
  } finally {
    await a.stop();
    await b.stop();
    await receiver.close();
  }
});

test('inline snapshots travel in the body; a slow answer for one event holds one slot while the others go on', { timeout: 60_000 }, async (t) => {
  const url = await postgresUrlForTests(t);
  if (!url) return;
  const secret = newSecret();
  const receiver = new WebhookReceiver(secret);
  await receiver.start();
  const stack = await startDeliveryStack({
    databaseUrl: url,
    destinations: [{ type: 'webhook', id: 'hook', url: receiver.url, secret, snapshot: 'inline', timeoutSeconds: 3, concurrency: 4 }],
  });
  try {
    const slow = await stack.write('instant', testEvent({ snapshotPath: 'snapshots/gate/slow.jpg' }));
    // The receiver stalls on the first event's first request only.
    receiver.stall = (id) => id === `msg_${slow.id}_1`;
    const rest: string[] = [];
    for (let i = 0; i < 20; i++) rest.push(`msg_${(await stack.write('instant', testEvent({ snapshotPath: `snapshots/gate/${i}.jpg` }))).id}_1`);
    await waitFor('the other 20 delivered', () => rest.every((id) => receiver.accepted.includes(id)), 10_000);
    assert.ok(!receiver.accepted.includes(`msg_${slow.id}_1`), 'the stalled one is still waiting for its answer');
    const body = receiver.requests.find((r) => r.id === rest[0])!.body;
    assert.equal(Buffer.from(body.snapshot.base64, 'base64').compare(TINY_JPEG), 0);
    assert.equal(body.snapshot.contentType, 'image/jpeg');
    assert.match(body.data.snapshotUrl, /^http:\/\/127\.0\.0\.1:9\/api\/events\/.*\/snapshot\.jpg$/, 'an unsigned absolute link beside the bytes');
    receiver.stall = () => false;
    await waitFor('the stalled one retried and delivered', () => receiver.accepted.includes(`msg_${slow.id}_1`), 30_000);
  } finally {
    await stack.stop();
    await receiver.close();
  }
});
