// Webhook delivery through the outbox against real HTTP receivers (issue 14's faults): a receiver that answers 500
// for 30 s, then refuses connections for 30 s, then recovers; receivers that answer slowly, endlessly or with 10 MB;
// a 410 that disables exactly its destination. Every request is checked with the README's verification example.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { newSecret, queueOf, startDeliveryStack, testEvent, type DeliveryStack } from './support/delivery-stack.ts';
import { sleep, waitFor } from './support/wait.ts';
import { WebhookReceiver } from './support/webhook-receiver.ts';

/** Every message id the outbox holds for a destination (all stored versions it takes), in creation order. */
async function storedMessageIds(stack: DeliveryStack, destination: string): Promise<string[]> {
  const rows = await stack.db.query<{ message_id: string }>('SELECT message_id FROM deliveries WHERE destination_id = $1 ORDER BY id', [destination]);
  return rows.map((r) => r.message_id);
}

test('a receiver that fails with 500 for 30 s, then refuses connections for 30 s, gets every version once, in order, retries spaced as configured', { timeout: 240_000 }, async () => {
  const secret = newSecret();
  const receiver = new WebhookReceiver(secret);
  await receiver.start();
  receiver.mode = { status: 500 };
  const retry = { baseSeconds: 1, capSeconds: 8, horizonHours: 1 };
  const stack = await startDeliveryStack({ destinations: [{ type: 'webhook', id: 'hook', url: receiver.url, secret, timeoutSeconds: 2, retry }] });
  try {
    // Events keep coming through both outages: 12 with start, update and end, 12 point events.
    const written: string[] = [];
    const t0 = performance.now();
    const writer = (async () => {
      for (let i = 0; i < 12; i++) {
        const e = testEvent();
        await stack.write('start', e);
        await stack.write('instant', testEvent({ type: 'line', ruleId: 'door', attributes: { lineId: 'door', direction: 'in', countIn: 1, countOut: 0 } }));
        await sleep(1500);
        await stack.write('update', { ...e, lastSeenMs: e.startMs + 1500, severity: 'critical' });
        await stack.write('end', { ...e, endMs: e.startMs + 2000, endReason: 'left', lastSeenMs: e.startMs + 2000 });
        written.push(e.id);
        await sleep(3000);
      }
    })();
    await sleep(Math.max(0, 30_000 - (performance.now() - t0)));
    assert.equal(receiver.accepted.length, 0, 'nothing accepted while the receiver answers 500');
    assert.ok(receiver.requests.length > 0, 'attempts were made during the 500 phase');
    await receiver.refuse();
    const refusedAt = performance.now();
    await sleep(30_000);
    const failedWhileRefused = (await stack.outbox.list({ status: 'failed', destinationId: 'hook' })).filter((d) => /ECONNREFUSED/.test(d.lastError ?? ''));
    assert.ok(failedWhileRefused.length > 0, 'connection errors are recorded and retried');
    receiver.mode = 'ok';
    await receiver.start();
    await writer;
    const recoveredAt = performance.now();
    const stored = await storedMessageIds(stack, 'hook');
    assert.equal(stored.length, 12 * 4);
    // Retries are at most capSeconds (8 s) apart, so everything arrives within a few seconds of recovery.
    await waitFor('every stored version accepted', () => receiver.accepted.length >= stored.length, 60_000);
    assert.ok(performance.now() - recoveredAt < 30_000, `recovered within 30 s (took ${Math.round(performance.now() - recoveredAt)} ms)`);
    assert.ok(refusedAt > 0);

    assert.deepEqual([...receiver.accepted].sort(), [...stored].sort(), 'each stored version accepted exactly once');
    assert.equal(receiver.badSignatures.length, 0, 'every request carried a valid signature');
    const dupes = receiver.requests.filter((r) => r.answered === 200 && !r.fresh);
    assert.ok(dupes.every((r) => stored.includes(r.id)), 'a repeat carries the same webhook-id');
    // In order per event: the receiver got versions 1, 2, 3 of each event one after the other.
    for (const id of written) {
      const versions = receiver.requests.filter((r) => r.fresh && r.body.data.id === id).map((r) => r.body.version);
      assert.deepEqual(versions, [1, 2, 3], `versions of ${id} in order`);
    }
    // The receiver answered before the worker recorded the last attempts: wait for the records.
    await waitFor('every delivery recorded as delivered', async () => {
      return (await queueOf(stack.outbox, 'hook')).waiting === 0;
    }, 15_000);
    // Retries spaced as configured: attempt k+1 comes at least half the k-th backoff (equal jitter) after attempt k.
    const all = await stack.outbox.list({ destinationId: 'hook', limit: 1000 });
    let checked = 0;
    for (const d of all) {
      const log = (await stack.outbox.get(d.id))!.attemptLog!;
      assert.equal(log.at(-1)!.verdict, 'delivered');
      for (let k = 1; k < log.length; k++) {
        const backoffMs = Math.min(retry.capSeconds * 1000, retry.baseSeconds * 1000 * 2 ** (k - 1));
        const gapMs = log[k]!.atMs - log[k - 1]!.atMs;
        assert.ok(gapMs >= backoffMs / 2 - 5, `delivery ${d.id}: attempt ${k + 1} came ${gapMs} ms after attempt ${k}, expected at least ${backoffMs / 2}`);
        checked++;
      }
    }
    assert.ok(checked > 20, `retry gaps checked: ${checked}`);
    const q = await queueOf(stack.outbox, 'hook');
    assert.deepEqual([q.pending, q.failed, q.dead], [0, 0, 0]);
    assert.equal(all.filter((d) => d.status === 'delivered').length, stored.length);
  } finally {
    await stack.stop();
    await receiver.close();
  }
});

test('slow, endless and huge answers are cut at the timeout and do not slow the other destinations; a 410 disables exactly its destination', { timeout: 120_000 }, async () => {
  const secret = newSecret();
  const receivers = Object.fromEntries(
    await Promise.all(
      (['fast', 'loris', 'body', 'huge', 'endless', 'gone'] as const).map(async (name) => {
        const r = new WebhookReceiver(secret);
        await r.start();
        return [name, r] as const;
      }),
    ),
  ) as Record<'fast' | 'loris' | 'body' | 'huge' | 'endless' | 'gone', WebhookReceiver>;
  receivers.loris.mode = 'slow-loris';
  receivers.body.mode = 'slow-body';
  receivers.huge.mode = 'huge';
  receivers.endless.mode = 'never-ending';
  receivers.gone.mode = { status: 410 };
  const logLines: string[] = [];
  const log = pino({ level: 'info' }, { write: (l: string) => void logLines.push(l) });
  const timeoutSeconds = 1.5;
  const destinations = Object.entries(receivers).map(([id, r]) => ({ type: 'webhook', id, url: r.url, secret, timeoutSeconds, retry: { baseSeconds: 30 } }));
  const stack = await startDeliveryStack({ destinations, log });
  try {
    const stored: { id: string; atMs: number }[] = [];
    for (let i = 0; i < 10; i++) {
      const e = await stack.write('instant', testEvent());
      stored.push({ id: `msg_${e.id}_1`, atMs: Date.now() });
      await sleep(100);
    }
    await waitFor('the fast receiver got all 10', () => receivers.fast.accepted.length === 10, 20_000);
    const lateMs = stored.map((s) => receivers.fast.requests.find((r) => r.id === s.id)!.atMs - s.atMs);
    assert.ok(Math.max(...lateMs) < timeoutSeconds * 1000, `fast destination latencies ${lateMs.join(', ')} ms stay below the others' timeout`);

    await waitFor('every slow attempt ended', async () => {
      const qs = await Promise.all(['loris', 'body', 'endless', 'huge'].map((id) => queueOf(stack.outbox, id)));
      return qs.every((q) => q.pending === 0);
    }, 30_000);
    for (const id of ['loris', 'body']) {
      const ds = await stack.outbox.list({ destinationId: id });
      assert.equal(ds.length, 10);
      for (const d of ds) {
        assert.equal(d.status, 'failed', `${id}: cut and scheduled for a retry`);
        assert.match(d.lastError!, /timed out/);
        const a = (await stack.outbox.get(d.id))!.attemptLog![0]!;
        assert.ok(a.latencyMs >= timeoutSeconds * 1000 - 50 && a.latencyMs < timeoutSeconds * 1000 + 3000, `${id}: cut at the timeout, after ${a.latencyMs} ms`);
      }
    }
    for (const id of ['huge', 'endless']) {
      // A 200 whose body never ends (or is 10 MB) is delivered: the answer's first kilobyte is read, the rest dropped.
      const ds = await stack.outbox.list({ destinationId: id });
      assert.deepEqual(ds.map((d) => d.status), new Array(10).fill('delivered'), id);
      for (const d of ds) assert.ok((await stack.outbox.get(d.id))!.attemptLog![0]!.latencyMs < timeoutSeconds * 1000, `${id} answer cut early`);
    }

    // 410: the destination is disabled, the others are not, and nothing more is queued or sent to it.
    await waitFor('gone disabled', () => stack.delivery.destinations().find((d) => d.id === 'gone')!.disabled, 10_000);
    const views = stack.delivery.destinations();
    assert.deepEqual(views.filter((d) => d.disabled).map((d) => d.id), ['gone']);
    assert.match(views.find((d) => d.id === 'gone')!.disabledReason!, /410/);
    const goneRequests = receivers.gone.requests.length;
    const goneQueued = (await stack.outbox.list({ destinationId: 'gone' })).length;
    assert.ok(goneRequests >= 1 && goneRequests <= goneQueued && goneQueued < 10, `${goneRequests} requests, ${goneQueued} queued before the 410 disabled it`);
    await stack.write('instant', testEvent());
    await waitFor('the fast receiver got the 11th', () => receivers.fast.accepted.length === 11, 10_000);
    await sleep(500);
    assert.equal(receivers.gone.requests.length, goneRequests, 'no request to a disabled destination');
    assert.equal((await stack.outbox.list({ destinationId: 'gone' })).length, goneQueued, 'nothing new queued for it');
    // Turned back on, its waiting versions go out.
    receivers.gone.mode = 'ok';
    await stack.delivery.worker.enable('gone');
    await waitFor('gone receives its waiting versions', () => receivers.gone.accepted.length === goneQueued, 20_000);

    const text = logLines.join('');
    assert.ok(!text.includes(secret) && !text.includes(secret.slice(6)), 'the secret never appears in the log');
    assert.match(text, /destination \\"gone\\" disabled/);
    const metrics = await stack.delivery.metricsText();
    assert.match(metrics, /sightline_delivery_successes_total\{destination="fast"\} 11/);
    assert.match(metrics, /sightline_delivery_queue_depth\{destination="loris"\} 11/);
    assert.match(metrics, /sightline_delivery_latency_ms_count\{destination="fast"\} 11/);
    assert.ok(!metrics.includes(secret));
  } finally {
    await stack.stop();
    for (const r of Object.values(receivers)) await r.close();
  }
});
